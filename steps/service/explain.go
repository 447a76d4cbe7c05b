package service

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/journal"
)

// explain words the errors of this section for people.
func explain(err error, env *steps.Env, s Settings) error {
	switch c := code(err); {
	case c == "InvalidParameterException" && strings.Contains(err.Error(), "service linked role"):
		return &steps.UserError{Message: "ECS cannot use its service-linked role yet.", Next: "Wait a minute (new roles take a moment to reach ECS), then apply Service again.", Err: err}
	case c == "InvalidParameterException" && strings.Contains(err.Error(), "subnet"):
		return &steps.UserError{Message: "The subnets the Network section recorded are not in this account any more.", Next: "Apply the Network section again, then Service.", Err: err}
	case c == "InvalidParameterException" && strings.Contains(err.Error(), "security group"):
		return &steps.UserError{Message: "The security group the Network section recorded is gone.", Next: "Apply the Network section again, then Service.", Err: err}
	case c == "InvalidParameterException" && strings.Contains(err.Error(), "not idempotent"):
		return &steps.UserError{Message: "A service called " + s.Name + " is already being created with other settings.", Next: "Wait for it in the Service section, or choose another service name.", Err: err}
	case c == "ClientException" && strings.Contains(err.Error(), "Fargate"):
		return &steps.UserError{Message: "ECS refused the task definition: " + err.Error(), Next: "Pick one of the CPU and memory sizes offered in the Service form.", Err: err}
	case c == "ClusterNotFoundException":
		return &steps.UserError{Message: "The cluster " + s.Cluster + " is gone.", Next: "Apply the Service section again; castle creates it.", Err: err}
	}
	return steps.Explain(err, env)
}

// failed explains a failed rollout from its stopped tasks' reasons.
func (st *state) failed(ctx context.Context, env *steps.Env, op journal.Operation, seen map[string]bool, rolledBack bool) error {
	st.stoppedReasons(ctx, op.ID, seen, emitter{env, func(steps.Event) {}})
	var reasons []string
	for k := range seen {
		if strings.HasPrefix(k, "reason:") {
			reasons = append(reasons, strings.TrimPrefix(k, "reason:"))
		}
	}
	sort.Strings(reasons)
	all := strings.Join(reasons, "; ")
	s := st.set
	ue := &steps.UserError{}
	switch {
	case strings.Contains(all, "exec format error"):
		other := "linux/arm64"
		if s.Arch == "ARM64" {
			other = "linux/amd64"
		}
		ue.Message = fmt.Sprintf("The image %s is built for a different processor than the task (%s), so it cannot start (exec format error).", s.Image, archWord(s.Arch))
		ue.Next = "Rebuild and push it for " + platformOf(s.Arch) + " in the Registry section (or choose " + other + " there), then apply Service again."
	case strings.Contains(all, "CannotPullContainerError") && strings.Contains(all, "not found"):
		ue.Message = "ECS could not find the image " + s.Image + " in the registry."
		ue.Next = "Push it in the Registry section (or fix the image in the Service form), then apply Service again."
	case strings.Contains(all, "CannotPullContainerError") && !strings.Contains(all, "i/o timeout"):
		ue.Message = "ECS could not download the image " + s.Image + " (" + all + ")."
		ue.Next = "Check the image URI in the Service form (an image in your ECR repository is the safe choice), then apply Service again."
	case strings.Contains(all, "CannotPullContainerError"):
		ue.Message = "The task could not reach the registry to download the image: its subnet has no way to the internet."
		ue.Next = "Apply the Network section again (it adds the internet gateway and routes), then apply Service."
	case strings.Contains(all, "log group does not exist"):
		ue.Message = "The task could not write its logs: the log group " + s.LogGroup() + " is missing."
		ue.Next = "Apply Service again; castle creates the log group."
	case strings.Contains(all, "Essential container in task exited"):
		ue.Message = "Your container started and then stopped by itself (" + all + ")."
		ue.Next = "Look at what it printed (" + env.AWSCommand("logs tail %s --since 1h", s.LogGroup()) + "), fix the app, push a new image, and apply Service again."
	case all != "":
		ue.Message = "The new tasks did not start: " + all + "."
		ue.Next = "Fix the cause, then apply Service again."
	default:
		ue.Message = "ECS stopped the rollout of " + s.Name + " because its tasks kept failing."
		ue.Next = "Look at the service's events in the ECS console, fix the cause, then apply Service again."
	}
	if rolledBack {
		ue.Message += " ECS rolled the service back to the version that worked before, which keeps serving."
	}
	return ue
}

func platformOf(arch string) string {
	if arch == "ARM64" {
		return "linux/arm64"
	}
	return "linux/amd64"
}
