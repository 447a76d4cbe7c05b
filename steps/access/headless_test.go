package access

import (
	"context"
	"strings"
	"testing"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/identitystore"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
	"github.com/castle-aws/castle/steps/people"
)

const castleYAML = `
people:
  - userName: dana.builds
    givenName: Dana
    familyName: Diaz
    email: dana@example.com
  - userName: eli
    givenName: Eli
    familyName: Moss
    email: eli@example.com
access:
  grants:
    - user: dana.builds
      account: Dev
    - user: eli
      account: Prod
      permissionSet: AWSPowerUserAccess
    - user: alice
      account: Prod
  revokes:
    - user: bob
      account: Dev
      permissionSet: AWSReadOnlyAccess
`

// TestHeadlessApplyFromCastleYAML runs People then Access from a castle.yaml,
// with throttling injected, the way `castle apply` does; a second run
// changes nothing and its plans have nothing pending.
func TestHeadlessApplyFromCastleYAML(t *testing.T) {
	f := setup(t, sandbox.Options{Faults: sandbox.Faults{Throttle: 0.2, Seed: 7}})
	f.assign(t, "AWSReadOnlyAccess", f.bobID, f.dev)
	answers, err := castlefile.Parse([]byte(castleYAML))
	if err != nil {
		t.Fatal(err)
	}
	env := f.sb.Env()
	env.Answers = answers
	ctx := context.Background()
	sections := []steps.Section{people.New(), New()}
	for _, s := range sections {
		p, err := s.Plan(ctx, env)
		if err != nil {
			t.Fatalf("%s plan: %v", s.ID(), err)
		}
		if !p.Pending() {
			t.Fatalf("%s: first plan has nothing to do", s.ID())
		}
		if err := s.Apply(ctx, env, func(steps.Event) {}); err != nil {
			t.Fatalf("%s apply: %v", s.ID(), err)
		}
	}
	f.sb.World.Lock()
	is := identitystore.From(f.sb.World)
	dana, _ := is.UserByName(f.store, "dana.builds")
	eli, _ := is.UserByName(f.store, "eli")
	f.sb.World.Unlock()
	if f.count("AWSReadOnlyAccess", dana, f.dev) != 1 || f.count("AWSPowerUserAccess", eli, f.prod) != 1 ||
		f.count("AWSReadOnlyAccess", f.aliceID, f.prod) != 1 || f.count("AWSReadOnlyAccess", f.bobID, f.dev) != 0 {
		t.Fatal("the sandbox does not hold what castle.yaml asks")
	}
	creates, deletes := f.requests(false), f.requests(true)

	for _, s := range sections {
		p, err := s.Plan(ctx, env)
		if err != nil {
			t.Fatal(err)
		}
		if p.Pending() {
			t.Fatalf("%s: rerun plan still has work: %+v", s.ID(), p.Actions)
		}
		var changed []string
		if err := s.Apply(ctx, env, func(e steps.Event) {
			if e.Kind == steps.EventDone {
				changed = append(changed, e.Step)
			}
		}); err != nil {
			t.Fatal(err)
		}
		if len(changed) > 0 {
			t.Fatalf("%s: rerun changed %s", s.ID(), strings.Join(changed, ", "))
		}
	}
	if f.requests(false) != creates || f.requests(true) != deletes {
		t.Fatal("the rerun sent requests to AWS")
	}
}
