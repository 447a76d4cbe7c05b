package service_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/sandbox/world"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
	"github.com/castle-aws/castle/steps/service"
)

// TestChildApply is the child side of the kill -9 test: it applies the
// Service section against the parent's sandbox until it is killed.
func TestChildApply(t *testing.T) {
	url := os.Getenv("CASTLE_CHILD_SANDBOX")
	if url == "" {
		t.Skip("runs only as the child of TestKillDuringRolloutThenRestart")
	}
	resp, err := http.Get(url + "/_sandbox/clock")
	if err != nil {
		t.Fatal(err)
	}
	var info sandbox.ClockInfo
	json.NewDecoder(resp.Body).Decode(&info)
	resp.Body.Close()
	cfg, err := steps.LoadConfig(context.Background(), steps.ConnectOptions{Region: sandboxtest.Region, EndpointURL: url, Isolated: true,
		Credentials: steps.StaticCredentials(os.Getenv("CASTLE_CHILD_KEY"), os.Getenv("CASTLE_CHILD_SECRET"), os.Getenv("CASTLE_CHILD_TOKEN"))})
	if err != nil {
		t.Fatal(err)
	}
	env := &steps.Env{Config: cfg, Region: sandboxtest.Region, Sandbox: true, EndpointURL: url, StateDir: os.Getenv("CASTLE_CHILD_STATE"),
		Clock: world.NewClock(info.Now, info.Speed), Answers: &castlefile.File{Region: sandboxtest.Region}}
	service.New().Apply(context.Background(), env, func(steps.Event) {})
	time.Sleep(time.Hour) // the parent kills us
}

func TestKillDuringRolloutThenRestart(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{StateDir: t.TempDir(), DockerHost: noDocker, Speed: 4})
	_, key, secret, token := workload(t, sb)
	env := sb.EnvWith(sb.Config(key, secret, token))
	ctx := context.Background()
	env.OpenJournal(ctx)
	env.Journal.SetResource("registry", "image", "public.example.com/hello:1")
	if err := networkApply(env); err != nil {
		t.Fatal(err)
	}
	journalPath := env.Journal.Path()
	env.Journal.Close()

	child := exec.Command(os.Args[0], "-test.run", "^TestChildApply$")
	child.Env = append(os.Environ(), "CASTLE_CHILD_SANDBOX="+sb.URL, "CASTLE_CHILD_KEY="+key, "CASTLE_CHILD_SECRET="+secret,
		"CASTLE_CHILD_TOKEN="+token, "CASTLE_CHILD_STATE="+filepath.Dir(journalPath))
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	// Kill it once the rollout is journaled and still running.
	deadline := time.Now().Add(60 * time.Second)
	var rollout string
	for time.Now().Before(deadline) && rollout == "" {
		time.Sleep(50 * time.Millisecond)
		raw, _ := os.ReadFile(journalPath)
		var j struct {
			Sections map[string]struct {
				Operations map[string]struct {
					ID   string `json:"id"`
					Done bool   `json:"done"`
				} `json:"operations"`
			} `json:"sections"`
		}
		if json.Unmarshal(raw, &j) == nil {
			if op, ok := j.Sections["service"].Operations["rollout"]; ok && !op.Done {
				rollout = op.ID
			}
		}
	}
	if rollout == "" {
		t.Fatal("the child never journaled a rollout")
	}
	child.Process.Signal(syscall.SIGKILL)
	child.Wait()
	if st := describe(t, env).Services[0]; st.Deployments[0].RolloutState != "IN_PROGRESS" {
		t.Fatalf("killed too late: the rollout is %s already", st.Deployments[0].RolloutState)
	}

	// Restart: a new castle with the same journal follows the same deployment.
	again := sb.EnvWith(sb.Config(key, secret, token))
	again.StateDir = filepath.Dir(journalPath)
	st, err := service.New().Discover(ctx, again)
	if err != nil || st.State != steps.StateInProgress || len(st.Operations) != 1 || st.Operations[0].ID != rollout {
		t.Fatalf("discover after the kill: %+v %v", st, err)
	}
	r := &recorder{}
	if err := service.New().Resume(ctx, again, r.emit); err != nil {
		t.Fatalf("resume: %v\n%s", err, r.text())
	}
	followed := false
	for _, e := range r.events {
		if e.Kind == steps.EventWaiting && e.Op != nil {
			followed = e.Op.ID == rollout
			if !followed {
				t.Fatalf("resume followed %s, want %s", e.Op.ID, rollout)
			}
		}
		if e.Kind == steps.EventStarted && (e.Step == "service" || e.Step == "task-definition") {
			t.Fatalf("resume started something: %s", e.Message)
		}
	}
	if !followed {
		t.Fatalf("resume did not wait on the deployment:\n%s", r.text())
	}
	// Apply after that creates nothing twice.
	r, err = applyService(t, again)
	if err != nil {
		t.Fatalf("apply: %v\n%s", err, r.text())
	}
	out := describe(t, again)
	if len(out.Services) != 1 || len(out.Services[0].Deployments) != 1 || aws.ToString(out.Services[0].Deployments[0].Id) != rollout {
		t.Fatalf("after restart: %+v", out.Services)
	}
	if _, err := ecs.NewFromConfig(again.Config).DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("TestService:2")}); err == nil {
		t.Fatal("a second task definition revision was registered")
	}
	if u, _ := again.Journal.Resource("service", service.KeyURL); !strings.HasPrefix(u, "http://") {
		t.Fatalf("serviceUrl %q", u)
	}
}
