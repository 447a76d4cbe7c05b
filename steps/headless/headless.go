// Package headless runs castle's sections without the TUI, for scripts and
// CI: `castle plan`, `castle apply` and `castle status` print one plain line
// per event and never draw spinners.
package headless

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/castle-aws/castle/steps"
)

// Runner drives sections for the headless commands.
type Runner struct {
	Env      *steps.Env
	Sections []steps.Section
	Out      io.Writer
	// Only limits apply and plan to these sections (empty: all).
	Only []steps.SectionID
	// Confirm asks the user before spending money; nil means "not allowed"
	// (no terminal and no --yes).
	Confirm func(question string) bool

	mu sync.Mutex
	// reported marks sections whose failure an event already printed, so
	// the final error is not printed twice.
	reported map[steps.SectionID]bool
}

// ParseOnly reads --only's comma-separated section names.
func ParseOnly(s string) ([]steps.SectionID, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []steps.SectionID
	for _, name := range strings.Split(s, ",") {
		id := steps.SectionID(strings.TrimSpace(name))
		if !known(id) {
			return nil, fmt.Errorf("there is no section %q; the sections are %s", name, names())
		}
		out = append(out, id)
	}
	return out, nil
}

func known(id steps.SectionID) bool {
	for _, s := range steps.Order {
		if s == id {
			return true
		}
	}
	return false
}

func names() string {
	var n []string
	for _, s := range steps.Order {
		n = append(n, string(s))
	}
	return strings.Join(n, ", ")
}

func (r *Runner) selected() []steps.Section {
	if len(r.Only) == 0 {
		return r.Sections
	}
	var out []steps.Section
	for _, s := range r.Sections {
		for _, id := range r.Only {
			if s.ID() == id {
				out = append(out, s)
			}
		}
	}
	return out
}

// DiscoverAll runs every section's discovery concurrently, so the checklist
// costs about one round trip, not nine.
func DiscoverAll(ctx context.Context, env *steps.Env, sections []steps.Section) []steps.Status {
	// Open the journal once, before the sections look at it all at once.
	_ = env.OpenJournal(ctx)
	out := make([]steps.Status, len(sections))
	var wg sync.WaitGroup
	for i, s := range sections {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := s.Discover(ctx, env.Fork())
			st.Section = s.ID()
			if err != nil && st.State == "" {
				st.State = steps.StateFailed
			}
			if err != nil && st.Summary == "" {
				st.Summary = err.Error()
			}
			out[i] = st
		}()
	}
	wg.Wait()
	return out
}

// Status prints the checklist.
func (r *Runner) Status(ctx context.Context) error {
	statuses := DiscoverAll(ctx, r.Env, r.Sections)
	width, stateWidth := 0, 0
	for i, s := range r.Sections {
		width = max(width, len(s.Title()))
		stateWidth = max(stateWidth, len(statuses[i].State.Label()))
	}
	for i, s := range r.Sections {
		st := statuses[i]
		line := fmt.Sprintf("%-3s %-*s  %-*s  %s", marker(st.State), width, s.Title(), stateWidth, st.State.Label(), st.Summary)
		if c := s.Cost(); c != "" && st.State != steps.StateNotBuilt {
			line += "  [" + c + "]"
		}
		fmt.Fprintln(r.Out, strings.TrimRight(line, " "))
		for _, op := range st.Operations {
			now := r.Env.Now()
			fmt.Fprintf(r.Out, "      %s: %s, %s elapsed, about %s left\n", op.Name, op.Status, Round(now.Sub(op.StartedAt)), Round(op.ETA(now)))
		}
	}
	return nil
}

func marker(s steps.State) string {
	switch s {
	case steps.StateDone:
		return "[x]"
	case steps.StateInProgress:
		return "[~]"
	case steps.StateFailed:
		return "[!]"
	case steps.StateNotBuilt:
		return "[-]"
	}
	return "[ ]"
}

// Plan prints what exists and what each selected section would do.
func (r *Runner) Plan(ctx context.Context) error {
	for _, s := range r.selected() {
		st, derr := s.Discover(ctx, r.Env)
		fmt.Fprintf(r.Out, "== %s: %s\n", s.Title(), st.State.Label())
		if st.State == steps.StateNotBuilt {
			fmt.Fprintln(r.Out, "   castle does not do this section yet.")
			continue
		}
		if st.State == steps.StateBlocked {
			fmt.Fprintf(r.Out, "   waits for an earlier section: %s\n", firstOf(st.Blocker, st.Summary))
			continue
		}
		if derr != nil {
			fmt.Fprintf(r.Out, "   could not look: %v\n", derr)
			continue
		}
		for _, d := range st.Details {
			fmt.Fprintln(r.Out, "   "+d)
		}
		p, err := s.Plan(ctx, r.Env)
		if err != nil {
			fmt.Fprintf(r.Out, "   cannot plan: %v\n", err)
			continue
		}
		printPlan(r.Out, p)
	}
	return nil
}

func printPlan(w io.Writer, p steps.Plan) {
	if p.Summary != "" {
		fmt.Fprintln(w, "   "+p.Summary)
	}
	for _, a := range p.Actions {
		if a.Skip {
			fmt.Fprintf(w, "   = %s (%s)\n", a.Title, a.SkipReason)
			for _, c := range a.Commands {
				fmt.Fprintln(w, "     $ "+c)
			}
			continue
		}
		fmt.Fprintf(w, "   + %s", a.Title)
		if a.Cost != "" {
			fmt.Fprintf(w, " [%s]", a.Cost)
		}
		fmt.Fprintln(w)
		if a.Why != "" {
			fmt.Fprintln(w, "     "+a.Why)
		}
		for _, c := range a.Commands {
			fmt.Fprintln(w, "     $ "+c)
		}
	}
	if p.MonthlyCost != "" {
		fmt.Fprintf(w, "   Cost: %s\n", p.MonthlyCost)
	}
	if p.Duration > 0 && p.Pending() {
		fmt.Fprintf(w, "   Takes about %s\n", Round(p.Duration))
	}
	for _, n := range p.Notes {
		fmt.Fprintln(w, "   Note: "+n)
	}
	if !p.Pending() {
		fmt.Fprintln(w, "   "+firstOf(p.Settled, "Nothing to do: everything already exists."))
	}
}

// Apply runs the selected sections in order. It stops at the first failure
// and returns it.
func (r *Runner) Apply(ctx context.Context) error {
	changed := false
	for _, s := range r.selected() {
		st, _ := s.Discover(ctx, r.Env)
		if st.State == steps.StateNotBuilt {
			if len(r.Only) > 0 {
				return fmt.Errorf("castle does not do the %s section yet", s.ID())
			}
			r.line(s.ID(), "", "skipped", "castle does not do this section yet")
			continue
		}
		if st.State == steps.StateInProgress {
			r.line(s.ID(), "", "resume", "AWS is still working on this; following it")
		}
		p, err := s.Plan(ctx, r.Env)
		if err != nil {
			return r.fail(s.ID(), err)
		}
		if !p.Pending() && st.State != steps.StateInProgress {
			r.line(s.ID(), "", "unchanged", firstOf(p.Settled, "nothing to do: everything already exists"))
			continue
		}
		if p.SpendsMoney || p.ConfirmWord != "" {
			q := fmt.Sprintf("%s: %s Cost: %s. Go ahead?", s.Title(), p.Summary, orFree(p.MonthlyCost))
			if r.Confirm == nil {
				return fmt.Errorf("%s would spend money (%s); run again with --yes to confirm", s.ID(), orFree(p.MonthlyCost))
			}
			if !r.Confirm(q) {
				return fmt.Errorf("stopped before %s: nothing was changed", s.ID())
			}
		}
		if err := s.Apply(ctx, r.Env, r.emit); err != nil {
			return r.fail(s.ID(), err)
		}
		// Preflight only reads; it runs every time and changes nothing.
		changed = changed || s.ID() != steps.Preflight
	}
	if !changed {
		fmt.Fprintln(r.Out, "Nothing changed: everything already exists.")
	}
	return nil
}

func orFree(s string) string {
	if s == "" {
		return "free"
	}
	return s
}

func (r *Runner) fail(id steps.SectionID, err error) error {
	if errors.Is(err, context.Canceled) {
		r.line(id, "", "stopped", "castle stopped following; AWS keeps working and castle picks it up next time")
		return err
	}
	r.mu.Lock()
	already := r.reported[id]
	r.mu.Unlock()
	if !already {
		r.line(id, "", "failed", err.Error())
	}
	return err
}

func (r *Runner) emit(e steps.Event) {
	msg := e.Message
	if e.Op != nil && e.Kind == steps.EventWaiting {
		now := r.Env.Now()
		if msg == "" {
			msg = e.Op.Name
		}
		msg = fmt.Sprintf("%s: %s, %s elapsed, about %s left", msg, e.Op.Status, Round(now.Sub(e.Op.StartedAt)), Round(e.Op.ETA(now)))
	}
	if msg == "" {
		msg = e.Step
	}
	if e.Percent >= 0 && e.Kind == steps.EventProgress && e.Percent > 0 {
		msg = fmt.Sprintf("%s (%d%%)", msg, int(e.Percent*100))
	}
	if e.Kind == steps.EventFailed {
		r.mu.Lock()
		if r.reported == nil {
			r.reported = map[steps.SectionID]bool{}
		}
		r.reported[e.Section] = true
		r.mu.Unlock()
	}
	// The message names what it is about; step keys are for machines.
	r.line(e.Section, "", string(e.Kind), msg)
	// A hand-off's steps (what to click) are the point of it: print them.
	if e.Kind == steps.EventHandOff && e.Detail != "" {
		r.mu.Lock()
		for _, l := range strings.Split(strings.TrimRight(e.Detail, "\n"), "\n") {
			fmt.Fprintln(r.Out, "      "+l)
		}
		r.mu.Unlock()
	}
}

func (r *Runner) line(section steps.SectionID, step, kind, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ts := time.Now().UTC().Format(time.RFC3339)
	if step != "" {
		fmt.Fprintf(r.Out, "%s %-12s %-9s %s: %s\n", ts, section, kind, step, msg)
		return
	}
	fmt.Fprintf(r.Out, "%s %-12s %-9s %s\n", ts, section, kind, msg)
}

// Round shortens a duration for people: 1h02m, 4m10s, 12s.
func Round(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%ds", int(d.Seconds()))
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
