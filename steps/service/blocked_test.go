package service_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/service"
)

func TestBlockedUntilNetworkAndImage(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{DockerHost: noDocker})
	_, k, s, tok := workload(t, sb)
	env := sb.EnvWith(sb.Config(k, s, tok))
	ctx := context.Background()
	st, err := service.New().Discover(ctx, env)
	if err != nil || st.State != steps.StateBlocked || st.Blocker != "Network" {
		t.Fatalf("without a network: %+v %v", st, err)
	}
	_, err = service.New().Plan(ctx, env)
	var ue *steps.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Next, "Network section") {
		t.Fatalf("plan without a network: %v", err)
	}
	if err := networkApply(env); err != nil {
		t.Fatal(err)
	}
	st, _ = service.New().Discover(ctx, env)
	if st.State != steps.StateBlocked || st.Blocker != "Registry" {
		t.Fatalf("without an image: %+v", st)
	}
	env.Answers.Service.CPU, env.Answers.Service.Memory, env.Answers.Service.Image = "256", "4096", "public.example.com/x:1"
	if _, err := service.New().Plan(ctx, env); !errors.As(err, &ue) || !strings.Contains(ue.Message, "no size") {
		t.Fatalf("plan with a size Fargate lacks: %v", err)
	}
}
