package ecs

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/castle-aws/castle/sandbox/iam"
	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

func invalid(format string, args ...any) error {
	return wire.Errorf(400, "InvalidParameterException", format, args...)
}

func clientErr(format string, args ...any) error {
	return wire.Errorf(400, "ClientException", format, args...)
}

func (s *Service) Handle(w *world.World, r *wire.Request) (any, error) {
	g := s.region(r.Account, r.Region)
	switch r.Operation {
	case "CreateCluster":
		return s.createCluster(w, g, r)
	case "DescribeClusters":
		return s.describeClusters(g, r)
	case "RegisterTaskDefinition":
		return s.registerTaskDefinition(w, g, r)
	case "DescribeTaskDefinition":
		return s.describeTaskDefinition(g, r)
	case "CreateService":
		return s.createService(w, g, r)
	case "UpdateService":
		return s.updateService(w, g, r)
	case "DescribeServices":
		return s.describeServices(g, r)
	case "ListTasks":
		return s.listTasks(g, r)
	case "DescribeTasks":
		return s.describeTasks(g, r)
	}
	return nil, wire.Errorf(400, "UnknownOperationException", "The sandbox does not implement %s", r.Operation)
}

// clusterName accepts a name or an ARN; "" is "default".
func clusterName(c string) string {
	if c == "" {
		return "default"
	}
	if i := strings.LastIndexByte(c, '/'); i >= 0 && strings.HasPrefix(c, "arn:") {
		return c[i+1:]
	}
	return c
}

func (g *Region) cluster(name string) (*Cluster, error) {
	c := g.Clusters[clusterName(name)]
	if c == nil || c.Status != "ACTIVE" {
		return nil, wire.Errorf(400, "ClusterNotFoundException", "Cluster not found.")
	}
	return c, nil
}

func clusterJSON(g *Region, c *Cluster) map[string]any {
	running, pending, services := 0, 0, 0
	for _, t := range g.Tasks {
		if t.Cluster == c.Name {
			switch t.LastStatus {
			case "RUNNING":
				running++
			case "PROVISIONING", "PENDING", "ACTIVATING":
				pending++
			}
		}
	}
	for _, sv := range g.Services {
		if sv.Cluster == c.Name && sv.Status == "ACTIVE" {
			services++
		}
	}
	settings := []map[string]string{}
	for _, k := range sortedKeys(c.Settings) {
		settings = append(settings, map[string]string{"name": k, "value": c.Settings[k]})
	}
	return map[string]any{"clusterArn": c.ARN, "clusterName": c.Name, "status": c.Status, "settings": settings,
		"runningTasksCount": running, "pendingTasksCount": pending, "activeServicesCount": services, "registeredContainerInstancesCount": 0,
		"capacityProviders": []string{"FARGATE", "FARGATE_SPOT"}}
}

func (s *Service) createCluster(w *world.World, g *Region, r *wire.Request) (any, error) {
	var in struct {
		ClusterName string `json:"clusterName"`
		Settings    []struct {
			Name, Value string
		} `json:"settings"`
	}
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	name := clusterName(in.ClusterName)
	if len(name) > 255 || strings.ContainsAny(name, " /:") {
		return nil, invalid("Cluster name can only contain letters, numbers, hyphens and underscores, up to 255 characters.")
	}
	c := g.Clusters[name]
	if c == nil || c.Status != "ACTIVE" {
		c = &Cluster{Name: name, ARN: g.arn("cluster", name), Status: "ACTIVE", Settings: map[string]string{"containerInsights": "disabled"}, Created: w.Now()}
		g.Clusters[name] = c
	}
	for _, st := range in.Settings {
		if st.Name != "containerInsights" {
			return nil, invalid("Invalid cluster setting name: %s", st.Name)
		}
		switch st.Value {
		case "enabled", "disabled", "enhanced":
		default:
			return nil, invalid("containerInsights must be enabled, disabled or enhanced.")
		}
		c.Settings[st.Name] = st.Value
	}
	return map[string]any{"cluster": clusterJSON(g, c)}, nil
}

func (s *Service) describeClusters(g *Region, r *wire.Request) (any, error) {
	var in struct {
		Clusters []string `json:"clusters"`
	}
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	if len(in.Clusters) == 0 {
		in.Clusters = []string{"default"}
	}
	clusters, failures := []any{}, []any{}
	for _, name := range in.Clusters {
		c := g.Clusters[clusterName(name)]
		if c == nil {
			failures = append(failures, map[string]string{"arn": g.arn("cluster", clusterName(name)), "reason": "MISSING"})
			continue
		}
		clusters = append(clusters, clusterJSON(g, c))
	}
	return map[string]any{"clusters": clusters, "failures": failures}, nil
}

// fargate sizes: cpu → allowed memory (MiB).
func fargateSize(cpu, mem string) bool {
	c, err1 := strconv.Atoi(cpu)
	m, err2 := strconv.Atoi(mem)
	if err1 != nil || err2 != nil {
		return false
	}
	switch c {
	case 256:
		return m == 512 || m == 1024 || m == 2048
	case 512:
		return m >= 1024 && m <= 4096 && m%1024 == 0
	case 1024:
		return m >= 2048 && m <= 8192 && m%1024 == 0
	case 2048:
		return m >= 4096 && m <= 16384 && m%1024 == 0
	case 4096:
		return m >= 8192 && m <= 30720 && m%1024 == 0
	}
	return false
}

func (s *Service) registerTaskDefinition(w *world.World, g *Region, r *wire.Request) (any, error) {
	var raw map[string]any
	if err := r.DecodeJSON(&raw); err != nil {
		return nil, err
	}
	var in struct {
		Family                  string `json:"family"`
		Cpu, Memory             string
		NetworkMode             string   `json:"networkMode"`
		RequiresCompatibilities []string `json:"requiresCompatibilities"`
		ExecutionRoleArn        string   `json:"executionRoleArn"`
		RuntimePlatform         struct {
			CpuArchitecture       string `json:"cpuArchitecture"`
			OperatingSystemFamily string `json:"operatingSystemFamily"`
		} `json:"runtimePlatform"`
		ContainerDefinitions []struct {
			Name         string `json:"name"`
			Image        string `json:"image"`
			Essential    *bool  `json:"essential"`
			PortMappings []struct {
				ContainerPort int `json:"containerPort"`
			} `json:"portMappings"`
			LogConfiguration *struct {
				LogDriver string            `json:"logDriver"`
				Options   map[string]string `json:"options"`
			} `json:"logConfiguration"`
		} `json:"containerDefinitions"`
	}
	json.Unmarshal(r.Body, &in)
	if in.Family == "" || len(in.Family) > 255 {
		return nil, clientErr("Family must be between 1 and 255 characters.")
	}
	if len(in.ContainerDefinitions) == 0 {
		return nil, clientErr("Container list cannot be empty.")
	}
	fargate := false
	for _, c := range in.RequiresCompatibilities {
		fargate = fargate || c == "FARGATE"
	}
	if fargate {
		if in.NetworkMode != "awsvpc" {
			return nil, clientErr("Fargate only supports network mode 'awsvpc'.")
		}
		if in.Cpu == "" || in.Memory == "" {
			return nil, clientErr("Fargate requires that 'cpu' be defined at the task level.")
		}
		if !fargateSize(in.Cpu, in.Memory) {
			return nil, clientErr("No Fargate configuration exists for given values: %s CPU, %s memory. See the Amazon ECS documentation for the valid values.", in.Cpu, in.Memory)
		}
	}
	arch := in.RuntimePlatform.CpuArchitecture
	if arch == "" {
		arch = "X86_64"
	}
	if arch != "X86_64" && arch != "ARM64" {
		return nil, clientErr("Invalid cpuArchitecture %s", arch)
	}
	td := &TaskDef{Family: in.Family, Status: "ACTIVE", Arch: arch, Cpu: in.Cpu, Memory: in.Memory, Exec: in.ExecutionRoleArn, Raw: raw, At: w.Now()}
	for _, c := range in.ContainerDefinitions {
		if c.Name == "" || c.Image == "" {
			return nil, clientErr("Container.name and Container.image should not be null or empty.")
		}
		ct := Container{Name: c.Name, Image: c.Image, Essential: c.Essential}
		for _, p := range c.PortMappings {
			ct.Ports = append(ct.Ports, p.ContainerPort)
		}
		if c.LogConfiguration != nil {
			ct.LogDriver, ct.LogOpts = c.LogConfiguration.LogDriver, c.LogConfiguration.Options
		}
		td.Containers = append(td.Containers, ct)
	}
	g.addTaskDef(td)
	return map[string]any{"taskDefinition": taskDefJSON(td)}, nil
}

func (g *Region) addTaskDef(td *TaskDef) {
	td.Revision = len(g.TaskDefs[td.Family]) + 1
	td.ARN = g.arn("task-definition", fmt.Sprintf("%s:%d", td.Family, td.Revision))
	g.TaskDefs[td.Family] = append(g.TaskDefs[td.Family], td)
}

func taskDefJSON(td *TaskDef) map[string]any {
	out := map[string]any{}
	for k, v := range td.Raw {
		out[k] = v
	}
	out["taskDefinitionArn"] = td.ARN
	out["family"] = td.Family
	out["revision"] = td.Revision
	out["status"] = td.Status
	out["registeredAt"] = wire.Epoch(td.At)
	out["compatibilities"] = []string{"EC2", "FARGATE"}
	out["runtimePlatform"] = map[string]string{"cpuArchitecture": td.Arch, "operatingSystemFamily": "LINUX"}
	var defs []any
	for i, c := range td.Containers {
		var m map[string]any
		if list, ok := td.Raw["containerDefinitions"].([]any); ok && i < len(list) {
			m, _ = list[i].(map[string]any)
		}
		cp := map[string]any{}
		for k, v := range m {
			cp[k] = v
		}
		cp["name"], cp["image"] = c.Name, c.Image
		defs = append(defs, cp)
	}
	out["containerDefinitions"] = defs
	return out
}

// taskDef finds "family", "family:rev" or an ARN.
func (g *Region) taskDef(ref string) *TaskDef {
	if i := strings.LastIndex(ref, "task-definition/"); i >= 0 {
		ref = ref[i+len("task-definition/"):]
	}
	fam, rev, hasRev := strings.Cut(ref, ":")
	revs := g.TaskDefs[fam]
	if !hasRev {
		for i := len(revs) - 1; i >= 0; i-- {
			if revs[i].Status == "ACTIVE" {
				return revs[i]
			}
		}
		return nil
	}
	n, err := strconv.Atoi(rev)
	if err != nil || n < 1 || n > len(revs) {
		return nil
	}
	return revs[n-1]
}

func (s *Service) describeTaskDefinition(g *Region, r *wire.Request) (any, error) {
	var in struct {
		TaskDefinition string `json:"taskDefinition"`
	}
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	td := g.taskDef(in.TaskDefinition)
	if td == nil {
		return nil, clientErr("Unable to describe task definition.")
	}
	return map[string]any{"taskDefinition": taskDefJSON(td)}, nil
}

type serviceInput struct {
	Cluster        string `json:"cluster"`
	ServiceName    string `json:"serviceName"`
	Service        string `json:"service"`
	TaskDefinition string `json:"taskDefinition"`
	DesiredCount   *int   `json:"desiredCount"`
	LaunchType     string `json:"launchType"`
	ClientToken    string `json:"clientToken"`
	ForceNew       bool   `json:"forceNewDeployment"`
	Network        *struct {
		Awsvpc struct {
			Subnets        []string `json:"subnets"`
			SecurityGroups []string `json:"securityGroups"`
			AssignPublicIp string   `json:"assignPublicIp"`
		} `json:"awsvpcConfiguration"`
	} `json:"networkConfiguration"`
	Deployment *struct {
		Breaker *struct {
			Enable   bool `json:"enable"`
			Rollback bool `json:"rollback"`
		} `json:"deploymentCircuitBreaker"`
	} `json:"deploymentConfiguration"`
}

func (s *Service) createService(w *world.World, g *Region, r *wire.Request) (any, error) {
	var in serviceInput
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	c, err := g.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	if in.ServiceName == "" {
		return nil, invalid("Service name must not be empty.")
	}
	key := c.Name + "/" + in.ServiceName
	request := string(r.Body)
	if old := g.Services[key]; old != nil && old.Status != "INACTIVE" {
		if in.ClientToken != "" && old.Token == in.ClientToken {
			if old.Request != request {
				return nil, invalid("Creation of service was not idempotent.")
			}
			return map[string]any{"service": s.serviceJSON(g, old)}, nil
		}
		return nil, invalid("Creation of service was not idempotent.")
	}
	if _, ok := iam.From(w).Role(r.Account, "AWSServiceRoleForECS"); !ok {
		return nil, invalid("Unable to assume the service linked role. Please verify that the ECS service linked role exists.")
	}
	td := g.taskDef(in.TaskDefinition)
	if td == nil {
		return nil, invalid("TaskDefinition not found.")
	}
	if in.LaunchType != "" && in.LaunchType != "FARGATE" {
		return nil, invalid("The sandbox runs services on FARGATE only.")
	}
	if in.Network == nil || len(in.Network.Awsvpc.Subnets) == 0 {
		return nil, invalid("Network Configuration must be provided when networkMode 'awsvpc' is specified.")
	}
	if err := s.checkNetwork(w, r, in.Network.Awsvpc.Subnets, in.Network.Awsvpc.SecurityGroups); err != nil {
		return nil, err
	}
	desired := 1
	if in.DesiredCount != nil {
		desired = *in.DesiredCount
	}
	sv := &Svc{Name: in.ServiceName, ARN: g.arn("service", c.Name+"/"+in.ServiceName), Cluster: c.Name, Status: "ACTIVE", TaskDef: td.ARN, Desired: desired,
		Subnets: in.Network.Awsvpc.Subnets, Groups: in.Network.Awsvpc.SecurityGroups, PublicIP: in.Network.Awsvpc.AssignPublicIp == "ENABLED",
		Token: in.ClientToken, Request: request, Created: w.Now()}
	if in.Deployment != nil && in.Deployment.Breaker != nil {
		sv.Breaker, sv.Rollback = in.Deployment.Breaker.Enable, in.Deployment.Breaker.Rollback
	}
	g.Services[key] = sv
	s.newDeployment(w, sv, td.ARN)
	return map[string]any{"service": s.serviceJSON(g, sv)}, nil
}

func (s *Service) checkNetwork(w *world.World, r *wire.Request, subnets, groups []string) error {
	e := ec2Of(w)
	if e == nil {
		return nil
	}
	for _, id := range subnets {
		if _, ok := e.Subnet(w, r.Account, r.Region, id); !ok {
			return invalid("Error retrieving subnet information for [%s]: The subnet ID '%s' does not exist (Service: AmazonEC2; Status Code: 400; Error Code: InvalidSubnetID.NotFound)", id, id)
		}
	}
	for _, id := range groups {
		if !e.HasGroup(w, r.Account, r.Region, id) {
			return invalid("Error retrieving security group information for [%s]: The security group '%s' does not exist (Service: AmazonEC2; Status Code: 400; Error Code: InvalidGroup.NotFound)", id, id)
		}
	}
	return nil
}

func (s *Service) updateService(w *world.World, g *Region, r *wire.Request) (any, error) {
	var in serviceInput
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	c, err := g.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	sv := g.Services[c.Name+"/"+svcName(in.Service)]
	if sv == nil {
		return nil, wire.Errorf(400, "ServiceNotFoundException", "Service not found.")
	}
	if sv.Status != "ACTIVE" {
		return nil, wire.Errorf(400, "ServiceNotActiveException", "Service was not ACTIVE.")
	}
	newDef := sv.TaskDef
	if in.TaskDefinition != "" {
		td := g.taskDef(in.TaskDefinition)
		if td == nil {
			return nil, invalid("TaskDefinition not found.")
		}
		newDef = td.ARN
	}
	if in.DesiredCount != nil {
		sv.Desired = *in.DesiredCount
		for _, d := range sv.Deployments {
			if d.Status == "PRIMARY" {
				d.Desired = sv.Desired
			}
		}
	}
	if in.Network != nil && len(in.Network.Awsvpc.Subnets) > 0 {
		if err := s.checkNetwork(w, r, in.Network.Awsvpc.Subnets, in.Network.Awsvpc.SecurityGroups); err != nil {
			return nil, err
		}
		sv.Subnets, sv.Groups, sv.PublicIP = in.Network.Awsvpc.Subnets, in.Network.Awsvpc.SecurityGroups, in.Network.Awsvpc.AssignPublicIp == "ENABLED"
	}
	if in.Deployment != nil && in.Deployment.Breaker != nil {
		sv.Breaker, sv.Rollback = in.Deployment.Breaker.Enable, in.Deployment.Breaker.Rollback
	}
	if newDef != sv.TaskDef || in.ForceNew {
		s.newDeployment(w, sv, newDef)
	}
	return map[string]any{"service": s.serviceJSON(g, sv)}, nil
}

func svcName(s string) string {
	if strings.HasPrefix(s, "arn:") {
		return s[strings.LastIndexByte(s, '/')+1:]
	}
	return s
}

func (s *Service) serviceJSON(g *Region, sv *Svc) map[string]any {
	var deps []any
	running, pending := 0, 0
	for _, d := range sv.Deployments {
		dr, dp := g.counts(sv, d.ID)
		running += dr
		pending += dp
		deps = append(deps, map[string]any{"id": d.ID, "status": d.Status, "taskDefinition": d.TaskDef, "desiredCount": d.Desired,
			"runningCount": dr, "pendingCount": dp, "failedTasks": d.Failed, "rolloutState": d.Rollout, "rolloutStateReason": d.RolloutReason,
			"createdAt": wire.Epoch(d.Created), "updatedAt": wire.Epoch(d.Updated), "launchType": "FARGATE", "platformVersion": "1.4.0"})
	}
	var events []any
	for i, e := range sv.Events {
		if i == 100 {
			break
		}
		events = append(events, map[string]any{"id": e.ID, "createdAt": wire.Epoch(e.At), "message": e.Message})
	}
	assign := "DISABLED"
	if sv.PublicIP {
		assign = "ENABLED"
	}
	return map[string]any{"serviceArn": sv.ARN, "serviceName": sv.Name, "clusterArn": g.arn("cluster", sv.Cluster), "status": sv.Status,
		"taskDefinition": sv.TaskDef, "desiredCount": sv.Desired, "runningCount": running, "pendingCount": pending, "launchType": "FARGATE",
		"platformVersion": "LATEST", "createdAt": wire.Epoch(sv.Created), "deployments": deps, "events": events, "schedulingStrategy": "REPLICA",
		"networkConfiguration": map[string]any{"awsvpcConfiguration": map[string]any{"subnets": sv.Subnets, "securityGroups": sv.Groups, "assignPublicIp": assign}},
		"deploymentConfiguration": map[string]any{"deploymentCircuitBreaker": map[string]bool{"enable": sv.Breaker, "rollback": sv.Rollback},
			"maximumPercent": 200, "minimumHealthyPercent": 100}}
}

func (s *Service) describeServices(g *Region, r *wire.Request) (any, error) {
	var in struct {
		Cluster  string   `json:"cluster"`
		Services []string `json:"services"`
	}
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	c, err := g.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	services, failures := []any{}, []any{}
	for _, name := range in.Services {
		sv := g.Services[c.Name+"/"+svcName(name)]
		if sv == nil {
			failures = append(failures, map[string]string{"arn": g.arn("service", c.Name+"/"+svcName(name)), "reason": "MISSING"})
			continue
		}
		services = append(services, s.serviceJSON(g, sv))
	}
	return map[string]any{"services": services, "failures": failures}, nil
}

func (s *Service) listTasks(g *Region, r *wire.Request) (any, error) {
	var in struct {
		Cluster       string `json:"cluster"`
		ServiceName   string `json:"serviceName"`
		DesiredStatus string `json:"desiredStatus"`
	}
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	c, err := g.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	if in.ServiceName != "" && g.Services[c.Name+"/"+svcName(in.ServiceName)] == nil {
		return nil, wire.Errorf(400, "ServiceNotFoundException", "Service not found.")
	}
	if in.DesiredStatus == "" {
		in.DesiredStatus = "RUNNING"
	}
	arns := []string{}
	for _, t := range g.sortedTasks() {
		if t.Cluster != c.Name || (in.ServiceName != "" && t.Service != svcName(in.ServiceName)) || t.Desired != in.DesiredStatus {
			continue
		}
		arns = append(arns, t.ARN)
	}
	return map[string]any{"taskArns": arns}, nil
}

func (g *Region) sortedTasks() []*Task {
	out := make([]*Task, 0, len(g.Tasks))
	for _, t := range g.Tasks {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ARN < out[j].ARN
	})
	return out
}

func (s *Service) describeTasks(g *Region, r *wire.Request) (any, error) {
	var in struct {
		Cluster string   `json:"cluster"`
		Tasks   []string `json:"tasks"`
	}
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	c, err := g.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	tasks, failures := []any{}, []any{}
	for _, ref := range in.Tasks {
		t := g.findTask(c.Name, ref)
		if t == nil {
			failures = append(failures, map[string]string{"arn": ref, "reason": "MISSING"})
			continue
		}
		tasks = append(tasks, s.taskJSON(g, t))
	}
	return map[string]any{"tasks": tasks, "failures": failures}, nil
}

func (g *Region) findTask(cluster, ref string) *Task {
	if t := g.Tasks[ref]; t != nil && t.Cluster == cluster {
		return t
	}
	for _, t := range g.Tasks {
		if t.Cluster == cluster && strings.HasSuffix(t.ARN, "/"+ref) {
			return t
		}
	}
	return nil
}

func sortedKeys[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
