package environments_test

import (
	"context"
	"sort"
	"sync"
	"testing"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/organizations"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/sandbox/servicecatalog"
	"github.com/castle-aws/castle/sandbox/servicecatalog/sctest"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
)

// fast runs 20 virtual minutes in about 0.3 s.
const fast = 4000

func start(t *testing.T, o sandbox.Options) (*sandboxtest.Sandbox, *steps.Env, sctest.LandingZone) {
	t.Helper()
	if o.Speed == 0 {
		o.Speed = fast
	}
	sb := sandboxtest.Start(t, o)
	lz := sctest.Setup(t, sb)
	env := sb.Env()
	t.Cleanup(func() {
		if env.Journal != nil {
			env.Journal.Close()
		}
	})
	return sb, env, lz
}

func acct(name, email string) castlefile.Account {
	return castlefile.Account{Name: name, Email: email, OU: "Sandbox", Owner: "ana"}
}

func withPeople(env *steps.Env) {
	env.Answers.People = []castlefile.User{{UserName: "ana", GivenName: "Ana", FamilyName: "Lima", Email: "ana@example.com"}}
}

// recorder collects events safely.
type recorder struct {
	mu     sync.Mutex
	events []steps.Event
}

func (r *recorder) emit(e steps.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) all() []steps.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]steps.Event(nil), r.events...)
}

func (r *recorder) kinds(step string) []steps.EventKind {
	var out []steps.EventKind
	for _, e := range r.all() {
		if e.Step == step {
			out = append(out, e.Kind)
		}
	}
	return out
}

func has(kinds []steps.EventKind, k steps.EventKind) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

// records returns Account Factory's records, oldest first (world locked).
func records(sb *sandboxtest.Sandbox) []servicecatalog.Record {
	sb.World.Lock()
	defer sb.World.Unlock()
	var out []servicecatalog.Record
	for _, r := range servicecatalog.From(sb.World).Records {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out
}

// vended returns the vended accounts by email, with their parent.
func vended(sb *sandboxtest.Sandbox) map[string]string {
	sb.World.Lock()
	defer sb.World.Unlock()
	out := map[string]string{}
	org := organizations.From(sb.World)
	for _, a := range sb.World.Accounts {
		if a.Vended {
			out[a.Email] = org.ParentOf(a.ID)
		}
	}
	return out
}

func apply(t *testing.T, env *steps.Env, rec *recorder) error {
	t.Helper()
	return sectionUnderTest.Apply(context.Background(), env, rec.emit)
}

// startBare is a sandbox with no organization.
func startBare(t *testing.T) *steps.Env {
	sb := sandboxtest.Start(t, sandbox.Options{Speed: fast})
	return sb.Env()
}
