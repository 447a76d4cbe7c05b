package codepipeline

import (
	"net/url"
	"strings"
	"time"

	"github.com/castle-aws/castle/sandbox/codebuild"
	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// How long each kind of action takes in virtual time.
var durations = map[string]time.Duration{
	"Source": 20 * time.Second,
	"Build":  3 * time.Minute,
	"Deploy": 4 * time.Minute,
}

// Execution is one run of a pipeline.
type Execution struct {
	ID       string            `json:"id"`
	Seq      int               `json:"seq"`
	Pipeline string            `json:"pipeline"` // account/region/name
	Version  int               `json:"version"`
	Status   string            `json:"status"` // InProgress | Succeeded | Failed | Superseded
	Summary  string            `json:"summary,omitempty"`
	Trigger  string            `json:"trigger"`
	Detail   string            `json:"triggerDetail"`
	Token    string            `json:"token,omitempty"`
	Start    time.Time         `json:"start"`
	Updated  time.Time         `json:"updated"`
	Commit   string            `json:"commit,omitempty"`
	Message  string            `json:"commitMessage,omitempty"`
	Images   map[string]string `json:"images,omitempty"` // imagedefinitions.json
	Actions  []*ActionRun      `json:"actions"`
}

// ActionRun is one action of an execution.
type ActionRun struct {
	Stage      string            `json:"stage"`
	Name       string            `json:"name"`
	Category   string            `json:"category"`
	Provider   string            `json:"provider"`
	Config     map[string]string `json:"config"`
	ID         string            `json:"id"`
	Status     string            `json:"status,omitempty"` // "" not started | InProgress | Succeeded | Failed
	Start      time.Time         `json:"start,omitempty"`
	End        time.Time         `json:"end,omitempty"`
	ExternalID string            `json:"externalId,omitempty"`
	URL        string            `json:"url,omitempty"`
	Summary    string            `json:"summary,omitempty"`
	ErrCode    string            `json:"errorCode,omitempty"`
	ErrMessage string            `json:"errorMessage,omitempty"`
}

// start begins an execution of p now.
func (s *Service) start(w *world.World, p *Pipeline, trigger, who string) *Execution {
	e := &Execution{ID: w.UUID(), Seq: len(s.Executions) + 1, Pipeline: key(p.Account, p.Region, p.Name), Version: p.Version,
		Status: "InProgress", Trigger: trigger, Detail: who, Start: w.Now(), Updated: w.Now()}
	for _, st := range p.Decl.Stages {
		for _, a := range st.Actions {
			e.Actions = append(e.Actions, &ActionRun{Stage: st.Name, Name: a.Name, Category: a.ActionTypeID.Category,
				Provider: a.ActionTypeID.Provider, Config: a.Configuration, ID: w.UUID()})
		}
	}
	s.Executions[e.ID] = e
	s.advance(w, e)
	return e
}

// Tick moves every running execution forward by the virtual clock.
func (s *Service) Tick(w *world.World) {
	for _, e := range s.Executions {
		if e.Status == "InProgress" {
			s.advance(w, e)
		}
	}
}

// advance runs e's actions in order: each starts when the previous ends and
// ends its duration later, so a jump of the clock plays everything out.
func (s *Service) advance(w *world.World, e *Execution) {
	now := w.Now()
	cursor := e.Start
	for i, a := range e.Actions {
		switch a.Status {
		case "Succeeded":
			cursor = a.End
			continue
		case "":
			if i > 0 && a.Stage != e.Actions[i-1].Stage && s.newerRunning(e) {
				e.Status, e.Updated = "Superseded", cursor
				e.Summary = "A newer execution of the pipeline overtook this one."
				return
			}
			a.Start, a.Status = cursor, "InProgress"
			e.Updated = cursor
			s.begin(w, e, a)
			if a.Status == "Failed" {
				s.fail(e, a)
				return
			}
		}
		if a.Status == "InProgress" {
			end := a.Start.Add(durations[a.Category])
			if a.Provider == "ECS" {
				var wait bool
				if end, wait = s.deployEnd(w, e, a, now); wait {
					return
				}
				if a.Status == "Failed" {
					s.fail(e, a)
					return
				}
			}
			if now.Before(end) {
				return
			}
			a.End = end
			a.Status = "Succeeded"
			s.finish(w, e, a)
			e.Updated = end
			if a.Status == "Failed" {
				s.fail(e, a)
				return
			}
			cursor = end
		}
	}
	e.Status = "Succeeded"
}

func (s *Service) fail(e *Execution, a *ActionRun) {
	if a.End.IsZero() {
		a.End = a.Start
	}
	e.Status, e.Updated = "Failed", a.End
	e.Summary = "The action " + a.Name + " in stage " + a.Stage + " failed: " + a.ErrMessage
}

func (s *Service) newerRunning(e *Execution) bool {
	for _, o := range s.Executions {
		if o.Pipeline == e.Pipeline && o.Seq > e.Seq && o.Status == "InProgress" {
			return true
		}
	}
	return false
}

func failAction(a *ActionRun, code, msg string) {
	a.Status, a.ErrCode, a.ErrMessage = "Failed", code, msg
}

type connectionStatus interface{ Status(arn string) string }

type deployer interface {
	Deploy(w *world.World, account, region, cluster, service string, images map[string]string) (string, error)
}

// begin is an action's start: the build is queued, the deployment asked for.
func (s *Service) begin(w *world.World, e *Execution, a *ActionRun) {
	p := s.pipelineOf(e)
	region := p.Region
	switch a.Provider {
	case "CodeBuild":
		cb := codebuild.From(w)
		if cb == nil {
			failAction(a, "JobFailed", "CodeBuild is not available in this sandbox")
			return
		}
		b, err := cb.StartBuild(w, p.Account, region, a.Config["ProjectName"], e.Commit)
		if err != nil {
			failAction(a, "JobFailed", err.Error())
			return
		}
		a.ExternalID = b.ID
		a.URL = "https://console.aws.amazon.com/codesuite/codebuild/projects/" + b.Project + "/build/" + url.PathEscape(b.ID) + "/log?region=" + region
	case "ECS":
		cluster, service := a.Config["ClusterName"], a.Config["ServiceName"]
		a.URL = "https://console.aws.amazon.com/ecs/v2/clusters/" + cluster + "/services/" + service + "/deployments?region=" + region
		if len(e.Images) == 0 {
			failAction(a, "JobFailed", "Exception while trying to read the image artifact file from the artifact bucket: imagedefinitions.json has no image for the service's container")
			return
		}
		d, ok := w.Service("ecs").(deployer)
		if !ok || d == nil {
			failAction(a, "JobFailed", "The Amazon ECS service '"+service+"' does not exist.")
			return
		}
		td, err := d.Deploy(w, p.Account, region, cluster, service, e.Images)
		if err != nil {
			failAction(a, "JobFailed", err.Error())
			return
		}
		a.Summary = "Deploying " + td[strings.LastIndexByte(td, '/')+1:]
		a.ExternalID = td
	}
}

// finish is an action's end: the source revision is fetched, the build's
// result read.
func (s *Service) finish(w *world.World, e *Execution, a *ActionRun) {
	p := s.pipelineOf(e)
	switch a.Provider {
	case "CodeStarSourceConnection":
		arn := a.Config["ConnectionArn"]
		status := ""
		if c, ok := w.Service("codeconnections").(connectionStatus); ok && c != nil {
			status = c.Status(arn)
		}
		if status != "AVAILABLE" {
			if status == "" {
				status = "not found"
			}
			failAction(a, "JobFailed", "Unable to use Connection: "+arn+". The provided connection is not available (status: "+status+").")
			return
		}
		e.Commit = w.HexID(40)
		e.Message = "Update the app"
		a.ExternalID = e.Commit
		a.Summary = e.Message
		a.URL = "https://github.com/" + strings.TrimSpace(a.Config["FullRepositoryId"]) + "/commit/" + e.Commit
	case "CodeBuild":
		cb := codebuild.From(w)
		b := cb.FinishBuild(w, a.ExternalID)
		if b == nil || b.Status != "SUCCEEDED" {
			msg := "Build terminated with state: FAILED."
			if b != nil {
				msg += " Phase: " + b.FailPhase + ", Code: " + b.FailCode + ", Message: " + b.FailText
			}
			failAction(a, "JobFailed", msg)
			return
		}
		e.Images = cb.ImageDefinitions(b)
	}
	_ = p
}

// state is GetPipelineState's answer: each stage as its latest execution left it.
func (s *Service) state(p *Pipeline) map[string]any {
	execs := s.executionsOf(p)
	var stages []any
	for _, st := range p.Decl.Stages {
		stage := map[string]any{"stageName": st.Name}
		var actions []any
		for _, decl := range st.Actions {
			as := map[string]any{"actionName": decl.Name}
			for _, e := range execs {
				a := e.action(st.Name, decl.Name)
				if a == nil || a.Status == "" {
					continue
				}
				as["latestExecution"] = a.view()
				break
			}
			actions = append(actions, as)
		}
		for _, e := range execs {
			if status := e.stageStatus(st.Name); status != "" {
				stage["latestExecution"] = map[string]any{"pipelineExecutionId": e.ID, "status": status}
				break
			}
		}
		stage["actionStates"] = actions
		stages = append(stages, stage)
	}
	return map[string]any{"pipelineName": p.Name, "pipelineVersion": p.Version, "stageStates": stages,
		"created": wire.Epoch(p.Created), "updated": wire.Epoch(p.Updated)}
}

func (e *Execution) action(stage, name string) *ActionRun {
	for _, a := range e.Actions {
		if a.Stage == stage && a.Name == name {
			return a
		}
	}
	return nil
}

func (e *Execution) stageStatus(stage string) string {
	started, all := false, true
	for _, a := range e.Actions {
		if a.Stage != stage {
			continue
		}
		switch a.Status {
		case "Failed":
			return "Failed"
		case "InProgress":
			return "InProgress"
		case "Succeeded":
			started = true
		default:
			all = false
		}
	}
	switch {
	case !started:
		return ""
	case all:
		return "Succeeded"
	}
	return "InProgress"
}

func (a *ActionRun) view() map[string]any {
	out := map[string]any{"actionExecutionId": a.ID, "status": a.Status, "lastStatusChange": wire.Epoch(a.Start)}
	if !a.End.IsZero() {
		out["lastStatusChange"] = wire.Epoch(a.End)
	}
	if a.ExternalID != "" {
		out["externalExecutionId"] = a.ExternalID
	}
	if a.URL != "" {
		out["externalExecutionUrl"] = a.URL
	}
	if a.Summary != "" {
		out["summary"] = a.Summary
	}
	if a.ErrCode != "" {
		out["errorDetails"] = map[string]any{"code": a.ErrCode, "message": a.ErrMessage}
	}
	return out
}

func (e *Execution) revisions() []any {
	if e.Commit == "" {
		return []any{}
	}
	for _, a := range e.Actions {
		if a.Provider == "CodeStarSourceConnection" {
			return []any{map[string]any{"actionName": a.Name, "revisionId": e.Commit, "revisionSummary": e.Message, "revisionUrl": a.URL}}
		}
	}
	return []any{}
}

func (e *Execution) summary() map[string]any {
	out := map[string]any{"pipelineExecutionId": e.ID, "status": e.Status, "startTime": wire.Epoch(e.Start),
		"lastUpdateTime": wire.Epoch(e.Updated), "sourceRevisions": e.revisions(),
		"trigger": map[string]any{"triggerType": e.Trigger, "triggerDetail": e.Detail}, "executionMode": "SUPERSEDED"}
	if e.Summary != "" {
		out["statusSummary"] = e.Summary
	}
	return out
}

func (e *Execution) detail(p *Pipeline) map[string]any {
	out := map[string]any{"pipelineName": p.Name, "pipelineVersion": e.Version, "pipelineExecutionId": e.ID,
		"status": e.Status, "executionMode": "SUPERSEDED",
		"trigger": map[string]any{"triggerType": e.Trigger, "triggerDetail": e.Detail}}
	if e.Summary != "" {
		out["statusSummary"] = e.Summary
	}
	var revs []any
	for _, r := range e.revisions() {
		m := r.(map[string]any)
		revs = append(revs, map[string]any{"name": "SourceOutput", "revisionId": m["revisionId"], "revisionSummary": m["revisionSummary"], "revisionUrl": m["revisionUrl"]})
	}
	out["artifactRevisions"] = revs
	return out
}
