package pipeline

import "github.com/castle-aws/castle/steps"

// emitter sends the section's events, stamped with the env's clock.
type emitter struct {
	env  *steps.Env
	emit steps.Emit
}

func (e emitter) send(ev steps.Event) {
	if e.emit == nil {
		return
	}
	ev.Section = steps.Pipeline
	ev.Time = e.env.Now()
	if ev.Percent == 0 && ev.Kind != steps.EventProgress {
		ev.Percent = -1
	}
	e.emit(ev)
}

func (e emitter) started(step, msg string) {
	e.send(steps.Event{Step: step, Kind: steps.EventStarted, Message: msg})
}
func (e emitter) done(step, msg string) {
	e.send(steps.Event{Step: step, Kind: steps.EventDone, Message: msg})
}
func (e emitter) skipped(step, msg string) {
	e.send(steps.Event{Step: step, Kind: steps.EventSkipped, Message: msg})
}
func (e emitter) info(step, msg string) {
	e.send(steps.Event{Step: step, Kind: steps.EventInfo, Message: msg})
}
