package landingzone_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/headless"
	"github.com/castle-aws/castle/steps/landingzone"
)

// The `castle apply --only landing-zone --yes` path: one line per step, and a
// second run that says nothing changed.
func TestHeadlessApplyTwice(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{Speed: fast})
	env := answers(sb.Env())
	var out bytes.Buffer
	r := &headless.Runner{Env: env, Sections: []steps.Section{landingzone.New()}, Out: &out,
		Only: []steps.SectionID{steps.LandingZone}, Confirm: func(string) bool { return true }}
	if err := r.Apply(context.Background()); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	first := out.String()
	for _, want := range []string{"Created organization", "Created the Log Archive account", "The landing zone is active", "Registered the Sandbox OU"} {
		if !strings.Contains(first, want) {
			t.Errorf("first run lacks %q:\n%s", want, first)
		}
	}
	out.Reset()
	if err := r.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Nothing changed") {
		t.Fatalf("second run:\n%s", out.String())
	}
	t.Logf("first run:\n%s", first)
}
