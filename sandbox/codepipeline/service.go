// Package codepipeline simulates AWS CodePipeline (awsJson1_1) for castle's
// sandbox: V2 pipelines whose executions move Source → Build → Deploy on the
// virtual clock. The Source action reads the GitHub connection's status, the
// Build action runs a simulated CodeBuild build (which tags the image in the
// simulated ECR), and the ECS Deploy action asks the simulated ECS for a new
// deployment with the built image.
package codepipeline

import (
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/castle-aws/castle/sandbox/codebuild"
	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// RoleSettleTime: a role younger than this cannot be assumed yet.
const RoleSettleTime = 10 * time.Second

// Pipeline is one pipeline.
type Pipeline struct {
	Name    string          `json:"name"`
	ARN     string          `json:"arn"`
	Account string          `json:"account"`
	Region  string          `json:"region"`
	Raw     json.RawMessage `json:"declaration"` // as the caller sent it
	Decl    Declaration     `json:"-"`
	Version int             `json:"version"`
	Created time.Time       `json:"created"`
	Updated time.Time       `json:"updated"`
}

// Declaration is the part of a pipeline declaration the simulation reads.
type Declaration struct {
	Name          string `json:"name"`
	RoleArn       string `json:"roleArn"`
	PipelineType  string `json:"pipelineType"`
	ExecutionMode string `json:"executionMode"`
	ArtifactStore *struct {
		Type     string `json:"type"`
		Location string `json:"location"`
	} `json:"artifactStore"`
	Stages []Stage `json:"stages"`
}

// Stage is one stage of a declaration.
type Stage struct {
	Name    string   `json:"name"`
	Actions []Action `json:"actions"`
}

// Action is one action of a stage.
type Action struct {
	Name         string `json:"name"`
	ActionTypeID struct {
		Category string `json:"category"`
		Owner    string `json:"owner"`
		Provider string `json:"provider"`
		Version  string `json:"version"`
	} `json:"actionTypeId"`
	Configuration map[string]string `json:"configuration"`
	RunOrder      int               `json:"runOrder"`
}

// Service is the simulated CodePipeline.
type Service struct {
	Pipelines  map[string]*Pipeline  `json:"pipelines"`  // account/region/name
	Executions map[string]*Execution `json:"executions"` // by id
}

// New returns the simulated service.
func New() world.Service {
	return &Service{Pipelines: map[string]*Pipeline{}, Executions: map[string]*Execution{}}
}

// From returns the service of a world, or nil when it is not registered.
func From(w *world.World) *Service {
	s, _ := w.Service("codepipeline").(*Service)
	return s
}

func (s *Service) Name() string            { return "codepipeline" }
func (s *Service) Protocol() wire.Protocol { return wire.JSON11 }
func (s *Service) Snapshot() any           { return s }
func (s *Service) Restore(data json.RawMessage) error {
	if err := json.Unmarshal(data, s); err != nil {
		return err
	}
	for _, p := range s.Pipelines {
		if err := json.Unmarshal(p.Raw, &p.Decl); err != nil {
			return err
		}
	}
	return nil
}

func key(account, region, name string) string { return account + "/" + region + "/" + name }

func (s *Service) pipeline(r *wire.Request, name string) (*Pipeline, error) {
	p, ok := s.Pipelines[key(r.Account, r.Region, name)]
	if !ok {
		return nil, wire.Errorf(400, "PipelineNotFoundException", "Account '%s' does not have a pipeline with name '%s'", r.Account, name)
	}
	return p, nil
}

// Control: POST /_sandbox/codepipeline/push?pipeline=NAME stands for a
// push to the pipeline's branch on GitHub: a new execution starts, as the
// V2 pipeline's git trigger would.
func (s *Service) Control(w *world.World, action string, p url.Values) (any, error) {
	switch action {
	case "push":
		for _, pl := range s.Pipelines {
			if pl.Name == p.Get("pipeline") && (p.Get("account") == "" || p.Get("account") == pl.Account) {
				e := s.start(w, pl, "WebhookV2", "push to "+repoOf(pl))
				return map[string]string{"pipelineExecutionId": e.ID}, nil
			}
		}
		return nil, wire.Errorf(400, "PipelineNotFoundException", "no pipeline named '%s'", p.Get("pipeline"))
	}
	return nil, wire.UnknownOperation(action)
}

func (s *Service) Handle(w *world.World, r *wire.Request) (any, error) {
	var in struct {
		Name                string          `json:"name"`
		PipelineName        string          `json:"pipelineName"`
		PipelineExecutionID string          `json:"pipelineExecutionId"`
		ClientRequestToken  string          `json:"clientRequestToken"`
		MaxResults          int             `json:"maxResults"`
		Pipeline            json.RawMessage `json:"pipeline"`
	}
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	switch r.Operation {
	case "CreatePipeline":
		return s.create(w, r, in.Pipeline)
	case "UpdatePipeline":
		return s.update(w, r, in.Pipeline)
	case "GetPipeline":
		p, err := s.pipeline(r, in.Name)
		if err != nil {
			return nil, err
		}
		return map[string]any{"pipeline": p.declaration(), "metadata": map[string]any{
			"pipelineArn": p.ARN, "created": wire.Epoch(p.Created), "updated": wire.Epoch(p.Updated)}}, nil
	case "GetPipelineState":
		p, err := s.pipeline(r, in.Name)
		if err != nil {
			return nil, err
		}
		return s.state(p), nil
	case "ListPipelineExecutions":
		p, err := s.pipeline(r, in.PipelineName)
		if err != nil {
			return nil, err
		}
		list := []any{}
		for _, e := range s.executionsOf(p) {
			if in.MaxResults > 0 && len(list) >= in.MaxResults {
				break
			}
			list = append(list, e.summary())
		}
		return map[string]any{"pipelineExecutionSummaries": list}, nil
	case "GetPipelineExecution":
		p, err := s.pipeline(r, in.PipelineName)
		if err != nil {
			return nil, err
		}
		e, ok := s.Executions[in.PipelineExecutionID]
		if !ok || e.Pipeline != key(p.Account, p.Region, p.Name) {
			return nil, wire.Errorf(400, "PipelineExecutionNotFoundException", "Pipeline execution with id '%s' does not exist in pipeline with name '%s'", in.PipelineExecutionID, p.Name)
		}
		return map[string]any{"pipelineExecution": e.detail(p)}, nil
	case "StartPipelineExecution":
		p, err := s.pipeline(r, in.Name)
		if err != nil {
			return nil, err
		}
		if in.ClientRequestToken != "" {
			for _, e := range s.Executions {
				if e.Token == in.ClientRequestToken && e.Pipeline == key(p.Account, p.Region, p.Name) {
					return map[string]any{"pipelineExecutionId": e.ID}, nil
				}
			}
		}
		e := s.start(w, p, "StartPipelineExecution", r.Principal)
		e.Token = in.ClientRequestToken
		return map[string]any{"pipelineExecutionId": e.ID}, nil
	}
	return nil, wire.UnknownOperation(r.Operation)
}

func (s *Service) create(w *world.World, r *wire.Request, raw json.RawMessage) (any, error) {
	var d Declaration
	if len(raw) == 0 || json.Unmarshal(raw, &d) != nil || d.Name == "" || d.RoleArn == "" {
		return nil, wire.Validation("1 validation error detected: pipeline name, roleArn and stages are required")
	}
	if _, exists := s.Pipelines[key(r.Account, r.Region, d.Name)]; exists {
		return nil, wire.Errorf(400, "PipelineNameInUseException", "A pipeline with name '%s' already exists", d.Name)
	}
	if err := validate(w, r.Account, d); err != nil {
		return nil, err
	}
	if !codebuild.RoleAssumable(w, r.Account, d.RoleArn, RoleSettleTime) {
		return nil, wire.Errorf(400, "InvalidStructureException", "CodePipeline is not authorized to perform AssumeRole on role %s", d.RoleArn)
	}
	if d.PipelineType == "" {
		d.PipelineType = "V1"
	}
	if d.ExecutionMode == "" {
		d.ExecutionMode = "SUPERSEDED"
	}
	var m map[string]any
	json.Unmarshal(raw, &m)
	m["pipelineType"], m["executionMode"] = d.PipelineType, d.ExecutionMode
	norm, _ := json.Marshal(m)
	p := &Pipeline{Name: d.Name, Account: r.Account, Region: r.Region, Raw: norm, Decl: d, Version: 1,
		Created: w.Now(), Updated: w.Now(), ARN: "arn:aws:codepipeline:" + r.Region + ":" + r.Account + ":" + d.Name}
	s.Pipelines[key(r.Account, r.Region, d.Name)] = p
	// A new pipeline runs at once, as on AWS.
	s.start(w, p, "CreatePipeline", r.Principal)
	return map[string]any{"pipeline": p.declaration()}, nil
}

// update replaces a pipeline's declaration (a new version); running
// executions keep the version they started with.
func (s *Service) update(w *world.World, r *wire.Request, raw json.RawMessage) (any, error) {
	var d Declaration
	if len(raw) == 0 || json.Unmarshal(raw, &d) != nil || d.Name == "" || d.RoleArn == "" {
		return nil, wire.Validation("1 validation error detected: pipeline name, roleArn and stages are required")
	}
	p, err := s.pipeline(r, d.Name)
	if err != nil {
		return nil, err
	}
	if err := validate(w, r.Account, d); err != nil {
		return nil, err
	}
	if !codebuild.RoleAssumable(w, r.Account, d.RoleArn, RoleSettleTime) {
		return nil, wire.Errorf(400, "InvalidStructureException", "CodePipeline is not authorized to perform AssumeRole on role %s", d.RoleArn)
	}
	if d.PipelineType == "" {
		d.PipelineType = p.Decl.PipelineType
	}
	if d.ExecutionMode == "" {
		d.ExecutionMode = "SUPERSEDED"
	}
	var m map[string]any
	json.Unmarshal(raw, &m)
	delete(m, "version")
	m["pipelineType"], m["executionMode"] = d.PipelineType, d.ExecutionMode
	p.Raw, _ = json.Marshal(m)
	p.Decl = d
	p.Version++
	p.Updated = w.Now()
	return map[string]any{"pipeline": p.declaration()}, nil
}

// validate checks the structure as CodePipeline does.
func validate(w *world.World, account string, d Declaration) error {
	bad := func(format string, args ...any) error {
		return wire.Errorf(400, "InvalidStructureException", format, args...)
	}
	if d.ArtifactStore == nil || d.ArtifactStore.Location == "" {
		return bad("Pipeline must have an artifact store")
	}
	if len(d.Stages) < 2 {
		return bad("Pipeline must contain at least two stages")
	}
	seen := map[string]bool{}
	for i, st := range d.Stages {
		if st.Name == "" || seen[st.Name] {
			return bad("Stage names must be unique and not empty")
		}
		seen[st.Name] = true
		if len(st.Actions) == 0 {
			return bad("Stage %s must contain at least one action", st.Name)
		}
		for _, a := range st.Actions {
			isSource := a.ActionTypeID.Category == "Source"
			if i == 0 && !isSource {
				return bad("The first stage can contain only source actions")
			}
			if i > 0 && isSource {
				return bad("Source actions can only be in the first stage")
			}
			if err := validateAction(a); err != nil {
				return err
			}
		}
	}
	if b, ok := w.Service("s3").(bucketFinder); ok && b != nil {
		if !b.Exists(account, d.ArtifactStore.Location) {
			return bad("Artifact store location %s does not exist or is not in this account", d.ArtifactStore.Location)
		}
	}
	return nil
}

func validateAction(a Action) error {
	need := map[string][]string{
		"CodeStarSourceConnection": {"ConnectionArn", "FullRepositoryId", "BranchName"},
		"CodeBuild":                {"ProjectName"},
		"ECS":                      {"ClusterName", "ServiceName"},
	}[a.ActionTypeID.Provider]
	for _, k := range need {
		if a.Configuration[k] == "" {
			return wire.Errorf(400, "InvalidActionDeclarationException", "Action configuration for action '%s' is missing required configuration '%s'", a.Name, k)
		}
	}
	return nil
}

type bucketFinder interface {
	Exists(account, bucket string) bool
}

func (p *Pipeline) declaration() map[string]any {
	var m map[string]any
	json.Unmarshal(p.Raw, &m)
	m["version"] = p.Version
	return m
}

func (s *Service) executionsOf(p *Pipeline) []*Execution {
	k := key(p.Account, p.Region, p.Name)
	var out []*Execution
	for _, e := range s.Executions {
		if e.Pipeline == k {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.After(out[j].Start)
		}
		return out[i].Seq > out[j].Seq
	})
	return out
}

// pipelineOf returns an execution's pipeline.
func (s *Service) pipelineOf(e *Execution) *Pipeline { return s.Pipelines[e.Pipeline] }

func repoOf(p *Pipeline) string {
	for _, st := range p.Decl.Stages {
		for _, a := range st.Actions {
			if r := a.Configuration["FullRepositoryId"]; r != "" {
				return strings.TrimSpace(r)
			}
		}
	}
	return ""
}
