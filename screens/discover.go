package screens

import (
	"context"
	"errors"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/castle-aws/castle/steps"
)

// discoverTimeout bounds one section's Discover, so a hung call shows as an
// error instead of a spinner forever.
const discoverTimeout = 2 * time.Minute

// rediscoverEvery is how often the home screen looks again at sections that
// AWS is still working on and castle is not following.
const rediscoverEvery = 15 * time.Second

// discoverAll is one Cmd per section, run concurrently.
func (a *App) discoverAll() tea.Cmd {
	return a.discoverAllExcept("")
}

func (a *App) discoverAllExcept(skip steps.SectionID) tea.Cmd {
	var cmds []tea.Cmd
	for _, s := range a.sections {
		if s.ID() != skip {
			cmds = append(cmds, a.discover(s.ID()))
		}
	}
	return tea.Batch(cmds...)
}

// discoverAfterRun looks again at every section castle is not following
// right now: a finished section changes what the ones after it find (People
// done unblocks Access, a new workload account changes Network and Service).
func (a *App) discoverAfterRun() tea.Cmd {
	var cmds []tea.Cmd
	for _, s := range a.sections {
		if f := a.flows[s.ID()]; f != nil && f.running() {
			continue
		}
		cmds = append(cmds, a.discover(s.ID()))
	}
	return tea.Batch(cmds...)
}

// discover asks one section what exists, in a Cmd.
func (a *App) discover(id steps.SectionID) tea.Cmd {
	sec := a.byID[id]
	if sec == nil {
		return nil
	}
	a.discGen[id]++
	gen := a.discGen[id]
	if st := a.status[id]; st.State != steps.StateInProgress {
		// keep an in-progress status (and its spinner) until the answer comes
		a.status[id] = steps.Status{Section: id, State: steps.StateUnknown, Summary: st.Summary, Details: st.Details}
	}
	// A fork per discovery, made here in Update: sections fill in default
	// answers while they look, and must not race each other or the forms.
	ctx, env := a.ctx, a.env.Fork()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, discoverTimeout)
		defer cancel()
		st, err := sec.Discover(ctx, env)
		if st.Section == "" {
			st.Section = id
		}
		return discoverMsg{id: id, gen: gen, status: st, err: err}
	}
}

func (a *App) onDiscover(msg discoverMsg) tea.Cmd {
	if msg.gen != a.discGen[msg.id] {
		return nil
	}
	st := msg.status
	if msg.err != nil {
		if errors.Is(msg.err, context.Canceled) {
			return nil
		}
		if errors.Is(msg.err, steps.ErrNotBuilt) {
			st.State = steps.StateNotBuilt
		} else {
			st.State = steps.StateFailed
			st.Summary = errText(msg.err)
		}
	}
	if st.State == "" {
		st.State = steps.StateNotStarted
	}
	a.status[msg.id] = st
	a.discErr[msg.id] = msg.err
	if st.State == steps.StateInProgress && a.flows[msg.id] == nil {
		gen := msg.gen
		id := msg.id
		return tea.Tick(rediscoverEvery, func(time.Time) tea.Msg { return rediscoverMsg{id: id, gen: gen} })
	}
	return nil
}

// identityCmd asks who is signed in. It does nothing when the env has no AWS
// configuration at all (nothing to ask).
func (a *App) identityCmd() tea.Cmd {
	env, ctx := a.env, a.ctx
	if env.Config.Credentials == nil && env.Config.Region == "" {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		id, err := env.Caller(ctx)
		return identityMsg{id: id, err: err}
	}
}

// workloadCmd finds the account the application sections work in.
func (a *App) workloadCmd() tea.Cmd {
	env, ctx := a.env, a.ctx
	if env.Workload == nil {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		w, err := env.WorkloadAccount(ctx)
		return workloadMsg{account: w.AccountID, name: w.Name, err: err}
	}
}

// identityRefresh looks again at the workload account after a section that
// may have created it finishes.
func (a *App) identityRefresh(id steps.SectionID) tea.Cmd {
	if id == steps.Preflight {
		return nil
	}
	return a.workloadCmd()
}

// errText is the plain message of an error, with the next step when known.
func errText(err error) string {
	var ue *steps.UserError
	if errors.As(err, &ue) {
		return ue.Message
	}
	return err.Error()
}
