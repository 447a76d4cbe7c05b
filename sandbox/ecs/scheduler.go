package ecs

import (
	"fmt"
	"strings"
	"time"

	"github.com/castle-aws/castle/sandbox/ec2"
	"github.com/castle-aws/castle/sandbox/ecr"
	"github.com/castle-aws/castle/sandbox/logs"
	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

func ec2Of(w *world.World) *ec2.Service { return ec2.From(w) }

func (s *Service) event(w *world.World, sv *Svc, format string, args ...any) {
	e := Event{ID: w.UUID(), At: w.Now(), Message: fmt.Sprintf("(service %s) ", sv.Name) + fmt.Sprintf(format, args...)}
	sv.Events = append([]Event{e}, sv.Events...)
	if len(sv.Events) > 100 {
		sv.Events = sv.Events[:100]
	}
}

func (s *Service) newDeployment(w *world.World, sv *Svc, td string) *Deployment {
	for _, d := range sv.Deployments {
		if d.Status == "PRIMARY" {
			d.Status = "ACTIVE"
		}
	}
	id := fmt.Sprintf("ecs-svc/%019d", 1000000000000000000+w.Rand().Int64N(8000000000000000000))
	d := &Deployment{ID: id, Status: "PRIMARY", TaskDef: td, Desired: sv.Desired, Rollout: "IN_PROGRESS",
		RolloutReason: "ECS deployment " + id + " in progress.", Created: w.Now(), Updated: w.Now()}
	sv.Deployments = append([]*Deployment{d}, sv.Deployments...)
	sv.TaskDef = td
	return d
}

// counts returns running and pending tasks of a deployment.
func (g *Region) counts(sv *Svc, dep string) (running, pending int) {
	for _, t := range g.Tasks {
		if t.Cluster != sv.Cluster || t.Service != sv.Name || t.Deployment != dep {
			continue
		}
		switch t.LastStatus {
		case "RUNNING":
			running++
		case "PROVISIONING", "PENDING":
			pending++
		}
	}
	return
}

// Tick moves tasks and deployments forward by the virtual clock.
func (s *Service) Tick(w *world.World) {
	now := w.Now()
	for _, k := range sortedKeys(s.Regions) {
		g := s.Regions[k]
		for _, t := range g.sortedTasks() {
			s.advance(w, g, t, now)
			if t.LastStatus == "STOPPED" && now.Sub(t.StoppedAt) > StoppedKept {
				delete(g.Tasks, t.ARN) // ECS forgets stopped tasks after about an hour
			}
		}
		for _, sk := range sortedKeys(g.Services) {
			if sv := g.Services[sk]; sv.Status == "ACTIVE" {
				s.schedule(w, g, sv, now)
			}
		}
	}
}

func (g *Region) service(t *Task) *Svc { return g.Services[t.Cluster+"/"+t.Service] }

func (g *Region) deployment(sv *Svc, id string) *Deployment {
	if sv == nil {
		return nil
	}
	for _, d := range sv.Deployments {
		if d.ID == id {
			return d
		}
	}
	return nil
}

// advance moves one task along PROVISIONING → PENDING → RUNNING → STOPPED.
func (s *Service) advance(w *world.World, g *Region, t *Task, now time.Time) {
	switch t.LastStatus {
	case "STOPPED":
		return
	case "PROVISIONING":
		if t.Desired == "STOPPED" {
			s.stopTask(w, g, t, "ServiceSchedulerInitiated", "Scaling activity initiated by (deployment "+t.Deployment+")", "", nil, false)
			return
		}
		if now.Before(t.Created.Add(ProvisionTime)) {
			return
		}
		t.LastStatus, t.PendingAt = "PENDING", now
		sv := g.service(t)
		if sv != nil && sv.PublicIP && t.ENI != "" {
			ip := "203.0.113." + fmt.Sprint(10+w.Rand().IntN(200))
			if s.rt.enabled() {
				ip = "127.0.0.1"
			}
			ec2Of(w).SetPublicIP(w, g.Account, g.Region, t.ENI, ip)
		}
		if reason := s.precheck(w, g, sv, t); reason != "" {
			s.stopTask(w, g, t, "TaskFailedToStart", reason, reason, nil, true)
			return
		}
		if s.rt.enabled() {
			s.startContainer(w, g, t)
		}
	case "PENDING":
		if t.Desired == "STOPPED" {
			s.stopTask(w, g, t, "ServiceSchedulerInitiated", "Scaling activity initiated by (deployment "+t.Deployment+")", "", nil, false)
			return
		}
		if s.rt.enabled() {
			if !s.rt.has(t.ARN) {
				s.startContainer(w, g, t) // after a sandbox restart
			}
			if !t.ready {
				return
			}
		} else if now.Before(t.PendingAt.Add(PullTime)) {
			return
		}
		t.LastStatus, t.StartedAt = "RUNNING", now
	case "RUNNING":
		if s.rt.enabled() && !s.rt.has(t.ARN) {
			s.startContainer(w, g, t) // after a sandbox restart
		}
		if t.Desired == "STOPPED" {
			if t.StoppingAt.IsZero() {
				t.StoppingAt = now
			}
			if !now.Before(t.StoppingAt.Add(StopTime)) {
				s.stopTask(w, g, t, "ServiceSchedulerInitiated", "Scaling activity initiated by (deployment "+t.Deployment+")", "", nil, false)
			}
		}
	}
}

// precheck returns why a task cannot start before any container runs: a
// missing log group, no route to the registry, an image that is not there.
func (s *Service) precheck(w *world.World, g *Region, sv *Svc, t *Task) string {
	td := g.taskDef(t.TaskDef)
	if td == nil {
		return "ResourceInitializationError: the task definition is gone"
	}
	if e := ec2Of(w); e != nil && sv != nil {
		info, ok := e.Subnet(w, g.Account, g.Region, t.Subnet)
		if !ok || !(info.NAT || (info.Internet && sv.PublicIP)) {
			return fmt.Sprintf("CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref %s: dial tcp: i/o timeout (the subnet %s has no route to the internet for this task)", td.Containers[0].Image, t.Subnet)
		}
	}
	for _, c := range td.Containers {
		if c.LogDriver == "awslogs" {
			if l := logs.From(w); l != nil && !l.HasGroup(g.Account, g.Region, c.LogOpts["awslogs-group"]) && c.LogOpts["awslogs-create-group"] != "true" {
				return "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1"
			}
		}
		if r := ecr.From(w); r != nil && r.RegistryHost() != "" && strings.HasPrefix(c.Image, r.RegistryHost()+"/") {
			repo, ref := splitImage(strings.TrimPrefix(c.Image, r.RegistryHost()+"/"))
			if !r.HasImage(g.Account, g.Region, repo, ref) {
				return fmt.Sprintf("CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref %s: %s: not found", c.Image, c.Image)
			}
		}
	}
	return ""
}

// splitImage cuts "name:tag" or "name@sha256:..." into name and reference.
func splitImage(s string) (name, ref string) {
	if i := strings.Index(s, "@"); i >= 0 {
		return s[:i], s[i+1:]
	}
	if i := strings.LastIndex(s, ":"); i >= 0 && !strings.Contains(s[i:], "/") {
		return s[:i], s[i+1:]
	}
	return s, "latest"
}

// stopTask stops a task; failed says it counts against its deployment.
func (s *Service) stopTask(w *world.World, g *Region, t *Task, code, reason, creason string, exit *int, failed bool) {
	if t.LastStatus == "STOPPED" {
		return
	}
	t.LastStatus, t.Desired, t.StoppedAt = "STOPPED", "STOPPED", w.Now()
	t.StopCode, t.Reason, t.CReason, t.ExitCode = code, reason, creason, exit
	if t.ENI != "" {
		if e := ec2Of(w); e != nil {
			e.DeleteENI(w, g.Account, g.Region, t.ENI)
		}
	}
	s.rt.stop(t.ARN)
	if failed && !t.Counted {
		t.Counted = true
		sv := g.service(t)
		if d := g.deployment(sv, t.Deployment); d != nil {
			d.Failed++
			d.Updated = w.Now()
			d.NextLaunch = w.Now().Add(RelaunchDelay)
		}
	}
}

func taskID(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }

func threshold(desired int) int { return min(max((desired+1)/2, 3), 200) }

// schedule launches and drains tasks of a service and moves its rollout on.
func (s *Service) schedule(w *world.World, g *Region, sv *Svc, now time.Time) {
	var primary *Deployment
	for _, d := range sv.Deployments {
		if d.Status == "PRIMARY" {
			primary = d
		}
	}
	if primary == nil {
		return
	}
	var active []*Task
	for _, t := range g.sortedTasks() {
		if t.Service == sv.Name && t.Cluster == sv.Cluster && t.Deployment == primary.ID && t.Desired == "RUNNING" {
			active = append(active, t)
		}
	}
	if sv.Breaker && primary.Rollout == "IN_PROGRESS" && primary.Failed >= threshold(primary.Desired) {
		primary.Rollout, primary.Updated = "FAILED", now
		primary.RolloutReason = "ECS deployment circuit breaker: tasks failed to start."
		s.event(w, sv, "(deployment %s) deployment failed: tasks failed to start.", primary.ID)
		if sv.Rollback && sv.LastCompleted != "" && sv.LastCompleted != primary.TaskDef {
			primary.Desired = 0
			back := s.newDeployment(w, sv, sv.LastCompleted)
			s.event(w, sv, "rolling back to deployment %s.", back.ID)
		}
		return
	}
	if primary.Rollout != "FAILED" && len(active) < primary.Desired && !now.Before(primary.NextLaunch) {
		var ids []string
		for i := len(active); i < primary.Desired; i++ {
			ids = append(ids, taskID(s.launch(w, g, sv, primary).ARN))
		}
		s.event(w, sv, "has started %d tasks: (task %s).", len(ids), strings.Join(ids, ") (task "))
	}
	for i := primary.Desired; i < len(active); i++ {
		active[i].Desired = "STOPPED"
	}
	if primary.Rollout != "IN_PROGRESS" {
		return
	}
	running, _ := g.counts(sv, primary.ID)
	if running < primary.Desired {
		primary.SteadySince = time.Time{}
		return
	}
	if primary.SteadySince.IsZero() {
		primary.SteadySince = now
	}
	if now.Before(primary.SteadySince.Add(SteadyTime)) {
		return
	}
	draining := false
	for _, t := range g.Tasks {
		if t.Service == sv.Name && t.Cluster == sv.Cluster && t.Deployment != primary.ID && t.LastStatus != "STOPPED" {
			t.Desired = "STOPPED"
			draining = true
		}
	}
	if draining {
		return
	}
	sv.Deployments = []*Deployment{primary}
	primary.Rollout, primary.Updated = "COMPLETED", now
	primary.RolloutReason = "ECS deployment " + primary.ID + " completed."
	sv.TaskDef, sv.LastCompleted = primary.TaskDef, primary.TaskDef
	s.event(w, sv, "(deployment %s) deployment completed.", primary.ID)
	s.event(w, sv, "has reached a steady state.")
}

func (s *Service) launch(w *world.World, g *Region, sv *Svc, d *Deployment) *Task {
	subnet := sv.Subnets[w.Rand().IntN(len(sv.Subnets))]
	t := &Task{ARN: g.arn("task", sv.Cluster+"/"+w.HexID(32)), Cluster: sv.Cluster, Group: "service:" + sv.Name, Service: sv.Name,
		Deployment: d.ID, TaskDef: d.TaskDef, LastStatus: "PROVISIONING", Desired: "RUNNING", Created: w.Now(), Subnet: subnet}
	if e := ec2Of(w); e != nil {
		eni, ip, err := e.CreateENI(w, g.Account, g.Region, subnet, sv.Groups, "arn:aws:ecs:"+g.Region+":"+g.Account+":attachment/"+w.UUID())
		if err == nil {
			t.ENI, t.PrivateIP = eni, ip
		}
		if info, ok := e.Subnet(w, g.Account, g.Region, subnet); ok {
			t.AZ = info.AZ
		}
	}
	g.Tasks[t.ARN] = t
	return t
}

func (s *Service) taskJSON(g *Region, t *Task) map[string]any {
	td := g.taskDef(t.TaskDef)
	var containers []any
	cpu, mem := "", ""
	if td != nil {
		cpu, mem = td.Cpu, td.Memory
		for _, c := range td.Containers {
			cj := map[string]any{"containerArn": g.arn("container", t.Cluster+"/"+taskID(t.ARN)+"/"+c.Name), "taskArn": t.ARN, "name": c.Name,
				"image": c.Image, "lastStatus": t.LastStatus, "networkInterfaces": []any{map[string]string{"attachmentId": "eni-attach", "privateIpv4Address": t.PrivateIP}}}
			if t.ExitCode != nil {
				cj["exitCode"] = *t.ExitCode
			}
			if t.CReason != "" {
				cj["reason"] = t.CReason
			}
			containers = append(containers, cj)
		}
	}
	status := "ATTACHED"
	switch t.LastStatus {
	case "PROVISIONING":
		status = "PRECREATED"
	case "STOPPED":
		status = "DELETED"
	}
	details := []any{
		map[string]string{"name": "subnetId", "value": t.Subnet},
		map[string]string{"name": "networkInterfaceId", "value": t.ENI},
		map[string]string{"name": "privateIPv4Address", "value": t.PrivateIP},
	}
	out := map[string]any{"taskArn": t.ARN, "clusterArn": g.arn("cluster", t.Cluster), "taskDefinitionArn": t.TaskDef, "group": t.Group,
		"startedBy": t.Deployment, "lastStatus": t.LastStatus, "desiredStatus": t.Desired, "launchType": "FARGATE", "platformVersion": "1.4.0",
		"cpu": cpu, "memory": mem, "createdAt": wire.Epoch(t.Created), "availabilityZone": t.AZ, "containers": containers,
		"attachments": []any{map[string]any{"id": w0(t.ENI), "type": "ElasticNetworkInterface", "status": status, "details": details}}}
	for k, v := range map[string]time.Time{"pullStartedAt": t.PendingAt, "startedAt": t.StartedAt, "stoppingAt": t.StoppingAt, "stoppedAt": t.StoppedAt} {
		if !v.IsZero() {
			out[k] = wire.Epoch(v)
		}
	}
	if t.Reason != "" {
		out["stoppedReason"], out["stopCode"] = t.Reason, t.StopCode
	}
	return out
}

func w0(eni string) string { return "attach-" + strings.TrimPrefix(eni, "eni-") }

// Deploy registers a new revision of a service's task definition with the
// given container images (container name → image) and points the service at
// it, as CodePipeline's ECS deploy action does. World locked by the caller.
func (s *Service) Deploy(w *world.World, account, region, cluster, service string, images map[string]string) (string, error) {
	g := s.region(account, region)
	sv := g.Services[clusterName(cluster)+"/"+service]
	if sv == nil || sv.Status != "ACTIVE" {
		return "", wire.Errorf(400, "ServiceNotFoundException", "Service not found.")
	}
	cur := g.taskDef(sv.TaskDef)
	if cur == nil {
		return "", invalid("TaskDefinition not found.")
	}
	next := *cur
	next.At = w.Now()
	next.Containers = append([]Container(nil), cur.Containers...)
	raw := map[string]any{}
	for k, v := range cur.Raw {
		raw[k] = v
	}
	var defs []any
	if list, ok := cur.Raw["containerDefinitions"].([]any); ok {
		for _, item := range list {
			m, _ := item.(map[string]any)
			cp := map[string]any{}
			for k, v := range m {
				cp[k] = v
			}
			if img, ok := images[fmt.Sprint(cp["name"])]; ok {
				cp["image"] = img
			}
			defs = append(defs, cp)
		}
	}
	raw["containerDefinitions"] = defs
	next.Raw = raw
	found := false
	for i, c := range next.Containers {
		if img, ok := images[c.Name]; ok {
			next.Containers[i].Image = img
			found = true
		}
	}
	if !found {
		return "", invalid("none of the containers %v is in the task definition %s", keys(images), cur.ARN)
	}
	g.addTaskDef(&next)
	s.newDeployment(w, sv, next.ARN)
	return next.ARN, nil
}

func keys(m map[string]string) []string { return sortedKeys(m) }
