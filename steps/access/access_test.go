package access

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
)

func TestGrantSeveralPairsAtOnceThenRerunChangesNothing(t *testing.T) {
	f := setup(t, sandbox.Options{Speed: 10})
	ctx := context.Background()
	env := f.sb.Env()
	env.Answers.Access.Grants = []castlefile.Grant{
		{User: "alice", Account: "Dev"},
		{User: "alice", Account: "prod", PermissionSet: "AWSPowerUserAccess"},
		{User: "bob", Account: f.dev},
	}
	s := New()
	p, err := s.Plan(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Actions) != 3 || !p.Pending() || !strings.Contains(p.Summary, "Give 3") {
		t.Fatalf("plan %q %+v", p.Summary, p.Actions)
	}
	for _, a := range p.Actions {
		if a.Skip || !strings.Contains(a.Commands[0], "aws sso-admin create-account-assignment --instance-arn "+f.instanceARN) {
			t.Fatalf("action %+v", a)
		}
	}
	if env.Answers.Access.Grants[0].PermissionSet != DefaultPermissionSet {
		t.Fatalf("read-only default not written back: %+v", env.Answers.Access.Grants[0])
	}
	if len(p.Notes) != 0 {
		t.Fatalf("no administrator here, notes %q", p.Notes)
	}

	rec := &recorder{}
	if err := s.Apply(ctx, env, rec.emit); err != nil {
		t.Fatal(err)
	}
	if got := len(rec.of(steps.EventDone)); got != 3 {
		t.Fatalf("done %d: %+v", got, rec.events)
	}
	// All pairs ran concurrently: each one was seen waiting before any finished.
	waitingBeforeDone := map[string]bool{}
	for _, e := range rec.events {
		if e.Kind == steps.EventDone {
			break
		}
		if e.Kind == steps.EventWaiting {
			if e.Op == nil || e.Op.ID == "" || e.Op.Status != "IN_PROGRESS" || e.Op.StartedAt.IsZero() {
				t.Fatalf("waiting event without the operation: %+v", e)
			}
			waitingBeforeDone[e.Step] = true
		}
	}
	if len(waitingBeforeDone) != 3 {
		t.Fatalf("pairs did not run at once: %v", waitingBeforeDone)
	}
	if f.count("AWSReadOnlyAccess", f.aliceID, f.dev) != 1 || f.count("AWSPowerUserAccess", f.aliceID, f.prod) != 1 || f.count("AWSReadOnlyAccess", f.bobID, f.dev) != 1 {
		t.Fatal("assignments missing in the sandbox")
	}
	if n := len(env.Journal.Operations("access")); n != 0 {
		t.Fatalf("%d operations still open in the journal", n)
	}
	op, ok := env.Journal.Operation("access", "grant/"+f.dev+"/AWSReadOnlyAccess/"+f.aliceID)
	if !ok || !op.Done || op.Status != "SUCCEEDED" || op.ID == "" {
		t.Fatalf("journaled op %+v %v", op, ok)
	}

	// Rerun: plan has nothing pending, apply makes no request.
	before := f.requests(false)
	p, err = s.Plan(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if p.Pending() || !strings.Contains(p.Summary, "already") {
		t.Fatalf("rerun plan %q %+v", p.Summary, p.Actions)
	}
	rec = &recorder{}
	if err := s.Apply(ctx, env, rec.emit); err != nil {
		t.Fatal(err)
	}
	if len(rec.of(steps.EventSkipped)) != 3 || f.requests(false) != before {
		t.Fatalf("rerun changed things: %+v", rec.events)
	}
	st, err := s.Discover(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != steps.StateDone || !strings.Contains(strings.Join(st.Details, "\n"), "alice: AWSPowerUserAccess on Prod") {
		t.Fatalf("status %+v", st)
	}
}

func TestAdministratorIsFlagged(t *testing.T) {
	f := setup(t, sandbox.Options{})
	env := f.sb.Env()
	env.Answers.Access.Grants = []castlefile.Grant{{User: "bob", Account: "Prod", PermissionSet: AdminPermissionSet}}
	p, err := New().Plan(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(p.Notes, "\n")
	if !strings.Contains(notes, "bob gets full administrator access to Prod") || !strings.Contains(notes, "Least privilege") {
		t.Fatalf("notes %q", notes)
	}
}

func TestRevokeFromAnswersAndPlanListsIt(t *testing.T) {
	f := setup(t, sandbox.Options{})
	ctx := context.Background()
	f.assign(t, "AWSPowerUserAccess", f.bobID, f.prod)
	env := f.sb.Env()
	env.Answers.Access.Revokes = []castlefile.Grant{
		{User: "bob", Account: "Prod", PermissionSet: "AWSPowerUserAccess"},
		{User: "bob", Account: "Dev", PermissionSet: "AWSPowerUserAccess"}, // not held
	}
	p, err := New().Plan(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Actions) != 2 || p.Actions[0].Skip || !p.Actions[1].Skip || !strings.Contains(p.Actions[0].Commands[0], "delete-account-assignment") ||
		!strings.Contains(p.Summary, "ake away 1") {
		t.Fatalf("plan %q %+v", p.Summary, p.Actions)
	}
	rec := &recorder{}
	if err := New().Apply(ctx, env, rec.emit); err != nil {
		t.Fatal(err)
	}
	if f.count("AWSPowerUserAccess", f.bobID, f.prod) != 0 || f.requests(true) != 1 {
		t.Fatal("revoke did not happen exactly once")
	}
	if len(rec.of(steps.EventDone)) != 1 || len(rec.of(steps.EventSkipped)) != 1 {
		t.Fatalf("events %+v", rec.events)
	}
}

func TestRevokeAllOfOnePerson(t *testing.T) {
	f := setup(t, sandbox.Options{})
	ctx := context.Background()
	f.assign(t, "AWSReadOnlyAccess", f.aliceID, f.dev)
	f.assign(t, "AWSPowerUserAccess", f.aliceID, f.prod)
	f.assign(t, "AWSAdministratorAccess", f.aliceID, f.prod)
	f.assign(t, "AWSReadOnlyAccess", f.bobID, f.dev)
	env := f.sb.Env()
	env.Answers.Access.Grants = []castlefile.Grant{{User: "alice", Account: "Dev"}, {User: "bob", Account: "Dev"}}
	rec := &recorder{}
	if err := RevokeAll(ctx, env, "alice", rec.emit); err != nil {
		t.Fatal(err)
	}
	if f.count("AWSReadOnlyAccess", f.aliceID, f.dev)+f.count("AWSPowerUserAccess", f.aliceID, f.prod)+f.count("AWSAdministratorAccess", f.aliceID, f.prod) != 0 {
		t.Fatal("alice still has access")
	}
	if f.count("AWSReadOnlyAccess", f.bobID, f.dev) != 1 {
		t.Fatal("bob lost access")
	}
	if len(rec.of(steps.EventDone)) != 3 {
		t.Fatalf("events %+v", rec.events)
	}
	if len(env.Answers.Access.Grants) != 1 || env.Answers.Access.Grants[0].User != "bob" {
		t.Fatalf("alice's grants kept in the answers: %+v", env.Answers.Access.Grants)
	}
	// Nothing left: says so, makes no request.
	rec = &recorder{}
	if err := RevokeAll(ctx, env, "alice", rec.emit); err != nil || f.requests(true) != 3 || len(rec.of(steps.EventInfo)) != 1 {
		t.Fatalf("second revoke-all: %v %+v", err, rec.events)
	}
	err := RevokeAll(ctx, env, "nobody", rec.emit)
	var ue *steps.UserError
	if !errors.As(err, &ue) {
		t.Fatalf("unknown user: %v", err)
	}
}

func TestUnknownNamesInPlainWords(t *testing.T) {
	f := setup(t, sandbox.Options{})
	env := f.sb.Env()
	var ue *steps.UserError
	env.Answers.Access.Grants = []castlefile.Grant{{User: "alice", Account: "Staging"}}
	_, err := New().Plan(context.Background(), env)
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, `no account called "Staging"`) || !strings.Contains(ue.Message, "Dev") {
		t.Fatalf("account: %v", err)
	}
	env.Answers.Access.Grants = []castlefile.Grant{{User: "zoe", Account: "Dev"}}
	_, err = New().Plan(context.Background(), env)
	if !errors.As(err, &ue) || !strings.Contains(ue.Next, "People section") {
		t.Fatalf("user: %v", err)
	}
	env.Answers.Access.Grants = []castlefile.Grant{{User: "alice", Account: "Dev", PermissionSet: "Everything"}}
	_, err = New().Plan(context.Background(), env)
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "Everything") {
		t.Fatalf("set: %v", err)
	}
}

func TestFailedAssignmentSaysWhy(t *testing.T) {
	f := setup(t, sandbox.Options{})
	env := f.sb.Env()
	env.Answers.Access.Grants = []castlefile.Grant{{User: "alice", Account: "999999999999"}} // not in the organization
	rec := &recorder{}
	err := New().Apply(context.Background(), env, rec.emit)
	var ue *steps.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "not a member of the organization") {
		t.Fatalf("want a failure with AWS's reason, got %v", err)
	}
	if len(rec.of(steps.EventFailed)) != 1 {
		t.Fatalf("events %+v", rec.events)
	}
	op, _ := env.Journal.Operation("access", "grant/999999999999/AWSReadOnlyAccess/"+f.aliceID)
	if !op.Done || op.Status != "FAILED" {
		t.Fatalf("journal %+v", op)
	}
}

func TestBlockedStates(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	st, err := New().Discover(context.Background(), sb.Env())
	if err != nil || st.State != steps.StateBlocked || st.Blocker != "Landing zone" {
		t.Fatalf("%+v %v", st, err)
	}
}
