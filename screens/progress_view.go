package screens

import (
	"strings"

	"charm.land/bubbles/v2/progress"

	"github.com/castle-aws/castle/steps"
)

// stepLine is one step of Apply or Resume as the progress view shows it.
type stepLine struct {
	key, title string
	kind       steps.EventKind // "" until its first event
	msg        string
	detail     string
	op         *steps.Operation
	percent    float64
	next       string // the next thing to do, when it failed
}

// progressLog turns Apply/Resume events into one line per step.
type progressLog struct {
	lines []*stepLine
	byKey map[string]*stepLine
	info  []string
}

const maxInfo = 6

func newProgressLog(plan *steps.Plan, ops []steps.Operation) *progressLog {
	p := &progressLog{byKey: map[string]*stepLine{}}
	if plan != nil {
		for _, act := range plan.Actions {
			l := p.line(act.Key, act.Title)
			if act.Skip {
				l.kind = steps.EventSkipped
				l.msg = act.SkipReason
			}
		}
	}
	for _, op := range ops {
		op := op
		l := p.line(op.Key, op.Name)
		l.kind, l.op, l.percent = steps.EventWaiting, &op, -1
	}
	return p
}

func (p *progressLog) line(key, title string) *stepLine {
	if l := p.byKey[key]; l != nil {
		return l
	}
	l := &stepLine{key: key, title: title, percent: -1}
	p.byKey[key] = l
	p.lines = append(p.lines, l)
	return l
}

// apply records an event. It reports whether to ring the bell: an operation
// ended, or the user has something to do.
func (p *progressLog) apply(ev steps.Event) bool {
	if ev.Step == "" && (ev.Kind == steps.EventInfo || ev.Kind == "") {
		if ev.Message != "" {
			p.info = append(p.info, ev.Message)
			if len(p.info) > maxInfo {
				p.info = p.info[len(p.info)-maxInfo:]
			}
		}
		return false
	}
	title := ev.Message
	if ev.Op != nil && ev.Op.Name != "" {
		title = ev.Op.Name
	}
	if title == "" {
		title = ev.Step
	}
	l := p.line(ev.Step, title)
	wasWaiting := l.kind == steps.EventWaiting
	if ev.Kind != steps.EventInfo {
		l.kind = ev.Kind
	}
	if ev.Message != "" || ev.Kind != steps.EventInfo {
		l.msg = ev.Message
	}
	l.detail = ev.Detail
	if ev.Op != nil {
		op := *ev.Op
		l.op = &op
	}
	switch ev.Kind {
	case steps.EventProgress, steps.EventWaiting:
		l.percent = ev.Percent
	default:
		l.percent = -1
	}
	switch ev.Kind {
	case steps.EventDone, steps.EventFailed:
		return wasWaiting
	case steps.EventHandOff:
		return true
	}
	return false
}

// finish marks the steps still shown as working done: the run ended without
// an error, so whatever they were waiting for is over.
func (p *progressLog) finish() {
	for _, l := range p.lines {
		if l.active() {
			l.kind, l.msg, l.op, l.percent = steps.EventDone, "finished", nil, -1
		}
	}
}

// fail marks the step that was running (or the last one that failed) with
// the error's message and next step.
func (p *progressLog) fail(err error) {
	var target *stepLine
	for _, l := range p.lines {
		if l.kind == steps.EventFailed {
			target = l
		}
	}
	if target == nil {
		for _, l := range p.lines {
			if l.active() {
				target = l
			}
		}
	}
	if target == nil {
		target = p.line("castle-stopped", "castle stopped")
	}
	target.kind = steps.EventFailed
	target.msg = errText(err)
	target.next = nextOf(err)
}

// current is the title of the step being worked on (the last one that
// started and has not ended), or "".
func (p *progressLog) current() string {
	now := ""
	for _, l := range p.lines {
		if l.active() {
			now = l.title
		}
	}
	return now
}

func (p *progressLog) waiting() bool {
	for _, l := range p.lines {
		if l.kind == steps.EventWaiting {
			return true
		}
	}
	return false
}

func (p *progressLog) failed() *stepLine {
	for _, l := range p.lines {
		if l.kind == steps.EventFailed {
			return l
		}
	}
	return nil
}

func (l *stepLine) active() bool {
	switch l.kind {
	case steps.EventStarted, steps.EventProgress, steps.EventWaiting:
		return true
	}
	return false
}

// progressView is one line per step, with what AWS is doing.
func (f *flow) progressView(w int) string {
	a, st, mk := f.a, f.a.st, f.a.mk
	var b strings.Builder
	verb := ": working"
	if f.run != nil && f.run.resume {
		verb = ": following AWS"
	}
	if f.state == stFinished {
		verb = ""
	}
	b.WriteString(st.title.Render(f.sec.Title()+verb) + "\n\n")
	for _, l := range f.prog.lines {
		switch l.kind {
		case "":
			b.WriteString(hang(st.faint.Render(mk.todo)+" ", wrap(l.title+st.faint.Render(mk.dot+"not started yet"), w-2)) + "\n")
		case steps.EventSkipped:
			text := l.title + st.faint.Render(mk.dot+"skipped")
			if l.msg != "" && l.msg != l.title {
				text += st.faint.Render(": " + l.msg)
			}
			b.WriteString(hang(st.faint.Render(mk.skipped)+" ", wrap(text, w-2)) + "\n")
		case steps.EventDone:
			text := l.title
			if l.msg != "" && l.msg != l.title {
				text += st.faint.Render(mk.dot + l.msg)
			}
			b.WriteString(hang(st.ok.Render(mk.done)+" ", wrap(text, w-2)) + "\n")
		case steps.EventFailed:
			b.WriteString(hang(st.bad.Render(mk.failed)+" ", wrap(st.bold.Render(l.title)+st.bad.Render(mk.dot+"failed"), w-2)) + "\n")
			if l.msg != "" {
				b.WriteString(hang("  ", st.bad.Render(wrap(l.msg, w-2))) + "\n")
			}
			if l.next != "" {
				b.WriteString(hang("  Next: ", wrap(l.next, w-8)) + "\n")
			}
		case steps.EventHandOff:
			b.WriteString(hang(st.handOff.Render(mk.handOff)+" ", st.handOff.Render(wrap("Your turn: "+firstNonEmpty(l.msg, l.title), w-2))) + "\n")
			if l.detail != "" {
				b.WriteString(hang("  ", wrap(l.detail, w-2)) + "\n")
			}
			continue
		default: // started, progress, waiting
			marker := a.marker(steps.StateInProgress)
			if !f.running() {
				marker = st.faint.Render(mk.todo)
			}
			text := l.title
			if l.msg != "" && l.msg != l.title {
				text += st.faint.Render(mk.dot + l.msg)
			}
			b.WriteString(hang(marker+" ", wrap(text, w-2)) + "\n")
			if l.kind == steps.EventWaiting && l.op != nil {
				b.WriteString(hang("  ", st.faint.Render(wrap(f.opState(l.op, l.title), w-2))) + "\n")
			}
			if l.percent >= 0 && (l.kind == steps.EventProgress || l.percent > 0) {
				b.WriteString("  " + f.bar(l.percent, w-2) + "\n")
			}
		}
		if l.detail != "" && l.kind != steps.EventFailed {
			b.WriteString(hang("  ", st.faint.Render(wrap(l.detail, w-2))) + "\n")
		}
	}
	if len(f.prog.info) > 0 {
		b.WriteString("\n")
		for _, i := range f.prog.info {
			b.WriteString(st.faint.Render(wrap(i, w)) + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// opState is AWS's status word, time so far and time left of an operation.
func (f *flow) opState(op *steps.Operation, title string) string {
	t := f.a.env.Now()
	var parts []string
	if op.Name != "" && op.Name != title {
		parts = append(parts, op.Name)
	}
	if op.Status != "" {
		parts = append(parts, "AWS says "+op.Status)
	}
	if !op.StartedAt.IsZero() {
		parts = append(parts, opTiming(t.Sub(op.StartedAt), op.ETA(t), op.Expected))
	}
	return strings.Join(parts, f.a.mk.dot)
}

// bar is a static progress bar (ViewAs: no animation, no shared state).
func (f *flow) bar(pct float64, w int) string {
	pct = min(max(pct, 0), 1)
	if f.a.opts.Accessible {
		return itoa(int(pct*100)) + "% done"
	}
	opts := []progress.Option{progress.WithWidth(min(max(w, 10), 50))}
	if f.a.opts.ASCII {
		opts = append(opts, progress.WithFillCharacters(f.a.mk.barFull, f.a.mk.barEmpty))
	}
	if f.a.opts.NoColor {
		opts = append(opts, progress.WithColors())
	} else {
		opts = append(opts, progress.WithDefaultBlend())
	}
	return progress.New(opts...).ViewAs(pct)
}

// progressBottom is what stays under the steps: you can leave, done, or failed.
func (f *flow) progressBottom(w int) string {
	st, mk := f.a.st, f.a.mk
	switch {
	case f.running() && f.prog.waiting():
		return st.accent.Render(wrap("You can leave castle now: AWS keeps working, and castle picks it up when you come back.", w))
	case f.running():
		return st.faint.Render(wrap("esc takes you back to the checklist; the work goes on.", w))
	case f.runErr != nil:
		return st.bad.Render(mk.failed) + " " + wrap("Stopped. Nothing was undone: press r to try again; castle skips what already exists.", w-2)
	case f.run != nil && f.run.resume:
		text := "Done: AWS finished what castle was following."
		if f.leftToDo() {
			text += " Some of " + f.sec.Title() + " is still to do: press enter to see the plan."
		}
		return st.ok.Render(mk.done) + " " + st.bold.Render(wrap(text, w-2))
	}
	return st.ok.Render(mk.done) + " " + st.bold.Render(wrap("Done: "+f.sec.Title()+" is set up.", w-2))
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
