package network

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/castle-aws/castle/steps"
)

// state is discovery's view, shared by Discover, Plan and Apply.
type state struct {
	client  *ec2.Client
	account string
	vpcs    []VPC
	target  VPC
	found   bool   // the chosen VPC exists
	answer  string // "default" or a vpc id
	group   string // the service's security group id, if it exists
	open    bool   // it allows the port from 0.0.0.0/0
	port    int
	gname   string
}

func look(ctx context.Context, env *steps.Env) (*state, error) {
	if err := env.OpenJournal(ctx); err != nil {
		return nil, err
	}
	wl, err := env.WorkloadAccount(ctx)
	if err != nil {
		return nil, err
	}
	st := &state{client: ec2.NewFromConfig(wl.Config), account: wl.AccountID, port: ContainerPort(env), gname: GroupName(serviceName(env))}
	st.answer = "default"
	if env.Answers != nil && env.Answers.Network.VPC != "" {
		st.answer = env.Answers.Network.VPC
	}
	if err := st.refresh(ctx); err != nil {
		return nil, explain(err, env)
	}
	return st, nil
}

func (st *state) refresh(ctx context.Context) error {
	vpcs, err := scan(ctx, st.client)
	if err != nil {
		return err
	}
	st.vpcs = vpcs
	st.target, st.found = pick(vpcs, st.answer)
	st.group, st.open = "", false
	if st.found {
		st.group, st.open, err = findGroup(ctx, st.client, st.target.ID, st.gname, st.port)
	}
	return err
}

// findGroup looks up a security group by name in a VPC and whether it lets
// the port in from anywhere.
func findGroup(ctx context.Context, c *ec2.Client, vpc, name string, port int) (string, bool, error) {
	out, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpc}}, {Name: aws.String("group-name"), Values: []string{name}}}})
	if err != nil || len(out.SecurityGroups) == 0 {
		return "", false, err
	}
	sg := out.SecurityGroups[0]
	for _, p := range sg.IpPermissions {
		if aws.ToString(p.IpProtocol) != "tcp" || aws.ToInt32(p.FromPort) > int32(port) || aws.ToInt32(p.ToPort) < int32(port) {
			continue
		}
		for _, r := range p.IpRanges {
			if aws.ToString(r.CidrIp) == "0.0.0.0/0" {
				return aws.ToString(sg.GroupId), true, nil
			}
		}
	}
	return aws.ToString(sg.GroupId), false, nil
}

func (section) Discover(ctx context.Context, env *steps.Env) (steps.Status, error) {
	st, err := look(ctx, env)
	if err != nil {
		return steps.Status{Section: steps.Network, State: steps.StateUnknown, Summary: "could not look"}, err
	}
	status := steps.Status{Section: steps.Network, State: steps.StateNotStarted}
	for _, v := range st.vpcs {
		status.Details = append(status.Details, v.Describe())
	}
	if len(st.vpcs) == 0 {
		status.Details = append(status.Details, "This account has no VPC at all (Account Factory accounts start without the default one).")
	}
	switch {
	case !st.found && st.answer == "default":
		status.Summary = "no default VPC yet"
	case !st.found:
		status.Summary = "VPC " + st.answer + " is not in this account"
	case len(st.target.PublicSubnets()) == 0:
		status.Summary = st.target.ID + " has no subnet that reaches the internet"
	case st.group == "" || !st.open:
		status.Summary = fmt.Sprintf("%s ready, port %d not open", st.target.ID, st.port)
	default:
		status.State = steps.StateDone
		status.Summary = fmt.Sprintf("%s: %d public subnets, port %d open", st.target.ID, len(st.target.PublicSubnets()), st.port)
		if vpc, _ := env.Journal.Resource(string(steps.Network), KeyVPC); vpc != st.target.ID {
			// Done on AWS but not in this journal (another machine): record it.
			if err := st.record(env); err != nil {
				return status, err
			}
		}
	}
	return status, nil
}

func (st *state) record(env *steps.Env) error {
	j := env.Journal
	if err := j.SetResource(string(steps.Network), KeyVPC, st.target.ID); err != nil {
		return err
	}
	if err := j.SetResource(string(steps.Network), KeySubnets, joinIDs(st.target.PublicSubnets())); err != nil {
		return err
	}
	return j.SetResource(string(steps.Network), KeySecurityGroup, st.group)
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func explain(err error, env *steps.Env) error {
	switch code(err) {
	case "InvalidVpcID.NotFound":
		return &steps.UserError{Message: "The VPC you chose is not in the workload account.", Next: "Pick another VPC in the Network form, or choose the default VPC.", Err: err}
	case "VpcLimitExceeded":
		return &steps.UserError{Message: "This region already has as many VPCs as AWS allows (5 by default).", Next: "Pick one of the existing VPCs in the Network form, or delete an unused VPC in the VPC console.", Err: err}
	case "InternetGatewayLimitExceeded":
		return &steps.UserError{Message: "This region already has as many internet gateways as AWS allows.", Next: "Delete an unused internet gateway in the VPC console, then retry.", Err: err}
	}
	return steps.Explain(err, env)
}
