//go:build unix

package access

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/sandbox/world"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
)

// TestKill9DuringGrant runs a grant in a child process, SIGKILLs it while it
// waits on AWS, restarts the sandbox from its state folder, and checks that
// castle follows the journaled request instead of asking again: exactly one
// assignment and one request.
func TestKill9DuringGrant(t *testing.T) {
	if os.Getenv("CASTLE_ACCESS_CHILD") == "1" {
		childGrant(t)
		return
	}
	dir := t.TempDir()
	sbDir, jDir := filepath.Join(dir, "sandbox"), filepath.Join(dir, "journal")
	// Speed 1: the 5-second assignment is really 5 seconds, time to kill the child mid-wait.
	f := setup(t, sandbox.Options{StateDir: sbDir, Speed: 1})

	var out bytes.Buffer
	cmd := exec.Command(os.Args[0], "-test.run=^TestKill9DuringGrant$", "-test.count=1")
	cmd.Env = append(os.Environ(), "CASTLE_ACCESS_CHILD=1", "CASTLE_SB_URL="+f.sb.URL, "CASTLE_JOURNAL_DIR="+jDir)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	journalFile := filepath.Join(jDir, "journal-"+world.ManagementAccount+".json")
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, _ := os.ReadFile(journalFile)
		if bytes.Contains(b, []byte("sso:CreateAccountAssignment")) {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the child never journaled its request:\n%s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	cmd.Wait()
	if f.requests(false) != 1 || f.count("AWSReadOnlyAccess", f.aliceID, f.dev) != 0 {
		t.Fatalf("at the kill: %d requests, %d assignments (want 1 request still in progress)", f.requests(false), f.count("AWSReadOnlyAccess", f.aliceID, f.dev))
	}

	// Restart the sandbox from its folder; castle starts again with the same journal.
	if err := f.sb.Close(); err != nil {
		t.Fatal(err)
	}
	f.sb = sandboxtest.Start(t, sandbox.Options{StateDir: sbDir, Speed: 60})
	env := f.sb.Env()
	env.StateDir = jDir
	env.Answers.Access.Grants = grantsForKill()
	rec := &recorder{}
	if err := New().Resume(context.Background(), env, rec.emit); err != nil {
		t.Fatal(err)
	}
	if len(rec.of(steps.EventDone)) != 1 {
		t.Fatalf("resume did not follow the request: %+v", rec.events)
	}
	rec = &recorder{}
	if err := New().Apply(context.Background(), env, rec.emit); err != nil {
		t.Fatal(err)
	}
	if len(rec.of(steps.EventSkipped)) != 1 {
		t.Fatalf("apply after resume: %+v", rec.events)
	}
	if n, r := f.count("AWSReadOnlyAccess", f.aliceID, f.dev), f.requests(false); n != 1 || r != 1 {
		t.Fatalf("want exactly one assignment from one request, got %d assignments, %d requests", n, r)
	}
}

func grantsForKill() []castlefile.Grant {
	return []castlefile.Grant{{User: "alice", Account: "Dev"}}
}

// childGrant is the castle that gets killed: it applies a grant and waits.
func childGrant(t *testing.T) {
	ctx := context.Background()
	cfg, err := steps.LoadConfig(ctx, steps.ConnectOptions{Region: sandboxtest.Region, EndpointURL: os.Getenv("CASTLE_SB_URL"),
		Credentials: steps.StaticCredentials(world.AdminKeyID, world.AdminSecret, ""), Isolated: true, MaxBackoff: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	env := &steps.Env{Config: cfg, Region: sandboxtest.Region, Sandbox: true, EndpointURL: os.Getenv("CASTLE_SB_URL"),
		Clock: steps.WallClock{}, StateDir: os.Getenv("CASTLE_JOURNAL_DIR"),
		Answers: &castlefile.File{Access: castlefile.Access{Grants: grantsForKill()}}}
	err = New().Apply(ctx, env, func(e steps.Event) { t.Log(e.Kind, e.Message) })
	// Reaching here means the parent did not kill us in time.
	t.Fatalf("the child finished (%v); it should have been killed while waiting", strings.TrimSpace(errString(err)))
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}
