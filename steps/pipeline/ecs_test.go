package pipeline_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/castle-aws/castle/sandbox"
	sbcb "github.com/castle-aws/castle/sandbox/codebuild"
	sbcc "github.com/castle-aws/castle/sandbox/codeconnections"
	sbcp "github.com/castle-aws/castle/sandbox/codepipeline"
	sbecr "github.com/castle-aws/castle/sandbox/ecr"
	sbecs "github.com/castle-aws/castle/sandbox/ecs"
	sbiam "github.com/castle-aws/castle/sandbox/iam"
	sbs3 "github.com/castle-aws/castle/sandbox/s3"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	sbsts "github.com/castle-aws/castle/sandbox/sts"
	"github.com/castle-aws/castle/sandbox/world"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/pipeline"
)

// Against the simulated ECS: the first run's deploy registers a new
// task-definition revision with the built image and rolls the service to it,
// so the Service section sees the new deployment.
func TestFirstRunDeploysToTheSimulatedECSService(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{Speed: speed, AutoApproveConnections: true, Services: []world.Service{
		sbsts.New(), sbiam.New(), sbecr.New(), sbecs.New("unix:///nonexistent/castle-test.sock"),
		sbs3.New(), sbcb.New(), sbcp.New(), sbcc.New(true)}})
	ctx := context.Background()
	cfg := sb.Admin()
	repoURI := pushImage(t, sb)
	if _, err := iam.NewFromConfig(cfg).CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	e := ecs.NewFromConfig(cfg)
	if _, err := e.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(cluster)}); err != nil {
		t.Fatal(err)
	}
	execRole := "arn:aws:iam::" + world.ManagementAccount + ":role/ecsTaskExecutionRole"
	td, err := e.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String(service), Cpu: aws.String("256"), Memory: aws.String("512"),
		NetworkMode: ecstypes.NetworkModeAwsvpc, RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate}, ExecutionRoleArn: &execRole,
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String(container), Image: aws.String(repoURI + ":v1"), Essential: aws.Bool(true),
			PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(80)}}}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String(cluster), ServiceName: aws.String(service), TaskDefinition: td.TaskDefinition.TaskDefinitionArn,
		DesiredCount: aws.Int32(1), LaunchType: ecstypes.LaunchTypeFargate,
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: []string{"subnet-1"}, AssignPublicIp: ecstypes.AssignPublicIpEnabled}}})
	if err != nil {
		t.Fatal(err)
	}
	env := sb.Env()
	seedJournal(t, env, repoURI)
	if err := env.Journal.SetResource("service", "taskDefinitionArn", aws.ToString(td.TaskDefinition.TaskDefinitionArn)); err != nil {
		t.Fatal(err)
	}
	env.Answers.Pipeline.Repository = github

	ev := newEvents()
	if err := pipeline.New().Apply(ctx, env, ev.emit); err != nil {
		t.Fatalf("apply: %v\n%s", err, ev.describe())
	}
	source := ev.waitFor(t, steps.EventDone, "run-source")
	i := strings.Index(source.Message, "(commit ")
	if i < 0 {
		t.Fatalf("source step does not name the commit: %q", source.Message)
	}
	commit := source.Message[i+len("(commit ") : i+len("(commit ")+7]
	out, err := e.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: []string{service}})
	if err != nil || len(out.Services) != 1 {
		t.Fatal(err)
	}
	now := aws.ToString(out.Services[0].TaskDefinition)
	if now == aws.ToString(td.TaskDefinition.TaskDefinitionArn) || !strings.HasSuffix(now, ":2") {
		t.Fatalf("the service still runs %s", now)
	}
	got, err := e.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: &now})
	if err != nil {
		t.Fatal(err)
	}
	if img := aws.ToString(got.TaskDefinition.ContainerDefinitions[0].Image); img != repoURI+":"+commit {
		t.Fatalf("new revision runs %s, want %s:%s", img, repoURI, commit)
	}
	primary := false
	for _, d := range out.Services[0].Deployments {
		if aws.ToString(d.Status) == "PRIMARY" && aws.ToString(d.TaskDefinition) == now {
			primary = true
		}
	}
	if !primary {
		t.Fatalf("no PRIMARY deployment of %s: %+v", now, out.Services[0].Deployments)
	}
}
