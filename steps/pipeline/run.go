package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codepipeline"
	cptypes "github.com/aws/aws-sdk-go-v2/service/codepipeline/types"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/journal"
	"github.com/castle-aws/castle/steps/poll"
)

// tokenCreate marks a run op saved before CreatePipeline: its execution is
// the one the new pipeline starts by itself.
const tokenCreate = "create-pipeline"

// ensurePipeline creates the pipeline when missing (journaling first, since
// a new pipeline starts running at once), or starts a run when castle.yaml
// asks; it returns the run to follow (ID "" when there is none).
func ensurePipeline(ctx context.Context, env *steps.Env, c clients, in inputs, f found, em emitter) (journal.Operation, error) {
	const step = "pipeline"
	run, hasRun := env.Journal.Operation(section, opRun)
	if hasRun && run.Done {
		hasRun = false
	}
	switch {
	case f.pipeline && f.pipelineOK:
		em.skipped(step, in.Pipeline+" exists")
	case f.pipeline:
		em.started(step, "Updating the pipeline "+in.Pipeline+" to "+in.GitHubRepository+" branch "+in.Branch)
		d := pipelineDecl(in)
		err := whileSettling(ctx, env, em, step, func() error {
			_, err := c.cp.UpdatePipeline(ctx, &codepipeline.UpdatePipelineInput{Pipeline: d})
			return err
		})
		if err != nil {
			return run, err
		}
		em.done(step, in.Pipeline+" updated; the next push to "+in.Branch+" runs it")
	default:
		if !f.service {
			return run, &steps.UserError{
				Message: "The service " + in.Cluster + "/" + in.Service + " does not exist, and a new pipeline deploys to it at once.",
				Next:    "Apply the Service section first, then the Pipeline again.",
			}
		}
		em.started(step, "Creating the pipeline "+in.Pipeline)
		if err := env.Journal.SetResource(section, "pipeline", in.Pipeline); err != nil {
			return run, err
		}
		if !hasRun {
			run = journal.Operation{Kind: "codepipeline:PipelineExecution", Token: tokenCreate, StartedAt: env.Now(), Expected: runExpected,
				Extra: map[string]string{"pipeline": in.Pipeline}}
			if err := env.Journal.SaveOperation(section, opRun, run); err != nil {
				return run, err
			}
			hasRun = true
		}
		err := whileSettling(ctx, env, em, step, func() error {
			_, err := c.cp.CreatePipeline(ctx, pipelineInput(in))
			return err
		})
		var inUse *cptypes.PipelineNameInUseException
		if err != nil && !errors.As(err, &inUse) {
			return run, err
		}
		em.done(step, in.Pipeline+": Source → Build → Deploy")
	}
	if !hasRun && env.Answers.Pipeline.RunNow {
		run = journal.Operation{Kind: "codepipeline:PipelineExecution", Token: "castle-" + fmt.Sprint(env.Now().UnixNano()),
			StartedAt: env.Now(), Expected: runExpected, Extra: map[string]string{"pipeline": in.Pipeline}}
		if err := env.Journal.SaveOperation(section, opRun, run); err != nil {
			return run, err
		}
		hasRun = true
	}
	if !hasRun {
		return journal.Operation{}, nil
	}
	if run.ID == "" {
		id, started, err := findRun(ctx, c, in, run)
		if err != nil {
			return run, err
		}
		run.ID, run.StartedAt = id, started
		if err := env.Journal.SaveOperation(section, opRun, run); err != nil {
			return run, err
		}
	}
	return run, nil
}

// findRun finds the execution of a journaled run: the one the pipeline
// started when created, or the one castle started with the op's token.
func findRun(ctx context.Context, c clients, in inputs, run journal.Operation) (string, time.Time, error) {
	if run.Token != tokenCreate {
		out, err := c.cp.StartPipelineExecution(ctx, &codepipeline.StartPipelineExecutionInput{Name: &in.Pipeline, ClientRequestToken: &run.Token})
		if err != nil {
			return "", time.Time{}, err
		}
		return aws.ToString(out.PipelineExecutionId), run.StartedAt, nil
	}
	out, err := c.cp.ListPipelineExecutions(ctx, &codepipeline.ListPipelineExecutionsInput{PipelineName: &in.Pipeline})
	if err != nil {
		return "", time.Time{}, err
	}
	list := out.PipelineExecutionSummaries
	sort.Slice(list, func(i, j int) bool { return aws.ToTime(list[i].StartTime).Before(aws.ToTime(list[j].StartTime)) })
	for _, e := range list {
		if e.Trigger != nil && e.Trigger.TriggerType == cptypes.TriggerTypeCreatePipeline {
			return aws.ToString(e.PipelineExecutionId), aws.ToTime(e.StartTime), nil
		}
	}
	if len(list) > 0 {
		e := list[len(list)-1]
		return aws.ToString(e.PipelineExecutionId), aws.ToTime(e.StartTime), nil
	}
	return "", time.Time{}, &steps.UserError{Message: "The pipeline " + in.Pipeline + " has no run to follow yet.", Next: "Push a commit to " + in.Branch + ", or set runNow: true under pipeline in castle.yaml and apply again."}
}

var expectedByStage = map[string]time.Duration{"Source": 30 * time.Second, "Build": 4 * time.Minute, "Deploy": 5 * time.Minute}

// follow watches one execution until it ends, one line per action.
func follow(ctx context.Context, env *steps.Env, c clients, in inputs, run journal.Operation, em emitter) error {
	op := steps.Operation{Key: opRun, Name: "The pipeline's run", ID: run.ID, StartedAt: run.StartedAt, Expected: 3 * time.Minute}
	em.started("run", "Following run "+short(run.ID)+" of "+in.Pipeline)
	seen := map[string]cptypes.ActionExecutionStatus{}
	var final cptypes.PipelineExecutionStatus
	var failed *cptypes.ActionState
	var failedStage string
	err := poll.Until(ctx, env.TheClock(), op, func(ctx context.Context) (bool, error) {
		ex, err := c.cp.GetPipelineExecution(ctx, &codepipeline.GetPipelineExecutionInput{PipelineName: &in.Pipeline, PipelineExecutionId: &run.ID})
		if err != nil {
			return false, err
		}
		state, err := c.cp.GetPipelineState(ctx, &codepipeline.GetPipelineStateInput{Name: &in.Pipeline})
		if err != nil {
			return false, err
		}
		for _, st := range state.StageStates {
			if st.LatestExecution == nil || aws.ToString(st.LatestExecution.PipelineExecutionId) != run.ID {
				continue
			}
			stage := aws.ToString(st.StageName)
			for i := range st.ActionStates {
				a := &st.ActionStates[i]
				if a.LatestExecution == nil {
					continue
				}
				if a.LatestExecution.Status == cptypes.ActionExecutionStatusFailed {
					failed, failedStage = a, stage
				}
				reportAction(em, stage, a, seen)
			}
		}
		final = ex.PipelineExecution.Status
		return final != cptypes.PipelineExecutionStatusInProgress && final != cptypes.PipelineExecutionStatusStopping, nil
	})
	if err != nil {
		return err
	}
	if err := env.Journal.FinishOperation(section, opRun, string(final)); err != nil {
		return err
	}
	switch final {
	case cptypes.PipelineExecutionStatusSucceeded:
		em.done("run", "the service runs the new image; push a commit to "+in.Branch+" and it deploys again")
		return nil
	case cptypes.PipelineExecutionStatusSuperseded:
		em.done("run", "a newer run (a newer push) took over from this one and goes on on AWS")
		return nil
	case cptypes.PipelineExecutionStatusFailed:
		return runFailed(in, run.ID, failedStage, failed)
	}
	return &steps.UserError{
		Message: "The pipeline's run ended as " + string(final) + ".",
		Next:    "See " + consolePipelineURL(in.Region, in.Pipeline, run.ID) + "; push a commit to " + in.Branch + " to run it again.",
	}
}

func stepOf(stage string) string { return "run-" + strings.ToLower(stage) }

// reportAction emits an action's progress: waiting while it runs, done or
// failed once.
func reportAction(em emitter, stage string, a *cptypes.ActionState, seen map[string]cptypes.ActionExecutionStatus) {
	le := a.LatestExecution
	key := stage + "/" + aws.ToString(a.ActionName)
	step := stepOf(stage)
	prev, had := seen[key]
	seen[key] = le.Status
	switch le.Status {
	case cptypes.ActionExecutionStatusInProgress:
		if !had {
			em.started(step, stage+": "+aws.ToString(a.ActionName))
		}
		op := &steps.Operation{Key: step, Name: stage, ID: aws.ToString(le.ExternalExecutionId), StartedAt: aws.ToTime(le.LastStatusChange),
			Expected: expectedByStage[stage], Status: string(le.Status)}
		em.send(steps.Event{Step: step, Kind: steps.EventWaiting, Message: stage + " in progress", Op: op, Detail: aws.ToString(le.ExternalExecutionUrl)})
	case cptypes.ActionExecutionStatusSucceeded:
		if prev != le.Status {
			msg := stage + " succeeded"
			if s := aws.ToString(le.Summary); s != "" {
				msg += ": " + s
			}
			if stage == "Source" && le.ExternalExecutionId != nil {
				msg += " (commit " + short(aws.ToString(le.ExternalExecutionId)) + ")"
			}
			em.done(step, msg)
		}
	case cptypes.ActionExecutionStatusFailed:
		if prev != le.Status {
			msg := stage + " failed"
			if le.ErrorDetails != nil {
				msg += ": " + aws.ToString(le.ErrorDetails.Message)
			}
			em.send(steps.Event{Step: step, Kind: steps.EventFailed, Message: msg, Detail: aws.ToString(le.ExternalExecutionUrl)})
		}
	}
}

// runFailed says which step failed, why, and where to look.
func runFailed(in inputs, id, stage string, a *cptypes.ActionState) error {
	link := consolePipelineURL(in.Region, in.Pipeline, id)
	why := "AWS gave no reason"
	if a != nil && a.LatestExecution != nil {
		if a.LatestExecution.ErrorDetails != nil {
			why = plainReason(aws.ToString(a.LatestExecution.ErrorDetails.Message))
		}
		if u := aws.ToString(a.LatestExecution.ExternalExecutionUrl); u != "" {
			link = u
		}
	}
	var next string
	switch stage {
	case "Source":
		next = "Check that the GitHub connection is approved and can see " + in.GitHubRepository + " (branch " + in.Branch + "), then push again."
	case "Build":
		next = "Open the build log at " + link + ", fix the Dockerfile or code, and push to " + in.Branch + "; the pipeline runs again by itself."
	case "Deploy":
		next = "Open " + link + " to see why the service did not take the new image (often the container exits at start), fix it and push again."
	default:
		next = "Open " + link + " for the details, fix the cause and push again."
	}
	if stage == "" {
		stage = "A"
	}
	return &steps.UserError{Message: "The " + strings.ToLower(stage) + " step of the pipeline's run failed: " + why, Next: next}
}

// plainReason shortens CodeBuild's "Build terminated with state: FAILED.
// Phase: BUILD, Code: COMMAND_EXECUTION_ERROR, Message: ..." to the phase and
// the message, the part a person can act on.
func plainReason(msg string) string {
	i := strings.Index(msg, "Message: ")
	if !strings.HasPrefix(msg, "Build terminated") || i < 0 {
		return msg
	}
	reason := strings.TrimSpace(msg[i+len("Message: "):])
	phases := map[string]string{"INSTALL": "installing", "PRE_BUILD": "signing in to the registry", "BUILD": "building the image",
		"POST_BUILD": "pushing the image", "PROVISIONING": "starting the build machine", "DOWNLOAD_SOURCE": "downloading the source"}
	if j := strings.Index(msg, "Phase: "); j >= 0 {
		phase := msg[j+len("Phase: "):]
		if k := strings.IndexAny(phase, ", "); k >= 0 {
			phase = phase[:k]
		}
		if words, ok := phases[phase]; ok {
			return "while " + words + ": " + reason
		}
	}
	return reason
}
