package service

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/journal"
	"github.com/castle-aws/castle/steps/poll"
)

func (section) Resume(ctx context.Context, env *steps.Env, emit steps.Emit) error {
	if err := env.OpenJournal(ctx); err != nil {
		return err
	}
	if op, ok := env.Journal.Operation(sec, opRollout); !ok || op.Done {
		return nil
	}
	st, err := look(ctx, env)
	if err != nil {
		return err
	}
	return st.follow(ctx, env, emitter{env, emit})
}

// follow waits for the journaled rollout, then finds the address and checks it.
func (st *state) follow(ctx context.Context, env *steps.Env, e emitter) error {
	op, ok := env.Journal.Operation(sec, opRollout)
	if ok && !op.Done {
		if err := st.wait(ctx, env, e, op); err != nil {
			e.say("check", steps.EventFailed, err.Error())
			return err
		}
	}
	return st.check(ctx, env, e)
}

// wait polls DescribeServices until the deployment completes or fails.
func (st *state) wait(ctx context.Context, env *steps.Env, e emitter, op journal.Operation) error {
	s := st.set
	sop := steps.Operation{Key: opRollout, Name: "Rolling out " + s.Name, ID: op.ID, StartedAt: op.StartedAt, Expected: op.Expected}
	e.say("check", steps.EventStarted, "waiting for ECS to start the task (deployment "+op.ID+")")
	reasons := map[string]bool{}
	var failure error
	lastEvent := ""
	check := func(ctx context.Context) (bool, error) {
		out, err := st.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(s.Cluster), Services: []string{s.Name}})
		if err != nil {
			return false, err
		}
		if len(out.Services) == 0 {
			failure = &steps.UserError{Message: "The service " + s.Name + " disappeared during the rollout.", Next: "Apply the Service section again to create it."}
			return true, nil
		}
		svc := &out.Services[0]
		st.svc = svc
		if len(svc.Events) > 0 {
			lastEvent = plainEvent(aws.ToString(svc.Events[0].Message))
		}
		var d *ecstypes.Deployment
		for i := range svc.Deployments {
			if aws.ToString(svc.Deployments[i].Id) == op.ID {
				d = &svc.Deployments[i]
			}
		}
		if d == nil {
			// The deployment ended and was replaced: ECS rolled back.
			failure = st.failed(ctx, env, op, reasons, true)
			return true, nil
		}
		if d.FailedTasks > 0 {
			st.stoppedReasons(ctx, op.ID, reasons, e)
		}
		sop.Status = fmt.Sprintf("%s · %d of %d running, %d starting", d.RolloutState, d.RunningCount, d.DesiredCount, d.PendingCount)
		msg := fmt.Sprintf("%d of %d tasks running, %d starting", d.RunningCount, d.DesiredCount, d.PendingCount)
		if d.FailedTasks > 0 {
			msg += fmt.Sprintf(", %d failed", d.FailedTasks)
		}
		opCopy := sop
		e.emit(steps.Event{Time: env.Now(), Section: steps.Service, Step: "check", Kind: steps.EventWaiting, Message: msg, Detail: lastEvent, Op: &opCopy, Percent: -1})
		switch d.RolloutState {
		case ecstypes.DeploymentRolloutStateCompleted:
			return true, nil
		case ecstypes.DeploymentRolloutStateFailed:
			rolledBack := false
			for _, other := range svc.Deployments {
				rolledBack = rolledBack || (aws.ToString(other.Status) == "PRIMARY" && aws.ToString(other.Id) != op.ID)
			}
			failure = st.failed(ctx, env, op, reasons, rolledBack)
			return true, nil
		}
		return false, nil
	}
	if err := poll.Until(ctx, env.TheClock(), sop, check); err != nil {
		return explain(err, env, s)
	}
	if failure != nil {
		env.Journal.FinishOperation(sec, opRollout, "FAILED")
		return failure
	}
	env.Journal.FinishOperation(sec, opRollout, "COMPLETED")
	e.say("check", steps.EventDone, fmt.Sprintf("rollout complete after %s: %s", env.Now().Sub(op.StartedAt).Round(time.Second), lastEvent))
	return nil
}

// stoppedReasons reports the reasons of the deployment's stopped tasks once each.
func (st *state) stoppedReasons(ctx context.Context, deployment string, seen map[string]bool, e emitter) {
	list, err := st.ecs.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String(st.set.Cluster), ServiceName: aws.String(st.set.Name), DesiredStatus: ecstypes.DesiredStatusStopped})
	if err != nil || len(list.TaskArns) == 0 {
		return
	}
	out, err := st.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(st.set.Cluster), Tasks: list.TaskArns})
	if err != nil {
		return
	}
	for _, t := range out.Tasks {
		if aws.ToString(t.StartedBy) != deployment || seen[aws.ToString(t.TaskArn)] {
			continue
		}
		seen[aws.ToString(t.TaskArn)] = true
		why := taskReason(t)
		seen["reason:"+why] = true
		e.say("check", steps.EventProgress, "a task stopped: "+why)
	}
}

// taskReason joins a task's stopped reason with its container's reason.
func taskReason(t ecstypes.Task) string {
	why := aws.ToString(t.StoppedReason)
	for _, c := range t.Containers {
		if r := aws.ToString(c.Reason); r != "" && r != why {
			why += " (" + r + ")"
		}
		if c.ExitCode != nil && !strings.Contains(why, "code") {
			why += fmt.Sprintf(", exit code %d", aws.ToInt32(c.ExitCode))
		}
	}
	return why
}

var taskIDs = regexp.MustCompile(`\(task [0-9a-f]{32}\)`)

// plainEvent rewords a service event for people: "(service X) has started 1
// tasks: (task abc)." → "started 1 task".
func plainEvent(m string) string {
	m = regexp.MustCompile(`^\(service [^)]*\) `).ReplaceAllString(m, "")
	m = strings.Replace(m, "has reached a steady state.", "is steady: every task it wants is running.", 1)
	m = taskIDs.ReplaceAllStringFunc(m, func(s string) string { return "(task " + s[6:14] + "…)" })
	return m
}
