package preflight_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/castle-aws/castle/screens"
	"github.com/castle-aws/castle/screens/preflight"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
	pf "github.com/castle-aws/castle/steps/preflight"
)

func profiles() ([]pf.Profile, error) {
	return []pf.Profile{{Name: ""}, {Name: "dev", SSO: true, Region: "eu-west-2"}, {Name: "prod", Region: "us-east-1"}}, nil
}

// run executes a Cmd with a short deadline (blinks and spinners never end)
// and returns the messages it produced, batches and sequences expanded.
func run(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-ch:
	case <-time.After(300 * time.Millisecond): // cursor blinks (~0.5 s) never end
		return nil
	}
	switch m := msg.(type) {
	case nil, spinner.TickMsg:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range m {
			out = append(out, run(c)...)
		}
		return out
	}
	if cmds, ok := asCmds(msg); ok {
		var out []tea.Msg
		for _, c := range cmds {
			out = append(out, run(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// asCmds unpacks tea.Sequence's message (an unexported []tea.Cmd).
func asCmds(msg tea.Msg) ([]tea.Cmd, bool) {
	type cmdSlice = []tea.Cmd
	switch v := msg.(type) {
	case cmdSlice:
		return v, true
	}
	return reflectCmds(msg)
}

// driveForm sends msgs to the form, feeding its own messages back.
func driveForm(f *huh.Form, msgs ...tea.Msg) *huh.Form {
	queue := append(run(f.Init()), msgs...)
	for steps := 0; len(queue) > 0 && steps < 500; steps++ {
		msg := queue[0]
		queue = queue[1:]
		m, cmd := f.Update(msg)
		f = m.(*huh.Form)
		queue = append(run(cmd), queue...)
	}
	return f
}

func TestFormListsProfilesAndPutsTheProfileRegionFirst(t *testing.T) {
	ans := &castlefile.File{}
	env := &steps.Env{Answers: ans}
	ui := preflight.UI{ListProfiles: profiles, Regions: pf.Regions}
	f := ui.Form(screens.FormContext{Env: env, Answers: ans, Width: 80})
	f = driveForm(f, tea.WindowSizeMsg{Width: 80, Height: 20})
	v := ansi.Strip(f.View())
	if !strings.Contains(v, "default credential chain") || !strings.Contains(v, "dev (SSO)") {
		t.Fatalf("profiles not listed:\n%s", v)
	}
	f = driveForm(f, tea.KeyPressMsg{Code: tea.KeyDown}, tea.KeyPressMsg{Code: tea.KeyEnter})
	v = ansi.Strip(f.View())
	if !strings.Contains(v, "Which region?") {
		t.Fatalf("no region question after the profile:\n%s", v)
	}
	if i, j := strings.Index(v, "eu-west-2"), strings.Index(v, "us-east-1"); i < 0 || (j >= 0 && j < i) {
		t.Errorf("dev's region eu-west-2 is not first:\n%s", v)
	}
	f = driveForm(f, tea.KeyPressMsg{Code: tea.KeyEnter})
	if f.State != huh.StateCompleted {
		t.Fatalf("form state %v", f.State)
	}
	if ans.Profile != "dev" || ans.Region != "eu-west-2" {
		t.Errorf("answers: profile %q region %q", ans.Profile, ans.Region)
	}
}

func TestSandboxAsksOnlyTheRegion(t *testing.T) {
	ans := &castlefile.File{}
	env := &steps.Env{Answers: ans, Sandbox: true, Region: "eu-central-1"}
	ui := preflight.UI{ListProfiles: profiles, Regions: pf.Regions}
	f := driveForm(ui.Form(screens.FormContext{Env: env, Answers: ans, Width: 80}), tea.WindowSizeMsg{Width: 80, Height: 20})
	v := ansi.Strip(f.View())
	if strings.Contains(v, "Which AWS profile?") || !strings.Contains(v, "Which region?") || !strings.Contains(v, "eu-central-1") {
		t.Errorf("sandbox form:\n%s", v)
	}
}

type checker struct {
	mu      sync.Mutex
	calls   int
	results []func() (pf.Result, error)
}

func (c *checker) check(ctx context.Context, env *steps.Env) (pf.Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := min(c.calls, len(c.results)-1)
	c.calls++
	return c.results[i]()
}

func newScreen(t *testing.T, c *checker, reconnect func(context.Context, string, string) error) (screens.SectionModel, []tea.Msg) {
	t.Helper()
	ans := &castlefile.File{Profile: "dev", Region: "eu-west-2"}
	env := &steps.Env{Answers: ans, Profile: "dev", Region: "eu-west-2"}
	ui := preflight.UI{ListProfiles: profiles, Regions: pf.Regions, Check: c.check}
	m := ui.NewModel(screens.FormContext{Env: env, Answers: ans, Width: 80, Reconnect: reconnect})
	var out []tea.Msg
	for _, msg := range run(m.Init()) {
		var cmd tea.Cmd
		m, cmd = m.Update(msg)
		out = append(out, run(cmd)...)
	}
	return m, out
}

func TestRootUserGetsALoudWarningAndTheMFALink(t *testing.T) {
	off := false
	c := &checker{results: []func() (pf.Result, error){func() (pf.Result, error) {
		return pf.Result{Identity: steps.Identity{Account: "111122223333", ARN: "arn:aws:iam::111122223333:root"}, Root: true,
			RootMFA: &off, MFAConsoleURL: pf.MFAConsoleURL, Warnings: []string{pf.RootWarning, "The root user of account 111122223333 has no MFA."}}, nil
	}}}
	m, _ := newScreen(t, c, nil)
	v := ansi.Strip(m.View(80, 20))
	for _, want := range []string{"ROOT USER", "111122223333", "cannot be limited", "will refuse to run as root", "has no MFA", "Turn on MFA here: " + pf.MFAConsoleURL, "aws sts get-caller-identity"} {
		if !strings.Contains(v, want) {
			t.Errorf("root screen misses %q:\n%s", want, v)
		}
	}
}

func TestExpiredSSOShowsTheLoginCommandAndRRetries(t *testing.T) {
	c := &checker{results: []func() (pf.Result, error){
		func() (pf.Result, error) {
			return pf.Result{}, &steps.UserError{Message: `Your AWS sign-in for profile "dev" has expired.`, Next: "Run `aws sso login --profile dev` in another terminal, then retry."}
		},
		func() (pf.Result, error) {
			on := true
			return pf.Result{Identity: steps.Identity{Account: "111122223333", ARN: "arn:aws:sts::111122223333:assumed-role/Admin/alice"}, RootMFA: &on}, nil
		},
	}}
	var reconnects []string
	var mu sync.Mutex
	reconnect := func(_ context.Context, p, r string) error {
		mu.Lock()
		reconnects = append(reconnects, p+"/"+r)
		mu.Unlock()
		return nil
	}
	m, msgs := newScreen(t, c, reconnect)
	v := ansi.Strip(m.View(80, 20))
	if !strings.Contains(v, "has expired") || !strings.Contains(v, "aws sso login --profile dev") || !strings.Contains(v, "Press r") {
		t.Fatalf("expired sign-in screen:\n%s", v)
	}
	if len(msgs) != 1 || msgs[0] != (screens.ReconnectedMsg{Profile: "dev", Region: "eu-west-2"}) {
		t.Errorf("after reconnecting the shell is not told: %#v", msgs)
	}
	if m.Done() {
		t.Fatal("done after a failed check")
	}
	m, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if m.Done() || cmd != nil {
		t.Fatal("enter went on after a failed check")
	}
	m, cmd = m.Update(tea.KeyPressMsg{Code: 'r', Text: "r"})
	for _, msg := range run(cmd) {
		m, _ = m.Update(msg)
	}
	v = ansi.Strip(m.View(80, 20))
	if !strings.Contains(v, "arn:aws:sts::111122223333:assumed-role/Admin/alice") || strings.Contains(v, "expired") {
		t.Fatalf("after r:\n%s", v)
	}
	if c.calls != 2 || len(reconnects) != 2 || reconnects[0] != "dev/eu-west-2" {
		t.Errorf("checks %d, reconnects %v", c.calls, reconnects)
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if !m.Done() {
		t.Error("enter after a good check does not go on")
	}
}

func TestMFAWarningLinksOnceAndTheCommandFitsAt80(t *testing.T) {
	off := false
	c := &checker{results: []func() (pf.Result, error){func() (pf.Result, error) {
		return pf.Result{Identity: steps.Identity{Account: "111122223333", ARN: "arn:aws:iam::111122223333:user/castle-admin"},
			RootMFA: &off, MFAConsoleURL: pf.MFAConsoleURL,
			Warnings: []string{"The root user has no MFA: turn MFA on at " + pf.MFAConsoleURL + " (sign in as root once to do it)."}}, nil
	}}}
	ans := &castlefile.File{Profile: "dev", Region: "eu-west-2"}
	env := &steps.Env{Answers: ans, Profile: "dev", Region: "eu-west-2", EndpointURL: "http://127.0.0.1:45678/a/rather/long/path/for/the/sandbox"}
	ui := preflight.UI{ListProfiles: profiles, Regions: pf.Regions, Check: c.check}
	m := ui.NewModel(screens.FormContext{Env: env, Answers: ans, Width: 80})
	for _, msg := range run(m.Init()) {
		var cmd tea.Cmd
		m, cmd = m.Update(msg)
		for _, msg := range run(cmd) {
			m, _ = m.Update(msg)
		}
	}
	v := ansi.Strip(m.View(80, 30))
	if n := strings.Count(v, pf.MFAConsoleURL); n != 1 {
		t.Errorf("the MFA link shows %d times:\n%s", n, v)
	}
	if strings.Contains(v, "All good") {
		t.Errorf("'All good' under a warning:\n%s", v)
	}
	for _, l := range strings.Split(v, "\n") {
		if ansi.StringWidth(l) > 80 {
			t.Errorf("line wider than 80: %q", l)
		}
	}
	if !strings.Contains(v, "aws sts get-caller-identity") {
		t.Errorf("no command:\n%s", v)
	}
}
