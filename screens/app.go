package screens

import (
	"context"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
)

// Options configure the wizard.
type Options struct {
	Env      *steps.Env                    // shared env (journal, clock, answers, region, profile)
	Sections []steps.Section               // in steps.Order
	UIs      map[steps.SectionID]SectionUI // forms/custom screens per section; missing = generic flow without questions
	// Accessible is huh's accessible mode: forms become plain prompts, no
	// animation, no alternate screen, states in words.
	Accessible bool
	NoColor    bool // NO_COLOR: no colours, only bold/faint/reverse
	// ASCII forces plain ASCII markers; New also turns it on for TERM=dumb
	// and non-UTF-8 locales.
	ASCII   bool
	Version string
	Sandbox bool // shows a "SANDBOX — simulated AWS" badge in the header
	// Reconnect switches profile/region (rebuilds env.Config). Preflight
	// calls it through FormContext.Reconnect.
	Reconnect func(ctx context.Context, profile, region string) error
	// SaveAnswers, when set, writes castle.yaml (key w).
	SaveAnswers func() error
}

type screen int

const (
	screenHome screen = iota
	screenFlow
)

// App is the wizard: a tea.Model with pointer receivers.
type App struct {
	opts     Options
	env      *steps.Env
	ctx      context.Context // castle's own work (discovery, polling); cancelled on quit
	cancel   context.CancelFunc
	sections []steps.Section
	byID     map[steps.SectionID]steps.Section

	status   map[steps.SectionID]steps.Status
	discErr  map[steps.SectionID]error
	discGen  map[steps.SectionID]int
	identity *steps.Identity
	idErr    error
	workload string // "123456789012 (dev)"
	region   string // shown in the header; env.Region changes in Reconnect's goroutine

	flows   map[steps.SectionID]*flow
	current *flow // nil on the home screen
	cursor  int
	runSeq  int

	width, height int
	ready         bool
	isDark        bool
	showSections  bool // narrow screens: the full checklist instead of the strip
	quitAsk       bool
	quitting      bool
	flash         string
	flashSeq      int

	help              help.Model
	keys              keyMap
	spin              spinner.Model
	spinning, ticking bool
	st                styles
	mk                marks
}

// New builds the wizard. opts.Env must not be nil; opts.Env.Answers is
// created when nil.
func New(opts Options) *App {
	if opts.Env == nil {
		opts.Env = &steps.Env{}
	}
	if opts.Env.Answers == nil {
		opts.Env.Answers = &castlefile.File{}
	}
	if !opts.ASCII && wantASCII() {
		opts.ASCII = true
	}
	ctx, cancel := context.WithCancel(context.Background())
	a := &App{
		opts: opts, env: opts.Env, ctx: ctx, cancel: cancel,
		sections: opts.Sections,
		byID:     map[steps.SectionID]steps.Section{},
		status:   map[steps.SectionID]steps.Status{},
		discErr:  map[steps.SectionID]error{},
		discGen:  map[steps.SectionID]int{},
		flows:    map[steps.SectionID]*flow{},
		isDark:   true,
		keys:     newKeyMap(opts.ASCII),
		mk:       unicodeMarks,
	}
	if opts.ASCII {
		a.mk = asciiMarks
	}
	a.region = opts.Env.Region
	if a.region == "" {
		a.region = opts.Env.Answers.Region
	}
	for _, s := range opts.Sections {
		a.byID[s.ID()] = s
		a.status[s.ID()] = steps.Status{Section: s.ID(), State: steps.StateUnknown}
	}
	a.st = newStyles(a.isDark, opts.NoColor)
	a.help = help.New()
	a.help.Styles = a.helpStyles()
	if opts.ASCII {
		a.help.ShortSeparator, a.help.Ellipsis = " | ", "..."
	}
	a.spin = spinner.New(spinner.WithSpinner(a.mk.spinner), spinner.WithStyle(a.st.accent))
	return a
}

// Init starts discovery of every section at once, and asks who is signed in.
func (a *App) Init() tea.Cmd {
	return tea.Batch(a.discoverAll(), a.identityCmd(), a.workloadCmd(), tea.RequestBackgroundColor)
}

// Update routes messages: keys to the screen in front, results to whoever
// asked for them.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := a.update(msg)
	return a, tea.Batch(cmd, a.animate())
}

func (a *App) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.width, a.height = max(msg.Width, 1), max(msg.Height, 1)
		a.ready = true
		a.help.SetWidth(a.width)
		if a.current != nil {
			return a.current.resize()
		}
		return nil
	case tea.BackgroundColorMsg:
		a.isDark = msg.IsDark()
		a.st = newStyles(a.isDark, a.opts.NoColor)
		a.help.Styles = a.helpStyles()
		a.spin.Style = a.st.accent
		return a.forward(msg)
	case spinner.TickMsg:
		if msg.ID != a.spin.ID() {
			return a.forward(msg)
		}
		if !a.busy() || a.opts.Accessible {
			a.spinning = false
			return nil
		}
		var cmd tea.Cmd
		a.spin, cmd = a.spin.Update(msg)
		return cmd
	case clockTickMsg:
		a.ticking = false
		return nil
	case discoverMsg:
		return a.onDiscover(msg)
	case rediscoverMsg:
		if msg.gen == a.discGen[msg.id] && a.flows[msg.id] == nil {
			return a.discover(msg.id)
		}
		return nil
	case identityMsg:
		if msg.err != nil {
			a.identity, a.idErr = nil, msg.err
			return nil
		}
		id := msg.id
		a.identity, a.idErr = &id, nil
		return a.workloadCmd()
	case workloadMsg:
		if msg.err == nil && msg.account != "" {
			a.workload = msg.account
			if msg.name != "" {
				a.workload += " (" + msg.name + ")"
			}
		}
		return nil
	case ReconnectedMsg:
		a.identity, a.idErr, a.workload = nil, nil, ""
		if msg.Region != "" {
			a.region = msg.Region
		}
		return tea.Batch(a.identityCmd(), a.discoverAllExcept(steps.Preflight), a.forward(msg))
	case savedMsg:
		if msg.err != nil {
			return a.setFlash("Could not save castle.yaml: " + msg.err.Error())
		}
		return a.setFlash("Saved your answers to castle.yaml.")
	case flashClearMsg:
		if msg.seq == a.flashSeq {
			a.flash = ""
		}
		return nil
	case runEventMsg:
		if f := a.flows[msg.id]; f != nil && f.run != nil && f.run.seq == msg.seq {
			return tea.Batch(f.onEvent(msg.ev), f.run.wait())
		}
		return nil
	case runEndMsg:
		if f := a.flows[msg.id]; f != nil && f.run != nil && f.run.seq == msg.seq {
			cmd := f.onEnd(msg.err)
			return tea.Batch(cmd, a.discoverAfterRun(), a.identityRefresh(msg.id))
		}
		return nil
	case planMsg:
		if f := a.flows[msg.id]; f != nil {
			return f.onPlan(msg)
		}
		return nil
	case accessibleFormMsg:
		if f := a.flows[msg.id]; f != nil && f == a.current {
			return f.onAccessibleForm(msg.err)
		}
		return nil
	case tea.KeyPressMsg:
		return a.onKey(msg)
	}
	return a.forward(msg)
}

// forward hands a message to the section screen in front (forms need every
// message: their own field moves, cursor blinks, sizes).
func (a *App) forward(msg tea.Msg) tea.Cmd {
	if a.current == nil {
		return nil
	}
	return a.current.update(msg)
}

func (a *App) onKey(msg tea.KeyPressMsg) tea.Cmd {
	if a.quitAsk {
		switch {
		case key.Matches(msg, a.keys.Leave):
			return a.quit()
		case key.Matches(msg, a.keys.Stay):
			a.quitAsk = false
		}
		return nil
	}
	if key.Matches(msg, a.keys.ForceQuit) {
		if a.working() {
			a.quitAsk = true
			return nil
		}
		return a.quit()
	}
	if a.current != nil {
		return a.current.onKey(msg)
	}
	return a.homeKey(msg)
}

// quit leaves castle. It cancels only castle's own polling: nothing running
// on AWS is cancelled, and the journal lets the next run pick it up.
func (a *App) quit() tea.Cmd {
	a.quitting = true
	a.cancel()
	return tea.Quit
}

// working reports whether castle is following work right now (Apply or Resume).
func (a *App) working() bool {
	for _, f := range a.flows {
		if f.running() {
			return true
		}
	}
	return false
}

// busy reports whether something on screen moves: a run, a plan being
// worked out, discovery, or an operation in flight on AWS.
func (a *App) busy() bool {
	if a.working() {
		return true
	}
	for _, f := range a.flows {
		if f.state == stPlanning {
			return true
		}
	}
	for _, s := range a.status {
		if s.State == steps.StateInProgress || s.State == steps.StateUnknown {
			return true
		}
	}
	return false
}

// animate keeps the spinner (or, in accessible mode, a once-a-second clock)
// going while something is busy, and lets it stop otherwise.
func (a *App) animate() tea.Cmd {
	if !a.busy() {
		return nil
	}
	if a.opts.Accessible {
		if a.ticking {
			return nil
		}
		a.ticking = true
		return tea.Tick(time.Second, func(time.Time) tea.Msg { return clockTickMsg{} })
	}
	if a.spinning {
		return nil
	}
	a.spinning = true
	return a.spin.Tick
}

func (a *App) setFlash(s string) tea.Cmd {
	a.flash = s
	a.flashSeq++
	seq := a.flashSeq
	return tea.Tick(6*time.Second, func(time.Time) tea.Msg { return flashClearMsg{seq: seq} })
}

func (a *App) save() tea.Cmd {
	if a.opts.SaveAnswers == nil {
		return nil
	}
	save := a.opts.SaveAnswers
	return func() tea.Msg { return savedMsg{err: save()} }
}

// View draws the whole screen: header, checklist, body, footer.
func (a *App) View() tea.View {
	var v tea.View
	v.AltScreen = !a.opts.Accessible
	v.WindowTitle = "castle"
	if a.quitting {
		return v
	}
	if !a.ready {
		v.SetContent("starting castle…")
		return v
	}
	if a.current != nil {
		v.WindowTitle = "castle: " + a.current.sec.Title()
	}
	v.SetContent(a.layout())
	return v
}

// helpStyles are bubbles/help's styles, or bold/faint only with NoColor.
func (a *App) helpStyles() help.Styles {
	if !a.opts.NoColor {
		return help.DefaultStyles(a.isDark)
	}
	k, d := lipgloss.NewStyle().Bold(true), lipgloss.NewStyle()
	sep := lipgloss.NewStyle().Faint(true)
	return help.Styles{ShortKey: k, ShortDesc: d, ShortSeparator: sep, Ellipsis: sep, FullKey: k, FullDesc: d, FullSeparator: sep}
}
