// Package poll is the one way castle waits on long AWS operations: a landing
// zone (about an hour), an account (minutes), a permission set assignment
// (seconds). Every section uses Until, so every wait behaves the same: it
// checks often when something is likely to change, rarely when nothing will,
// rides out AWS hiccups, and stops the moment the user cancels.
package poll

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"

	"github.com/castle-aws/castle/steps"
)

// Check asks AWS once. done=true ends the wait. A check that wants to show
// AWS's status word records it itself (in the journal, or an event).
type Check func(ctx context.Context) (done bool, err error)

// The shape of the wait, as fractions of the operation's expected duration.
const (
	// EarlyPhase: until 10% of the expected time, poll fast. Operations
	// that fail (bad input, a missing prerequisite) usually do so early,
	// and the user is watching right after starting.
	EarlyPhase = 0.10
	// LatePhase: from 80% of the expected time on, poll fast again, so the
	// end is seen soon after it happens, including when AWS runs late.
	LatePhase = 0.80
)

// Bounds of an interval, in the clock's time.
const (
	// MaxInterval caps the slow phase. An hour-long operation still shows
	// life every minute, and a missed end costs at most a minute.
	MaxInterval = 60 * time.Second
	// MinInterval is the floor for operations of 20 s or more; shorter
	// ones (an IAM assignment of a few seconds) go down to MinShort.
	MinInterval = 2 * time.Second
	MinShort    = 1 * time.Second
	// Jitter spreads polls of many operations started together (±20%).
	Jitter = 0.20
	// DefaultExpected is assumed when an operation gives no expected duration.
	DefaultExpected = 2 * time.Minute
)

// MaxTransient is how many failed checks in a row Until tolerates when the
// error is transient. The SDK has already retried each call (steps.MaxAttempts
// times), so several in a row mean AWS or the network is really down.
const MaxTransient = 5

// Interval is how long to wait before the next check of op, elapsed into it.
// It is exported for tests and for the docs.
//
// The slow interval is a fifteenth of the expected duration, the fast one a
// quarter of the slow one, both within [floor, MaxInterval] where the floor
// is MinInterval, or MinShort for operations under 20 s. For a one-hour
// landing zone that is 15 s at both ends and 60 s in the middle (about 125
// checks for the hour); for a two-minute account creation 2 s and 8 s; for a
// 5 s assignment 1 s throughout. A slow
// wait never runs past the start of the late phase. rnd adds ±Jitter (nil
// means none); the bounds hold after the jitter.
func Interval(op steps.Operation, elapsed time.Duration, rnd *rand.Rand) time.Duration {
	expected := op.Expected
	if expected <= 0 {
		expected = DefaultExpected
	}
	floor := min(max(expected/10, MinShort), MinInterval)
	slow := clamp(expected/15, floor, MaxInterval)
	fast := clamp(slow/4, floor, MaxInterval)

	early := time.Duration(float64(expected) * EarlyPhase)
	late := time.Duration(float64(expected) * LatePhase)
	var d time.Duration
	switch {
	case elapsed < early || elapsed >= late:
		d = fast
	default:
		d = max(min(slow, late-elapsed), fast)
	}
	if rnd != nil {
		d = time.Duration(float64(d) * (1 - Jitter + 2*Jitter*rnd.Float64()))
	}
	return clamp(d, floor, MaxInterval)
}

func clamp(d, lo, hi time.Duration) time.Duration {
	return min(max(d, lo), hi)
}

// Until calls check until it reports done, sleeping Interval between checks
// on clock (the sandbox's virtual clock sleeps less real time). It checks at
// once first, so a resumed operation that ended while castle was closed is
// seen without a wait. Elapsed time counts from op.StartedAt (from now when
// it is zero), so a resumed wait keeps its place in the shape.
//
// Errors: ctx ending returns ctx.Err(). A transient error (see Transient) is
// tolerated up to MaxTransient times in a row, with a short backoff; one
// more returns it. Any other error returns at once, unchanged, for the
// section to explain.
func Until(ctx context.Context, clock steps.Clock, op steps.Operation, check Check) error {
	return UntilWithProgress(ctx, clock, op, check, nil)
}

// UntilWithProgress is Until calling tick (when not nil) after every check
// that did not end the wait, with the time elapsed since the operation
// started, for spinners and ETAs.
func UntilWithProgress(ctx context.Context, clock steps.Clock, op steps.Operation, check Check, tick func(elapsed time.Duration)) error {
	if clock == nil {
		clock = steps.WallClock{}
	}
	start := op.StartedAt
	if start.IsZero() {
		start = clock.Now()
	}
	rnd := newRand(op, clock.Now())
	failures := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		done, err := check(ctx)
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		var wait time.Duration
		switch {
		case err == nil && done:
			return nil
		case err == nil:
			failures = 0
			wait = Interval(op, elapsedSince(clock, start), rnd)
		case Transient(err):
			failures++
			if failures > MaxTransient {
				return fmt.Errorf("%w (castle checked %d times in a row and AWS kept failing)", err, failures)
			}
			wait = backoff(op, failures, rnd)
		default:
			return err
		}
		if tick != nil {
			tick(elapsedSince(clock, start))
		}
		if err := clock.Sleep(ctx, wait); err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			return err
		}
	}
}

// backoff is the wait after the n-th transient failure in a row: the
// operation's fast interval, doubling, never above its normal interval at
// the slow phase. Short, because the SDK has already backed off inside the
// call; the doubling only keeps castle from hammering an AWS that is down.
func backoff(op steps.Operation, n int, rnd *rand.Rand) time.Duration {
	if op.Expected <= 0 {
		op.Expected = DefaultExpected
	}
	fast := Interval(op, 0, nil)
	slow := Interval(op, op.Expected/2, nil)
	d := min(fast<<min(n-1, 10), max(slow, fast))
	if rnd != nil {
		d = time.Duration(float64(d) * (1 - Jitter + 2*Jitter*rnd.Float64()))
	}
	return clamp(d, MinShort, MaxInterval)
}

func elapsedSince(clock steps.Clock, start time.Time) time.Duration {
	return max(clock.Now().Sub(start), 0)
}

// newRand seeds the jitter from the operation and the clock, so waits on
// different operations spread out, and a test with a fixed clock repeats.
func newRand(op steps.Operation, now time.Time) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(op.Key))
	h.Write([]byte{0})
	h.Write([]byte(op.ID))
	return rand.New(rand.NewPCG(h.Sum64(), uint64(now.UnixNano())))
}

// Transient reports whether a failed check is worth repeating: an error the
// SDK's standard retryer classes as retryable (HTTP 5xx, timeouts, connection
// errors) or as throttling, or any network error. Cancellation, a missing
// host (NXDOMAIN) and every other API error (access denied, not found,
// validation) are not.
func Transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	switch retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) {
	case aws.TrueTernary:
		return true
	case aws.FalseTernary:
		return false
	}
	if retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) == aws.TrueTernary {
		return true
	}
	var netErr net.Error
	return errors.As(err, &netErr)
}
