package network

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/castle-aws/castle/steps"
)

const sec = string(steps.Network)

func (section) Resume(context.Context, *steps.Env, steps.Emit) error { return nil }

func (s section) Apply(ctx context.Context, env *steps.Env, emit steps.Emit) error {
	st, err := look(ctx, env)
	if err != nil {
		return err
	}
	say := func(step string, kind steps.EventKind, msg string) {
		emit(steps.Event{Time: env.Now(), Section: steps.Network, Step: step, Kind: kind, Message: msg, Percent: -1})
	}
	fail := func(step string, err error) error {
		err = explain(err, env)
		say(step, steps.EventFailed, err.Error())
		return err
	}

	// 1. The default VPC.
	if st.answer == "default" {
		if st.found {
			say("default-vpc", steps.EventSkipped, "the default VPC "+st.target.ID+" exists")
		} else {
			say("default-vpc", steps.EventStarted, "recreating the default VPC")
			out, err := st.client.CreateDefaultVpc(ctx, &ec2.CreateDefaultVpcInput{})
			if err != nil && code(err) != "DefaultVpcAlreadyExists" {
				return fail("default-vpc", err)
			}
			if err := st.refresh(ctx); err != nil {
				return fail("default-vpc", err)
			}
			if !st.found {
				return fail("default-vpc", &steps.UserError{Message: "AWS made a default VPC but castle cannot see it.", Next: "Retry in a minute."})
			}
			id := st.target.ID
			if out != nil && out.Vpc != nil {
				id = aws.ToString(out.Vpc.VpcId)
			}
			say("default-vpc", steps.EventDone, "default VPC "+id+" is ready")
		}
	} else if !st.found {
		return fail("default-vpc", &steps.UserError{Message: "VPC " + st.answer + " is not in the workload account.", Next: "Pick another VPC in the Network form, or choose the default VPC."})
	}

	// 2. The internet gateway.
	if err := st.gateway(ctx, env, say); err != nil {
		return fail("internet-gateway", err)
	}
	// 3. Routes.
	if err := st.routes(ctx, say); err != nil {
		return fail("routes", err)
	}
	// 4. The security group.
	if err := st.securityGroup(ctx, say); err != nil {
		return fail("security-group", err)
	}
	if err := st.refresh(ctx); err != nil {
		return fail("security-group", err)
	}
	if len(st.target.PublicSubnets()) == 0 {
		return fail("routes", &steps.UserError{Message: st.target.ID + " still has no subnet that reaches the internet.", Next: "Check its route tables in the VPC console, or choose the default VPC."})
	}
	if err := st.record(env); err != nil {
		return err
	}
	env.Journal.SetAnswers(sec, env.Answers.Network)
	say("security-group", steps.EventInfo, fmt.Sprintf("network ready: %s, subnets %s, security group %s (TCP %d from anywhere, nothing else)",
		st.target.ID, strings.Join(st.target.PublicSubnets(), ", "), st.group, st.port))
	return nil
}

func (st *state) gateway(ctx context.Context, env *steps.Env, say func(string, steps.EventKind, string)) error {
	if st.target.Gateway != "" {
		say("internet-gateway", steps.EventSkipped, st.target.Gateway+" is attached")
		return nil
	}
	say("internet-gateway", steps.EventStarted, "creating an internet gateway for "+st.target.ID)
	// A gateway made by a castle that stopped before attaching it is reused.
	id, _ := env.Journal.Resource(sec, keyPendingIGW)
	if id != "" {
		out, err := st.client.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{Filters: []types.Filter{{Name: aws.String("internet-gateway-id"), Values: []string{id}}}})
		if err != nil {
			return err
		}
		if len(out.InternetGateways) == 0 || len(out.InternetGateways[0].Attachments) > 0 {
			id = ""
		}
	}
	if id == "" {
		out, err := st.client.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{})
		if err != nil {
			return err
		}
		id = aws.ToString(out.InternetGateway.InternetGatewayId)
		if err := env.Journal.SetResource(sec, keyPendingIGW, id); err != nil {
			return err
		}
	}
	_, err := st.client.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: aws.String(id), VpcId: aws.String(st.target.ID)})
	if err != nil && code(err) != "Resource.AlreadyAssociated" {
		return err
	}
	env.Journal.ForgetResource(sec, keyPendingIGW)
	if err := st.refresh(ctx); err != nil {
		return err
	}
	say("internet-gateway", steps.EventDone, id+" is attached to "+st.target.ID)
	return nil
}

func (st *state) routes(ctx context.Context, say func(string, steps.EventKind, string)) error {
	missing := st.target.MissingRoutes()
	if len(missing) == 0 {
		say("routes", steps.EventSkipped, fmt.Sprintf("%d public subnets already route to the internet", len(st.target.PublicSubnets())))
		return nil
	}
	say("routes", steps.EventStarted, fmt.Sprintf("adding 0.0.0.0/0 → %s to %d route tables", st.target.Gateway, len(missing)))
	for _, t := range missing {
		_, err := st.client.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: aws.String(t), DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: aws.String(st.target.Gateway)})
		if err != nil && code(err) != "RouteAlreadyExists" {
			return err
		}
	}
	if err := st.refresh(ctx); err != nil {
		return err
	}
	say("routes", steps.EventDone, fmt.Sprintf("%d subnets reach the internet", len(st.target.PublicSubnets())))
	return nil
}

func (st *state) securityGroup(ctx context.Context, say func(string, steps.EventKind, string)) error {
	if st.group != "" && st.open {
		say("security-group", steps.EventSkipped, fmt.Sprintf("%s already lets in port %d", st.group, st.port))
		return nil
	}
	say("security-group", steps.EventStarted, fmt.Sprintf("opening port %d in security group %s", st.port, st.gname))
	if st.group == "" {
		out, err := st.client.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(st.gname), Description: aws.String(groupDescription(st.port)), VpcId: aws.String(st.target.ID)})
		switch {
		case err == nil:
			st.group = aws.ToString(out.GroupId)
		case code(err) == "InvalidGroup.Duplicate":
			if st.group, _, err = findGroup(ctx, st.client, st.target.ID, st.gname, st.port); err != nil {
				return err
			}
		default:
			return err
		}
	}
	_, err := st.client.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(st.group), IpPermissions: []types.IpPermission{{
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(int32(st.port)), ToPort: aws.Int32(int32(st.port)),
		IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0"), Description: aws.String("the service, from anywhere")}}}}})
	if err != nil && code(err) != "InvalidPermission.Duplicate" {
		return err
	}
	say("security-group", steps.EventDone, fmt.Sprintf("%s lets in TCP port %d from anywhere, nothing else", st.group, st.port))
	return nil
}
