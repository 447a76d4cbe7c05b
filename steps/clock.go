package steps

import (
	"context"
	"time"
)

// Clock is the time castle measures AWS operations by. Against AWS it is the
// wall clock; against the sandbox it is the sandbox's virtual clock, so an
// hour of Control Tower shows as an hour of elapsed time even when it passes
// in a minute.
type Clock interface {
	Now() time.Time
	// Sleep waits d of this clock's time, or until ctx ends.
	Sleep(ctx context.Context, d time.Duration) error
}

// WallClock is the real clock.
type WallClock struct{}

func (WallClock) Now() time.Time { return time.Now() }

func (WallClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
