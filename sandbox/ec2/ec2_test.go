package ec2_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
)

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestDefaultVPCAndTheErrorCodesCastleTreatsAsDone(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	ctx := context.Background()
	sb.World.Lock()
	a := sb.World.NewAccount("wl", "wl@example.com", true)
	k := sb.World.IssueKey(a.ID, "arn:aws:sts::"+a.ID+":assumed-role/x/y", "AROA:y", time.Hour)
	sb.World.Unlock()
	c := ec2.NewFromConfig(sb.Config(k.AccessKeyID, k.Secret, k.SessionToken))

	vpcs, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []types.Filter{{Name: aws.String("isDefault"), Values: []string{"true"}}}})
	if err != nil || len(vpcs.Vpcs) != 0 {
		t.Fatalf("a vended account has no default VPC: %v %v", vpcs, err)
	}
	created, err := c.CreateDefaultVpc(ctx, &ec2.CreateDefaultVpcInput{})
	if err != nil || aws.ToString(created.Vpc.CidrBlock) != "172.31.0.0/16" || !aws.ToBool(created.Vpc.IsDefault) {
		t.Fatalf("create default VPC: %+v %v", created, err)
	}
	vpc := aws.ToString(created.Vpc.VpcId)
	if _, err := c.CreateDefaultVpc(ctx, &ec2.CreateDefaultVpcInput{}); code(err) != "DefaultVpcAlreadyExists" {
		t.Fatalf("second default VPC: %v", err)
	}
	igws, _ := c.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{Filters: []types.Filter{{Name: aws.String("attachment.vpc-id"), Values: []string{vpc}}}})
	if len(igws.InternetGateways) != 1 {
		t.Fatalf("gateways of the default VPC: %+v", igws.InternetGateways)
	}
	igw := aws.ToString(igws.InternetGateways[0].InternetGatewayId)
	if _, err := c.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: aws.String(igw), VpcId: aws.String(vpc)}); code(err) != "Resource.AlreadyAssociated" {
		t.Fatalf("attach again: %v", err)
	}
	rts, _ := c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpc}}}})
	if len(rts.RouteTables) != 1 || !aws.ToBool(rts.RouteTables[0].Associations[0].Main) {
		t.Fatalf("route tables %+v", rts.RouteTables)
	}
	_, err = c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: rts.RouteTables[0].RouteTableId, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: aws.String(igw)})
	if code(err) != "RouteAlreadyExists" {
		t.Fatalf("route again: %v", err)
	}
	subnets, _ := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []types.Filter{{Name: aws.String("default-for-az"), Values: []string{"true"}}}})
	if len(subnets.Subnets) != 3 || !aws.ToBool(subnets.Subnets[0].MapPublicIpOnLaunch) {
		t.Fatalf("subnets %+v", subnets.Subnets)
	}
	sg, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("web"), Description: aws.String("web"), VpcId: aws.String(vpc)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("web"), Description: aws.String("web"), VpcId: aws.String(vpc)}); code(err) != "InvalidGroup.Duplicate" {
		t.Fatalf("duplicate group: %v", err)
	}
	perm := []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(80), ToPort: aws.Int32(80), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}
	if _, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: sg.GroupId, IpPermissions: perm}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: sg.GroupId, IpPermissions: perm}); code(err) != "InvalidPermission.Duplicate" {
		t.Fatalf("duplicate rule: %v", err)
	}
	if _, err := c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{"eni-0000"}}); code(err) != "InvalidNetworkInterfaceID.NotFound" {
		t.Fatalf("missing ENI: %v", err)
	}
}
