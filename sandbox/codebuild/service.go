// Package codebuild simulates AWS CodeBuild (awsJson1_1) for castle's
// sandbox: projects, and builds that the pipeline runs. A build does not run
// Docker: it re-tags the repository's latest image in the simulated ECR with
// the commit (as a real build would push it) and writes imagedefinitions.
package codebuild

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// RoleSettleTime is how long a new IAM role takes before CodeBuild can
// assume it; younger roles get InvalidInputException, as on AWS.
const RoleSettleTime = 10 * time.Second

// Project is one build project. Source, Artifacts and the rest are kept as
// the caller sent them.
type Project struct {
	Name         string                     `json:"name"`
	ARN          string                     `json:"arn"`
	Account      string                     `json:"account"`
	Region       string                     `json:"region"`
	ServiceRole  string                     `json:"serviceRole"`
	Environment  Environment                `json:"environment"`
	Fields       map[string]json.RawMessage `json:"fields"`
	Created      time.Time                  `json:"created"`
	LastModified time.Time                  `json:"lastModified"`
}

// Environment is the build environment.
type Environment struct {
	Type                 string   `json:"type"`
	Image                string   `json:"image"`
	ComputeType          string   `json:"computeType"`
	PrivilegedMode       bool     `json:"privilegedMode"`
	EnvironmentVariables []EnvVar `json:"environmentVariables,omitempty"`
}

// EnvVar is one environment variable.
type EnvVar struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Type  string `json:"type,omitempty"`
}

// Var returns a variable's value.
func (e Environment) Var(name string) string {
	for _, v := range e.EnvironmentVariables {
		if v.Name == name {
			return v.Value
		}
	}
	return ""
}

// Build is one build.
type Build struct {
	ID        string    `json:"id"`
	Project   string    `json:"project"`
	Account   string    `json:"account"`
	Region    string    `json:"region"`
	Status    string    `json:"status"` // SUCCEEDED | FAILED | IN_PROGRESS
	Phase     string    `json:"phase"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end,omitempty"`
	Source    string    `json:"sourceVersion"`
	Image     string    `json:"image,omitempty"`
	FailCode  string    `json:"failCode,omitempty"`
	FailPhase string    `json:"failPhase,omitempty"`
	FailText  string    `json:"failText,omitempty"`
}

// Service is the simulated CodeBuild.
type Service struct {
	Projects map[string]*Project `json:"projects"` // account/region/name
	Builds   map[string]*Build   `json:"builds"`   // by id
	// FailNext names projects ("account/region/name", or "*") whose next
	// build fails, with the reason to report.
	FailNext map[string]string `json:"failNext,omitempty"`
}

// New returns the simulated service.
func New() world.Service {
	return &Service{Projects: map[string]*Project{}, Builds: map[string]*Build{}, FailNext: map[string]string{}}
}

// From returns the service of a world, or nil when it is not registered.
func From(w *world.World) *Service {
	s, _ := w.Service("codebuild").(*Service)
	return s
}

func (s *Service) Name() string            { return "codebuild" }
func (s *Service) Protocol() wire.Protocol { return wire.JSON11 }
func (s *Service) Snapshot() any           { return s }
func (s *Service) Restore(data json.RawMessage) error {
	if err := json.Unmarshal(data, s); err != nil {
		return err
	}
	if s.FailNext == nil {
		s.FailNext = map[string]string{}
	}
	return nil
}

func key(account, region, name string) string { return account + "/" + region + "/" + name }

// Project returns a project.
func (s *Service) Project(account, region, name string) (*Project, bool) {
	p, ok := s.Projects[key(account, region, name)]
	return p, ok
}

// Control: POST /_sandbox/codebuild/fail-next-build?project=NAME[&message=...]
// makes the next build of that project (any project when omitted) fail in
// its BUILD phase.
func (s *Service) Control(w *world.World, action string, p url.Values) (any, error) {
	switch action {
	case "fail-next-build":
		name := p.Get("project")
		if name == "" {
			name = "*"
		}
		msg := p.Get("message")
		if msg == "" {
			msg = "Error while executing command: docker build -t $REPOSITORY_URI:$IMAGE_TAG .. Reason: exit status 1"
		}
		s.FailNext[name] = msg
		return map[string]string{"project": name, "message": msg}, nil
	}
	return nil, wire.UnknownOperation(action)
}

func (s *Service) Handle(w *world.World, r *wire.Request) (any, error) {
	switch r.Operation {
	case "CreateProject", "UpdateProject":
		return s.put(w, r)
	case "BatchGetProjects":
		var in struct{ Names []string }
		if err := r.DecodeJSON(&in); err != nil {
			return nil, err
		}
		found, missing := []any{}, []string{}
		for _, n := range in.Names {
			name := n
			if i := strings.LastIndex(n, ":project/"); i >= 0 {
				name = n[i+len(":project/"):]
			}
			if p, ok := s.Project(r.Account, r.Region, name); ok {
				found = append(found, s.view(p))
			} else {
				missing = append(missing, n)
			}
		}
		return map[string]any{"projects": found, "projectsNotFound": missing}, nil
	case "BatchGetBuilds":
		var in struct{ Ids []string }
		if err := r.DecodeJSON(&in); err != nil {
			return nil, err
		}
		found, missing := []any{}, []string{}
		for _, id := range in.Ids {
			if b, ok := s.Builds[id]; ok && b.Account == r.Account {
				found = append(found, b.view())
			} else {
				missing = append(missing, id)
			}
		}
		return map[string]any{"builds": found, "buildsNotFound": missing}, nil
	}
	return nil, wire.UnknownOperation(r.Operation)
}

func (s *Service) put(w *world.World, r *wire.Request) (any, error) {
	var fields map[string]json.RawMessage
	if err := r.DecodeJSON(&fields); err != nil {
		return nil, err
	}
	var in struct {
		Name        string       `json:"name"`
		ServiceRole string       `json:"serviceRole"`
		Environment *Environment `json:"environment"`
	}
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	p, exists := s.Project(r.Account, r.Region, in.Name)
	if r.Operation == "CreateProject" {
		if exists {
			return nil, wire.Errorf(400, "ResourceAlreadyExistsException", "Project already exists: %s", in.Name)
		}
		if in.Name == "" || in.Environment == nil || in.ServiceRole == "" || fields["source"] == nil || fields["artifacts"] == nil {
			return nil, wire.Errorf(400, "InvalidInputException", "Project name, source, artifacts, environment and serviceRole are required")
		}
		p = &Project{Name: in.Name, Account: r.Account, Region: r.Region, Created: w.Now(), Fields: map[string]json.RawMessage{},
			ARN: "arn:aws:codebuild:" + r.Region + ":" + r.Account + ":project/" + in.Name}
	} else if !exists {
		return nil, wire.Errorf(400, "ResourceNotFoundException", "Project cannot be found: arn:aws:codebuild:%s:%s:project/%s", r.Region, r.Account, in.Name)
	}
	if in.ServiceRole != "" {
		if err := assumable(w, r.Account, in.ServiceRole); err != nil {
			return nil, err
		}
		p.ServiceRole = in.ServiceRole
	}
	if in.Environment != nil {
		if in.Environment.Type == "" || in.Environment.Image == "" || in.Environment.ComputeType == "" {
			return nil, wire.Errorf(400, "InvalidInputException", "Environment type, image and computeType are required")
		}
		p.Environment = *in.Environment
	}
	for k, v := range fields {
		switch k {
		case "name", "serviceRole", "environment":
		default:
			p.Fields[k] = v
		}
	}
	p.LastModified = w.Now()
	s.Projects[key(r.Account, r.Region, p.Name)] = p
	return map[string]any{"project": s.view(p)}, nil
}

// assumable checks that CodeBuild could assume the role: it exists and is
// old enough for IAM's eventual consistency.
func assumable(w *world.World, account, roleArn string) error {
	if RoleAssumable(w, account, roleArn, RoleSettleTime) {
		return nil
	}
	return wire.Errorf(400, "InvalidInputException", "CodeBuild is not authorized to perform: sts:AssumeRole on %s", roleArn)
}

func (s *Service) view(p *Project) map[string]any {
	out := map[string]any{}
	for k, v := range p.Fields {
		out[k] = v
	}
	out["name"] = p.Name
	out["arn"] = p.ARN
	out["serviceRole"] = p.ServiceRole
	out["environment"] = p.Environment
	out["created"] = wire.Epoch(p.Created)
	out["lastModified"] = wire.Epoch(p.LastModified)
	return out
}

func (b *Build) view() map[string]any {
	out := map[string]any{
		"id": b.ID, "arn": "arn:aws:codebuild:" + b.Region + ":" + b.Account + ":build/" + b.ID,
		"projectName": b.Project, "buildStatus": b.Status, "currentPhase": b.Phase,
		"startTime": wire.Epoch(b.Start), "sourceVersion": b.Source, "buildComplete": b.Status != "IN_PROGRESS",
	}
	if !b.End.IsZero() {
		out["endTime"] = wire.Epoch(b.End)
	}
	if b.FailCode != "" {
		out["phases"] = []any{map[string]any{"phaseType": b.FailPhase, "phaseStatus": "FAILED",
			"contexts": []any{map[string]any{"statusCode": b.FailCode, "message": b.FailText}}}}
	}
	return out
}
