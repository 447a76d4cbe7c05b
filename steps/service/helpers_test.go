package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	sbecr "github.com/castle-aws/castle/sandbox/ecr"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/network"
	"github.com/castle-aws/castle/steps/service"
)

// workload makes a fresh Account Factory account (no default VPC) and keys
// for it.
func workload(t testing.TB, sb *sandboxtest.Sandbox) (id, key, secret, token string) {
	t.Helper()
	sb.World.Lock()
	defer sb.World.Unlock()
	a := sb.World.NewAccount("workload", "wl@example.com", true)
	k := sb.World.IssueKey(a.ID, "arn:aws:sts::"+a.ID+":assumed-role/AWSControlTowerExecution/castle", "AROAWORKLOAD:castle", 48*time.Hour)
	return a.ID, k.AccessKeyID, k.Secret, k.SessionToken
}

// readyEnv is an env in a fresh vended account whose network is applied and
// whose registry journal names image (architecture X86_64, port 8080).
func readyEnv(t testing.TB, sb *sandboxtest.Sandbox, image string) *steps.Env {
	t.Helper()
	_, k, s, tok := workload(t, sb)
	env := sb.EnvWith(sb.Config(k, s, tok))
	ctx := context.Background()
	if err := env.OpenJournal(ctx); err != nil {
		t.Fatal(err)
	}
	env.Journal.SetResource("registry", "image", image)
	env.Journal.SetResource("registry", "architecture", "X86_64")
	env.Journal.SetResource("registry", "port", "8080")
	if err := network.New().Apply(ctx, env, func(steps.Event) {}); err != nil {
		t.Fatalf("network: %v", err)
	}
	return env
}

type recorder struct{ events []steps.Event }

func (r *recorder) emit(e steps.Event) { r.events = append(r.events, e) }

func (r *recorder) kind(step string) steps.EventKind {
	var k steps.EventKind
	for _, e := range r.events {
		if e.Step == step && (e.Kind == steps.EventSkipped || e.Kind == steps.EventDone || e.Kind == steps.EventFailed) {
			k = e.Kind
		}
	}
	return k
}

func (r *recorder) text() string {
	var b strings.Builder
	for _, e := range r.events {
		b.WriteString(string(e.Kind) + " " + e.Step + ": " + e.Message + " | " + e.Detail + "\n")
	}
	return b.String()
}

func applyService(t testing.TB, env *steps.Env) (*recorder, error) {
	t.Helper()
	r := &recorder{}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	err := service.New().Apply(ctx, env, r.emit)
	return r, err
}

func describe(t testing.TB, env *steps.Env) *ecs.DescribeServicesOutput {
	t.Helper()
	out, err := ecs.NewFromConfig(env.Config).DescribeServices(context.Background(), &ecs.DescribeServicesInput{Cluster: aws.String("TestCluster"), Services: []string{"TestService"}})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func registryHost(sb *sandboxtest.Sandbox) string {
	if r := sbecr.From(sb.World); r != nil {
		return r.RegistryHost()
	}
	return ""
}

func networkApply(env *steps.Env) error {
	return network.New().Apply(context.Background(), env, func(steps.Event) {})
}
