package service_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/castle-aws/castle/sandbox"
	sbecs "github.com/castle-aws/castle/sandbox/ecs"
	sbiam "github.com/castle-aws/castle/sandbox/iam"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/service"
)

const noDocker = "unix:///nonexistent/castle-test-docker.sock"

func TestApplyWithoutDockerThenRerunChangesNothing(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{DockerHost: noDocker})
	env := readyEnv(t, sb, "public.example.com/hello:1")
	ctx := context.Background()
	plan, err := service.New().Plan(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.SpendsMoney || !strings.Contains(plan.MonthlyCost, "$") || !strings.Contains(strings.Join(plan.Notes, " "), "ARM $7.21") {
		t.Fatalf("plan cost %q notes %q", plan.MonthlyCost, plan.Notes)
	}
	r, err := applyService(t, env)
	if err != nil {
		t.Fatalf("apply: %v\n%s", err, r.text())
	}
	for _, step := range []string{"linked-role", "cluster", "execution-role", "log-group", "task-definition", "service"} {
		if r.kind(step) != steps.EventDone {
			t.Fatalf("%s: %s\n%s", step, r.kind(step), r.text())
		}
	}
	if !strings.Contains(r.text(), "HTTP check skipped") || !strings.Contains(r.text(), "waiting") {
		t.Fatalf("events:\n%s", r.text())
	}
	url, _ := env.Journal.Resource("service", service.KeyURL)
	if !strings.HasPrefix(url, "http://203.0.113.") || !strings.HasSuffix(url, ":8080/") {
		t.Fatalf("serviceUrl %q", url)
	}
	svc := describe(t, env).Services[0]
	if svc.RunningCount != 1 || len(svc.Deployments) != 1 || svc.Deployments[0].RolloutState != "COMPLETED" {
		t.Fatalf("service %+v", svc)
	}
	st, _ := service.New().Discover(ctx, env)
	if st.State != steps.StateDone {
		t.Fatalf("discover %+v", st)
	}
	// Rerun: nothing new.
	plan, _ = service.New().Plan(ctx, env)
	if plan.Pending() {
		t.Fatalf("rerun plan: %+v", plan.Actions)
	}
	r, err = applyService(t, env)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"linked-role", "cluster", "execution-role", "log-group", "task-definition", "service"} {
		if r.kind(step) != steps.EventSkipped {
			t.Fatalf("rerun %s: %s", step, r.kind(step))
		}
	}
	again := describe(t, env).Services[0]
	if aws.ToString(again.Deployments[0].Id) != aws.ToString(svc.Deployments[0].Id) || !strings.HasSuffix(aws.ToString(again.TaskDefinition), ":1") {
		t.Fatalf("rerun changed the service: %+v", again.Deployments)
	}
}

func TestExistingRolesAreKept(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{DockerHost: noDocker})
	env := readyEnv(t, sb, "public.example.com/hello:1")
	acct, _ := env.Caller(context.Background())
	sb.World.Lock()
	role := sbiam.From(sb.World).PutRole(sb.World, acct.Account, "/", "ecsTaskExecutionRole", `{"Statement":[]}`, service.ExecutionPolicy)
	sbiam.From(sb.World).PutRole(sb.World, acct.Account, "/aws-service-role/ecs.amazonaws.com/", "AWSServiceRoleForECS", `{}`)
	sb.World.Unlock()
	r, err := applyService(t, env)
	if err != nil {
		t.Fatalf("%v\n%s", err, r.text())
	}
	if r.kind("execution-role") != steps.EventSkipped || r.kind("linked-role") != steps.EventSkipped {
		t.Fatalf("roles:\n%s", r.text())
	}
	arn, _ := env.Journal.Resource("service", service.KeyExecutionRole)
	if arn != role.ARN {
		t.Fatalf("execution role %q, want the existing %q", arn, role.ARN)
	}
}

func TestRedeployAndFailedRedeployRollsBack(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{DockerHost: noDocker})
	env := readyEnv(t, sb, "public.example.com/hello:1")
	if r, err := applyService(t, env); err != nil {
		t.Fatalf("%v\n%s", err, r.text())
	}
	env.Answers.Service.Image = "public.example.com/hello:2"
	plan, _ := service.New().Plan(context.Background(), env)
	if !plan.Pending() || !strings.Contains(plan.Actions[5].Title, "Deploy the new version") {
		t.Fatalf("redeploy plan %+v", plan.Actions)
	}
	r, err := applyService(t, env)
	if err != nil {
		t.Fatalf("%v\n%s", err, r.text())
	}
	svc := describe(t, env).Services[0]
	if !strings.HasSuffix(aws.ToString(svc.TaskDefinition), "TestService:2") || len(svc.Deployments) != 1 || svc.RunningCount != 1 {
		t.Fatalf("after redeploy: %s %+v", aws.ToString(svc.TaskDefinition), svc.Deployments)
	}
	// An image the registry does not have: the rollout fails and rolls back.
	sb.World.Lock()
	host := "127.0.0.1:1" // not the sandbox registry: make it the registry's host instead
	if h := registryHost(sb); h != "" {
		host = h
	}
	sb.World.Unlock()
	env.Answers.Service.Image = host + "/missing:3"
	r, err = applyService(t, env)
	var ue *steps.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "could not find the image") || !strings.Contains(ue.Message, "rolled the service back") {
		t.Fatalf("want a rolled-back pull failure, got %v\n%s", err, r.text())
	}
	if !strings.Contains(r.text(), "a task stopped: CannotPullContainerError") {
		t.Fatalf("stopped reasons not shown:\n%s", r.text())
	}
	svc = describe(t, env).Services[0]
	if !strings.HasSuffix(aws.ToString(svc.TaskDefinition), "TestService:2") {
		t.Fatalf("not rolled back: %s", aws.ToString(svc.TaskDefinition))
	}
	// The version that worked keeps serving through the failed rollout.
	if svc.RunningCount < 1 {
		t.Fatalf("nothing running after the rollback: %+v", svc.Deployments)
	}
}

func TestThrottlingIsRiddenOut(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{DockerHost: noDocker, Faults: sandbox.Faults{Throttle: 0.3, Seed: 11}})
	env := readyEnv(t, sb, "public.example.com/hello:1")
	r, err := applyService(t, env)
	if err != nil {
		t.Fatalf("%v\n%s", err, r.text())
	}
	if n := len(describe(t, env).Services); n != 1 {
		t.Fatalf("%d services", n)
	}
}

// Once the pipeline deploys new tags of the repository, applying the
// Service section again must not roll the service back to the image castle
// deployed first; a new image from the Registry section still deploys.
func TestPipelineDeploymentsAreNotRolledBack(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{DockerHost: noDocker})
	env := readyEnv(t, sb, "public.example.com/hello:1")
	if r, err := applyService(t, env); err != nil {
		t.Fatalf("%v\n%s", err, r.text())
	}
	wl, _ := env.Caller(context.Background())
	sb.World.Lock()
	_, err := sbecs.From(sb.World).Deploy(sb.World, wl.Account, sandboxtest.Region, service.DefaultCluster, service.DefaultName,
		map[string]string{service.ContainerName: "public.example.com/hello:abc1234"})
	sb.World.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	sb.Clock().Advance(10 * time.Minute)
	plan, _ := service.New().Plan(context.Background(), env)
	if plan.Pending() {
		t.Fatalf("castle would undo the pipeline's deployment: %+v", plan.Actions)
	}
	r, err := applyService(t, env)
	if err != nil {
		t.Fatalf("%v\n%s", err, r.text())
	}
	if td := aws.ToString(describe(t, env).Services[0].TaskDefinition); !strings.HasSuffix(td, "TestService:2") {
		t.Fatalf("the service runs %s, not the pipeline's revision 2\n%s", td, r.text())
	}
	// A new push from the Registry section is what the user asks for now.
	env.Journal.SetResource("registry", "image", "public.example.com/hello:2")
	env.Answers.Service.Image = ""
	if r, err := applyService(t, env); err != nil {
		t.Fatalf("%v\n%s", err, r.text())
	}
	if td := aws.ToString(describe(t, env).Services[0].TaskDefinition); !strings.HasSuffix(td, "TestService:3") {
		t.Fatalf("a new registry image was not deployed: %s", td)
	}
}

// Looking at the Service section before an image exists must not pin the
// port to the fallback 80: the image pushed later decides it with EXPOSE.
func TestFallbackPortDoesNotStickBeforeTheImage(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{DockerHost: noDocker})
	env := sb.Env()
	if err := env.OpenJournal(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := service.Resolve(env).Port; got != 80 || env.Answers.Service.Port != 0 {
		t.Fatalf("before the image: port %d, answer %d; want 80 and no answer", got, env.Answers.Service.Port)
	}
	env.Journal.SetResource("registry", "port", "8080")
	if got := service.Resolve(env).Port; got != 8080 || env.Answers.Service.Port != 8080 {
		t.Fatalf("after an image with EXPOSE 8080: port %d, answer %d", got, env.Answers.Service.Port)
	}
	env.Answers.Service.Port = 3000 // the user's own answer wins
	env.Journal.SetResource("registry", "port", "9090")
	if got := service.Resolve(env).Port; got != 3000 {
		t.Fatalf("the user's port was overridden: %d", got)
	}
}
