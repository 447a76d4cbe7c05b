package landingzone_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/sandbox/world"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
	"github.com/castle-aws/castle/steps/journal"
	"github.com/castle-aws/castle/steps/landingzone"
)

// TestChildApply is the castle that gets killed: it runs only when re-executed
// by a kill test, against the parent's sandbox, printing events as JSON lines.
func TestChildApply(t *testing.T) {
	url := os.Getenv("CASTLE_LZ_CHILD_URL")
	if url == "" {
		t.Skip("runs only as the child of a kill -9 test")
	}
	ctx := context.Background()
	cfg, err := steps.LoadConfig(ctx, steps.ConnectOptions{Region: sandboxtest.Region, EndpointURL: url, Isolated: true,
		Credentials: steps.StaticCredentials(world.AdminKeyID, world.AdminSecret, ""), MaxBackoff: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	clock, err := sandbox.DialClock(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	env := answers(&steps.Env{Config: cfg, Region: sandboxtest.Region, Sandbox: true, EndpointURL: url, Clock: clock,
		Answers: &castlefile.File{Region: sandboxtest.Region}, StateDir: os.Getenv("CASTLE_LZ_CHILD_STATE")})
	enc := json.NewEncoder(os.Stdout)
	err = landingzone.New().Apply(ctx, env, func(e steps.Event) { enc.Encode(e) })
	if err != nil {
		t.Fatal(err)
	}
}

// killDuring runs Apply in a child castle and kills it with SIGKILL at the
// first waiting event of step, then checks the journal kept the handle.
func killDuring(t *testing.T, sb *sandboxtest.Sandbox, journalDir, step, opKey string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildApply$", "-test.v")
	cmd.Env = append(os.Environ(), "CASTLE_LZ_CHILD_URL="+sb.URL, "CASTLE_LZ_CHILD_STATE="+journalDir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var e steps.Event
			if json.Unmarshal(sc.Bytes(), &e) == nil && e.Kind == steps.EventWaiting && e.Step == step {
				found <- true
				return
			}
		}
		found <- false
	}()
	select {
	case ok := <-found:
		if !ok {
			cmd.Wait()
			t.Fatalf("the child ended before waiting on %s", step)
		}
	case <-time.After(90 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the child never waited on %s", step)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	// The killed castle's journal names the operation it was following.
	j, err := journal.Open(journalDir, world.ManagementAccount)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if op, ok := j.Operation("landing-zone", opKey); !ok || op.Done || op.ID == "" {
		t.Fatalf("journal after kill -9: operation %s = %+v, %v", opKey, op, ok)
	}
}

// restartAndFinish restarts the sandbox from its state folder, lets away of
// virtual time pass (AWS working while castle is gone), optionally runs
// Resume (which must start nothing), then Apply, and checks exactly-once.
func restartAndFinish(t *testing.T, sb *sandboxtest.Sandbox, sbDir, journalDir string, away time.Duration, resume bool) {
	t.Helper()
	sb.Close()
	again := sandboxtest.Start(t, sandbox.Options{Speed: fast, StateDir: sbDir})
	again.Clock().Advance(away)
	env := answers(again.Env())
	env.StateDir = journalDir
	if resume {
		rec := &recorder{}
		if err := landingzone.New().Resume(context.Background(), env, rec.emit); err != nil {
			t.Fatal(err)
		}
		if rec.find(steps.EventWaiting, "create-landing-zone") == nil {
			t.Fatal("Resume did not follow the landing-zone operation")
		}
		if lzs, reqs, _ := count(t, again); lzs != 1 || reqs != 2 {
			t.Fatalf("Resume started something: %d landing zones, %d account requests", lzs, reqs)
		}
		if ops := env.Journal.Operations("landing-zone"); len(ops) != 0 {
			t.Fatalf("Resume left operations open: %v", ops)
		}
	}
	rec := &recorder{}
	if err := landingzone.New().Apply(context.Background(), env, rec.emit); err != nil {
		t.Fatal(err)
	}
	checkDone(t, again, env)
}

func TestKillDuringLandingZoneWait(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	sbDir, journalDir := t.TempDir(), t.TempDir()
	sb := sandboxtest.Start(t, sandbox.Options{Speed: 600, StateDir: sbDir})
	killDuring(t, sb, journalDir, "create-landing-zone", "landing-zone")
	restartAndFinish(t, sb, sbDir, journalDir, 0, false) // still running: Apply reattaches and waits
}

func TestKillDuringLandingZoneWaitThenResume(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	sbDir, journalDir := t.TempDir(), t.TempDir()
	sb := sandboxtest.Start(t, sandbox.Options{Speed: 600, StateDir: sbDir})
	killDuring(t, sb, journalDir, "create-landing-zone", "landing-zone")
	restartAndFinish(t, sb, sbDir, journalDir, 10*time.Minute, true)
}

func TestKillDuringLandingZoneWaitEndedWhileAway(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	sbDir, journalDir := t.TempDir(), t.TempDir()
	sb := sandboxtest.Start(t, sandbox.Options{Speed: 600, StateDir: sbDir})
	killDuring(t, sb, journalDir, "create-landing-zone", "landing-zone")
	restartAndFinish(t, sb, sbDir, journalDir, 2*time.Hour, false)
}

func TestKillDuringAccountCreation(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	sbDir, journalDir := t.TempDir(), t.TempDir()
	sb := sandboxtest.Start(t, sandbox.Options{Speed: 60, StateDir: sbDir})
	killDuring(t, sb, journalDir, "create-account:log-archive", "account:log-archive")
	restartAndFinish(t, sb, sbDir, journalDir, 0, false)
}
