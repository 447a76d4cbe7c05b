package service_test

import (
	"context"
	"strings"
	"testing"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/service"
)

func TestFailedFirstRolloutSaysWhatToDoInPlainWords(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{DockerHost: noDocker})
	sb.World.Lock()
	host := registryHost(sb)
	sb.World.Unlock()
	if host == "" {
		t.Skip("the sandbox has no registry host")
	}
	env := readyEnv(t, sb, host+"/missing:1")
	if _, err := applyService(t, env); err == nil {
		t.Fatal("a missing image rolled out")
	}
	st, err := service.New().Discover(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != steps.StateFailed || strings.Contains(st.Summary, "circuit breaker") {
		t.Fatalf("status %s %q", st.State, st.Summary)
	}
	if !strings.Contains(strings.Join(st.Details, "\n"), "Next: ") {
		t.Fatalf("no next step in %q", st.Details)
	}
}
