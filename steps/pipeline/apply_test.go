package pipeline_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	"github.com/aws/aws-sdk-go-v2/service/codeconnections"
	cctypes "github.com/aws/aws-sdk-go-v2/service/codeconnections/types"
	"github.com/aws/aws-sdk-go-v2/service/codepipeline"
	cptypes "github.com/aws/aws-sdk-go-v2/service/codepipeline/types"

	"github.com/castle-aws/castle/sandbox"
	sbecr "github.com/castle-aws/castle/sandbox/ecr"
	"github.com/castle-aws/castle/sandbox/world"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/pipeline"
)

// A pending connection is handed to a person, approved, and the pipeline's
// first run builds the image and deploys it; a rerun changes nothing.
func TestApplyPendingConnectionThenApprovedDeploysAndRerunChangesNothing(t *testing.T) {
	f := newFixture(t, sandbox.Options{})
	ctx := context.Background()
	sec := pipeline.New()
	// The first castle is closed while the connection waits for a person.
	first, stop := context.WithCancel(ctx)
	ev0 := newEvents()
	done0 := make(chan error, 1)
	go func() { done0 <- sec.Apply(first, f.env, ev0.emit) }()
	ev0.waitFor(t, steps.EventWaiting, "connection")
	stop()
	if err := <-done0; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled apply: %v", err)
	}
	st, err := sec.Discover(ctx, f.env)
	if err != nil || st.State != steps.StateNotStarted || !strings.Contains(st.Summary, "approval") || len(st.Operations) != 0 {
		t.Fatalf("discover with a pending connection: %v %+v", err, st)
	}
	if _, ok := pipeline.PendingConnection(f.env); !ok {
		t.Fatal("the screen cannot find the pending connection")
	}

	ev := newEvents()
	done := make(chan error, 1)
	go func() { done <- sec.Apply(ctx, f.env, ev.emit) }()

	hand := ev.waitFor(t, steps.EventHandOff, "approve-connection")
	if ev.find(steps.EventStarted, "connection") != nil {
		t.Fatal("the second apply created another connection")
	}
	if !strings.Contains(hand.Detail, pipeline.ConsoleConnectionsURL("eu-west-1")) || !strings.Contains(hand.Detail, "octo-org") ||
		!strings.Contains(hand.Detail, "castle sandbox approve-connection arn:aws:codeconnections:") || !strings.Contains(hand.Detail, "--endpoint-url "+f.sb.URL) {
		t.Fatalf("hand-off does not give the console link and who approves: %q", hand.Detail)
	}
	ev.waitFor(t, steps.EventWaiting, "connection")
	arn, ok := f.env.Journal.Resource("pipeline", "connectionArn")
	if !ok {
		t.Fatal("the new connection is not in the journal")
	}
	// Nothing deploys before the connection is approved.
	if pipelines(t, f) != 0 {
		t.Fatal("the pipeline was created before the connection was approved")
	}
	control(t, f.sb, "codeconnections/approve?arn="+arn)
	if err := <-done; err != nil {
		t.Fatalf("apply: %v\nevents:%s", err, ev.describe())
	}

	cp := codepipeline.NewFromConfig(f.sb.Admin())
	execs, err := cp.ListPipelineExecutions(ctx, &codepipeline.ListPipelineExecutionsInput{PipelineName: aws.String(service + "-pipeline")})
	if err != nil {
		t.Fatal(err)
	}
	if len(execs.PipelineExecutionSummaries) != 1 || execs.PipelineExecutionSummaries[0].Status != cptypes.PipelineExecutionStatusSucceeded {
		t.Fatalf("executions %+v", execs.PipelineExecutionSummaries)
	}
	commit := aws.ToString(execs.PipelineExecutionSummaries[0].SourceRevisions[0].RevisionId)[:7]
	deploys := f.ecs.deployed()
	if len(deploys) != 1 || deploys[0][container] != f.repoURI+":"+commit {
		t.Fatalf("deploys %v, want %s → %s:%s", deploys, container, f.repoURI, commit)
	}
	f.sb.World.Lock()
	tagged := sbecr.From(f.sb.World).HasImage(world.ManagementAccount, "eu-west-1", repoName, commit)
	f.sb.World.Unlock()
	if !tagged {
		t.Fatalf("the build did not push %s:%s", repoName, commit)
	}
	// The build and the deploy take minutes: castle shows them waiting.
	// The source takes seconds and may end between two checks.
	for _, step := range []string{"run-source", "run-build", "run-deploy"} {
		if step != "run-source" {
			ev.waitFor(t, steps.EventWaiting, step)
		}
		ev.waitFor(t, steps.EventDone, step)
	}

	// Rerun: everything is skipped, nothing new runs.
	plan, err := sec.Plan(ctx, f.env)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Pending() {
		t.Fatalf("plan after apply still has work: %+v", plan.Actions)
	}
	again := newEvents()
	if err := sec.Apply(ctx, f.env, again.emit); err != nil {
		t.Fatal(err)
	}
	for _, e := range again.all() {
		if e.Kind == steps.EventStarted || e.Kind == steps.EventHandOff {
			t.Errorf("rerun did something: %s %s %s", e.Kind, e.Step, e.Message)
		}
	}
	if n := len(f.ecs.deployed()); n != 1 {
		t.Errorf("rerun deployed again (%d deploys)", n)
	}
	if n := connections(t, f); n != 1 {
		t.Errorf("%d connections after the rerun", n)
	}
	st, err = sec.Discover(ctx, f.env)
	if err != nil || st.State != steps.StateDone || !strings.Contains(strings.Join(st.Details, "\n"), commit) {
		t.Fatalf("discover after apply: %v %+v", err, st)
	}
}

// An AVAILABLE GitHub connection already in the account is reused, and
// castle.yaml's runNow starts a second run on the existing pipeline.
func TestExistingConnectionReusedAndRunNow(t *testing.T) {
	f := newFixture(t, sandbox.Options{})
	ctx := context.Background()
	cc := codeconnections.NewFromConfig(f.sb.Admin())
	out, err := cc.CreateConnection(ctx, &codeconnections.CreateConnectionInput{ConnectionName: aws.String("team-github"), ProviderType: cctypes.ProviderTypeGithub})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.ConnectionArn)
	control(t, f.sb, "codeconnections/approve?arn="+arn)
	ev := newEvents()
	if err := pipeline.New().Apply(ctx, f.env, ev.emit); err != nil {
		t.Fatalf("apply: %v\n%s", err, ev.describe())
	}
	if ev.find(steps.EventHandOff, "") != nil {
		t.Error("castle asked for an approval although an available connection exists")
	}
	if n := connections(t, f); n != 1 {
		t.Fatalf("%d connections, want the existing one only", n)
	}
	got, err := codepipeline.NewFromConfig(f.sb.Admin()).GetPipeline(ctx, &codepipeline.GetPipelineInput{Name: aws.String(service + "-pipeline")})
	if err != nil {
		t.Fatal(err)
	}
	if src := got.Pipeline.Stages[0].Actions[0].Configuration; src["ConnectionArn"] != arn || src["FullRepositoryId"] != github || src["BranchName"] != "main" {
		t.Fatalf("source action %v does not use the existing connection", src)
	}
	if got.Pipeline.PipelineType != cptypes.PipelineTypeV2 {
		t.Errorf("pipeline type %s", got.Pipeline.PipelineType)
	}

	f.env.Answers.Pipeline.RunNow = true
	ev2 := newEvents()
	if err := pipeline.New().Apply(ctx, f.env, ev2.emit); err != nil {
		t.Fatalf("apply with runNow: %v", err)
	}
	if n := len(f.ecs.deployed()); n != 2 {
		t.Fatalf("%d deploys after runNow, want 2", n)
	}
}

// A failing build is reported with AWS's reason and the build's console link.
func TestFailingBuildShownWithReason(t *testing.T) {
	f := newFixture(t, sandbox.Options{AutoApproveConnections: true})
	control(t, f.sb, "codebuild/fail-next-build?project="+service+"-build&message=Error+while+executing+command:+docker+build.+Reason:+exit+status+1")
	ev := newEvents()
	err := pipeline.New().Apply(context.Background(), f.env, ev.emit)
	var ue *steps.UserError
	if !errors.As(err, &ue) {
		t.Fatalf("want a UserError, got %v\n%s", err, ev.describe())
	}
	if !strings.Contains(ue.Message, "build step") || !strings.Contains(ue.Message, "while building the image: Error while executing command: docker build") ||
		!strings.Contains(ue.Message, "exit status 1") || strings.Contains(ue.Message, "COMMAND_EXECUTION_ERROR") {
		t.Errorf("message %q does not say the build failed and why", ue.Message)
	}
	if !strings.Contains(ue.Next, "console.aws.amazon.com/codesuite/codebuild/projects/"+service+"-build") {
		t.Errorf("next %q has no link to the build log", ue.Next)
	}
	failed := ev.waitFor(t, steps.EventFailed, "run-build")
	if !strings.Contains(failed.Message, "exit status 1") {
		t.Errorf("failed event %q", failed.Message)
	}
	if len(f.ecs.deployed()) != 0 {
		t.Error("a failed build was deployed")
	}
	// The failure is not followed again: a rerun reports nothing new.
	if err := pipeline.New().Apply(context.Background(), f.env, nil); err != nil {
		t.Errorf("rerun after a failed run: %v", err)
	}
}

// Without the service, castle refuses to create a pipeline that would run at once.
func TestBlockedWithoutService(t *testing.T) {
	f := newFixture(t, sandbox.Options{})
	env := f.sb.Env()
	env.Answers.Pipeline.Repository = github
	st, err := pipeline.New().Discover(context.Background(), env)
	if err != nil || st.State != steps.StateBlocked || st.Blocker != "Service" {
		t.Fatalf("discover without the service section: %v %+v", err, st)
	}
	err = pipeline.New().Apply(context.Background(), env, nil)
	var ue *steps.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Next, "Service section") {
		t.Fatalf("apply without the service: %v", err)
	}
}

func pipelines(t *testing.T, f *fixture) int {
	out, err := codepipeline.NewFromConfig(f.sb.Admin()).GetPipeline(context.Background(), &codepipeline.GetPipelineInput{Name: aws.String(service + "-pipeline")})
	if err != nil {
		return 0
	}
	_ = out
	return 1
}

func connections(t *testing.T, f *fixture) int {
	out, err := codeconnections.NewFromConfig(f.sb.Admin()).ListConnections(context.Background(), &codeconnections.ListConnectionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Connections)
}

// A fifth of the calls throttled or failing: the SDK's retries and the poller
// ride it out, and nothing is made twice.
func TestApplyRidesOutThrottling(t *testing.T) {
	f := newFixture(t, sandbox.Options{AutoApproveConnections: true, Faults: sandbox.Faults{Throttle: 0.15, ServerError: 0.05, Seed: 7}})
	ev := newEvents()
	if err := pipeline.New().Apply(context.Background(), f.env, ev.emit); err != nil {
		t.Fatalf("apply under throttling: %v\n%s", err, ev.describe())
	}
	if n := len(f.ecs.deployed()); n != 1 {
		t.Fatalf("%d deploys", n)
	}
	if n := connections(t, f); n != 1 {
		t.Fatalf("%d connections", n)
	}
}

// A new branch in castle.yaml (or a new container name from the Service
// section) updates the pipeline and the project in place, without a run.
func TestChangedAnswersUpdateInPlace(t *testing.T) {
	f := newFixture(t, sandbox.Options{AutoApproveConnections: true})
	ctx := context.Background()
	if err := pipeline.New().Apply(ctx, f.env, nil); err != nil {
		t.Fatal(err)
	}
	f.env.Answers.Pipeline.Branch = "release"
	if err := f.env.Journal.SetResource("service", "containerName", "app"); err != nil {
		t.Fatal(err)
	}
	plan, err := pipeline.New().Plan(ctx, f.env)
	if err != nil {
		t.Fatal(err)
	}
	var pending []string
	for _, a := range plan.Actions {
		if !a.Skip {
			pending = append(pending, a.Key)
		}
	}
	if strings.Join(pending, ",") != "project,pipeline" {
		t.Fatalf("pending actions %v, want the project and the pipeline updated", pending)
	}
	ev := newEvents()
	if err := pipeline.New().Apply(ctx, f.env, ev.emit); err != nil {
		t.Fatal(err)
	}
	got, err := codepipeline.NewFromConfig(f.sb.Admin()).GetPipeline(ctx, &codepipeline.GetPipelineInput{Name: aws.String(service + "-pipeline")})
	if err != nil || got.Pipeline.Stages[0].Actions[0].Configuration["BranchName"] != "release" || aws.ToInt32(got.Pipeline.Version) != 2 {
		t.Fatalf("pipeline after the update: %v %+v", err, got)
	}
	out, err := codebuild.NewFromConfig(f.sb.Admin()).BatchGetProjects(ctx, &codebuild.BatchGetProjectsInput{Names: []string{service + "-build"}})
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, v := range out.Projects[0].Environment.EnvironmentVariables {
		vars[aws.ToString(v.Name)] = aws.ToString(v.Value)
	}
	if vars["CONTAINER_NAME"] != "app" {
		t.Fatalf("project variables %v", vars)
	}
	if ev.find(steps.EventStarted, "run") != nil || len(f.ecs.deployed()) != 1 {
		t.Fatal("an update started a run")
	}
	if plan, _ := pipeline.New().Plan(ctx, f.env); plan.Pending() {
		t.Fatalf("still pending after the update: %+v", plan.Actions)
	}
}
