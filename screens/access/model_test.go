package access

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/identitystore"
	sborg "github.com/castle-aws/castle/sandbox/organizations"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/sandbox/ssoadmin"
	"github.com/castle-aws/castle/sandbox/world"
	"github.com/castle-aws/castle/screens"
	"github.com/castle-aws/castle/screens/screentest"
	"github.com/castle-aws/castle/steps"
	sa "github.com/castle-aws/castle/steps/access"
	"github.com/castle-aws/castle/steps/castlefile"
)

type fixture struct {
	sb             *sandboxtest.Sandbox
	env            *steps.Env
	dev, prod      string
	aliceID, bobID string
}

// setup: Identity Center, accounts Dev and Prod, people alice and bob.
func setup(t *testing.T) *fixture {
	sb := sandboxtest.Start(t, sandbox.Options{})
	if _, err := organizations.NewFromConfig(sb.Admin()).CreateOrganization(context.Background(),
		&organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	f := &fixture{sb: sb, env: sb.Env()}
	w := sb.World
	w.Lock()
	defer w.Unlock()
	_, store := ssoadmin.From(w).EnableInstance(w, world.ManagementAccount, sandboxtest.Region)
	dev, err := sborg.From(w).AddAccount(w, "Dev", "dev@example.com", "", true)
	if err != nil {
		t.Fatal(err)
	}
	prod, _ := sborg.From(w).AddAccount(w, "Prod", "prod@example.com", "", true)
	f.dev, f.prod = dev.ID, prod.ID
	f.aliceID, _ = identitystore.From(w).EnsureUser(w, store, "alice", "alice@example.com", "Alice", "Doe")
	f.bobID, _ = identitystore.From(w).EnsureUser(w, store, "bob", "bob@example.com", "Bob", "Roe")
	return f
}

func (f *fixture) drive(t *testing.T) *screentest.Driver {
	return screentest.Drive(t, UI{}.NewModel(screens.FormContext{Env: f.env, Answers: f.env.Answers, Width: 80}))
}

func (f *fixture) count(set, user, acct string) int {
	f.sb.World.Lock()
	defer f.sb.World.Unlock()
	return ssoadmin.From(f.sb.World).Count(set, user, acct)
}

func TestGrantReadOnlyIsPreselected(t *testing.T) {
	f := setup(t)
	d := f.drive(t)
	d.WantView("Who has access now (0)")
	d.Press("g")
	d.WantView("Who?", "alice (Alice Doe)", "bob (Bob Roe)")
	d.Press("enter")
	d.WantView("Who?", "Pick at least one person: move to a name and press space")
	d.Press("space", "enter")
	d.WantView("Which accounts?", "Dev", "Prod")
	d.Press("enter")
	d.WantView("Which accounts?", "Pick at least one account")
	d.Press("space", "down", "space", "enter")
	d.WantView("What may they do there?", "See everything, change nothing", "Everything, incl. access and billing")
	d.Press("enter")
	d.WantView("Added 2 changes to the plan", "+ alice: AWSReadOnlyAccess on Dev", "+ alice: AWSReadOnlyAccess on Prod")

	d.Press("enter")
	if !d.M.Done() {
		t.Fatal("enter should go on to the plan")
	}
	p, err := sa.New().Plan(context.Background(), f.env)
	if err != nil || !strings.Contains(p.Summary, "Give 2") {
		t.Fatalf("plan %q %v", p.Summary, err)
	}
}

func TestAdministratorAsksAgain(t *testing.T) {
	f := setup(t)
	d := f.drive(t)
	pickAdmin := func() {
		d.Press("g", "down", "space", "enter", "space", "enter")
		// From read-only (preselected) up to administrator, first in the list.
		d.Press("up", "up", "up")
		d.WantView("> AWSAdministratorAccess")
		d.Press("enter")
		d.WantView("Really give full administrator access?", "password leaks")
	}
	pickAdmin()
	d.Press("y")
	if len(f.env.Answers.Access.Grants) != 1 || f.env.Answers.Access.Grants[0].PermissionSet != sa.AdminPermissionSet {
		t.Fatalf("after yes: %+v\n%s", f.env.Answers.Access.Grants, d.View())
	}
	f.env.Answers.Access.Grants = nil
	pickAdmin()
	d.Press("n")
	d.WantView("Administrator access not given")
	if len(f.env.Answers.Access.Grants) != 0 {
		t.Fatalf("after no: %+v", f.env.Answers.Access.Grants)
	}
}

func TestRevokeEverythingAPersonHasInTwoKeys(t *testing.T) {
	f := setup(t)
	f.sb.World.Lock()
	sso := ssoadmin.From(f.sb.World)
	sso.AssignNow(f.sb.World, "AWSReadOnlyAccess", f.aliceID, f.dev)
	sso.AssignNow(f.sb.World, "AWSPowerUserAccess", f.aliceID, f.prod)
	sso.AssignNow(f.sb.World, "AWSReadOnlyAccess", f.bobID, f.dev)
	f.sb.World.Unlock()
	f.env.Answers.Access.Grants = []castlefile.Grant{{User: "alice", Account: "Dev", PermissionSet: "AWSReadOnlyAccess"}}

	d := f.drive(t)
	d.WantView("Who has access now (3)")
	d.Press("r")
	d.WantView("PERSON", "ACCOUNT", "alice", "Prod", "AWSPowerUserAccess", "bob")
	d.Press("a", "enter") // two keys from alice's name
	if !d.M.Done() {
		t.Fatalf("not done:\n%s", d.View())
	}
	if len(f.env.Answers.Access.Revokes) != 2 || len(f.env.Answers.Access.Grants) != 0 {
		t.Fatalf("answers %+v", f.env.Answers.Access)
	}
	if err := sa.New().Apply(context.Background(), f.env, func(steps.Event) {}); err != nil {
		t.Fatal(err)
	}
	if f.count("AWSReadOnlyAccess", f.aliceID, f.dev)+f.count("AWSPowerUserAccess", f.aliceID, f.prod) != 0 || f.count("AWSReadOnlyAccess", f.bobID, f.dev) != 1 {
		t.Fatal("the revoke did not take exactly alice's access")
	}
}

func TestPickSingleLines(t *testing.T) {
	f := setup(t)
	f.sb.World.Lock()
	ssoadmin.From(f.sb.World).AssignNow(f.sb.World, "AWSReadOnlyAccess", f.aliceID, f.dev)
	ssoadmin.From(f.sb.World).AssignNow(f.sb.World, "AWSReadOnlyAccess", f.bobID, f.dev)
	f.sb.World.Unlock()
	d := f.drive(t)
	d.Press("r", "enter")
	if d.M.Done() {
		t.Fatal("enter with nothing picked must not go on")
	}
	d.Press("down", "space")
	d.WantView("[x] bob")
	d.Press("enter")
	if r := f.env.Answers.Access.Revokes; len(r) != 1 || r[0].User != "bob" {
		t.Fatalf("revokes %+v", r)
	}
}

func TestEscKeepsThePicksForTheNextG(t *testing.T) {
	f := setup(t)
	d := f.drive(t)
	d.WantView("Who has access now (0)")
	d.Press("g", "down", "space")
	d.WantView("✓ bob")
	d.Press("esc")
	d.WantView("Who has access now (0)")
	d.Press("g")
	d.WantView("Who?", "✓ bob")
}
