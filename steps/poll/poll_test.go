package poll

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/castle-aws/castle/steps"
)

// fakeClock records every sleep and advances at once.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *fakeClock) slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

var _ steps.Clock = (*fakeClock)(nil)

func op(expected time.Duration) steps.Operation {
	return steps.Operation{Key: "k", ID: "op-1", Expected: expected}
}

func TestIntervalShape(t *testing.T) {
	const s = time.Second
	tests := []struct {
		expected, elapsed, want time.Duration
	}{
		// A one-hour landing zone: 15 s at both ends, 60 s in the middle.
		{time.Hour, 0, 15 * s},
		{time.Hour, 5 * time.Minute, 15 * s},
		{time.Hour, 6 * time.Minute, 60 * s},
		{time.Hour, 30 * time.Minute, 60 * s},
		{time.Hour, 47*time.Minute + 30*s, 30 * s}, // a slow wait stops where the late phase starts
		{time.Hour, 48 * time.Minute, 15 * s},
		{time.Hour, 59 * time.Minute, 15 * s},
		{time.Hour, 3 * time.Hour, 15 * s}, // running late: keep looking often
		// Ten minutes: 40 s in the middle, a quarter of it at the ends.
		{10 * time.Minute, 0, 10 * s},
		{10 * time.Minute, 3 * time.Minute, 40 * s},
		{10 * time.Minute, 9 * time.Minute, 10 * s},
		// A two-minute account: 2 s, 8 s, 2 s.
		{2 * time.Minute, 0, 2 * s},
		{2 * time.Minute, time.Minute, 8 * s},
		{2 * time.Minute, 100 * s, 2 * s},
		// A five-second assignment: every second.
		{5 * s, 0, 1 * s},
		{5 * s, 2 * s, 1 * s},
		{5 * s, 10 * s, 1 * s},
		// Fifteen seconds: floor between the two.
		{15 * s, 5 * s, 1500 * time.Millisecond},
		// No expected duration: as DefaultExpected.
		{0, time.Minute, 8 * s},
	}
	for _, tt := range tests {
		if got := Interval(op(tt.expected), tt.elapsed, nil); got != tt.want {
			t.Errorf("Interval(expected %v, elapsed %v) = %v, want %v", tt.expected, tt.elapsed, got, tt.want)
		}
	}
}

func TestIntervalBounds(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for expected := time.Second; expected <= 10*time.Hour; expected = expected * 3 / 2 {
		for _, frac := range []float64{0, 0.05, 0.1, 0.3, 0.5, 0.79, 0.8, 1, 2, 10} {
			elapsed := time.Duration(float64(expected) * frac)
			for i := 0; i < 20; i++ {
				d := Interval(op(expected), elapsed, rnd)
				if d < MinShort || d > MaxInterval {
					t.Fatalf("Interval(%v, %v) = %v, outside [%v, %v]", expected, elapsed, d, MinShort, MaxInterval)
				}
				if expected >= 20*time.Second && d < MinInterval {
					t.Fatalf("Interval(%v, %v) = %v, below %v", expected, elapsed, d, MinInterval)
				}
				if expected <= 10*time.Second && d > 2*time.Second {
					t.Fatalf("Interval(%v, %v) = %v: a short operation must be polled every second or two", expected, elapsed, d)
				}
			}
		}
	}
}

func TestIntervalJitter(t *testing.T) {
	o := op(10 * time.Minute)
	elapsed := 3 * time.Minute
	base := Interval(o, elapsed, nil) // 40 s, far from both bounds
	lo, hi := time.Duration(float64(base)*0.8), time.Duration(float64(base)*1.2)
	rnd := rand.New(rand.NewPCG(42, 7))
	seen := map[time.Duration]bool{}
	minD, maxD := hi, lo
	for i := 0; i < 1000; i++ {
		d := Interval(o, elapsed, rnd)
		if d < lo || d > hi {
			t.Fatalf("jittered %v outside ±20%% of %v", d, base)
		}
		seen[d] = true
		minD, maxD = min(minD, d), max(maxD, d)
	}
	if len(seen) < 100 || minD > base*85/100 || maxD < base*115/100 {
		t.Fatalf("jitter does not spread: %d values in [%v, %v]", len(seen), minD, maxD)
	}
	// The same seed gives the same intervals.
	a, b := rand.New(rand.NewPCG(3, 4)), rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 10; i++ {
		if x, y := Interval(o, elapsed, a), Interval(o, elapsed, b); x != y {
			t.Fatalf("same seed, different intervals: %v and %v", x, y)
		}
	}
}

// An hour-long operation that ends after 62 minutes: fast, slow, fast.
func TestUntilFollowsTheShape(t *testing.T) {
	clock := newClock()
	o := op(time.Hour)
	o.StartedAt = clock.Now()
	end := o.StartedAt.Add(62 * time.Minute)
	checks := 0
	err := Until(context.Background(), clock, o, func(ctx context.Context) (bool, error) {
		checks++
		return !clock.Now().Before(end), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sleeps := clock.slept()
	if checks != len(sleeps)+1 {
		t.Fatalf("%d checks for %d sleeps: Until must check first, then between sleeps", checks, len(sleeps))
	}
	var at time.Duration
	var early, middle, late []time.Duration
	for _, d := range sleeps {
		switch {
		case at < 6*time.Minute:
			early = append(early, d)
		case at < 48*time.Minute:
			middle = append(middle, d)
		default:
			late = append(late, d)
		}
		at += d
	}
	within := func(name string, ds []time.Duration, lo, hi time.Duration) {
		t.Helper()
		if len(ds) == 0 {
			t.Fatalf("no sleeps in the %s phase", name)
		}
		for _, d := range ds {
			if d < lo || d > hi {
				t.Errorf("%s phase slept %v, want %v..%v", name, d, lo, hi)
			}
		}
	}
	within("early", early, 12*time.Second, 18*time.Second)
	within("late", late, 12*time.Second, 18*time.Second)
	// The middle ends with a shortened sleep up to the late phase.
	within("middle", middle[:len(middle)-1], 48*time.Second, 60*time.Second)
	if last := middle[len(middle)-1]; last > 60*time.Second || last < 12*time.Second {
		t.Errorf("last middle sleep %v", last)
	}
	if at < 62*time.Minute || at > 62*time.Minute+18*time.Second {
		t.Errorf("the end at 62 min was seen at %v", at)
	}
	if checks > 150 {
		t.Errorf("%d checks for one hour is too many", checks)
	}
}

// A resumed operation keeps its place: 55 minutes into an hour, it polls fast.
func TestUntilResumesInPlace(t *testing.T) {
	clock := newClock()
	o := op(time.Hour)
	o.StartedAt = clock.Now().Add(-55 * time.Minute)
	n := 0
	var ticks []time.Duration
	err := UntilWithProgress(context.Background(), clock, o, func(ctx context.Context) (bool, error) {
		n++
		return n == 4, nil
	}, func(elapsed time.Duration) { ticks = append(ticks, elapsed) })
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range clock.slept() {
		if d > 18*time.Second {
			t.Fatalf("resumed late-phase wait slept %v", d)
		}
	}
	if len(ticks) != 3 || ticks[0] != 55*time.Minute {
		t.Fatalf("ticks = %v, want 3 starting at 55m", ticks)
	}
	for i := 1; i < len(ticks); i++ {
		if ticks[i] <= ticks[i-1] {
			t.Fatalf("ticks do not grow: %v", ticks)
		}
	}
}

func TestUntilDoneAtOnce(t *testing.T) {
	clock := newClock()
	err := Until(context.Background(), clock, op(time.Hour), func(context.Context) (bool, error) { return true, nil })
	if err != nil || len(clock.slept()) != 0 {
		t.Fatalf("err %v, sleeps %v: an operation already done needs no wait", err, clock.slept())
	}
}

func throttled() error {
	return &smithy.OperationError{ServiceID: "ControlTower", OperationName: "GetLandingZoneOperation",
		Err: &retry.MaxAttemptsError{Attempt: steps.MaxAttempts, Err: &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}}}
}

func TestTransientTolerated(t *testing.T) {
	for _, failures := range []int{1, 4, MaxTransient} {
		t.Run(fmt.Sprint(failures), func(t *testing.T) {
			clock := newClock()
			n := 0
			err := Until(context.Background(), clock, op(time.Hour), func(context.Context) (bool, error) {
				n++
				if n <= failures {
					return false, throttled()
				}
				return true, nil
			})
			if err != nil {
				t.Fatalf("%d transient errors then success: %v", failures, err)
			}
			if n != failures+1 {
				t.Fatalf("%d checks, want %d", n, failures+1)
			}
			sleeps := clock.slept()
			for i := 1; i < len(sleeps); i++ {
				if sleeps[i] > MaxInterval {
					t.Fatalf("backoff %v above %v", sleeps[i], MaxInterval)
				}
			}
		})
	}
}

func TestTransientBackoffGrows(t *testing.T) {
	clock := newClock()
	n := 0
	_ = Until(context.Background(), clock, op(time.Hour), func(context.Context) (bool, error) {
		n++
		if n <= 4 {
			return false, throttled()
		}
		return true, nil
	})
	// Without jitter: the fast interval, doubling up to the slow one.
	want := []time.Duration{15 * time.Second, 30 * time.Second, 60 * time.Second, 60 * time.Second}
	for i, w := range want {
		if got := backoff(op(time.Hour), i+1, nil); got != w {
			t.Errorf("backoff after %d failures = %v, want %v", i+1, got, w)
		}
	}
	s := clock.slept()
	if len(s) != len(want) {
		t.Fatalf("sleeps %v", s)
	}
	for i, d := range s {
		if d < want[i]*8/10 || d > want[i]*12/10 {
			t.Errorf("backoff sleep %d = %v, want %v ±20%%", i+1, d, want[i])
		}
	}
	// A five-second operation backs off by about a second.
	for n := 1; n <= MaxTransient; n++ {
		if got := backoff(op(5*time.Second), n, nil); got != time.Second {
			t.Errorf("short operation backoff %d = %v", n, got)
		}
	}
}

func TestTooManyTransient(t *testing.T) {
	clock := newClock()
	n := 0
	err := Until(context.Background(), clock, op(time.Hour), func(context.Context) (bool, error) {
		n++
		return false, throttled()
	})
	if err == nil {
		t.Fatal("six transient errors in a row ended well")
	}
	if n != MaxTransient+1 {
		t.Fatalf("%d checks, want %d", n, MaxTransient+1)
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ThrottlingException" {
		t.Fatalf("error %v does not carry the AWS error", err)
	}
}

func TestTransientCountResetsOnSuccess(t *testing.T) {
	clock := newClock()
	n := 0
	// 4 failures, a success that is not done, 4 failures, done: never 5 in a row... then more.
	err := Until(context.Background(), clock, op(time.Hour), func(context.Context) (bool, error) {
		n++
		switch {
		case n == 5:
			return false, nil
		case n == 10:
			return true, nil
		}
		return false, throttled()
	})
	if err != nil {
		t.Fatalf("failures separated by a good check: %v", err)
	}
}

func TestNonRetryableReturnsAtOnce(t *testing.T) {
	clock := newClock()
	denied := &smithy.OperationError{ServiceID: "Organizations", OperationName: "DescribeCreateAccountStatus",
		Err: &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"}}
	n := 0
	err := Until(context.Background(), clock, op(time.Hour), func(context.Context) (bool, error) {
		n++
		return false, denied
	})
	if err != denied {
		t.Fatalf("err = %v, want the check's error unchanged", err)
	}
	if n != 1 || len(clock.slept()) != 0 {
		t.Fatalf("%d checks, %d sleeps: a non-retryable error must end the wait at once", n, len(clock.slept()))
	}
}

func TestCancel(t *testing.T) {
	t.Run("during check", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		clock := newClock()
		n := 0
		err := Until(ctx, clock, op(time.Hour), func(ctx context.Context) (bool, error) {
			n++
			if n == 3 {
				cancel()
				return false, ctx.Err()
			}
			return false, nil
		})
		if !errors.Is(err, context.Canceled) || n != 3 {
			t.Fatalf("err %v after %d checks", err, n)
		}
	})
	t.Run("check ignores it", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		clock := newClock()
		err := Until(ctx, clock, op(time.Hour), func(context.Context) (bool, error) {
			cancel()
			return false, nil
		})
		if err != context.Canceled || len(clock.slept()) != 0 {
			t.Fatalf("err %v, sleeps %v", err, clock.slept())
		}
	})
	t.Run("before start", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		called := false
		err := Until(ctx, newClock(), op(time.Hour), func(context.Context) (bool, error) { called = true; return true, nil })
		if err != context.Canceled || called {
			t.Fatalf("err %v, called %v", err, called)
		}
	})
	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithDeadline(context.Background(), time.Unix(0, 0))
		defer cancel()
		err := Until(ctx, newClock(), op(time.Hour), func(context.Context) (bool, error) { return false, nil })
		if err != context.DeadlineExceeded {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("during sleep", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		n := 0
		clock := &cancelClock{fakeClock: newClock(), cancel: cancel}
		err := Until(ctx, clock, op(time.Hour), func(context.Context) (bool, error) { n++; return false, nil })
		if err != context.Canceled || n != 1 {
			t.Fatalf("err %v after %d checks", err, n)
		}
	})
}

// cancelClock cancels the context when Sleep is called, as a user pressing
// Esc while castle waits.
type cancelClock struct {
	*fakeClock
	cancel func()
}

func (c *cancelClock) Sleep(ctx context.Context, d time.Duration) error {
	c.cancel()
	return c.fakeClock.Sleep(ctx, d)
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestTransient(t *testing.T) {
	status := func(code int) error {
		return &smithy.OperationError{ServiceID: "ECS", OperationName: "DescribeServices",
			Err: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: code}}, Err: errors.New("boom")}}
	}
	api := func(code string) error { return &smithy.GenericAPIError{Code: code} }
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"throttling after the SDK's retries", throttled(), true},
		{"TooManyRequestsException", api("TooManyRequestsException"), true},
		{"RequestLimitExceeded", api("RequestLimitExceeded"), true},
		{"RequestTimeout", api("RequestTimeout"), true},
		{"HTTP 503", status(503), true},
		{"HTTP 500", status(500), true},
		{"HTTP 429 unmodeled", status(429), true},
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, true},
		{"network timeout", fmt.Errorf("read: %w", timeoutErr{}), true},
		{"access denied", api("AccessDeniedException"), false},
		{"not found", api("ResourceNotFoundException"), false},
		{"validation", api("ValidationException"), false},
		{"HTTP 400", status(400), false},
		{"canceled", fmt.Errorf("op: %w", context.Canceled), false},
		{"deadline", context.DeadlineExceeded, false},
		{"no such host", &net.DNSError{Err: "no such host", Name: "nope.invalid", IsNotFound: true}, false},
		{"plain", errors.New("something else"), false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		if got := Transient(tt.err); got != tt.want {
			t.Errorf("%s: Transient = %v, want %v", tt.name, got, tt.want)
		}
	}
}
