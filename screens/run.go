package screens

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/castle-aws/castle/steps"
)

// run is one Apply or Resume running in its own goroutine. Its events come
// back to Update through a channel: wait() is a Cmd that delivers the next
// one and is re-armed after each event.
type run struct {
	id     steps.SectionID
	seq    int
	resume bool
	cancel context.CancelFunc
	ch     chan tea.Msg
	ended  bool
}

// startRun starts Apply (or Resume) of sec. Cancelling parent stops only
// castle's own polling: AWS keeps working on whatever it started.
func startRun(parent context.Context, env *steps.Env, sec steps.Section, resume bool, seq int) *run {
	ctx, cancel := context.WithCancel(parent)
	r := &run{id: sec.ID(), seq: seq, resume: resume, cancel: cancel, ch: make(chan tea.Msg, 256)}
	go r.work(ctx, env, sec)
	return r
}

func (r *run) work(ctx context.Context, env *steps.Env, sec steps.Section) {
	send := func(m tea.Msg) {
		select {
		case r.ch <- m:
		case <-ctx.Done():
		}
	}
	emit := func(ev steps.Event) { send(runEventMsg{id: r.id, seq: r.seq, ev: ev}) }
	var err error
	defer func() {
		if p := recover(); p != nil {
			err = &steps.UserError{
				Message: fmt.Sprintf("castle hit a bug while working on %s (%v).", sec.Title(), p),
				Next:    "Nothing on AWS was cancelled. Press r to try again; castle skips what already exists.",
			}
		}
		send(runEndMsg{id: r.id, seq: r.seq, err: err})
		close(r.ch)
	}()
	if r.resume {
		err = sec.Resume(ctx, env, emit)
	} else {
		err = sec.Apply(ctx, env, emit)
	}
}

// wait delivers the next message of the run, or nil once it is over.
func (r *run) wait() tea.Cmd {
	ch := r.ch
	return func() tea.Msg {
		m, ok := <-ch
		if !ok {
			return nil
		}
		return m
	}
}
