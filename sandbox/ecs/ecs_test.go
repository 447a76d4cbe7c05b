package ecs_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/castle-aws/castle/sandbox"
	sbecs "github.com/castle-aws/castle/sandbox/ecs"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
)

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func setup(t *testing.T) (*sandboxtest.Sandbox, *ecs.Client, []string, string) {
	sb := sandboxtest.Start(t, sandbox.Options{DockerHost: "unix:///nonexistent/x.sock"})
	cfg := sb.Admin()
	ctx := context.Background()
	e := ec2.NewFromConfig(cfg)
	subnets, err := e.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
	if err != nil || len(subnets.Subnets) != 3 {
		t.Fatalf("the management account should have a default VPC with 3 subnets: %v", err)
	}
	sg, err := e.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("web"), Description: aws.String("web"), VpcId: subnets.Subnets[0].VpcId})
	if err != nil {
		t.Fatal(err)
	}
	c := ecs.NewFromConfig(cfg)
	if _, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("c1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RegisterTaskDefinition(ctx, taskDef("img:1")); err != nil {
		t.Fatal(err)
	}
	return sb, c, []string{aws.ToString(subnets.Subnets[0].SubnetId)}, aws.ToString(sg.GroupId)
}

func taskDef(image string) *ecs.RegisterTaskDefinitionInput {
	return &ecs.RegisterTaskDefinitionInput{Family: aws.String("web"), Cpu: aws.String("256"), Memory: aws.String("512"),
		NetworkMode: types.NetworkModeAwsvpc, RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app"), Image: aws.String(image), PortMappings: []types.PortMapping{{ContainerPort: aws.Int32(80)}}}}}
}

func create(c *ecs.Client, subnets []string, sg, token string) (*ecs.CreateServiceOutput, error) {
	return c.CreateService(context.Background(), &ecs.CreateServiceInput{Cluster: aws.String("c1"), ServiceName: aws.String("s1"), TaskDefinition: aws.String("web"),
		DesiredCount: aws.Int32(1), LaunchType: types.LaunchTypeFargate, ClientToken: aws.String(token),
		NetworkConfiguration:    &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: subnets, SecurityGroups: []string{sg}, AssignPublicIp: types.AssignPublicIpEnabled}},
		DeploymentConfiguration: &types.DeploymentConfiguration{DeploymentCircuitBreaker: &types.DeploymentCircuitBreaker{Enable: true, Rollback: true}}})
}

func TestServiceNeedsLinkedRoleAndClientTokenIsIdempotent(t *testing.T) {
	sb, c, subnets, sg := setup(t)
	ctx := context.Background()
	_, err := create(c, subnets, sg, "tok-1")
	if code(err) != "InvalidParameterException" || !strings.Contains(err.Error(), "service linked role") {
		t.Fatalf("without the service-linked role: %v", err)
	}
	if _, err := iam.NewFromConfig(sb.Admin()).CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	first, err := create(c, subnets, sg, "tok-1")
	if err != nil {
		t.Fatal(err)
	}
	again, err := create(c, subnets, sg, "tok-1")
	if err != nil || aws.ToString(again.Service.Deployments[0].Id) != aws.ToString(first.Service.Deployments[0].Id) {
		t.Fatalf("same token again: %v", err)
	}
	if _, err := create(c, subnets, sg, "tok-2"); code(err) != "InvalidParameterException" || !strings.Contains(err.Error(), "not idempotent") {
		t.Fatalf("another token: %v", err)
	}
	if _, err := create(c, []string{"subnet-nope"}, sg, "tok-3"); code(err) != "InvalidParameterException" {
		t.Fatalf("missing subnet: %v", err)
	}

	// PROVISIONING → PENDING → RUNNING, then the deployment completes.
	seen := map[string]bool{}
	for i := 0; i < 20; i++ {
		tasks, _ := c.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String("c1"), ServiceName: aws.String("s1")})
		if len(tasks.TaskArns) == 1 {
			d, _ := c.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("c1"), Tasks: tasks.TaskArns})
			seen[aws.ToString(d.Tasks[0].LastStatus)] = true
		}
		sb.Clock().Advance(5 * time.Second)
	}
	if !seen["PROVISIONING"] || !seen["PENDING"] || !seen["RUNNING"] {
		t.Fatalf("task states seen: %v", seen)
	}
	out, _ := c.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("c1"), Services: []string{"s1"}})
	s := out.Services[0]
	if s.RunningCount != 1 || s.Deployments[0].RolloutState != types.DeploymentRolloutStateCompleted || !strings.Contains(aws.ToString(s.Events[0].Message), "steady state") {
		t.Fatalf("service %+v", s)
	}

	// Deploy (the pipeline's action): a new revision with the new image, rolled out.
	sb.World.Lock()
	arn, err := sbecs.From(sb.World).Deploy(sb.World, "111122223333", sandboxtest.Region, "c1", "s1", map[string]string{"app": "img:2"})
	sb.World.Unlock()
	if err != nil || !strings.HasSuffix(arn, "web:2") {
		t.Fatalf("deploy: %s %v", arn, err)
	}
	td, _ := c.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(arn)})
	if aws.ToString(td.TaskDefinition.ContainerDefinitions[0].Image) != "img:2" || aws.ToString(td.TaskDefinition.Cpu) != "256" {
		t.Fatalf("new revision %+v", td.TaskDefinition)
	}
	for i := 0; i < 30; i++ {
		sb.Clock().Advance(5 * time.Second)
		out, _ = c.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("c1"), Services: []string{"s1"}})
	}
	s = out.Services[0]
	if len(s.Deployments) != 1 || aws.ToString(s.Deployments[0].TaskDefinition) != arn || s.Deployments[0].RolloutState != types.DeploymentRolloutStateCompleted || s.RunningCount != 1 {
		t.Fatalf("after Deploy: %+v", s.Deployments)
	}
}

func TestFargateSizesAreChecked(t *testing.T) {
	_, c, _, _ := setup(t)
	in := taskDef("img:1")
	in.Memory = aws.String("4096")
	_, err := c.RegisterTaskDefinition(context.Background(), in)
	if code(err) != "ClientException" || !strings.Contains(err.Error(), "No Fargate configuration") {
		t.Fatalf("256 CPU with 4 GB: %v", err)
	}
}
