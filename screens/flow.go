package screens

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"

	"github.com/castle-aws/castle/steps"
)

// planTimeout bounds a section's Plan (read-only calls).
const planTimeout = 2 * time.Minute

type flowState int

const (
	stAbout    flowState = iota // About + what exists
	stForm                      // the section's questions
	stCustom                    // the section's own screen
	stPlanning                  // Plan running
	stPlan                      // the plan, with commands
	stConfirm                   // asking before changing anything
	stApplying                  // Apply or Resume running
	stFinished                  // Apply or Resume ended (ok or failed)
)

// flow is the generic path through one section:
// About → Form → CustomScreen → Plan → confirm → Apply (or Resume).
type flow struct {
	a      *App
	sec    steps.Section
	ui     SectionUI
	status steps.Status
	state  flowState

	form   *huh.Form
	custom SectionModel

	planGen  int
	plan     steps.Plan
	planErr  error
	showCmds bool

	word    textinput.Model
	wordErr string

	run         *run
	prog        *progressLog
	runErr      error
	reconnected bool

	vp     viewport.Model
	follow bool
}

func newFlow(a *App, sec steps.Section, status steps.Status) *flow {
	f := &flow{a: a, sec: sec, status: status, ui: a.opts.UIs[sec.ID()]}
	f.vp = viewport.New()
	f.vp.KeyMap = viewport.KeyMap{} // scrolling is done by the flow's own keys
	return f
}

// start opens the section: straight to the progress view when AWS is working
// on it (Resume), else the About page.
func (f *flow) start() tea.Cmd {
	if f.status.State == steps.StateInProgress {
		return f.startRun(true)
	}
	f.state = stAbout
	return nil
}

// leftToDo reports that castle only followed AWS (Resume) and the section
// is not done yet: Resume starts nothing, so the rest needs a plan.
func (f *flow) leftToDo() bool {
	if f.run == nil || !f.run.resume || f.runErr != nil || f.state != stFinished {
		return false
	}
	switch f.a.status[f.sec.ID()].State {
	case steps.StateDone, steps.StateUnknown, steps.StateInProgress:
		return false
	}
	return true
}

func (f *flow) running() bool { return f.run != nil && !f.run.ended }

func (f *flow) waitingOnAWS() bool { return f.prog != nil && f.prog.waiting() }

// typing reports whether keys go to a text field (no single-letter shortcuts).
func (f *flow) typing() bool {
	return f.state == stForm || f.state == stCustom || (f.state == stConfirm && f.plan.ConfirmWord != "")
}

func (f *flow) formContext() FormContext {
	bw, _ := f.a.bodySize()
	ctx := FormContext{
		Env: f.a.env, Status: f.status, Answers: f.a.env.Answers,
		Width: bw, Accessible: f.a.opts.Accessible, NoColor: f.a.opts.NoColor,
	}
	if rc := f.a.opts.Reconnect; rc != nil {
		ctx.Reconnect = rc
	}
	return ctx
}

// next leaves the About page: form, custom screen, or plan.
func (f *flow) next() tea.Cmd {
	if f.status.State == steps.StateNotBuilt {
		return nil
	}
	if f.ui != nil {
		if form := f.ui.Form(f.formContext()); form != nil {
			return f.startForm(form)
		}
	}
	return f.afterForm()
}

func (f *flow) startForm(form *huh.Form) tea.Cmd {
	bw, _ := f.a.bodySize()
	form.SubmitCmd, form.CancelCmd = nil, nil
	form = form.WithShowHelp(false).WithWidth(bw).WithTheme(f.theme())
	if f.a.opts.NoColor {
		form = form.WithTheme(huh.ThemeFunc(huh.ThemeBase))
	}
	f.form = form
	f.state = stForm
	if f.a.opts.Accessible {
		id := f.sec.ID()
		return tea.Exec(&accessibleForm{form: form}, func(err error) tea.Msg { return accessibleFormMsg{id: id, err: err} })
	}
	return tea.Batch(form.Init(), f.resize())
}

func (f *flow) theme() huh.Theme { return huh.ThemeFunc(huh.ThemeCharm) }

func (f *flow) onAccessibleForm(err error) tea.Cmd {
	if f.state != stForm {
		return nil
	}
	f.form = nil
	if err != nil {
		f.state = stAbout
		return nil
	}
	return f.afterForm()
}

// afterForm goes to the custom screen when the section has one, else to the plan.
func (f *flow) afterForm() tea.Cmd {
	f.form = nil
	if cs, ok := f.ui.(CustomScreen); ok && f.ui != nil {
		f.custom = cs.NewModel(f.formContext())
		if f.custom != nil {
			f.state = stCustom
			return tea.Batch(f.custom.Init(), f.resize())
		}
	}
	return f.startPlan()
}

// startPlan runs the section's Plan in a Cmd.
func (f *flow) startPlan() tea.Cmd {
	f.state = stPlanning
	f.planGen++
	gen, id, sec, env, parent := f.planGen, f.sec.ID(), f.sec, f.a.env, f.a.ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, planTimeout)
		defer cancel()
		p, err := sec.Plan(ctx, env)
		return planMsg{id: id, gen: gen, plan: p, err: err}
	}
}

func (f *flow) onPlan(msg planMsg) tea.Cmd {
	if msg.gen != f.planGen || f.state != stPlanning {
		return nil
	}
	f.plan, f.planErr = msg.plan, msg.err
	f.state = stPlan
	f.showCmds = false
	f.vp.GotoTop()
	return nil
}

// confirm asks before changing anything: y/n, or a typed word.
func (f *flow) confirm() tea.Cmd {
	f.state = stConfirm
	f.wordErr = ""
	if f.plan.ConfirmWord == "" {
		return nil
	}
	f.word = textinput.New()
	// no placeholder: the word shown greyed in the field reads as already typed
	f.word.CharLimit = 64
	f.word.SetWidth(max(len(f.plan.ConfirmWord)+4, 20))
	f.word.SetStyles(textinput.DefaultStyles(f.a.isDark))
	return f.word.Focus()
}

// startRun starts Apply (or Resume when resume is true) in a goroutine.
func (f *flow) startRun(resume bool) tea.Cmd {
	f.a.runSeq++
	f.state = stApplying
	f.runErr = nil
	f.follow = true
	if resume {
		f.prog = newProgressLog(nil, f.status.Operations)
	} else {
		f.prog = newProgressLog(&f.plan, nil)
	}
	f.run = startRun(f.a.ctx, f.a.env, f.sec, resume, f.a.runSeq)
	return f.run.wait()
}

func (f *flow) onEvent(ev steps.Event) tea.Cmd {
	bell := f.prog.apply(ev)
	if f.follow {
		f.syncViewport()
		f.vp.GotoBottom()
	}
	if bell {
		return tea.Raw("\a")
	}
	return nil
}

func (f *flow) onEnd(err error) tea.Cmd {
	f.run.ended = true
	if errors.Is(err, context.Canceled) && f.a.quitting {
		return nil
	}
	f.runErr = err
	f.state = stFinished
	if err != nil {
		f.prog.fail(err)
	} else {
		f.prog.finish()
	}
	if f.follow {
		// the failure and its next step are the last lines: keep them in view
		f.syncViewport()
		f.vp.GotoBottom()
	}
	return tea.Raw("\a")
}

// resize passes the body's size to the form or custom screen.
func (f *flow) resize() tea.Cmd {
	bw, bh := f.a.bodySize()
	size := tea.WindowSizeMsg{Width: bw, Height: max(bh-2, 3)}
	switch {
	case f.state == stForm && f.form != nil && !f.a.opts.Accessible:
		f.form = f.form.WithWidth(bw)
		return f.updateForm(size)
	case f.state == stCustom && f.custom != nil:
		return f.updateCustom(size)
	}
	return nil
}

// update handles a non-key message for the screen in front.
func (f *flow) update(msg tea.Msg) tea.Cmd {
	if _, ok := msg.(ReconnectedMsg); ok {
		f.reconnected = true
	}
	switch f.state {
	case stForm:
		if f.form != nil && !f.a.opts.Accessible {
			return f.updateForm(msg)
		}
	case stCustom:
		return f.updateCustom(msg)
	case stConfirm:
		if f.plan.ConfirmWord != "" {
			var cmd tea.Cmd
			f.word, cmd = f.word.Update(msg)
			return cmd
		}
	}
	return nil
}

func (f *flow) updateForm(msg tea.Msg) tea.Cmd {
	m, cmd := f.form.Update(msg)
	if ff, ok := m.(*huh.Form); ok {
		f.form = ff
	}
	switch f.form.State {
	case huh.StateCompleted:
		return tea.Batch(cmd, f.afterForm())
	case huh.StateAborted:
		f.form = nil
		f.state = stAbout
		return nil
	}
	return cmd
}

func (f *flow) updateCustom(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	f.custom, cmd = f.custom.Update(msg)
	if f.custom.Done() {
		return tea.Batch(cmd, f.startPlan())
	}
	return cmd
}

// wantsKey reports whether one of the custom screen's enabled keys matches.
func (f *flow) wantsKey(msg tea.KeyPressMsg) bool {
	for _, b := range f.custom.Keys() {
		if b.Enabled() && key.Matches(msg, b) {
			return true
		}
	}
	return false
}

func (f *flow) onKey(msg tea.KeyPressMsg) tea.Cmd {
	a, k := f.a, f.a.keys
	if !f.typing() {
		switch {
		case key.Matches(msg, k.Help):
			a.help.ShowAll = !a.help.ShowAll
			return nil
		case !a.wide() && key.Matches(msg, k.Sections):
			a.showSections = !a.showSections
			return nil
		}
		if f.scrollKey(msg) {
			return nil
		}
	} else if f.state == stConfirm && (key.Matches(msg, k.PageUp) || key.Matches(msg, k.PageDown)) {
		// typing the confirm word: the page keys still scroll the plan above
		f.scrollKey(msg)
		return nil
	}
	switch f.state {
	case stAbout:
		switch {
		case key.Matches(msg, k.Continue):
			return f.next()
		case key.Matches(msg, k.Back):
			return a.home()
		}
	case stForm:
		if key.Matches(msg, k.Back) && !f.formWantsEsc() {
			f.form = nil
			f.state = stAbout
			return nil
		}
		if f.form != nil && !a.opts.Accessible {
			return f.updateForm(msg)
		}
	case stCustom:
		if key.Matches(msg, k.Back) && !f.wantsKey(msg) {
			f.custom = nil
			f.state = stAbout
			return nil
		}
		return f.updateCustom(msg)
	case stPlanning:
		if key.Matches(msg, k.Back) {
			f.planGen++
			f.state = stAbout
		}
	case stPlan:
		return f.planKey(msg)
	case stConfirm:
		return f.confirmKey(msg)
	case stApplying:
		switch {
		case key.Matches(msg, k.Back):
			return a.home()
		case key.Matches(msg, k.Commands):
			f.showCmds = !f.showCmds
		}
	case stFinished:
		switch {
		case key.Matches(msg, k.Continue) && f.leftToDo():
			return f.startPlan()
		case key.Matches(msg, k.Continue) && f.runErr == nil:
			// done: the checklist opens on the section after this one
			cmd := a.home()
			a.cursor = min(a.cursor+1, len(a.sections)-1)
			return cmd
		case key.Matches(msg, k.Continue), key.Matches(msg, k.Back):
			return a.home()
		case f.runErr != nil && key.Matches(msg, k.Retry):
			return f.startPlan()
		}
	}
	return nil
}

func (f *flow) planKey(msg tea.KeyPressMsg) tea.Cmd {
	a, k := f.a, f.a.keys
	switch {
	case key.Matches(msg, k.Back):
		f.state = stAbout
	case f.planErr != nil && key.Matches(msg, k.Retry):
		return f.startPlan()
	case f.planErr != nil:
	case key.Matches(msg, k.Continue):
		if !f.plan.Pending() {
			return a.home()
		}
		return f.confirm()
	case key.Matches(msg, k.Commands):
		f.showCmds = !f.showCmds
	case key.Matches(msg, k.Copy):
		cmds := f.commands()
		if len(cmds) == 0 {
			return a.setFlash("There are no commands to copy.")
		}
		f.showCmds = true
		return tea.Batch(tea.SetClipboard(strings.Join(cmds, "\n")+"\n"),
			a.setFlash("Copied "+plural(len(cmds), "command")+" to the clipboard (if your terminal allows it)."))
	}
	return nil
}

func (f *flow) confirmKey(msg tea.KeyPressMsg) tea.Cmd {
	k := f.a.keys
	if f.plan.ConfirmWord == "" {
		switch {
		case key.Matches(msg, k.Yes):
			return f.startRun(false)
		case key.Matches(msg, k.No):
			f.state = stPlan
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Back):
		f.state = stPlan
		return nil
	case msg.Code == tea.KeyEnter:
		if strings.TrimSpace(f.word.Value()) == f.plan.ConfirmWord {
			f.word.Blur()
			return f.startRun(false)
		}
		f.wordErr = "That is not " + f.plan.ConfirmWord + ". Type it exactly as shown, or press esc to go back."
		return nil
	}
	f.wordErr = ""
	var cmd tea.Cmd
	f.word, cmd = f.word.Update(msg)
	return cmd
}

// keys are the bindings that work on this screen now.
func (f *flow) keys() []key.Binding {
	k := f.a.keys
	scroll := f.scrollKeys()
	switch f.state {
	case stAbout:
		if f.status.State == steps.StateNotBuilt {
			return append([]key.Binding{k.Back}, scroll...)
		}
		c := k.Continue
		if f.ui != nil {
			c.SetHelp("enter", "answer the questions")
		} else {
			c.SetHelp("enter", "see the plan")
		}
		return append([]key.Binding{c, k.Back}, scroll...)
	case stForm:
		var ks []key.Binding
		if f.form != nil && !f.a.opts.Accessible {
			ks = append(ks, f.form.KeyBinds()...)
		}
		back := k.Back
		back.SetHelp("esc", "leave form")
		back.SetEnabled(!f.formWantsEsc())
		return append(ks, back)
	case stCustom:
		ks := f.custom.Keys()
		back := k.Back
		if f.wantsKeyEsc() {
			back.SetEnabled(false)
		}
		return append(ks, back)
	case stPlanning:
		return []key.Binding{k.Back}
	case stPlan:
		if f.planErr != nil {
			return append([]key.Binding{k.Retry, k.Back}, scroll...)
		}
		c := k.Continue
		if !f.plan.Pending() {
			c.SetHelp("enter", "back to the checklist")
		}
		cm := k.Commands
		if f.showCmds {
			cm.SetHelp("c", "hide commands")
		}
		return append([]key.Binding{c, cm, k.Copy, k.Back}, scroll...)
	case stConfirm:
		if f.plan.ConfirmWord == "" {
			return append([]key.Binding{k.Yes, k.No}, scroll...)
		}
		c := k.Continue
		c.SetHelp("enter", "confirm")
		return append([]key.Binding{c, k.Back}, scroll...)
	case stApplying:
		back := k.Back
		back.SetHelp("esc", "checklist (work goes on)")
		return append([]key.Binding{back}, scroll...)
	case stFinished:
		c := k.Continue
		c.SetHelp("enter", "back to the checklist")
		if f.runErr != nil {
			return append([]key.Binding{k.Retry, c}, scroll...)
		}
		if f.leftToDo() {
			c.SetHelp("enter", "see the plan")
			return append([]key.Binding{c, k.Back}, scroll...)
		}
		return append([]key.Binding{c}, scroll...)
	}
	return nil
}

func (f *flow) wantsKeyEsc() bool {
	return f.custom != nil && f.wantsKey(tea.KeyPressMsg{Code: tea.KeyEscape})
}

// commands are the equivalent aws/docker commands of the plan: those of the
// pending actions, or all of them when nothing is pending.
func (f *flow) commands() []string {
	var out []string
	pending := f.plan.Pending()
	for _, act := range f.plan.Actions {
		if pending && act.Skip {
			continue
		}
		out = append(out, act.Commands...)
	}
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return itoa(n) + " " + word + "s"
}

// view draws the body of the section screen in w x h cells.
func (f *flow) view(w, h int) string {
	a := f.a
	title := a.st.title.Render(f.sec.Title())
	switch f.state {
	case stForm:
		if a.opts.Accessible || f.form == nil {
			return title + "\n\nAnswer the questions in the terminal below."
		}
		form := f.form.View()
		if lipgloss.Height(form)+2 > h {
			// a validation message made the form taller than the body: the
			// section's name is in the strip or panel already, the message
			// is not anywhere else
			return fit(form, w, h)
		}
		return fit(title+"\n\n"+form, w, h)
	case stCustom:
		return title + "\n\n" + fit(f.custom.View(w, max(h-2, 1)), w, max(h-2, 1))
	case stPlanning:
		return title + "\n\n" + a.marker(steps.StateInProgress) + " Working out what castle would do (nothing changes yet)…"
	}
	content, bottom := f.scrollable(min(w, textWidth))
	return f.scrolled(content, bottom, w, h)
}

// scrollable is the body of the About, plan, confirm and progress screens:
// a scrolling part and a part that stays at the bottom.
func (f *flow) scrollable(w int) (string, string) {
	switch f.state {
	case stAbout:
		return f.aboutView(w), ""
	case stPlan, stConfirm:
		return f.planView(w), f.planBottom(w)
	case stApplying, stFinished:
		return f.progressView(w), f.progressBottom(w)
	}
	return "", ""
}

// viewportHeight is how many lines of content fit above bottom in h lines,
// leaving one line for the scroll hint when the content does not fit.
func viewportHeight(content, bottom string, h int) (int, bool) {
	vh := h
	if bottom != "" {
		vh -= lipgloss.Height(bottom) + 1
	}
	if lipgloss.Height(content) > vh {
		return max(vh-1, 1), true
	}
	return max(vh, 1), false
}

// scrolled shows content in a viewport above bottom, with a scroll hint.
func (f *flow) scrolled(content, bottom string, w, h int) string {
	vh, over := viewportHeight(content, bottom, h)
	vp := f.vp
	vp.SetWidth(w)
	vp.SetHeight(vh)
	vp.SetContent(content)
	out := vp.View()
	if over {
		out += "\n" + f.a.st.faint.Render("pgup/pgdn to scroll, "+itoa(int(vp.ScrollPercent()*100))+"%")
	}
	if bottom != "" {
		out += "\n\n" + bottom
	}
	return fit(out, w, h)
}

// syncViewport gives the flow's viewport the current content and size so
// scrolling knows its limits.
func (f *flow) syncViewport() {
	bw, bh := f.a.bodySize()
	content, bottom := f.scrollable(min(bw, textWidth))
	vh, _ := viewportHeight(content, bottom, bh)
	f.vp.SetWidth(bw)
	f.vp.SetHeight(vh)
	f.vp.SetContent(content)
}

func (f *flow) scrollKeys() []key.Binding {
	switch f.state {
	case stAbout, stPlan, stConfirm, stApplying, stFinished:
	default:
		return nil
	}
	f.syncViewport()
	if f.vp.TotalLineCount() <= f.vp.Height() {
		return nil
	}
	return []key.Binding{f.a.keys.Scroll}
}

func (f *flow) scrollKey(msg tea.KeyPressMsg) bool {
	switch f.state {
	case stAbout, stPlan, stConfirm, stApplying, stFinished:
	default:
		return false
	}
	k := f.a.keys
	f.syncViewport()
	switch {
	case key.Matches(msg, k.PageUp):
		f.vp.PageUp()
	case key.Matches(msg, k.PageDown):
		f.vp.PageDown()
	case key.Matches(msg, k.Up):
		f.vp.ScrollUp(1)
	case key.Matches(msg, k.Down):
		f.vp.ScrollDown(1)
	default:
		return false
	}
	f.follow = f.vp.AtBottom()
	return true
}

// accessibleForm runs a form as plain prompts while the program steps aside
// (tea.Exec), for screen readers.
type accessibleForm struct {
	form *huh.Form
	in   io.Reader
	out  io.Writer
}

func (x *accessibleForm) Run() error {
	f := x.form.WithAccessible(true)
	if x.in != nil {
		f = f.WithInput(x.in)
	}
	if x.out != nil {
		f = f.WithOutput(downsampled{x.out})
	}
	return f.Run()
}

// downsampled passes the plain prompts through lipgloss, which drops the
// colours and styles the terminal cannot show (TERM=dumb, NO_COLOR), as the
// program's own renderer does for the rest of the screen.
type downsampled struct{ w io.Writer }

func (d downsampled) Write(p []byte) (int, error) {
	if _, err := lipgloss.Fprint(d.w, string(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (x *accessibleForm) SetStdin(r io.Reader)  { x.in = r }
func (x *accessibleForm) SetStdout(w io.Writer) { x.out = w }
func (x *accessibleForm) SetStderr(io.Writer)   {}

// formWantsEsc reports whether the focused field uses esc itself (a select
// being filtered, or with a filter to clear): then esc goes to the form
// instead of leaving it.
func (f *flow) formWantsEsc() bool {
	if f.form == nil || f.a.opts.Accessible {
		return false
	}
	esc := tea.KeyPressMsg{Code: tea.KeyEscape}
	for _, b := range f.form.KeyBinds() {
		if b.Enabled() && key.Matches(esc, b) {
			return true
		}
	}
	return false
}
