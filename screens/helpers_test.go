package screens_test

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/castle-aws/castle/screens"
	"github.com/castle-aws/castle/screens/internal/fake"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
)

var t0 = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

// journey is nine fake sections in every state the checklist knows.
type journey struct {
	clock *fake.Clock
	env   *steps.Env
	secs  []steps.Section
	by    map[steps.SectionID]*fake.Section
}

func newJourney() *journey {
	clock := fake.NewClock(t0)
	j := &journey{clock: clock, by: map[steps.SectionID]*fake.Section{}}
	j.env = &steps.Env{Clock: clock, Region: "eu-west-1", Answers: &castlefile.File{}}
	add := func(s *fake.Section) { j.secs = append(j.secs, s); j.by[s.ID()] = s }

	pre := fake.New(steps.Preflight, "Preflight", steps.StateDone, "signed in as alice")
	pre.Price = "free"
	add(pre)
	lz := fake.New(steps.LandingZone, "Landing zone", steps.StateInProgress, "Control Tower is working")
	lz.SetStatus(steps.Status{State: steps.StateInProgress, Summary: "Control Tower is working", Operations: []steps.Operation{{
		Key: "landing-zone", Name: "Setting up the landing zone", StartedAt: t0.Add(-20 * time.Minute), Expected: time.Hour, Status: "IN_PROGRESS",
	}}}, nil)
	lz.Price = "about $5 a month"
	add(lz)
	add(fake.New(steps.People, "People", steps.StateNotStarted, ""))
	envs := fake.New(steps.Environments, "Environments", steps.StateBlocked, "")
	envs.SetStatus(steps.Status{State: steps.StateBlocked, Blocker: "Finish the Landing zone first."}, nil)
	add(envs)
	add(fake.New(steps.Access, "Access", steps.StateNotStarted, ""))
	add(fake.New(steps.Registry, "Registry", steps.StateNotStarted, ""))
	netw := fake.New(steps.Network, "Network", steps.StateNotStarted, "")
	netw.SetStatus(steps.Status{}, &steps.UserError{Message: "AWS refused to list VPCs.", Next: "Finish Access first."})
	add(netw)
	j.secs = append(j.secs,
		steps.NotBuilt{SectionID: steps.Service, Name: "Service", Text: "Runs your container."},
		steps.NotBuilt{SectionID: steps.Pipeline, Name: "Pipeline", Text: "Deploys on every push."})
	return j
}

func (j *journey) app(opts screens.Options) *screens.App {
	opts.Env = j.env
	opts.Sections = j.secs
	return screens.New(opts)
}

var sectionTitles = []string{"Preflight", "Landing zone", "People", "Environments", "Access", "Registry", "Network", "Service", "Pipeline"}

// driver runs a model without a Program: Update on the test goroutine, Cmds
// in goroutines whose messages come back on a channel. Spinner ticks are
// dropped (they would never let it settle).
type driver struct {
	t     *testing.T
	m     tea.Model
	msgs  chan tea.Msg
	quit  bool
	clip  string
	raw   []string
	mu    sync.Mutex
	inbox int
}

func newDriver(t *testing.T, m tea.Model, w, h int) *driver {
	d := &driver{t: t, m: m, msgs: make(chan tea.Msg, 1024)}
	d.run(m.Init())
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	d.settle()
	return d
}

func (d *driver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() { d.msgs <- cmd() }()
}

// send gives one message to Update and starts the Cmd it returns.
func (d *driver) send(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
		return
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
		return
	case spinner.TickMsg:
		return
	case tea.QuitMsg:
		d.quit = true
		return
	case tea.RawMsg:
		d.raw = append(d.raw, ansi.Strip(toString(msg.Msg)))
		return
	}
	v := reflect.ValueOf(msg)
	if v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
		cmds := make([]tea.Cmd, v.Len())
		for i := range cmds {
			cmds[i] = v.Index(i).Interface().(tea.Cmd)
		}
		go func() { // a Sequence: one after another
			for _, c := range cmds {
				if c != nil {
					d.msgs <- c()
				}
			}
		}()
		return
	}
	if v.Kind() == reflect.String && strings.Contains(v.Type().String(), "setClipboard") {
		d.clip = v.String()
		return
	}
	m, cmd := d.m.Update(msg)
	d.m = m
	d.run(cmd)
}

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

// settle feeds messages back until none comes for a short while.
func (d *driver) settle() {
	for {
		select {
		case msg := <-d.msgs:
			d.send(msg)
		case <-time.After(80 * time.Millisecond):
			return
		}
	}
}

// key presses a key by name ("enter", "esc", "ctrl+c", "tab", or one rune).
func (d *driver) key(names ...string) {
	for _, n := range names {
		d.send(keyMsg(n))
		d.settle()
	}
}

func (d *driver) typeText(s string) {
	for _, r := range s {
		d.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	d.settle()
}

func keyMsg(name string) tea.KeyPressMsg {
	switch name {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(name)[0]
	return tea.KeyPressMsg{Code: r, Text: name}
}

func (d *driver) screen() string { return ansi.Strip(d.m.View().Content) }

// waitFor settles until the screen satisfies cond.
func (d *driver) waitFor(what string, cond func(string) bool) string {
	d.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		d.settle()
		s := d.screen()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("waiting for %s; screen:\n%s", what, s)
		}
	}
}

func (d *driver) waitText(texts ...string) string {
	d.t.Helper()
	return d.waitFor(strings.Join(texts, " + "), func(s string) bool { return containsAll(s, texts...) })
}

func containsAll(s string, texts ...string) bool {
	for _, t := range texts {
		if !strings.Contains(s, t) {
			return false
		}
	}
	return true
}

// checkFits fails when a frame is wider or taller than the terminal.
func checkFits(t *testing.T, screen string, w, h int) {
	t.Helper()
	lines := strings.Split(screen, "\n")
	if len(lines) > h {
		t.Errorf("frame is %d lines, terminal has %d:\n%s", len(lines), h, screen)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d cells wide, terminal has %d: %q", i+1, n, w, l)
		}
	}
}

// recorder wraps a model in a Program and keeps its last frame (stripped),
// so teatest tests can look at the whole screen, not the incremental stream.
type recorder struct {
	m      tea.Model
	mu     sync.Mutex
	screen string
}

func (r *recorder) Init() tea.Cmd { return r.m.Init() }

func (r *recorder) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := r.m.Update(msg)
	r.m = m
	return r, cmd
}

func (r *recorder) View() tea.View {
	v := r.m.View()
	r.mu.Lock()
	r.screen = ansi.Strip(v.Content)
	r.mu.Unlock()
	return v
}

func (r *recorder) last() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.screen
}

func waitScreen(t *testing.T, r *recorder, what string, cond func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if s := r.last(); cond(s) {
			return s
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("waiting for %s; screen:\n%s", what, r.last())
	return ""
}

var errBoom = errors.New("boom")
