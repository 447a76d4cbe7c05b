package landingzone_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/controltower"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/castle-aws/castle/sandbox"
	sbct "github.com/castle-aws/castle/sandbox/controltower"
	sborg "github.com/castle-aws/castle/sandbox/organizations"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/landingzone"
)

// fast runs an hour of Control Tower in well under a second.
const fast = 40000

type recorder struct {
	mu     sync.Mutex
	events []steps.Event
}

func (r *recorder) emit(e steps.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) kinds() map[steps.EventKind]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[steps.EventKind]int{}
	for _, e := range r.events {
		out[e.Kind]++
	}
	return out
}

func (r *recorder) find(kind steps.EventKind, step string) *steps.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.events {
		if r.events[i].Kind == kind && (step == "" || r.events[i].Step == step) {
			return &r.events[i]
		}
	}
	return nil
}

func (r *recorder) has(kind steps.EventKind, text string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.events {
		if e.Kind == kind && strings.Contains(e.Message, text) {
			return true
		}
	}
	return false
}

func answers(env *steps.Env) *steps.Env {
	env.Answers.LandingZone.LogArchiveEmail = "owner+log@example.com"
	env.Answers.LandingZone.AuditEmail = "owner+audit@example.com"
	return env
}

// count reports the landing zones and CreateAccount requests the sandbox has
// seen, through the SDK.
func count(t *testing.T, sb *sandboxtest.Sandbox) (landingZones, requests, accounts int) {
	t.Helper()
	ctx := context.Background()
	lz, err := controltower.NewFromConfig(sb.Admin()).ListLandingZones(ctx, &controltower.ListLandingZonesInput{})
	if err != nil {
		t.Fatal(err)
	}
	c := organizations.NewFromConfig(sb.Admin())
	p := organizations.NewListCreateAccountStatusPaginator(c, &organizations.ListCreateAccountStatusInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		requests += len(out.CreateAccountStatuses)
	}
	a := organizations.NewListAccountsPaginator(c, &organizations.ListAccountsInput{})
	for a.HasMorePages() {
		out, err := a.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		accounts += len(out.Accounts)
	}
	return len(lz.LandingZones), requests, accounts
}

func checkDone(t *testing.T, sb *sandboxtest.Sandbox, env *steps.Env) {
	t.Helper()
	lzs, reqs, accts := count(t, sb)
	if lzs != 1 || reqs != 2 || accts != 3 {
		t.Fatalf("want 1 landing zone, 2 account requests, 3 accounts; got %d, %d, %d", lzs, reqs, accts)
	}
	sb.World.Lock()
	org, ct := sborg.From(sb.World), sbct.From(sb.World)
	secID, _, okSec := org.OUByName("Security")
	sbxID, _, okSbx := org.OUByName("Sandbox")
	registered, active := ct.OURegistered(sbxID), ct.LandingZoneActive()
	sb.World.Unlock()
	if !okSec || !okSbx || !registered || !active {
		t.Fatalf("security OU %v, sandbox OU %v, registered %v, active %v", okSec, okSbx, registered, active)
	}
	for _, name := range []string{"organization", "landingZoneArn", "logArchiveAccount", "auditAccount", "securityOU", "sandboxOU"} {
		if v, ok := env.Journal.Resource("landing-zone", name); !ok || v == "" {
			t.Errorf("journal lacks %s", name)
		}
	}
	if v, _ := env.Journal.Resource("landing-zone", "securityOU"); v != secID {
		t.Errorf("journal securityOU %q, sandbox has %q", v, secID)
	}
	if ops := env.Journal.Operations("landing-zone"); len(ops) != 0 {
		t.Errorf("operations still open in the journal: %v", ops)
	}
}

func TestWholeSectionThenRerunIsANoOp(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{Speed: fast})
	env := answers(sb.Env())
	ctx := context.Background()
	s := landingzone.New()

	st, err := s.Discover(ctx, env)
	if err != nil || st.State != steps.StateNotStarted {
		t.Fatalf("fresh discovery %+v %v", st, err)
	}
	plan, err := s.Plan(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Pending() || plan.ConfirmWord == "" || !plan.SpendsMoney || plan.MonthlyCost == "" || plan.Duration < landingzone.LandingZoneExpected {
		t.Fatalf("plan %+v", plan)
	}
	if env.Answers.LandingZone.SecurityOU != "Security" || env.Answers.LandingZone.HomeRegion != sandboxtest.Region {
		t.Fatalf("defaults not written back: %+v", env.Answers.LandingZone)
	}
	rec := &recorder{}
	if err := s.Apply(ctx, env, rec.emit); err != nil {
		t.Fatal(err)
	}
	checkDone(t, sb, env)
	w := rec.find(steps.EventWaiting, "create-landing-zone")
	if w == nil || w.Op == nil || w.Op.StartedAt.IsZero() || w.Op.Expected != landingzone.LandingZoneExpected || w.Op.Key != "create-landing-zone" {
		t.Fatalf("landing-zone waiting event %+v", w)
	}
	if rec.find(steps.EventWaiting, "create-account:log-archive") == nil {
		t.Fatal("no waiting event while the Log Archive account was created")
	}
	if h := rec.find(steps.EventHandOff, "region-deny"); h == nil || !strings.Contains(h.Message, "console") {
		t.Fatalf("region-deny hand-off %+v", h)
	}
	if !rec.has(steps.EventInfo, "Access portal: https://d-") {
		t.Fatal("the summary does not give the access portal")
	}

	st, err = s.Discover(ctx, env)
	if err != nil || st.State != steps.StateDone {
		t.Fatalf("discovery after apply %+v %v", st, err)
	}
	plan, err = s.Plan(ctx, env)
	if err != nil || plan.Pending() {
		t.Fatalf("rerun plan is not empty: %+v %v", plan, err)
	}
	again := &recorder{}
	if err := s.Apply(ctx, env, again.emit); err != nil {
		t.Fatal(err)
	}
	k := again.kinds()
	if k[steps.EventDone] != 0 || k[steps.EventWaiting] != 0 || k[steps.EventHandOff] != 0 || k[steps.EventSkipped] != 9 {
		t.Fatalf("rerun did something: %v", k)
	}
	checkDone(t, sb, env)

	// A user who already has a landing zone (no journal, no answers) sees it as done.
	fresh := sb.Env()
	st, err = s.Discover(ctx, fresh)
	if err != nil || st.State != steps.StateDone || !strings.Contains(strings.Join(st.Details, "\n"), "Log Archive account") {
		t.Fatalf("discovery without journal or answers %+v %v", st, err)
	}
	if plan, err := s.Plan(ctx, fresh); err != nil || plan.Pending() {
		t.Fatalf("plan without journal or answers %+v %v", plan, err)
	}
}

func TestRootIsRefused(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{Speed: fast})
	env := answers(sb.EnvWith(sb.Root()))
	err := landingzone.New().Apply(context.Background(), env, func(steps.Event) {})
	var ue *steps.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "root") {
		t.Fatalf("want a UserError about root, got %v", err)
	}
	sb.World.Lock()
	_, inOrg := sborg.From(sb.World).OrganizationID()
	sb.World.Unlock()
	if inOrg {
		t.Fatal("an organization was created as root")
	}
}

func TestThrottlingDoesNotBreakIt(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{Speed: fast, Faults: sandbox.Faults{Throttle: 0.2, ServerError: 0.05, Seed: 11}})
	env := answers(sb.Env())
	if err := landingzone.New().Apply(context.Background(), env, func(steps.Event) {}); err != nil {
		t.Fatal(err)
	}
	checkDone(t, sb, env)
}

func TestEmailTakenElsewhereIsSaidPlainly(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{Speed: fast})
	sb.World.Lock()
	sb.World.NewAccount("someone else", "owner+log@example.com", false) // an AWS account outside the organization
	sb.World.Unlock()
	env := answers(sb.Env())
	err := landingzone.New().Apply(context.Background(), env, func(steps.Event) {})
	var ue *steps.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "already belongs to another AWS account") || !strings.Contains(ue.Next, "plus-addressing") {
		t.Fatalf("want the duplicate email in plain words, got %v", err)
	}
	// A new address then finishes the job without a second Audit account.
	env.Answers.LandingZone.LogArchiveEmail = "owner+logs@example.com"
	if err := landingzone.New().Apply(context.Background(), env, func(steps.Event) {}); err != nil {
		t.Fatal(err)
	}
	lzs, reqs, accts := count(t, sb)
	if lzs != 1 || reqs != 3 || accts != 3 {
		t.Fatalf("want 1 landing zone, 3 requests (one failed), 3 accounts; got %d, %d, %d", lzs, reqs, accts)
	}
}

func TestNewerVersionRequiredIsUsedAndSaid(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{Speed: fast})
	sb.World.Lock()
	sbct.From(sb.World).SetLatestVersion("4.1")
	sb.World.Unlock()
	env := answers(sb.Env())
	rec := &recorder{}
	if err := landingzone.New().Apply(context.Background(), env, rec.emit); err != nil {
		t.Fatal(err)
	}
	if !rec.has(steps.EventInfo, "requires landing-zone version 4.1") {
		t.Fatal("no word about the newer version")
	}
	arn, _ := env.Journal.Resource("landing-zone", "landingZoneArn")
	out, err := controltower.NewFromConfig(sb.Admin()).GetLandingZone(context.Background(), &controltower.GetLandingZoneInput{LandingZoneIdentifier: aws.String(arn)})
	if err != nil || aws.ToString(out.LandingZone.Version) != "4.1" {
		t.Fatalf("landing zone %+v %v", out, err)
	}
}

func TestLandingZoneFailureIsExplained(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{Speed: fast})
	sb.World.Lock()
	sbct.From(sb.World).FailNext = "A configuration recorder already exists in account 123456789012."
	sb.World.Unlock()
	env := answers(sb.Env())
	s := landingzone.New()
	rec := &recorder{}
	err := s.Apply(context.Background(), env, rec.emit)
	var ue *steps.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "configuration recorder already exists") || ue.Next == "" {
		t.Fatalf("want AWS's reason in a UserError, got %v", err)
	}
	if rec.find(steps.EventFailed, "create-landing-zone") == nil {
		t.Fatal("no failed event for the landing zone")
	}
	st, err := s.Discover(context.Background(), env)
	if err != nil || st.State != steps.StateFailed {
		t.Fatalf("discovery after the failure %+v %v", st, err)
	}
	if err := s.Apply(context.Background(), env, rec.emit); err == nil || !strings.Contains(err.Error(), "Control Tower console") {
		t.Fatalf("a second apply must not start another landing zone: %v", err)
	}
	if lzs, _, _ := count(t, sb); lzs != 1 {
		t.Fatalf("%d landing zones", lzs)
	}
}

// Someone (castle elsewhere, a colleague) started the landing zone and left:
// a castle with another journal and no answers sees it in progress, follows
// it to the end, and creates nothing twice.
func TestInProgressLandingZoneOfSomeoneElse(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{Speed: 2000})
	first := answers(sb.Env())
	ctx, cancel := context.WithCancel(context.Background())
	err := landingzone.New().Apply(ctx, first, func(e steps.Event) {
		if e.Kind == steps.EventWaiting && e.Step == "create-landing-zone" {
			cancel() // ctrl+c while waiting
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want the cancellation back, got %v", err)
	}
	first.Journal.Close()

	other := sb.Env() // another journal folder, no answers at all
	s := landingzone.New()
	st, err := s.Discover(context.Background(), other)
	if err != nil || st.State != steps.StateInProgress || len(st.Operations) != 1 || st.Operations[0].StartedAt.IsZero() {
		t.Fatalf("discovery of the running landing zone %+v %v", st, err)
	}
	rec := &recorder{}
	if err := s.Apply(context.Background(), other, rec.emit); err != nil {
		t.Fatal(err)
	}
	if !rec.has(steps.EventInfo, "already in progress") {
		t.Fatal("castle did not say it follows the operation already running")
	}
	checkDone(t, sb, other)
	st, err = s.Discover(context.Background(), other)
	if err != nil || st.State != steps.StateDone {
		t.Fatalf("after following: %+v %v", st, err)
	}
}

func TestConsolidatedBillingOnlyIsRefusedPlainly(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{Speed: fast})
	if _, err := organizations.NewFromConfig(sb.Admin()).CreateOrganization(context.Background(),
		&organizations.CreateOrganizationInput{FeatureSet: "CONSOLIDATED_BILLING"}); err != nil {
		t.Fatal(err)
	}
	env := answers(sb.Env())
	_, err := landingzone.New().Plan(context.Background(), env)
	var ue *steps.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "all features") || !strings.Contains(ue.Next, "Enable all features") {
		t.Fatalf("want a plain refusal, got %v", err)
	}
}
