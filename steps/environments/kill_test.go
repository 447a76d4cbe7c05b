package environments_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/sandbox/servicecatalog/sctest"
	"github.com/castle-aws/castle/sandbox/world"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
	"github.com/castle-aws/castle/steps/environments"
)

// childApply runs in the re-executed test binary: Apply against the
// parent's sandbox, until the parent kills it.
func childApply(t *testing.T) {
	ctx := context.Background()
	url := os.Getenv("CASTLE_ENV_SANDBOX")
	cfg, err := steps.LoadConfig(ctx, steps.ConnectOptions{Region: sandboxtest.Region, EndpointURL: url,
		Credentials: steps.StaticCredentials(world.AdminKeyID, world.AdminSecret, ""), Isolated: true, MaxBackoff: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	clock, err := sandbox.DialClock(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	var answers castlefile.File
	if err := json.Unmarshal([]byte(os.Getenv("CASTLE_ENV_ANSWERS")), &answers); err != nil {
		t.Fatal(err)
	}
	env := &steps.Env{Config: cfg, Region: sandboxtest.Region, Sandbox: true, EndpointURL: url, Clock: clock,
		Answers: &answers, StateDir: os.Getenv("CASTLE_ENV_STATE")}
	err = environments.New().Apply(ctx, env, func(steps.Event) {})
	t.Fatalf("the child should have been killed mid-wait; Apply returned %v", err)
}

func TestKillMidProvisioningThenRestart(t *testing.T) {
	if os.Getenv("CASTLE_ENV_CHILD") == "1" {
		childApply(t)
		return
	}
	sbDir, journalDir := t.TempDir(), t.TempDir()
	const speed = 300 // 20 virtual minutes in 4 s: the child is surely mid-wait
	sb := sandboxtest.Start(t, sandbox.Options{StateDir: sbDir, Speed: speed})
	lz := sctest.Setup(t, sb)
	answers := castlefile.File{Region: sandboxtest.Region, Environments: []castlefile.Account{
		acct("k1.prod", "k1@example.com"), acct("k2.prod", "k2@example.com")}}
	raw, _ := json.Marshal(answers)
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillMidProvisioningThenRestart$", "-test.v")
	cmd.Env = append(os.Environ(), "CASTLE_ENV_CHILD=1", "CASTLE_ENV_SANDBOX="+sb.URL,
		"CASTLE_ENV_STATE="+journalDir, "CASTLE_ENV_ANSWERS="+string(raw))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return len(records(sb)) == 2 })
	time.Sleep(100 * time.Millisecond)         // into the wait
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	_ = cmd.Wait()
	for _, r := range records(sb) {
		if r.Status == "SUCCEEDED" {
			t.Fatalf("the child was killed too late: %s already succeeded", r.PPName)
		}
	}
	// The sandbox restarts from its state folder, castle from its journal.
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
	sb2 := sandboxtest.Start(t, sandbox.Options{StateDir: sbDir, Speed: speed})
	env := sb2.Env()
	env.StateDir = journalDir
	env.Answers = &answers
	defer func() {
		if env.Journal != nil {
			env.Journal.Close()
		}
	}()
	st, err := environments.New().Discover(context.Background(), env)
	if err != nil || st.State != steps.StateInProgress || len(st.Operations) != 2 {
		t.Fatalf("discover after restart: %v %+v", err, st)
	}
	rec := &recorder{}
	if err := environments.New().Apply(context.Background(), env, rec.emit); err != nil {
		t.Fatal(err)
	}
	got := vended(sb2)
	if len(got) != 2 || got["k1@example.com"] != lz.OUs["Sandbox"] || got["k2@example.com"] != lz.OUs["Sandbox"] {
		t.Fatalf("accounts after restart: %v", got)
	}
	if n := len(records(sb2)); n != 2 {
		t.Fatalf("%d provisioning records: an account was asked for twice", n)
	}
	for _, name := range []string{"k1.prod", "k2.prod"} {
		if id, ok := env.Journal.Resource(environments.Section, "account:"+name); !ok || len(id) != 12 {
			t.Fatalf("journal has no account id for %s", name)
		}
		if k := rec.kinds("account-" + name); !has(k, steps.EventDone) {
			t.Fatalf("%s: %v", name, k)
		}
	}
}
