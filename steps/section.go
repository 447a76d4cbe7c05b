// Package steps holds the AWS and Docker work of every castle section, with no
// user-interface code. The TUI (screens/) and the headless commands (castle
// plan/apply/status) drive the same Section values, so a section is written once.
package steps

import (
	"context"
	"time"
)

// SectionID names a section in flags (--only), in castle.yaml and in messages.
type SectionID string

const (
	Preflight    SectionID = "preflight"
	LandingZone  SectionID = "landing-zone"
	People       SectionID = "people"
	Environments SectionID = "environments"
	Access       SectionID = "access"
	Registry     SectionID = "registry"
	Network      SectionID = "network"
	Service      SectionID = "service"
	Pipeline     SectionID = "pipeline"
)

// Order is the order of the journey; the home checklist and apply follow it.
var Order = []SectionID{Preflight, LandingZone, People, Environments, Access, Registry, Network, Service, Pipeline}

// State is what discovery found for a section.
type State string

const (
	StateUnknown    State = "unknown"     // discovery has not answered yet
	StateNotStarted State = "not-started" // nothing of it exists
	StateInProgress State = "in-progress" // AWS is working on it now
	StateDone       State = "done"        // everything it makes exists
	StateBlocked    State = "blocked"     // an earlier section must be done first
	StateFailed     State = "failed"      // AWS reported a failure (see Summary)
	StateNotBuilt   State = "not-built"   // castle does not do this section yet
)

// Label is the state in words, for screen readers and plain output.
func (s State) Label() string {
	switch s {
	case StateNotStarted:
		return "not started"
	case StateInProgress:
		return "in progress"
	case StateDone:
		return "done"
	case StateBlocked:
		return "waiting"
	case StateFailed:
		return "failed"
	case StateNotBuilt:
		return "not built yet"
	}
	return "checking"
}

// Status is the result of Discover: what exists on AWS for this section.
type Status struct {
	Section SectionID
	State   State
	// Summary is one line for the checklist, e.g. "landing zone 4.0, active".
	Summary string
	// Details are the lines the section screen shows about what exists.
	Details []string
	// Blocker says which section to do first when State is StateBlocked.
	Blocker string
	// Operations are the long AWS operations in flight, for live progress.
	Operations []Operation
}

// Operation is a long-running AWS operation castle follows.
type Operation struct {
	Key       string        // stable name inside the section, e.g. "landing-zone"
	Name      string        // plain words, e.g. "Setting up the landing zone"
	ID        string        // AWS's handle: operation id, request id, record id
	StartedAt time.Time     // when AWS started it (virtual time in the sandbox)
	Expected  time.Duration // how long it usually takes
	Status    string        // AWS's status word, e.g. IN_PROGRESS
}

// ETA returns the time left, from the expected duration, never below zero.
// Past the expected duration it says "any moment now" (zero).
func (o Operation) ETA(now time.Time) time.Duration {
	left := o.Expected - now.Sub(o.StartedAt)
	if left < 0 {
		return 0
	}
	return left
}

// Plan is what Apply would do, shown before anything happens.
type Plan struct {
	Section SectionID
	// Summary is one plain sentence: what the section will do.
	Summary string
	Actions []Action
	// MonthlyCost is the approximate recurring cost in plain words ("about $3 a month", "free").
	MonthlyCost string
	// SpendsMoney is true when applying starts something billed; the UI must ask first.
	SpendsMoney bool
	// Duration is how long applying usually takes.
	Duration time.Duration
	// ConfirmWord, when set, must be typed to confirm (changes to the whole organization).
	ConfirmWord string
	// Notes are extra sentences: warnings, hand-offs, reasons.
	Notes []string
	// Settled, when set, is what to say when nothing is pending, instead of
	// "everything already exists" (which fits sections that create things).
	Settled string
}

// Pending reports whether any action would change something.
func (p Plan) Pending() bool {
	for _, a := range p.Actions {
		if !a.Skip {
			return true
		}
	}
	return false
}

// Action is one call (or a small group of calls) Apply would make.
type Action struct {
	Key        string   // stable, e.g. "create-organization"
	Title      string   // "Create the organization"
	Why        string   // plain words
	Skip       bool     // already done on AWS
	SkipReason string   // "o-abc123 exists"
	Commands   []string // the equivalent aws/docker commands, ready to copy
	Cost       string   // cost of this action, if any
}

// EventKind says what happened in an Event.
type EventKind string

const (
	EventStarted  EventKind = "started"
	EventProgress EventKind = "progress"
	EventWaiting  EventKind = "waiting" // AWS is working; Op says what and since when
	EventDone     EventKind = "done"
	EventSkipped  EventKind = "skipped"
	EventFailed   EventKind = "failed"
	EventInfo     EventKind = "info"
	EventHandOff  EventKind = "hand-off" // a person must do something in the console
)

// Event is one line of progress from Apply or Resume.
type Event struct {
	Time    time.Time
	Section SectionID
	Step    string // Action.Key
	Kind    EventKind
	Message string
	// Op is set while waiting on AWS, for spinners, elapsed time and ETA.
	Op *Operation
	// Percent is 0..1 for byte or step progress, negative when unknown.
	Percent float64
	// Detail is optional extra text (a build log line, a layer id).
	Detail string
}

// Emit receives events. It must not block for long.
type Emit func(Event)

// Section is one section of the journey.
type Section interface {
	ID() SectionID
	Title() string
	// About is two or three plain sentences: what this section does and why.
	About() string
	// Cost is the approximate monthly cost once done, in plain words.
	Cost() string
	// Discover finds what already exists. It changes nothing.
	Discover(ctx context.Context, env *Env) (Status, error)
	// Plan returns the calls Apply would make with the answers in env.Answers.
	// It changes nothing.
	Plan(ctx context.Context, env *Env) (Plan, error)
	// Apply makes the planned calls, skipping what exists, emitting events.
	// It saves every long operation's handle in the journal before waiting
	// and picks up operations already in the journal instead of starting new ones.
	Apply(ctx context.Context, env *Env, emit Emit) error
	// Resume follows operations still running on AWS (from the journal) until
	// they end, emitting events. It starts nothing new.
	Resume(ctx context.Context, env *Env, emit Emit) error
}
