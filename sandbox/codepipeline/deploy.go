package codepipeline

import (
	"strconv"
	"time"

	"github.com/castle-aws/castle/sandbox/ecs"
	"github.com/castle-aws/castle/sandbox/world"
)

// deployEnd decides when an ECS deploy action ends. With the simulated ECS
// it ends as the service's deployment does: COMPLETED succeeds, FAILED
// (the circuit breaker) fails with its reason, and a deployment still
// rolling out after DeploymentTimeout minutes fails. wait reports that it
// has not ended yet. Without the simulated ECS it takes a fixed time.
func (s *Service) deployEnd(w *world.World, e *Execution, a *ActionRun, now time.Time) (end time.Time, wait bool) {
	p := s.pipelineOf(e)
	d := deploymentOf(w, p.Account, p.Region, a.Config["ClusterName"], a.Config["ServiceName"], a.ExternalID)
	if d == nil {
		return a.Start.Add(durations[a.Category]), false
	}
	timeout := 60 * time.Minute
	if m, err := strconv.Atoi(a.Config["DeploymentTimeout"]); err == nil && m > 0 {
		timeout = time.Duration(m) * time.Minute
	}
	switch {
	case d.Rollout == "COMPLETED":
		end = d.Updated
		if end.Before(a.Start) || end.After(now) {
			end = now
		}
		return end, false
	case d.Rollout == "FAILED":
		a.End = now
		failAction(a, "JobFailed", "The ECS service "+a.Config["ServiceName"]+" could not reach a steady state: "+d.RolloutReason)
		return now, false
	case now.Sub(a.Start) >= timeout:
		a.End = a.Start.Add(timeout)
		failAction(a, "JobFailed", "The deployment timed out after "+strconv.Itoa(int(timeout.Minutes()))+" minutes while the ECS service "+a.Config["ServiceName"]+" was still rolling out")
		return a.End, false
	}
	return time.Time{}, true
}

// deploymentOf finds the simulated ECS deployment of a task definition.
func deploymentOf(w *world.World, account, region, cluster, service, taskDef string) *ecs.Deployment {
	svc := ecs.From(w)
	if svc == nil || taskDef == "" {
		return nil
	}
	g := svc.Regions[account+"/"+region]
	if g == nil {
		return nil
	}
	sv := g.Services[cluster+"/"+service]
	if sv == nil {
		return nil
	}
	for _, d := range sv.Deployments {
		if d.TaskDef == taskDef {
			return d
		}
	}
	return nil
}
