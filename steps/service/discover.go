package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/network"
)

// state is what exists on AWS, shared by Discover, Plan and Apply.
type state struct {
	set     Settings
	account string
	region  string
	ecs     *ecs.Client
	iam     *iam.Client
	logs    *cloudwatchlogs.Client
	ec2     *ec2.Client

	subnets []string
	group   string

	linkedRole bool
	cluster    *ecstypes.Cluster
	execRole   string // ARN when it exists
	execPolicy bool
	logGroup   bool
	taskDef    *ecstypes.TaskDefinition // latest revision of the family
	svc        *ecstypes.Service        // ACTIVE service
	// deployed is the image castle itself last asked ECS to run.
	deployed string
}

func look(ctx context.Context, env *steps.Env) (*state, error) {
	if err := env.OpenJournal(ctx); err != nil {
		return nil, err
	}
	wl, err := env.WorkloadAccount(ctx)
	if err != nil {
		return nil, err
	}
	st := &state{set: Resolve(env), account: wl.AccountID, region: wl.Config.Region,
		ecs: ecs.NewFromConfig(wl.Config), iam: iam.NewFromConfig(wl.Config), logs: cloudwatchlogs.NewFromConfig(wl.Config), ec2: ec2.NewFromConfig(wl.Config)}
	if s, ok := env.Journal.Resource(string(steps.Network), network.KeySubnets); ok && s != "" {
		st.subnets = strings.Split(s, ",")
	}
	st.group, _ = env.Journal.Resource(string(steps.Network), network.KeySecurityGroup)
	st.deployed, _ = env.Journal.Resource(sec, KeyDeployedImage)
	if err := st.refresh(ctx); err != nil {
		return nil, explain(err, env, st.set)
	}
	return st, nil
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func (st *state) refresh(ctx context.Context) error {
	_, err := st.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(LinkedRole)})
	switch {
	case err == nil:
		st.linkedRole = true
	case code(err) != "NoSuchEntity":
		return err
	}
	if role, err := st.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(ExecutionRole)}); err == nil {
		st.execRole = aws.ToString(role.Role.Arn)
		st.execPolicy = false
		for p := iam.NewListAttachedRolePoliciesPaginator(st.iam, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(ExecutionRole)}); p.HasMorePages(); {
			out, err := p.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, a := range out.AttachedPolicies {
				st.execPolicy = st.execPolicy || aws.ToString(a.PolicyArn) == ExecutionPolicy
			}
		}
	} else if code(err) != "NoSuchEntity" {
		return err
	}
	lg, err := st.logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(st.set.LogGroup())})
	if err != nil {
		return err
	}
	st.logGroup = false
	for _, g := range lg.LogGroups {
		st.logGroup = st.logGroup || aws.ToString(g.LogGroupName) == st.set.LogGroup()
	}
	cl, err := st.ecs.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{st.set.Cluster}})
	if err != nil {
		return err
	}
	st.cluster = nil
	for i := range cl.Clusters {
		if aws.ToString(cl.Clusters[i].Status) == "ACTIVE" {
			st.cluster = &cl.Clusters[i]
		}
	}
	td, err := st.ecs.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(st.set.Name)})
	switch {
	case err == nil:
		st.taskDef = td.TaskDefinition
	case code(err) == "ClientException":
		st.taskDef = nil
	default:
		return err
	}
	st.svc = nil
	if st.cluster != nil {
		out, err := st.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(st.set.Cluster), Services: []string{st.set.Name}})
		if err != nil {
			return err
		}
		for i := range out.Services {
			if aws.ToString(out.Services[i].Status) == "ACTIVE" {
				st.svc = &out.Services[i]
			}
		}
	}
	return nil
}

// primary is the service's PRIMARY deployment.
func primary(s *ecstypes.Service) *ecstypes.Deployment {
	if s == nil {
		return nil
	}
	for i := range s.Deployments {
		if aws.ToString(s.Deployments[i].Status) == "PRIMARY" {
			return &s.Deployments[i]
		}
	}
	return nil
}

// matches reports whether a task definition runs what the settings ask for.
func (st *state) matches(td *ecstypes.TaskDefinition) bool {
	if td == nil || len(td.ContainerDefinitions) == 0 || aws.ToString(td.Cpu) != st.set.CPU || aws.ToString(td.Memory) != st.set.Memory {
		return false
	}
	c := td.ContainerDefinitions[0]
	if !st.imageOK(aws.ToString(c.Image)) || len(c.PortMappings) == 0 || aws.ToInt32(c.PortMappings[0].ContainerPort) != int32(st.set.Port) {
		return false
	}
	if td.RuntimePlatform == nil || string(td.RuntimePlatform.CpuArchitecture) != st.set.Arch {
		return false
	}
	return st.execRole == "" || aws.ToString(td.ExecutionRoleArn) == st.execRole
}

// imageOK reports whether the running image is the one to keep. Once the
// Pipeline section deploys new tags of the same repository, the running image
// differs from the one castle deployed; castle leaves it alone unless the
// image the user asks for changed since castle's own last deployment (a new
// push from the Registry section, or a new image in castle.yaml).
func (st *state) imageOK(running string) bool {
	if running == st.set.Image {
		return true
	}
	return st.deployed != "" && st.deployed == st.set.Image && repository(running) == repository(st.set.Image)
}

// repository is an image reference without its tag or digest.
func repository(image string) string {
	if i := strings.Index(image, "@"); i >= 0 {
		image = image[:i]
	}
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		image = image[:i]
	}
	return image
}

func (section) Discover(ctx context.Context, env *steps.Env) (steps.Status, error) {
	status := steps.Status{Section: steps.Service, State: steps.StateNotStarted}
	st, err := look(ctx, env)
	if err != nil {
		status.State, status.Summary = steps.StateUnknown, "could not look"
		return status, err
	}
	if st.svc == nil {
		switch {
		case len(st.subnets) == 0 || st.group == "":
			status.State, status.Blocker, status.Summary = steps.StateBlocked, "Network", "needs the Network section first"
			return status, nil
		case st.set.Image == "":
			status.State, status.Blocker, status.Summary = steps.StateBlocked, "Registry", "needs an image: do the Registry section first, or type an image in the form"
			return status, nil
		}
		status.Summary = "no service yet"
		if st.cluster != nil {
			status.Details = append(status.Details, "cluster "+st.set.Cluster+" exists")
		}
		return status, nil
	}
	d := primary(st.svc)
	status.Details = append(status.Details, fmt.Sprintf("service %s in cluster %s: %d of %d tasks running", st.set.Name, st.set.Cluster, st.svc.RunningCount, st.svc.DesiredCount))
	if len(st.svc.Events) > 0 {
		status.Details = append(status.Details, "latest: "+plainEvent(aws.ToString(st.svc.Events[0].Message)))
	}
	url, _ := env.Journal.Resource(sec, KeyURL)
	switch {
	case d == nil:
		status.Summary = "the service has no deployment"
	case d.RolloutState == ecstypes.DeploymentRolloutStateInProgress:
		status.State, status.Summary = steps.StateInProgress, fmt.Sprintf("rolling out: %d of %d tasks running", d.RunningCount, d.DesiredCount)
		if op, ok := env.Journal.Operation(sec, opRollout); ok && !op.Done {
			status.Operations = append(status.Operations, steps.Operation{Key: opRollout, Name: "Rolling out " + st.set.Name, ID: op.ID, StartedAt: op.StartedAt, Expected: op.Expected, Status: string(d.RolloutState)})
		}
	case d.RolloutState == ecstypes.DeploymentRolloutStateFailed:
		reason := strings.TrimSuffix(aws.ToString(d.RolloutStateReason), ".")
		if strings.Contains(reason, "circuit breaker") {
			reason = "its tasks did not start" // ECS stopped retrying (its "circuit breaker")
		}
		status.State, status.Summary = steps.StateFailed, "the last rollout failed: "+reason
		status.Details = append(status.Details, "Next: read the latest event above and the container's log (log group /ecs/"+st.set.Name+
			" in CloudWatch), fix the image or its port, then run this section again.")
	default:
		tasks := "1 task"
		if st.svc.RunningCount != 1 {
			tasks = fmt.Sprintf("%d tasks", st.svc.RunningCount)
		}
		status.State, status.Summary = steps.StateDone, fmt.Sprintf("%s runs %s", st.set.Name, tasks)
		if url != "" {
			status.Summary += " at " + url
		}
		if st.taskDef != nil && len(st.taskDef.ContainerDefinitions) > 0 && aws.ToString(st.svc.TaskDefinition) == aws.ToString(st.taskDef.TaskDefinitionArn) && !st.matches(st.taskDef) && st.set.Image != "" {
			status.Details = append(status.Details, "a new image or size is waiting to be deployed: "+st.set.Image)
		}
	}
	return status, nil
}
