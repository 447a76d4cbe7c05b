// Package fake has steps.Section and SectionUI implementations with no AWS
// behind them, for the screens tests and the example program.
package fake

import (
	"context"
	"sync"
	"time"

	"charm.land/huh/v2"

	"github.com/castle-aws/castle/screens"
	"github.com/castle-aws/castle/steps"
)

// Clock is a settable clock (like the sandbox's virtual clock).
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

func NewClock(t time.Time) *Clock { return &Clock{t: t} }

func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	c.Advance(d)
	return ctx.Err()
}

// Section is a scripted section.
type Section struct {
	SectionID steps.SectionID
	Name      string
	Text      string
	Price     string

	mu          sync.Mutex
	status      steps.Status
	discoverErr error
	// DiscoverDelay makes Discover slow (to see the spinner).
	DiscoverDelay time.Duration

	PlanValue steps.Plan
	PlanErr   error

	// ApplyFn and ResumeFn do the work; nil returns at once.
	ApplyFn  func(ctx context.Context, env *steps.Env, emit steps.Emit) error
	ResumeFn func(ctx context.Context, env *steps.Env, emit steps.Emit) error

	Applied, Resumed int
}

// New makes a section in the given state.
func New(id steps.SectionID, name string, state steps.State, summary string) *Section {
	return &Section{
		SectionID: id, Name: name,
		Text:   "This is the " + name + " section. It does one part of the journey and explains it in plain words.",
		status: steps.Status{Section: id, State: state, Summary: summary},
	}
}

// SetStatus changes what Discover returns.
func (s *Section) SetStatus(st steps.Status, err error) {
	s.mu.Lock()
	st.Section = s.SectionID
	s.status, s.discoverErr = st, err
	s.mu.Unlock()
}

func (s *Section) ID() steps.SectionID { return s.SectionID }
func (s *Section) Title() string       { return s.Name }
func (s *Section) About() string       { return s.Text }
func (s *Section) Cost() string        { return s.Price }

func (s *Section) Discover(ctx context.Context, env *steps.Env) (steps.Status, error) {
	if s.DiscoverDelay > 0 {
		select {
		case <-time.After(s.DiscoverDelay):
		case <-ctx.Done():
			return steps.Status{}, ctx.Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status, s.discoverErr
}

func (s *Section) Plan(ctx context.Context, env *steps.Env) (steps.Plan, error) {
	p := s.PlanValue
	p.Section = s.SectionID
	return p, s.PlanErr
}

func (s *Section) Apply(ctx context.Context, env *steps.Env, emit steps.Emit) error {
	s.mu.Lock()
	s.Applied++
	s.mu.Unlock()
	if s.ApplyFn == nil {
		return nil
	}
	return s.ApplyFn(ctx, env, emit)
}

func (s *Section) Resume(ctx context.Context, env *steps.Env, emit steps.Emit) error {
	s.mu.Lock()
	s.Resumed++
	s.mu.Unlock()
	if s.ResumeFn == nil {
		return nil
	}
	return s.ResumeFn(ctx, env, emit)
}

// Counts returns how often Apply and Resume ran.
func (s *Section) Counts() (applied, resumed int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Applied, s.Resumed
}

// Channel returns an ApplyFn that emits the events sent on ch and returns
// the error sent on done (or nil when done is closed). Tests use it to drive
// a run one event at a time.
func Channel(ch <-chan steps.Event, done <-chan error) func(context.Context, *steps.Env, steps.Emit) error {
	return func(ctx context.Context, env *steps.Env, emit steps.Emit) error {
		for {
			select {
			case ev := <-ch:
				emit(ev)
			case err := <-done:
				return err
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
}

// Step is one scripted event, emitted after Delay of wall time; Advance moves
// the env clock (to show elapsed time growing faster than real time).
type Step struct {
	Delay   time.Duration
	Advance time.Duration
	Event   steps.Event
}

// Script returns an ApplyFn that plays steps then returns err.
func Script(clock *Clock, err error, script ...Step) func(context.Context, *steps.Env, steps.Emit) error {
	return func(ctx context.Context, env *steps.Env, emit steps.Emit) error {
		for _, st := range script {
			select {
			case <-time.After(st.Delay):
			case <-ctx.Done():
				return ctx.Err()
			}
			if clock != nil && st.Advance > 0 {
				clock.Advance(st.Advance)
			}
			ev := st.Event
			if ev.Time.IsZero() {
				ev.Time = env.Now()
			}
			emit(ev)
		}
		return err
	}
}

// FormUI is a SectionUI whose form is built by Build.
type FormUI struct {
	Build func(ctx screens.FormContext) *huh.Form
}

func (u FormUI) Form(ctx screens.FormContext) *huh.Form {
	if u.Build == nil {
		return nil
	}
	return u.Build(ctx)
}

// ThenStatus wraps a run so that, when it ends without error, Discover
// reports st (as a real section would after its work is done).
func (s *Section) ThenStatus(fn func(context.Context, *steps.Env, steps.Emit) error, st steps.Status) func(context.Context, *steps.Env, steps.Emit) error {
	return func(ctx context.Context, env *steps.Env, emit steps.Emit) error {
		err := fn(ctx, env, emit)
		if err == nil {
			s.SetStatus(st, nil)
		}
		return err
	}
}
