package screens

import (
	"github.com/castle-aws/castle/steps"
)

// ReconnectedMsg tells the shell that the AWS profile or region changed (sent
// by the Preflight screen after FormContext.Reconnect succeeded). The shell
// asks who is signed in again and re-discovers every section.
type ReconnectedMsg struct{ Profile, Region string }

// discoverMsg is one section's Discover answer. gen drops stale answers.
type discoverMsg struct {
	id     steps.SectionID
	gen    int
	status steps.Status
	err    error
}

// rediscoverMsg asks for one section's status again (in-progress sections).
type rediscoverMsg struct {
	id  steps.SectionID
	gen int
}

type identityMsg struct {
	id  steps.Identity
	err error
}

type workloadMsg struct {
	account, name string
	err           error
}

type planMsg struct {
	id   steps.SectionID
	gen  int
	plan steps.Plan
	err  error
}

// runEventMsg and runEndMsg come from Apply/Resume running in a goroutine.
type runEventMsg struct {
	id  steps.SectionID
	seq int
	ev  steps.Event
}

type runEndMsg struct {
	id  steps.SectionID
	seq int
	err error
}

type accessibleFormMsg struct {
	id  steps.SectionID
	err error
}

type savedMsg struct{ err error }

type flashClearMsg struct{ seq int }

// clockTickMsg refreshes elapsed times once a second when no spinner runs
// (accessible mode).
type clockTickMsg struct{}
