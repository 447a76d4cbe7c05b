package screens

import (
	"fmt"
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/castle-aws/castle/steps"
)

const (
	// wideFrom is the width from which the checklist sits on the left of a
	// section screen; below it, it shrinks to a one-line strip on top.
	wideFrom = 96
	// textWidth is the widest a paragraph gets: long lines are hard to read.
	textWidth = 110
)

// panelWidth is the width of the checklist on the left.
func (a *App) panelWidth() int {
	if a.width >= 140 {
		return 34
	}
	return 30
}

func (a *App) wide() bool { return a.width >= wideFrom }

// layout is the one layout of every screen.
func (a *App) layout() string {
	w := a.width
	header := a.headerView(w)
	footer := fit(a.footerView(w), w, a.footerHeight(w))
	bodyH := max(a.height-lipgloss.Height(header)-a.footerHeight(w), 1)

	var main string
	switch {
	case a.current == nil:
		main = a.homeView(w, bodyH)
	case a.wide():
		bw, bh := a.bodySize()
		pw := a.panelWidth()
		panel := lipgloss.NewStyle().Width(pw).Render(pad(a.panelView(pw-1, bodyH), pw-1, bodyH))
		sep := strings.TrimSuffix(strings.Repeat(a.st.rule.Render("│")+"\n", bodyH), "\n")
		if a.mk.rule == "-" {
			sep = strings.TrimSuffix(strings.Repeat("|\n", bodyH), "\n")
		}
		body := pad(a.current.view(bw, bh), bw, bh)
		main = lipgloss.JoinHorizontal(lipgloss.Top, panel, sep, " ", body)
	default:
		bw, bh := a.bodySize()
		strip := fit(a.stripView(w), w, 1)
		var body string
		if a.showSections {
			body = a.checklist(w, bh, -1, true)
		} else {
			body = a.current.view(bw, bh)
		}
		main = strip + "\n" + pad(body, bw, bh)
	}
	return header + "\n" + pad(main, w, bodyH) + "\n" + footer
}

// bodySize is the space a section screen has, in cells.
func (a *App) bodySize() (int, int) {
	hh := lipgloss.Height(a.headerView(a.width))
	bw, bh := a.width, a.height-hh-a.footerHeight(a.width)
	if a.current != nil {
		if a.wide() {
			bw -= a.panelWidth() + 2
		} else {
			bh--
		}
	}
	return max(bw, 10), max(bh, 1)
}

// headerView: castle, who is signed in, region, workload account, SANDBOX.
func (a *App) headerView(w int) string {
	name := a.st.header.Render("castle")
	if a.opts.Version != "" {
		name += " " + a.st.faint.Render(a.opts.Version)
	}
	var parts []string
	switch {
	case a.identity != nil && a.identity.IsRoot():
		parts = append(parts, "account "+a.identity.Account+" "+a.st.bad.Render("ROOT USER"))
	case a.identity != nil:
		parts = append(parts, "account "+a.identity.Account+" as "+shortARN(a.identity.ARN))
	case a.idErr != nil:
		parts = append(parts, a.st.warn.Render("not signed in"))
	}
	if a.region != "" {
		parts = append(parts, "region "+a.region)
	}
	if a.workload != "" {
		parts = append(parts, "workload "+a.workload)
	}
	info := strings.Join(parts, a.mk.dot)
	badge := ""
	if a.opts.Sandbox {
		text := "SANDBOX — simulated AWS"
		if a.mk.rule == "-" {
			text = "SANDBOX - simulated AWS"
		}
		badge = a.st.badge.Render(text)
	}
	line := name
	if info != "" {
		line += "  " + info
	}
	var lines []string
	if lipgloss.Width(line)+lipgloss.Width(badge)+2 <= w {
		gap := w - lipgloss.Width(line) - lipgloss.Width(badge)
		if badge == "" {
			gap = 0
		}
		lines = append(lines, line+strings.Repeat(" ", gap)+badge)
	} else {
		first := name
		if badge != "" {
			first += "  " + badge
		}
		lines = append(lines, fit(first, w, 1))
		// the facts on as many lines as they need, broken between facts
		line := ""
		for _, p := range parts {
			switch {
			case line == "":
				line = p
			case lipgloss.Width(line+a.mk.dot+p) <= w:
				line += a.mk.dot + p
			default:
				lines = append(lines, fit(line, w, 1))
				line = p
			}
		}
		if line != "" {
			lines = append(lines, fit(line, w, 1))
		}
	}
	lines = append(lines, a.st.rule.Render(strings.Repeat(a.mk.rule, w)))
	return strings.Join(lines, "\n")
}

// shortARN is the readable end of an ARN: a user or role session name.
func shortARN(arn string) string {
	if i := strings.LastIndexAny(arn, "/:"); i >= 0 && i+1 < len(arn) {
		return arn[i+1:]
	}
	return arn
}

const quitQuestion = "Leave castle? AWS keeps working; castle picks it up next time. (y/n)"

// footerHeight is the footer's height, known without rendering the keys
// (the body's size depends on it, and the keys depend on the body).
func (a *App) footerHeight(w int) int {
	h := 1
	if a.help.ShowAll {
		h = 3
	}
	if a.flash != "" {
		h++
	}
	if a.quitAsk {
		h += lipgloss.Height(wrap(quitQuestion, w))
	}
	return h
}

// footerView: a passing message, the quit question, and the keys that work now.
func (a *App) footerView(w int) string {
	var lines []string
	if a.flash != "" {
		lines = append(lines, fit(a.st.accent.Render(a.flash), w, 1))
	}
	if a.quitAsk {
		lines = append(lines, a.st.warn.Bold(true).Render(wrap(quitQuestion, w)))
	}
	a.help.SetWidth(w)
	ks := a.activeKeys()
	if !a.help.ShowAll {
		ks = a.shortKeys(ks, w)
	}
	lines = append(lines, a.help.View(helpKeys(ks)))
	return strings.Join(lines, "\n")
}

// activeKeys are the bindings that work right now, for the footer.
func (a *App) activeKeys() []key.Binding {
	if a.quitAsk {
		return []key.Binding{a.keys.Leave, a.keys.Stay}
	}
	var ks []key.Binding
	if a.current == nil {
		ks = []key.Binding{a.keys.Open, a.keys.Move, a.keys.Quit, a.keys.Refresh}
		if a.opts.SaveAnswers != nil {
			ks = append(ks, a.keys.Save)
		}
		return append(ks, a.keys.Help)
	}
	ks = a.current.keys()
	if !a.wide() && !a.current.typing() {
		sk := a.keys.Sections
		if a.showSections {
			sk.SetHelp("tab", "hide sections")
		}
		ks = append(ks, sk)
	}
	if !a.current.typing() {
		ks = append(ks, a.keys.Help)
	}
	return append(ks, a.keys.ForceQuit)
}

// displayState is a section's state as the checklist shows it: castle's own
// run first, then what discovery found.
func (a *App) displayState(id steps.SectionID) (steps.State, string) {
	if f := a.flows[id]; f != nil {
		switch {
		case f.running() && f.waitingOnAWS():
			return steps.StateInProgress, "AWS is working"
		case f.running():
			return steps.StateInProgress, "working"
		case f.state == stFinished && f.runErr != nil:
			return steps.StateFailed, "failed"
		case f.state == stFinished:
			return steps.StateDone, "done"
		}
	}
	st := a.status[id]
	return st.State, st.State.Label()
}

// marker is a section's state as a one-cell sign.
func (a *App) marker(state steps.State) string {
	switch state {
	case steps.StateDone:
		return a.st.ok.Render(a.mk.done)
	case steps.StateFailed:
		return a.st.bad.Render(a.mk.failed)
	case steps.StateInProgress, steps.StateUnknown:
		if a.opts.Accessible {
			return a.st.accent.Render(a.mk.working)
		}
		return a.spin.View()
	case steps.StateBlocked:
		return a.st.warn.Render(a.mk.blocked)
	case steps.StateNotBuilt:
		return a.st.faint.Render(a.mk.notBuilt)
	}
	return a.st.faint.Render(a.mk.todo)
}

// checklist is the list of sections with their states, one per line.
// selected is highlighted (-1: none); withSummary adds the Summary.
func (a *App) checklist(w, h, selected int, withSummary bool) string {
	var rows []string
	titleW := 0
	for _, s := range a.sections {
		titleW = max(titleW, lipgloss.Width(s.Title()))
	}
	current := steps.SectionID("")
	if a.current != nil {
		current = a.current.sec.ID()
	}
	for i, s := range a.sections {
		state, words := a.displayState(s.ID())
		cur := "  "
		if i == selected || s.ID() == current {
			cur = a.mk.cursor + " "
		}
		title := s.Title() + strings.Repeat(" ", titleW-lipgloss.Width(s.Title()))
		if i == selected || s.ID() == current {
			title = a.st.bold.Render(title)
		}
		if !withSummary {
			words = shortLabel(state, words)
		}
		row := cur + a.marker(state) + " " + title + "  " + a.st.faint.Render(words)
		if withSummary && state == steps.StateInProgress {
			if ops := a.status[s.ID()].Operations; len(ops) > 0 && a.flows[s.ID()] == nil {
				row += a.st.faint.Render(a.mk.dot + a.opShort(ops[0]))
			}
		}
		if withSummary {
			if sum := a.summary(s.ID()); sum != "" && sum != words {
				row += a.st.faint.Render(a.mk.dot) + sum
			}
		}
		rows = append(rows, ansi.Truncate(row, w, a.mk.more))
	}
	return fit(strings.Join(rows, "\n"), w, h)
}

// panelView is the checklist on the left of a section screen.
func (a *App) panelView(w, h int) string {
	return a.st.faint.Render("Sections") + "\n" + a.checklist(w, h-1, -1, false)
}

// stripView is the checklist squeezed into one line for narrow screens.
func (a *App) stripView(w int) string {
	var b strings.Builder
	pos := 0
	for i, s := range a.sections {
		state, _ := a.displayState(s.ID())
		b.WriteString(a.marker(state))
		b.WriteString(" ")
		if a.current != nil && s.ID() == a.current.sec.ID() {
			pos = i + 1
		}
	}
	if a.current != nil {
		b.WriteString(a.st.faint.Render(fmt.Sprintf(" %s (%d of %d)", a.current.sec.Title(), pos, len(a.sections))))
	}
	return b.String()
}

// shortLabel is a state in one or two words, for the narrow panel.
func shortLabel(state steps.State, words string) string {
	switch state {
	case steps.StateBlocked:
		return "waiting"
	case steps.StateNotBuilt:
		return "not built"
	case steps.StateUnknown:
		return "checking"
	case steps.StateInProgress:
		if words == "working" {
			return words
		}
		return "in progress"
	}
	return words
}

// opShort is an operation's time in a few words: "20m of about 1h".
func (a *App) opShort(op steps.Operation) string {
	if op.StartedAt.IsZero() {
		return "started"
	}
	elapsed := a.env.Now().Sub(op.StartedAt)
	if op.Expected <= 0 {
		return human(elapsed) + " so far"
	}
	return human(elapsed) + " of about " + human(op.Expected)
}

// summary is a section's one line for the checklist: what castle is doing
// right now while it runs the section (what discovery found before the run
// is out of date by then), else what discovery found.
func (a *App) summary(id steps.SectionID) string {
	if f := a.flows[id]; f != nil && f.running() && f.prog != nil {
		if now := []rune(f.prog.current()); len(now) > 1 {
			if unicode.IsUpper(now[0]) && unicode.IsLower(now[1]) {
				now[0] = unicode.ToLower(now[0]) // the checklist's lower-case style; "AWS …" stays
			}
			return string(now)
		}
	}
	return a.status[id].Summary
}
