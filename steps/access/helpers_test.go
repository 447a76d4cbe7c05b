package access

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/identitystore"
	sborg "github.com/castle-aws/castle/sandbox/organizations"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/sandbox/ssoadmin"
	"github.com/castle-aws/castle/sandbox/world"
	"github.com/castle-aws/castle/steps"
)

type recorder struct {
	mu     sync.Mutex
	events []steps.Event
}

func (r *recorder) emit(e steps.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) of(kind steps.EventKind) []steps.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []steps.Event
	for _, e := range r.events {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// fixture is an organization with Identity Center, two member accounts
// (Dev, Prod) and two people (alice, bob).
type fixture struct {
	sb                 *sandboxtest.Sandbox
	dev, prod          string
	aliceID, bobID     string
	instanceARN, store string
}

func setup(t *testing.T, o sandbox.Options) *fixture {
	t.Helper()
	sb := sandboxtest.Start(t, o)
	_, err := organizations.NewFromConfig(sb.Admin()).CreateOrganization(context.Background(),
		&organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{sb: sb}
	w := sb.World
	w.Lock()
	defer w.Unlock()
	f.instanceARN, f.store = ssoadmin.From(w).EnableInstance(w, world.ManagementAccount, sandboxtest.Region)
	org := sborg.From(w)
	dev, err := org.AddAccount(w, "Dev", "dev@example.com", "", true)
	if err != nil {
		t.Fatal(err)
	}
	prod, err := org.AddAccount(w, "Prod", "prod@example.com", "", true)
	if err != nil {
		t.Fatal(err)
	}
	f.dev, f.prod = dev.ID, prod.ID
	is := identitystore.From(w)
	if f.aliceID, err = is.EnsureUser(w, f.store, "alice", "alice@example.com", "Alice", "Doe"); err != nil {
		t.Fatal(err)
	}
	if f.bobID, err = is.EnsureUser(w, f.store, "bob", "bob@example.com", "Bob", "Roe"); err != nil {
		t.Fatal(err)
	}
	if err := w.Save(); err != nil {
		t.Fatal(err)
	}
	return f
}

// count reads the sandbox: how often the user holds set on account.
func (f *fixture) count(set, user, account string) int {
	f.sb.World.Lock()
	defer f.sb.World.Unlock()
	return ssoadmin.From(f.sb.World).Count(set, user, account)
}

func (f *fixture) requests(del bool) int {
	f.sb.World.Lock()
	defer f.sb.World.Unlock()
	return ssoadmin.From(f.sb.World).RequestCount(del)
}

func (f *fixture) assign(t *testing.T, set, user, account string) {
	t.Helper()
	f.sb.World.Lock()
	defer f.sb.World.Unlock()
	if err := ssoadmin.From(f.sb.World).AssignNow(f.sb.World, set, user, account); err != nil {
		t.Fatal(err)
	}
}
