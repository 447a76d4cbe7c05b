package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/journal"
)

type emitter struct {
	env  *steps.Env
	emit steps.Emit
}

func (e emitter) say(step string, kind steps.EventKind, msg string) {
	e.emit(steps.Event{Time: e.env.Now(), Section: steps.Service, Step: step, Kind: kind, Message: msg, Percent: -1})
}

func (s section) Apply(ctx context.Context, env *steps.Env, emit steps.Emit) error {
	st, err := look(ctx, env)
	if err != nil {
		return err
	}
	if err := st.ready(); err != nil {
		return err
	}
	e := emitter{env, emit}
	env.Journal.SetAnswers(sec, env.Answers.Service)
	run := func(step, skipReason string, skip bool, start string, do func() error) error {
		if skip {
			e.say(step, steps.EventSkipped, skipReason)
			return nil
		}
		e.say(step, steps.EventStarted, start)
		if err := do(); err != nil {
			err = explain(err, env, st.set)
			e.say(step, steps.EventFailed, err.Error())
			return err
		}
		return nil
	}
	set := st.set
	if err := run("linked-role", LinkedRole+" exists", st.linkedRole, "creating the ECS service-linked role", func() error {
		_, err := st.iam.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")})
		if err != nil && code(err) != "InvalidInput" {
			return err
		}
		e.say("linked-role", steps.EventDone, LinkedRole+" is ready")
		return nil
	}); err != nil {
		return err
	}
	if err := run("cluster", "cluster "+set.Cluster+" exists", st.cluster != nil, "creating cluster "+set.Cluster+" with Container Insights", func() error {
		_, err := st.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(set.Cluster),
			Settings: []ecstypes.ClusterSetting{{Name: ecstypes.ClusterSettingNameContainerInsights, Value: aws.String("enabled")}}})
		if err == nil {
			e.say("cluster", steps.EventDone, "cluster "+set.Cluster+" is active ("+Table().ContainerInsights+")")
		}
		return err
	}); err != nil {
		return err
	}
	if err := run("execution-role", ExecutionRole+" exists", st.execRole != "" && st.execPolicy, "creating "+ExecutionRole, func() error {
		if st.execRole == "" {
			out, err := st.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(ExecutionRole), AssumeRolePolicyDocument: aws.String(trustPolicy),
				Description: aws.String("Lets ECS pull images and write logs for your tasks (made by castle)")})
			switch {
			case err == nil:
				st.execRole = aws.ToString(out.Role.Arn)
			case code(err) == "EntityAlreadyExists":
				got, err := st.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(ExecutionRole)})
				if err != nil {
					return err
				}
				st.execRole = aws.ToString(got.Role.Arn)
			default:
				return err
			}
		}
		if _, err := st.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(ExecutionRole), PolicyArn: aws.String(ExecutionPolicy)}); err != nil {
			return err
		}
		e.say("execution-role", steps.EventDone, ExecutionRole+" can pull images and write logs")
		return nil
	}); err != nil {
		return err
	}
	env.Journal.SetResource(sec, KeyExecutionRole, st.execRole)
	if err := run("log-group", set.LogGroup()+" exists", st.logGroup, "creating the log group "+set.LogGroup(), func() error {
		_, err := st.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(set.LogGroup())})
		if err != nil && code(err) != "ResourceAlreadyExistsException" {
			return err
		}
		if _, err := st.logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(set.LogGroup()), RetentionInDays: aws.Int32(LogRetentionDays)}); err != nil {
			return err
		}
		e.say("log-group", steps.EventDone, fmt.Sprintf("%s keeps logs %d days", set.LogGroup(), LogRetentionDays))
		return nil
	}); err != nil {
		return err
	}
	tdReason := ""
	if st.matches(st.taskDef) {
		tdReason = aws.ToString(st.taskDef.TaskDefinitionArn) + " already runs " + set.Image
	}
	if err := run("task-definition", tdReason, tdReason != "", "registering a task definition for "+set.Image, func() error {
		out, err := st.ecs.RegisterTaskDefinition(ctx, st.taskDefinitionInput())
		if err != nil {
			return err
		}
		st.taskDef = out.TaskDefinition
		e.say("task-definition", steps.EventDone, "registered "+aws.ToString(st.taskDef.TaskDefinitionArn))
		return nil
	}); err != nil {
		return err
	}
	tdARN := aws.ToString(st.taskDef.TaskDefinitionArn)
	for k, v := range map[string]string{KeyCluster: set.Cluster, KeyService: set.Name, KeyContainer: ContainerName, KeyTaskDefinition: tdARN, KeyDeployedImage: set.Image} {
		if err := env.Journal.SetResource(sec, k, v); err != nil {
			return err
		}
	}
	if err := st.startService(ctx, env, e, tdARN); err != nil {
		err = explain(err, env, set)
		e.say("service", steps.EventFailed, err.Error())
		return err
	}
	return st.follow(ctx, env, e)
}

func (st *state) taskDefinitionInput() *ecs.RegisterTaskDefinitionInput {
	s := st.set
	return &ecs.RegisterTaskDefinitionInput{
		Family:                  aws.String(s.Name),
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		NetworkMode:             ecstypes.NetworkModeAwsvpc,
		Cpu:                     aws.String(s.CPU),
		Memory:                  aws.String(s.Memory),
		ExecutionRoleArn:        aws.String(st.execRole),
		RuntimePlatform:         &ecstypes.RuntimePlatform{CpuArchitecture: ecstypes.CPUArchitecture(s.Arch), OperatingSystemFamily: ecstypes.OSFamilyLinux},
		ContainerDefinitions: []ecstypes.ContainerDefinition{{
			Name: aws.String(ContainerName), Image: aws.String(s.Image), Essential: aws.Bool(true),
			PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(int32(s.Port)), Protocol: ecstypes.TransportProtocolTcp}},
			LogConfiguration: &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs, Options: map[string]string{
				"awslogs-group": s.LogGroup(), "awslogs-region": st.region, "awslogs-stream-prefix": "ecs"}},
		}},
	}
}

// startService creates the service (client token journaled first) or points
// it at the new task definition, and journals the deployment to follow.
func (st *state) startService(ctx context.Context, env *steps.Env, e emitter, tdARN string) error {
	s := st.set
	if st.svc != nil && aws.ToString(st.svc.TaskDefinition) == tdARN {
		e.say("service", steps.EventSkipped, "service "+s.Name+" runs "+tdARN)
		return st.adoptPrimary(env)
	}
	if st.svc != nil {
		e.say("service", steps.EventStarted, "deploying "+tdARN+" to "+s.Name)
		out, err := st.ecs.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String(s.Cluster), Service: aws.String(s.Name), TaskDefinition: aws.String(tdARN),
			DeploymentConfiguration: &ecstypes.DeploymentConfiguration{DeploymentCircuitBreaker: &ecstypes.DeploymentCircuitBreaker{Enable: true, Rollback: true}}})
		if err != nil {
			return err
		}
		st.svc = out.Service
		e.say("service", steps.EventDone, "ECS is rolling out the new version")
		return st.adoptPrimary(env)
	}
	op, ok := env.Journal.Operation(sec, opCreate)
	if !ok || op.Done || op.Token == "" {
		op = journal.Operation{Kind: "ecs:CreateService", ID: s.Cluster + "/" + s.Name, StartedAt: env.Now(), Expected: RolloutExpected, Token: newToken()}
		if err := env.Journal.SaveOperation(sec, opCreate, op); err != nil {
			return err
		}
	}
	e.say("service", steps.EventStarted, "creating service "+s.Name)
	out, err := st.ecs.CreateService(ctx, &ecs.CreateServiceInput{
		Cluster: aws.String(s.Cluster), ServiceName: aws.String(s.Name), TaskDefinition: aws.String(tdARN),
		DesiredCount: aws.Int32(int32(s.Desired)), LaunchType: ecstypes.LaunchTypeFargate, ClientToken: aws.String(op.Token),
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
			Subnets: st.subnets, SecurityGroups: []string{st.group}, AssignPublicIp: ecstypes.AssignPublicIpEnabled}},
		DeploymentConfiguration: &ecstypes.DeploymentConfiguration{DeploymentCircuitBreaker: &ecstypes.DeploymentCircuitBreaker{Enable: true, Rollback: true}},
	})
	if err != nil {
		return err
	}
	st.svc = out.Service
	if err := st.adoptPrimary(env); err != nil {
		return err
	}
	env.Journal.FinishOperation(sec, opCreate, "CREATED")
	e.say("service", steps.EventDone, "service "+s.Name+" created")
	return nil
}

// adoptPrimary journals the service's PRIMARY deployment as the rollout to
// follow, unless the journal already follows it.
func (st *state) adoptPrimary(env *steps.Env) error {
	d := primary(st.svc)
	if d == nil {
		return nil
	}
	id := aws.ToString(d.Id)
	if op, ok := env.Journal.Operation(sec, opRollout); ok && op.ID == id {
		return nil
	}
	started := env.Now()
	if d.CreatedAt != nil {
		started = *d.CreatedAt
	}
	op := journal.Operation{Kind: "ecs:Deployment", ID: id, StartedAt: started, Expected: RolloutExpected, Status: string(d.RolloutState),
		Extra: map[string]string{"cluster": st.set.Cluster, "service": st.set.Name, "taskDefinition": aws.ToString(d.TaskDefinition)}}
	if d.RolloutState == ecstypes.DeploymentRolloutStateCompleted {
		op.Done = true
	}
	return env.Journal.SaveOperation(sec, opRollout, op)
}

func newToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "castle-" + hex.EncodeToString(b)[:28]
}
