package sandbox

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// Faults is the sandbox's fault injection: a share of requests answered with
// a throttling error or a server error, and added latency. Seeded, so a
// failing test replays.
type Faults struct {
	Throttle    float64       // 0..1 share of requests throttled
	ServerError float64       // 0..1 share answered with a 5xx
	Latency     time.Duration // added to every request
	Seed        uint64
}

// ParseFaults reads "throttle=0.1,5xx=0.05,latency=20ms,seed=7".
func ParseFaults(spec string) (Faults, error) {
	var f Faults
	if strings.TrimSpace(spec) == "" {
		return f, nil
	}
	for _, part := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return f, fmt.Errorf("fault %q: write it as name=value, e.g. throttle=0.1", part)
		}
		var err error
		switch k {
		case "throttle":
			f.Throttle, err = strconv.ParseFloat(v, 64)
		case "5xx", "error":
			f.ServerError, err = strconv.ParseFloat(v, 64)
		case "latency":
			f.Latency, err = time.ParseDuration(v)
		case "seed":
			f.Seed, err = strconv.ParseUint(v, 10, 64)
		default:
			return f, fmt.Errorf("unknown fault %q: use throttle, 5xx, latency or seed", k)
		}
		if err != nil {
			return f, fmt.Errorf("fault %s: %w", k, err)
		}
	}
	if f.Throttle < 0 || f.Throttle > 1 || f.ServerError < 0 || f.ServerError > 1 {
		return f, fmt.Errorf("fault rates are shares between 0 and 1")
	}
	return f, nil
}

func (h *handler) injectFault(svc world.Service) *wire.Error {
	if h.faults.Latency > 0 {
		time.Sleep(h.faults.Latency)
	}
	if h.faults.Throttle == 0 && h.faults.ServerError == 0 {
		return nil
	}
	h.mu.Lock()
	roll := h.rnd.Float64()
	h.mu.Unlock()
	switch {
	case roll < h.faults.Throttle:
		if t, ok := svc.(world.Throttler); ok {
			return t.ThrottleError()
		}
		return throttleError(svc.Protocol())
	case roll < h.faults.Throttle+h.faults.ServerError:
		if svc.Protocol() == wire.RestXML || svc.Protocol() == wire.EC2Query {
			return &wire.Error{Status: 503, Code: "ServiceUnavailable", Message: "injected by the sandbox", Server: true}
		}
		return &wire.Error{Status: 500, Code: "InternalFailure", Message: "injected by the sandbox", Server: true}
	}
	return nil
}

func throttleError(p wire.Protocol) *wire.Error {
	switch p {
	case wire.Query:
		return wire.Errorf(400, "Throttling", "Rate exceeded")
	case wire.EC2Query:
		return wire.Errorf(503, "RequestLimitExceeded", "Request limit exceeded.")
	case wire.RestXML:
		return wire.Errorf(503, "SlowDown", "Please reduce your request rate.")
	}
	return wire.Errorf(400, "ThrottlingException", "Rate exceeded")
}
