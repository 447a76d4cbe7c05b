package service

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/castle-aws/castle/steps"
)

// RolloutExpected is how long a first Fargate rollout usually takes.
const RolloutExpected = 3 * time.Minute

func (section) Plan(ctx context.Context, env *steps.Env) (steps.Plan, error) {
	st, err := look(ctx, env)
	if err != nil {
		return steps.Plan{Section: steps.Service}, err
	}
	if err := st.ready(); err != nil {
		return steps.Plan{Section: steps.Service}, err
	}
	return st.plan(env), nil
}

// ready says what is missing before anything can be planned.
func (st *state) ready() error {
	if len(st.subnets) == 0 || st.group == "" {
		return &steps.UserError{Message: "The service needs a network first.", Next: "Do the Network section, then come back."}
	}
	if st.set.Image == "" {
		return &steps.UserError{Message: "castle does not know which image to run.", Next: "Push one in the Registry section, or type an image URI in the Service form."}
	}
	if !ValidSize(st.set.CPU, st.set.Memory) {
		return &steps.UserError{Message: fmt.Sprintf("Fargate has no size with %s CPU units and %s MiB of memory.", st.set.CPU, st.set.Memory), Next: "Pick one of the sizes offered in the Service form (the smallest is 256 CPU units with 512 MiB)."}
	}
	return nil
}

func (st *state) plan(env *steps.Env) steps.Plan {
	s := st.set
	p := steps.Plan{Section: steps.Service, SpendsMoney: true, Duration: RolloutExpected}
	monthly := float64(s.Desired) * (Monthly(s.CPU, s.Memory, s.Arch) + PublicIPMonthly())
	p.MonthlyCost = fmt.Sprintf("about $%.2f a month (%d task of %s on %s, with a public IP); %s", monthly, s.Desired, SizeLabel(s.CPU, s.Memory), archWord(s.Arch), Table().ContainerInsights)
	add := func(a steps.Action, skip bool, reason string) {
		a.Skip, a.SkipReason = skip, reason
		p.Actions = append(p.Actions, a)
	}
	add(steps.Action{Key: "linked-role", Title: "Let ECS manage resources for you",
		Why:      "ECS needs its service-linked role to attach network interfaces to your tasks; new accounts do not have it yet.",
		Commands: []string{env.AWSCommand("iam create-service-linked-role --aws-service-name ecs.amazonaws.com")}}, st.linkedRole, LinkedRole+" exists")
	add(steps.Action{Key: "cluster", Title: "Create the cluster " + s.Cluster, Why: "A cluster is the home of your services; with Fargate there are no servers in it to manage.",
		Commands: []string{env.AWSCommand("ecs create-cluster --cluster-name %s --settings name=containerInsights,value=enabled", s.Cluster)},
		Cost:     Table().ContainerInsights}, st.cluster != nil, "cluster "+s.Cluster+" exists")
	execSkip, execReason := st.execRole != "" && st.execPolicy, ExecutionRole+" exists"
	add(steps.Action{Key: "execution-role", Title: "Create the task execution role", Why: "It lets ECS pull your image from ECR and write the container's logs.",
		Commands: []string{
			env.AWSCommand("iam create-role --role-name %s --assume-role-policy-document '%s'", ExecutionRole, trustPolicy),
			env.AWSCommand("iam attach-role-policy --role-name %s --policy-arn %s", ExecutionRole, ExecutionPolicy)}}, execSkip, execReason)
	add(steps.Action{Key: "log-group", Title: "Create the log group " + s.LogGroup(), Why: "Whatever your container prints ends up here, kept for 30 days.",
		Commands: []string{env.AWSCommand("logs create-log-group --log-group-name %s", s.LogGroup()), env.AWSCommand("logs put-retention-policy --log-group-name %s --retention-in-days %d", s.LogGroup(), LogRetentionDays)},
		Cost:     "about $0.50 per GB of logs"}, st.logGroup, s.LogGroup()+" exists")
	tdSkip := st.matches(st.taskDef)
	tdReason := ""
	if tdSkip {
		tdReason = aws.ToString(st.taskDef.TaskDefinitionArn) + " already runs " + s.Image
	}
	add(steps.Action{Key: "task-definition", Title: "Describe how to run the container",
		Why:      fmt.Sprintf("A task definition: %s on Fargate, %s, %s, port %d, logs to CloudWatch.", s.Image, SizeLabel(s.CPU, s.Memory), archWord(s.Arch), s.Port),
		Commands: []string{env.AWSCommand("ecs register-task-definition --cli-input-json file://taskdef.json")}}, tdSkip, tdReason)
	svc := steps.Action{Key: "service", Title: "Start the service " + s.Name,
		Why: fmt.Sprintf("%d task with a public IP in the network's public subnets; if the new version fails to start, ECS rolls back by itself.", s.Desired),
		Commands: []string{env.AWSCommand("ecs create-service --cluster %s --service-name %s --task-definition %s --desired-count %d --launch-type FARGATE "+
			"--network-configuration 'awsvpcConfiguration={subnets=[%s],securityGroups=[%s],assignPublicIp=ENABLED}' "+
			"--deployment-configuration 'deploymentCircuitBreaker={enable=true,rollback=true}'", s.Cluster, s.Name, s.Name, s.Desired, joinSubnets(st.subnets), st.group)},
		Cost: fmt.Sprintf("%s; public IP $%.2f a month", CostLine(s.CPU, s.Memory), PublicIPMonthly())}
	switch {
	case st.svc == nil:
		add(svc, false, "")
	case tdSkip && aws.ToString(st.svc.TaskDefinition) == aws.ToString(st.taskDef.TaskDefinitionArn):
		add(svc, true, "service "+s.Name+" runs it")
	default:
		svc.Title = "Deploy the new version to " + s.Name
		svc.Why = "A new task definition revision; ECS starts the new task, waits until it runs, then stops the old one."
		svc.Commands = []string{env.AWSCommand("ecs update-service --cluster %s --service %s --task-definition %s", s.Cluster, s.Name, s.Name)}
		add(svc, false, "")
	}
	add(steps.Action{Key: "check", Title: "Wait for the rollout and check the app answers", Why: "castle follows the deployment, finds the task's public IP and asks it for a page."},
		!p.Pending() && st.urlKnown(env), "the service answers")
	if p.Pending() {
		p.Summary = fmt.Sprintf("Run %s on Fargate as the service %s in cluster %s.", s.Image, s.Name, s.Cluster)
	} else {
		p.Summary = "Nothing to do: the service runs this image."
		p.SpendsMoney = false
	}
	p.Notes = append(p.Notes, "Size and price, one task all month: "+CostLine(s.CPU, s.Memory)+fmt.Sprintf(" (your image is %s).", archWord(s.Arch)))
	return p
}

func (st *state) urlKnown(env *steps.Env) bool {
	u, _ := env.Journal.Resource(sec, KeyURL)
	return u != ""
}

func archWord(a string) string {
	if a == "ARM64" {
		return "ARM (Graviton)"
	}
	return "x86"
}

func joinSubnets(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += ","
		}
		out += v
	}
	return out
}

const trustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
