package screens

import (
	"errors"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/castle-aws/castle/steps"
)

func itoa(n int) string { return strconv.Itoa(n) }

func asUserError(err error) (*steps.UserError, bool) {
	var ue *steps.UserError
	if errors.As(err, &ue) {
		return ue, true
	}
	return nil, false
}

// aboutView: what the section does, what exists already, what it costs.
func (f *flow) aboutView(w int) string {
	a, st := f.a, f.a.st
	var b strings.Builder
	b.WriteString(st.title.Render(f.sec.Title()) + "\n\n")
	b.WriteString(wrap(f.sec.About(), w) + "\n\n")
	state, words := a.displayState(f.sec.ID())
	b.WriteString(st.bold.Render("What is there now") + "  " + a.marker(state) + " " + words + "\n")
	s := f.status
	if s.Summary != "" {
		b.WriteString(wrap(s.Summary, w) + "\n")
	}
	for _, d := range s.Details {
		b.WriteString(hang("  "+a.mk.todo+" ", wrap(d, w-4)) + "\n")
	}
	for _, op := range s.Operations {
		b.WriteString(a.opLine(op, w) + "\n")
	}
	if err := a.discErr[f.sec.ID()]; err != nil && s.State == steps.StateFailed {
		b.WriteString(wrap("Next: "+nextOr(err, "Press esc, then r on the checklist to look again. If it keeps failing, start castle with --debug FILE and read AWS's answer in FILE."), w) + "\n")
	}
	if s.Blocker != "" {
		b.WriteString(st.warn.Render(wrap("Do this first: "+s.Blocker, w)) + "\n")
	}
	if c := f.sec.Cost(); c != "" {
		b.WriteString("\n" + costLine(st.faint.Render("Cost once done: "), c, w) + "\n")
	}
	if s.State == steps.StateNotBuilt {
		b.WriteString("\n" + st.warn.Render(wrap("castle does not do this section yet. You can look at it, but there is nothing to run.", w)) + "\n")
	} else {
		b.WriteString("\n" + st.faint.Render(wrap("Nothing changes on AWS until you have seen the plan and said yes.", w)) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// planView: summary, each action (skipped with the reason, or what it
// creates and why), cost, duration, notes, and the commands pane.
func (f *flow) planView(w int) string {
	a, st, mk := f.a, f.a.st, f.a.mk
	var b strings.Builder
	b.WriteString(st.title.Render(f.sec.Title()+": the plan") + "\n\n")
	if f.planErr != nil {
		return b.String() + f.errorBlock(f.planErr, w)
	}
	p := f.plan
	if p.Summary != "" {
		b.WriteString(wrap(p.Summary, w) + "\n\n")
	}
	for _, act := range p.Actions {
		if act.Skip {
			line := st.faint.Render(mk.skipped) + " " + act.Title
			reason := act.SkipReason
			if reason == "" {
				reason = "already there"
			}
			b.WriteString(hang("", wrap(line+st.faint.Render(mk.dot+"skip: "+reason), w)) + "\n")
			continue
		}
		b.WriteString(hang(st.accent.Render(mk.create)+" ", wrap(st.bold.Render(act.Title), w-2)) + "\n")
		if act.Why != "" {
			b.WriteString(hang("    ", st.faint.Render(wrap(act.Why, w-4))) + "\n")
		}
		if act.Cost != "" {
			b.WriteString(hang("    ", wrap("Cost: "+act.Cost, w-4)) + "\n")
		}
	}
	b.WriteString("\n")
	cost := p.MonthlyCost
	if cost == "" {
		cost = "free"
	}
	facts := "Cost: " + cost
	if d := about(p.Duration); d != "" && p.Pending() {
		facts += mk.dot + "takes " + d
	}
	b.WriteString(st.bold.Render(wrap(facts, w)) + "\n")
	for _, n := range p.Notes {
		b.WriteString(hang(st.warn.Render("!")+" ", wrap(n, w-2)) + "\n")
	}
	cmds := f.commands()
	if len(cmds) > 0 {
		b.WriteString("\n")
		if !f.showCmds {
			b.WriteString(st.faint.Render(wrap("The same work with the aws CLI: "+plural(len(cmds), "command")+" (c shows them, y copies them).", w)) + "\n")
		} else {
			b.WriteString(st.bold.Render("The same work with the aws CLI") + st.faint.Render(" (y copies them)") + "\n")
			pending := p.Pending()
			for _, act := range p.Actions {
				if (pending && act.Skip) || len(act.Commands) == 0 {
					continue
				}
				b.WriteString(st.faint.Render("# "+act.Title) + "\n")
				for _, c := range act.Commands {
					b.WriteString(wrapCommand(c, w) + "\n")
				}
			}
		}
	}
	_ = a
	return strings.TrimRight(b.String(), "\n")
}

// planBottom is the part under the plan that never scrolls away: "nothing to
// do", the way on, or the question before spending.
func (f *flow) planBottom(w int) string {
	st := f.a.st
	if f.planErr != nil {
		return ""
	}
	p := f.plan
	if !p.Pending() {
		settled := "Nothing to do: everything already exists."
		if p.Settled != "" {
			settled = p.Settled
		}
		return st.ok.Render(f.a.mk.done) + " " + st.bold.Render(wrap(settled, max(w-2, 20)))
	}
	if f.state == stPlan {
		return st.faint.Render(wrap("Press enter to go on. castle asks once more before it changes anything.", w))
	}
	cost := costSentence(p)
	if p.ConfirmWord == "" {
		q := "Start now? " + cost + " (y/n)"
		return st.warn.Bold(true).Render(wrap(q, w))
	}
	var b strings.Builder
	b.WriteString(st.warn.Bold(true).Render(wrap("This changes your whole organization. "+cost, w)) + "\n")
	b.WriteString(wrap("Type "+st.bold.Render(p.ConfirmWord)+" and press enter to go on (esc goes back):", w) + "\n")
	b.WriteString(f.word.View())
	if f.wordErr != "" {
		b.WriteString("\n" + st.bad.Render(wrap(f.wordErr, w)))
	}
	return b.String()
}

// errorBlock is a failure in plain words with the next thing to do.
func (f *flow) errorBlock(err error, w int) string {
	st, mk := f.a.st, f.a.mk
	msg, next := errText(err), nextOr(err, tryAgain)
	if errors.Is(err, steps.ErrNotBuilt) {
		msg, next = "castle does not do this section yet.", "Go back to the checklist and pick another section."
	}
	out := hang(st.bad.Render(mk.failed)+" ", st.bad.Render(wrap(msg, w-2)))
	if next != "" {
		out += "\n" + hang("  Next: ", wrap(next, w-8))
	}
	return out
}

// costSentence repeats the cost (and time) before asking. The cost comes
// last in its sentence, so a cost with its own explanation in brackets
// still reads as one sentence.
func costSentence(p steps.Plan) string {
	var s string
	switch c := strings.TrimSuffix(p.MonthlyCost, "."); {
	case p.SpendsMoney && c != "":
		s = "It takes " + orSoon(about(p.Duration)) + " and adds to your AWS bill: " + c + "."
	case p.SpendsMoney:
		s = "It takes " + orSoon(about(p.Duration)) + " and starts something AWS bills for."
	case c == "" || strings.EqualFold(c, "free"):
		s = "It is free"
		if d := about(p.Duration); d != "" {
			s += " and takes " + d
		}
		s += "."
	default:
		s = "It takes " + orSoon(about(p.Duration)) + " and costs " + c + "."
	}
	return s
}

// orSoon is a duration in words, or "a moment" when none is known.
func orSoon(d string) string {
	if d == "" {
		return "a moment"
	}
	return d
}

// costLine is a labelled cost wrapped to w, its later lines indented under
// the label.
func costLine(label, cost string, w int) string {
	lw := lipgloss.Width(label)
	return hang(label, wrap(cost, max(w-lw, 20)))
}

// wrapCommand breaks a long command into shell continuation lines, so text
// selected on screen still runs when pasted.
func wrapCommand(c string, w int) string {
	if lipgloss.Width(c) <= w || w < 20 {
		return c
	}
	var lines []string
	line := ""
	for _, word := range strings.Split(c, " ") {
		limit := w - 2 // room for " \\"
		if len(lines) > 0 {
			limit -= 2 // the continuation indent
		}
		if line != "" && lipgloss.Width(line)+1+lipgloss.Width(word) > limit {
			lines = append(lines, line)
			line = word
			continue
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	lines = append(lines, line)
	return strings.Join(lines, " \\\n  ")
}

// WrapCommand breaks a long aws or docker command into shell continuation
// lines of at most w cells, so a command selected on screen still runs when
// pasted. Section screens that show commands use it.
func WrapCommand(c string, w int) string { return wrapCommand(c, w) }
