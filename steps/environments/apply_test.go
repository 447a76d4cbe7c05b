package environments_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/servicecatalog"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/identitystore"
	"github.com/castle-aws/castle/sandbox/ssoadmin"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
	"github.com/castle-aws/castle/steps/environments"
)

var sectionUnderTest = environments.New()

func TestBlockedWithoutLandingZone(t *testing.T) {
	sb := startBare(t)
	st, err := sectionUnderTest.Discover(context.Background(), sb)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != steps.StateBlocked || st.Blocker != "Landing zone" {
		t.Fatalf("status %+v", st)
	}
}

func TestOneAccount(t *testing.T) {
	sb, env, lz := start(t, sandbox.Options{})
	withPeople(env)
	env.Answers.Environments = []castlefile.Account{acct("Discord-Moderation-Bot.prod", "bot+prod@example.com")}
	ctx := context.Background()
	plan, err := sectionUnderTest.Plan(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Pending() || !plan.SpendsMoney || plan.Duration != environments.Expected || len(plan.Actions) != 2 {
		t.Fatalf("plan %+v", plan)
	}
	rec := &recorder{}
	if err := apply(t, env, rec); err != nil {
		t.Fatal(err)
	}
	key := "account-Discord-Moderation-Bot.prod"
	kinds := rec.kinds(key)
	if !has(kinds, steps.EventStarted) || !has(kinds, steps.EventWaiting) || kinds[len(kinds)-1] != steps.EventDone {
		t.Fatalf("events for %s: %v", key, kinds)
	}
	if k := rec.kinds("portfolio-access"); !has(k, steps.EventDone) {
		t.Fatalf("portfolio access: %v", k)
	}
	id, ok := env.Journal.Resource(environments.Section, "account:Discord-Moderation-Bot.prod")
	if !ok || len(id) != 12 {
		t.Fatalf("journal account id %q", id)
	}
	op, _ := env.Journal.Operation(environments.Section, key)
	if op.Token == "" || !op.Done || op.Status != "SUCCEEDED" {
		t.Fatalf("journal op %+v", op)
	}
	if got := vended(sb); len(got) != 1 || got["bot+prod@example.com"] != lz.OUs["Sandbox"] {
		t.Fatalf("vended %v, want one in %s", got, lz.OUs["Sandbox"])
	}
	sb.World.Lock()
	uid, found := identitystore.From(sb.World).UserByEmail(lz.StoreID, "ana@example.com")
	admin := found && ssoadmin.From(sb.World).Has("AWSAdministratorAccess", uid, id)
	sb.World.Unlock()
	if !admin {
		t.Fatal("the owner has no administrator access on the new account")
	}
	// Discovery shows it; a second apply creates nothing.
	st, err := sectionUnderTest.Discover(ctx, env)
	if err != nil || st.State != steps.StateDone || !strings.Contains(strings.Join(st.Details, "\n"), id) {
		t.Fatalf("discover: %v %+v", err, st)
	}
	rec2 := &recorder{}
	if err := apply(t, env, rec2); err != nil {
		t.Fatal(err)
	}
	if k := rec2.kinds(key); len(k) != 1 || k[0] != steps.EventSkipped {
		t.Fatalf("second apply: %v", k)
	}
	if n := len(records(sb)); n != 1 {
		t.Fatalf("%d records after two applies", n)
	}
}

func TestFiveAtOnce(t *testing.T) {
	sb, env, _ := start(t, sandbox.Options{})
	for i := 1; i <= 5; i++ {
		env.Answers.Environments = append(env.Answers.Environments, acct(fmt.Sprintf("svc%d.dev", i), fmt.Sprintf("svc%d@example.com", i)))
	}
	rec := &recorder{}
	if err := apply(t, env, rec); err != nil {
		t.Fatal(err)
	}
	recs := records(sb)
	if len(recs) != 5 || len(vended(sb)) != 5 {
		t.Fatalf("%d records, %d accounts", len(recs), len(vended(sb)))
	}
	// All five were asked for before the first one ended.
	firstEnd := recs[0].Updated
	for _, r := range recs {
		if r.Status != "SUCCEEDED" {
			t.Fatalf("record %s %s", r.PPName, r.Status)
		}
		if r.Updated.Before(firstEnd) {
			firstEnd = r.Updated
		}
	}
	for _, r := range recs {
		if !r.Created.Before(firstEnd) {
			t.Fatalf("%s started at %s, after the first account ended (%s): not concurrent", r.PPName, r.Created, firstEnd)
		}
	}
}

func TestSixthIsQueued(t *testing.T) {
	sb, env, _ := start(t, sandbox.Options{})
	for i := 1; i <= 6; i++ {
		env.Answers.Environments = append(env.Answers.Environments, acct(fmt.Sprintf("team%d", i), fmt.Sprintf("team%d@example.com", i)))
	}
	plan, err := sectionUnderTest.Plan(context.Background(), env)
	if err != nil || !strings.Contains(strings.Join(plan.Notes, " "), "queues") || plan.Duration != 2*environments.Expected {
		t.Fatalf("plan: %v %+v", err, plan)
	}
	rec := &recorder{}
	if err := apply(t, env, rec); err != nil {
		t.Fatal(err)
	}
	recs := records(sb)
	if len(recs) != 6 || len(vended(sb)) != 6 {
		t.Fatalf("%d records, %d accounts", len(recs), len(vended(sb)))
	}
	firstEnd := recs[0].Updated
	for _, r := range recs[:5] {
		if r.Updated.Before(firstEnd) {
			firstEnd = r.Updated
		}
	}
	for _, r := range recs {
		if r.Status != "SUCCEEDED" || r.OverLimit {
			t.Fatalf("record %s: %s (over the limit: %v)", r.PPName, r.Status, r.OverLimit)
		}
	}
	if last := recs[5]; last.Created.Before(firstEnd) {
		t.Fatalf("the sixth started at %s, before a slot was free (%s)", last.Created, firstEnd)
	}
	if k := rec.kinds("account-team6"); len(k) == 0 || k[0] != steps.EventProgress {
		t.Fatalf("the sixth was not shown as queued first: %v", k)
	}
}

func TestDuplicateEmail(t *testing.T) {
	sb, env, _ := start(t, sandbox.Options{})
	// An email of an account in the organization is caught before AWS is asked.
	env.Answers.Environments = []castlefile.Account{acct("dup", "owner@example.com")}
	_, err := sectionUnderTest.Plan(context.Background(), env)
	var ue *steps.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "already uses this email") {
		t.Fatalf("plan: %v", err)
	}
	// An email AWS holds elsewhere (another organization, or a closed
	// account) fails in Account Factory; castle says why and what to do.
	sb.World.Lock()
	sb.World.NewAccount("elsewhere", "held@example.com", false)
	sb.World.Unlock()
	env.Answers.Environments = []castlefile.Account{acct("held", "held@example.com")}
	rec := &recorder{}
	err = apply(t, env, rec)
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "already used") || !strings.Contains(ue.Next, "terminate-provisioned-product") {
		t.Fatalf("apply: %v", err)
	}
	if k := rec.kinds("account-held"); k[len(k)-1] != steps.EventFailed {
		t.Fatalf("events: %v", k)
	}
	st, err := sectionUnderTest.Discover(context.Background(), env)
	if err != nil || st.State != steps.StateFailed {
		t.Fatalf("discover after failure: %v %+v", err, st)
	}
	// Applying again explains the same failure and asks AWS for nothing new.
	if err := apply(t, env, &recorder{}); !errors.As(err, &ue) {
		t.Fatalf("second apply: %v", err)
	}
	if n := len(records(sb)); n != 1 {
		t.Fatalf("%d records", n)
	}
	// The user does what castle said: remove the failed request, pick
	// another email, apply again.
	c := servicecatalog.NewFromConfig(env.Config)
	if _, err := c.TerminateProvisionedProduct(context.Background(), &servicecatalog.TerminateProvisionedProductInput{
		ProvisionedProductName: aws.String("held"), TerminateToken: aws.String("cleanup-1")}); err != nil {
		t.Fatal(err)
	}
	sb.Clock().Advance(2 * time.Minute)
	env.Answers.Environments[0].Email = "held2@example.com"
	if err := apply(t, env, &recorder{}); err != nil {
		t.Fatalf("after fixing the email: %v", err)
	}
	if got := vended(sb); len(got) != 1 || got["held2@example.com"] == "" {
		t.Fatalf("vended %v", got)
	}
}

func TestUnregisteredOUIsRefusedAsTyped(t *testing.T) {
	_, env, _ := start(t, sandbox.Options{})
	a := acct("w", "w@example.com")
	a.OU = "Workloads"
	env.Answers.Environments = []castlefile.Account{a}
	_, err := sectionUnderTest.Plan(context.Background(), env)
	var ue *steps.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "not registered") {
		t.Fatalf("plan: %v", err)
	}
}

func TestResumeFollowsWithoutStarting(t *testing.T) {
	sb, env, _ := start(t, sandbox.Options{Speed: 1000})
	env.Answers.Environments = []castlefile.Account{acct("r1", "r1@example.com")}
	ctx, cancel := context.WithCancel(context.Background())
	rec := &recorder{}
	done := make(chan error, 1)
	go func() { done <- sectionUnderTest.Apply(ctx, env, rec.emit) }()
	waitFor(t, func() bool { return len(records(sb)) == 1 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("apply: %v", err)
	}
	env.Answers.Environments = nil // Resume must not need the answers
	if err := sectionUnderTest.Resume(context.Background(), env, (&recorder{}).emit); err != nil {
		t.Fatal(err)
	}
	if got := vended(sb); len(got) != 1 {
		t.Fatalf("vended %v", got)
	}
	if n := len(records(sb)); n != 1 {
		t.Fatalf("%d records", n)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestFiveAtOnceRideOutThrottling(t *testing.T) {
	sb, env, _ := start(t, sandbox.Options{Faults: sandbox.Faults{Throttle: 0.2, Seed: 7}})
	for i := 1; i <= 5; i++ {
		env.Answers.Environments = append(env.Answers.Environments, acct(fmt.Sprintf("thr%d", i), fmt.Sprintf("thr%d@example.com", i)))
	}
	if err := apply(t, env, &recorder{}); err != nil {
		t.Fatal(err)
	}
	if n, v := len(records(sb)), len(vended(sb)); n != 5 || v != 5 {
		t.Fatalf("%d records, %d accounts: throttled retries must not ask twice", n, v)
	}
}

func TestRootIsRefused(t *testing.T) {
	sb, _, _ := start(t, sandbox.Options{})
	env := sb.EnvWith(sb.Root())
	env.Answers.Environments = []castlefile.Account{acct("r", "r@example.com")}
	err := sectionUnderTest.Apply(context.Background(), env, (&recorder{}).emit)
	var ue *steps.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "root") {
		t.Fatalf("got %v", err)
	}
	if n := len(records(sb)); n != 0 {
		t.Fatalf("%d records as root", n)
	}
	if env.Journal != nil {
		env.Journal.Close()
	}
}

func TestAFailedRequestDoesNotHoldUpTheOthers(t *testing.T) {
	sb, env, _ := start(t, sandbox.Options{})
	sb.World.Lock()
	sb.World.NewAccount("elsewhere", "gone@example.com", false)
	sb.World.Unlock()
	env.Answers.Environments = []castlefile.Account{acct("gone", "gone@example.com")}
	if err := apply(t, env, &recorder{}); err == nil {
		t.Fatal("want the email failure")
	}
	env.Answers.Environments = append(env.Answers.Environments, acct("next", "next@example.com"))
	err := apply(t, env, &recorder{})
	var ue *steps.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Error(), "already used") {
		t.Fatalf("second apply: %v", err)
	}
	if got := vended(sb); len(got) != 1 || got["next@example.com"] == "" {
		t.Fatalf("vended %v", got)
	}
}
