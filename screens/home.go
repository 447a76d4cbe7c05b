package screens

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/castle-aws/castle/steps"
)

func (a *App) homeKey(msg tea.KeyPressMsg) tea.Cmd {
	k := a.keys
	switch {
	case key.Matches(msg, k.Up):
		if a.cursor > 0 {
			a.cursor--
		}
	case key.Matches(msg, k.Down):
		if a.cursor < len(a.sections)-1 {
			a.cursor++
		}
	case key.Matches(msg, k.Open):
		if a.cursor < len(a.sections) {
			return a.open(a.sections[a.cursor].ID())
		}
	case key.Matches(msg, k.Refresh):
		return tea.Batch(a.discoverAll(), a.identityCmd())
	case key.Matches(msg, k.Save):
		return a.save()
	case key.Matches(msg, k.Help):
		a.help.ShowAll = !a.help.ShowAll
	case key.Matches(msg, k.Quit):
		if a.working() {
			a.quitAsk = true
			return nil
		}
		return a.quit()
	}
	return nil
}

// open shows a section: the flow still running for it, or a new one.
func (a *App) open(id steps.SectionID) tea.Cmd {
	a.help.ShowAll = false
	a.showSections = false
	for i, s := range a.sections {
		if s.ID() == id {
			a.cursor = i
		}
	}
	if f := a.flows[id]; f != nil {
		a.current = f
		return f.resize()
	}
	f := newFlow(a, a.byID[id], a.status[id])
	a.flows[id] = f
	a.current = f
	return f.start()
}

// home goes back to the checklist. A flow that is still working stays (its
// run goes on); any other is dropped and its section looked at again.
func (a *App) home() tea.Cmd {
	f := a.current
	a.current = nil
	a.help.ShowAll = false
	a.showSections = false
	if f == nil {
		return nil
	}
	if f.running() {
		return nil
	}
	delete(a.flows, f.sec.ID())
	if f.sec.ID() == steps.Preflight && f.reconnected {
		return nil // ReconnectedMsg already re-discovered everything
	}
	return a.discover(f.sec.ID())
}

// homeView is the checklist of all sections, then the selected one in words.
func (a *App) homeView(w, h int) string {
	intro := a.st.faint.Render(wrap("From a fresh AWS account to a running service, one section at a time. Pick a section and press enter.", w))
	list := a.checklist(w, len(a.sections), a.cursor, true)
	top := intro + "\n\n" + list + "\n"
	if lipgloss.Height(top) > h {
		top = list + "\n" // a short terminal: every section (and the cursor) before the intro
	}
	left := h - lipgloss.Height(top) - 1
	if left < 3 || len(a.sections) == 0 {
		return fit(top, w, h)
	}
	sec := a.sections[a.cursor]
	detailW := w
	var costs string
	if w >= 120 {
		detailW = w * 3 / 5
		costs = a.costTable(w - detailW - 4)
	}
	detail := a.sectionDetail(sec, min(detailW-2, textWidth))
	bottom := detail
	if costs != "" {
		bottom = lipgloss.JoinHorizontal(lipgloss.Top, fit(detail, detailW, left), "    ", costs)
	}
	return top + "\n" + fit(bottom, w, left)
}

// sectionDetail is one section in words: state, summary, what it does, what
// it costs, and any AWS operation in flight.
func (a *App) sectionDetail(sec steps.Section, w int) string {
	st := a.status[sec.ID()]
	st.Summary = a.summary(sec.ID())
	state, words := a.displayState(sec.ID())
	var b strings.Builder
	b.WriteString(a.st.title.Render(sec.Title()) + "  " + a.marker(state) + " " + words + "\n")
	if st.Summary != "" && state != steps.StateFailed {
		b.WriteString(wrap(st.Summary, w) + "\n")
	}
	if state == steps.StateFailed && st.Summary != "" {
		b.WriteString(a.st.bad.Render(wrap(st.Summary, w)) + "\n")
		if err := a.discErr[sec.ID()]; err != nil {
			b.WriteString(wrap("Next: "+nextOr(err, lookAgain), w) + "\n")
		}
	}
	if st.Blocker != "" {
		b.WriteString(a.st.warn.Render(wrap("Do this first: "+st.Blocker, w)) + "\n")
	}
	b.WriteString(wrap(sec.About(), w) + "\n")
	if c := sec.Cost(); c != "" {
		b.WriteString(costLine(a.st.faint.Render("Cost once done: "), c, w) + "\n")
	}
	for _, op := range st.Operations {
		b.WriteString(a.opLine(op, w) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// costTable lists what every section costs each month once done.
func (a *App) costTable(w int) string {
	var b strings.Builder
	b.WriteString(a.st.bold.Render("What it costs each month, once done") + "\n")
	for _, s := range a.sections {
		c := s.Cost()
		if c == "" {
			c = "—"
			if a.mk.rule == "-" {
				c = "-"
			}
		}
		b.WriteString(costLine(a.st.faint.Render(s.Title()+": "), c, w) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// opLine is an AWS operation in flight: marker, name, status, timing.
func (a *App) opLine(op steps.Operation, w int) string {
	now := a.env.Now()
	s := op.Name
	if op.Status != "" {
		s += a.mk.dot + "AWS says " + op.Status
	}
	if !op.StartedAt.IsZero() {
		s += a.mk.dot + opTiming(now.Sub(op.StartedAt), op.ETA(now), op.Expected)
	}
	return hang(a.marker(steps.StateInProgress)+" ", wrap(s, w-2))
}

// hang puts first before the first line of s and indents the others to match.
func hang(first, s string) string {
	return first + strings.ReplaceAll(s, "\n", "\n"+strings.Repeat(" ", lipgloss.Width(first)))
}

// What to do after an error that does not say it itself.
const (
	lookAgain = "Press r to look again. If it keeps failing, start castle with --debug FILE and read AWS's answer in FILE."
	tryAgain  = "Press r to try again. If it keeps failing, start castle with --debug FILE and read AWS's answer in FILE."
)

// nextOr is the next step of a UserError, or fallback for any other error.
func nextOr(err error, fallback string) string {
	if next := nextOf(err); next != "" {
		return next
	}
	return fallback
}

// nextOf is the next step of a UserError, or "".
func nextOf(err error) string {
	if ue, ok := asUserError(err); ok {
		return ue.Next
	}
	return ""
}
