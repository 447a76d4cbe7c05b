package environments_test

import (
	"strings"
	"testing"
	"time"

	"github.com/castle-aws/castle/screens"
	scenv "github.com/castle-aws/castle/screens/environments"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
	se "github.com/castle-aws/castle/steps/environments"
)

// TestProgressShowsOneLinePerAccount goes through the wizard's flow for the
// section against the sandbox and watches three accounts being created at
// once, each on its own line with AWS's status and its time.
func TestProgressShowsOneLinePerAccount(t *testing.T) {
	_, env := startScreen(t, 30) // 20 virtual minutes take 40 s: long enough to watch
	env.Answers.Environments = []castlefile.Account{
		{Name: "alpha.dev", Email: "alpha@example.com", OU: "Sandbox", Owner: "ana"},
		{Name: "beta.dev", Email: "beta@example.com", OU: "Sandbox", Owner: "ana"},
		{Name: "gamma.dev", Email: "gamma@example.com", OU: "Sandbox", Owner: "ana"},
	}
	app := screens.New(screens.Options{Env: env, Sections: []steps.Section{se.New()},
		UIs: map[steps.SectionID]screens.SectionUI{steps.Environments: scenv.UI()}, ASCII: true})
	d := newDriver(t, app, func() string { return app.View().Content }, 110, 40)
	d.waitText("Environments")
	d.key("enter")
	d.waitText("up to five at a time")
	d.key("enter")
	d.waitText("To create (3)", "alpha.dev", "beta.dev", "gamma.dev")
	d.key("enter")
	d.waitText("Create account alpha.dev", "Create account gamma.dev")
	d.key("enter")
	d.waitText("(y/n)")
	d.key("y")
	s := d.waitFor("three accounts in progress", 20*time.Second, func(s string) bool {
		return strings.Count(s, "AWS says IN_PROGRESS") == 3
	})
	for _, name := range []string{"alpha.dev", "beta.dev", "gamma.dev"} {
		line := ""
		for _, l := range strings.Split(s, "\n") {
			if strings.Contains(l, "account "+name) {
				line = l
			}
		}
		if line == "" {
			t.Fatalf("no line for %s:\n%s", name, s)
		}
	}
	if !strings.Contains(s, "so far") || !strings.Contains(s, "left") {
		t.Fatalf("no elapsed time and ETA:\n%s", s)
	}
	d.key("ctrl+c", "y") // leave castle: its context ends the wait
}
