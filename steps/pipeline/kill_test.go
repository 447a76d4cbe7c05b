package pipeline_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codepipeline"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/sandbox/world"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
	"github.com/castle-aws/castle/steps/journal"
	"github.com/castle-aws/castle/steps/pipeline"
)

// castle is killed with SIGKILL while it follows the first run; the next
// castle follows the same execution and creates nothing twice.
func TestKill9DuringFirstRunThenRestart(t *testing.T) {
	f := newFixture(t, sandbox.Options{AutoApproveConnections: true})
	f.env.Journal.Close()
	f.env.Journal = nil

	cmd := exec.Command(os.Args[0], "-test.run=^TestKillChildApply$", "-test.v")
	cmd.Env = append(os.Environ(), "PIPELINE_CHILD_URL="+f.sb.URL, "PIPELINE_CHILD_STATE="+f.env.StateDir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "EVENT waiting run-build") {
				cmd.Process.Kill() // SIGKILL
				killed <- true
				return
			}
		}
		killed <- false
	}()
	select {
	case ok := <-killed:
		if !ok {
			cmd.Wait()
			t.Fatal("the child ended before the build started")
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the child never reached the build")
	}
	cmd.Wait()

	j, err := journal.Open(f.env.StateDir, world.ManagementAccount)
	if err != nil {
		t.Fatalf("journal after kill -9: %v", err)
	}
	run, ok := j.Operation("pipeline", "run")
	j.Close()
	if !ok || run.ID == "" || run.Done {
		t.Fatalf("the child did not journal the run it followed: %+v", run)
	}

	ctx := context.Background()
	st, err := pipeline.New().Discover(ctx, f.env)
	if err != nil || st.State != steps.StateInProgress || len(st.Operations) != 1 || st.Operations[0].ID != run.ID {
		t.Fatalf("discover after the kill: %v %+v", err, st)
	}
	// The wizard reopens on a section in progress with Resume: it follows
	// the same execution and starts nothing.
	ev := newEvents()
	if err := pipeline.New().Resume(ctx, f.env, ev.emit); err != nil {
		t.Fatalf("resume after restart: %v\n%s", err, ev.describe())
	}
	if s := ev.find(steps.EventStarted, "run"); s == nil || !strings.Contains(s.Message, run.ID[:7]) {
		t.Fatalf("resume did not follow run %s:%s", run.ID, ev.describe())
	}
	ev.waitFor(t, steps.EventDone, "run-deploy")
	for _, e := range ev.all() {
		if e.Kind == steps.EventStarted && !strings.HasPrefix(e.Step, "run") {
			t.Errorf("resume did %s", e.Step)
		}
	}
	// Apply afterwards finds everything done.
	again := newEvents()
	if err := pipeline.New().Apply(ctx, f.env, again.emit); err != nil {
		t.Fatalf("apply after resume: %v", err)
	}
	if e := again.find(steps.EventStarted, ""); e != nil {
		t.Errorf("apply after resume did %s", e.Step)
	}
	execs, err := codepipeline.NewFromConfig(f.sb.Admin()).ListPipelineExecutions(ctx, &codepipeline.ListPipelineExecutionsInput{PipelineName: aws.String(service + "-pipeline")})
	if err != nil {
		t.Fatal(err)
	}
	if len(execs.PipelineExecutionSummaries) != 1 || aws.ToString(execs.PipelineExecutionSummaries[0].PipelineExecutionId) != run.ID {
		t.Fatalf("executions %+v, want only %s", execs.PipelineExecutionSummaries, run.ID)
	}
	if n := len(f.ecs.deployed()); n != 1 {
		t.Fatalf("%d deploys, want 1", n)
	}
	if n := connections(t, f); n != 1 {
		t.Fatalf("%d connections, want 1", n)
	}
	if done, _ := f.env.Journal.Operation("pipeline", "run"); !done.Done || done.Status != "Succeeded" {
		t.Fatalf("journaled run after restart: %+v", done)
	}
}

// TestKillChildApply is the child of the kill -9 test: it applies the
// section against the parent's sandbox, printing each event.
func TestKillChildApply(t *testing.T) {
	url, state := os.Getenv("PIPELINE_CHILD_URL"), os.Getenv("PIPELINE_CHILD_STATE")
	if url == "" {
		t.Skip("only runs as the child of TestKill9DuringFirstRunThenRestart")
	}
	ctx := context.Background()
	cfg, err := steps.LoadConfig(ctx, steps.ConnectOptions{Region: sandboxtest.Region, EndpointURL: url, Isolated: true,
		Credentials: steps.StaticCredentials(world.AdminKeyID, world.AdminSecret, ""), MaxBackoff: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	env := &steps.Env{Config: cfg, Region: sandboxtest.Region, Sandbox: true, EndpointURL: url, StateDir: state,
		Clock: newRemoteClock(t, url), Answers: &castlefile.File{Region: sandboxtest.Region,
			Pipeline: castlefile.Pipeline{Repository: github, Branch: "main"}}}
	err = pipeline.New().Apply(ctx, env, func(e steps.Event) { fmt.Printf("EVENT %s %s\n", e.Kind, e.Step) })
	t.Fatalf("the child was not killed (apply returned %v)", err)
}

// remoteClock follows the sandbox's virtual clock from another process.
type remoteClock struct {
	base  time.Time
	real  time.Time
	speed float64
}

func newRemoteClock(t *testing.T, url string) *remoteClock {
	res, err := http.Get(url + "/_sandbox/clock")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var info sandbox.ClockInfo
	if err := json.NewDecoder(res.Body).Decode(&info); err != nil {
		t.Fatal(err)
	}
	return &remoteClock{base: info.Now, real: time.Now(), speed: info.Speed}
}

func (c *remoteClock) Now() time.Time {
	return c.base.Add(time.Duration(float64(time.Since(c.real)) * c.speed))
}

func (c *remoteClock) Sleep(ctx context.Context, d time.Duration) error {
	tm := time.NewTimer(time.Duration(float64(d) / c.speed))
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

// castle stopped after CreatePipeline answered and before it journaled the
// run: the next castle finds the run the new pipeline started by itself.
func TestStoppedRightAfterCreatePipeline(t *testing.T) {
	f := newFixture(t, sandbox.Options{AutoApproveConnections: true})
	ctx := context.Background()
	if err := pipeline.New().Apply(ctx, f.env, nil); err != nil {
		t.Fatal(err)
	}
	first, _ := f.env.Journal.Operation("pipeline", "run")
	if err := f.env.Journal.SaveOperation("pipeline", "run", journal.Operation{Kind: first.Kind, Token: "create-pipeline",
		StartedAt: first.StartedAt, Expected: first.Expected, Extra: first.Extra}); err != nil {
		t.Fatal(err)
	}
	ev := newEvents()
	if err := pipeline.New().Apply(ctx, f.env, ev.emit); err != nil {
		t.Fatal(err)
	}
	if s := ev.find(steps.EventStarted, "run"); s == nil || !strings.Contains(s.Message, first.ID[:7]) {
		t.Fatalf("did not follow the first run %s:%s", first.ID, ev.describe())
	}
	execs, err := codepipeline.NewFromConfig(f.sb.Admin()).ListPipelineExecutions(ctx, &codepipeline.ListPipelineExecutionsInput{PipelineName: aws.String(service + "-pipeline")})
	if err != nil || len(execs.PipelineExecutionSummaries) != 1 {
		t.Fatalf("executions: %v %+v", err, execs)
	}
}
