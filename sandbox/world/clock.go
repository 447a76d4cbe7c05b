package world

import (
	"context"
	"sync"
	"time"
)

// Clock is the sandbox's virtual clock: it runs Speed times faster than the
// wall clock, so an hour of Control Tower passes in a minute at speed 60.
// Every service measures asynchronous work by it, never by time.Now.
type Clock struct {
	mu       sync.Mutex
	virtBase time.Time
	realBase time.Time
	speed    float64
}

// NewClock starts a clock at start running speed times faster than real time.
func NewClock(start time.Time, speed float64) *Clock {
	if speed <= 0 {
		speed = 1
	}
	return &Clock{virtBase: start, realBase: time.Now(), speed: speed}
}

// Now is the virtual time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *Clock) nowLocked() time.Time {
	real := time.Since(c.realBase)
	return c.virtBase.Add(time.Duration(float64(real) * c.speed))
}

// Speed is how many virtual seconds pass per real second.
func (c *Clock) Speed() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.speed
}

// Advance moves virtual time forward by d at once (tests, `castle sandbox advance`).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.virtBase = c.virtBase.Add(d)
}

// Sleep waits d of virtual time.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	real := time.Duration(float64(d) / c.Speed())
	t := time.NewTimer(real)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
