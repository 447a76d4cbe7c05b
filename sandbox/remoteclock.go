package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// RemoteClock follows the virtual clock of a sandbox in another process
// (`castle sandbox serve`), so a castle pointed at it with --endpoint-url
// shows elapsed times and ETAs in the sandbox's time.
type RemoteClock struct {
	base  time.Time // the sandbox's time when asked
	at    time.Time // our wall time when asked
	speed float64
}

// DialClock asks a sandbox for its clock. Any other endpoint (a real AWS
// emulator) answers with an error, and callers keep the wall clock.
func DialClock(ctx context.Context, endpoint string) (*RemoteClock, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", strings.TrimRight(endpoint, "/")+"/_sandbox/clock", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("%s is not a castle sandbox", endpoint)
	}
	var info ClockInfo
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil || info.Speed <= 0 {
		return nil, fmt.Errorf("%s is not a castle sandbox", endpoint)
	}
	return &RemoteClock{base: info.Now, at: time.Now(), speed: info.Speed}, nil
}

// Now is the sandbox's time.
func (c *RemoteClock) Now() time.Time {
	return c.base.Add(time.Duration(float64(time.Since(c.at)) * c.speed))
}

// Sleep waits d of the sandbox's time.
func (c *RemoteClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(time.Duration(float64(d) / c.speed))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
