// Package sandbox is castle's AWS simulator. The real aws-sdk-go-v2 clients
// talk to it over loopback HTTP (BaseEndpoint), so every request is really
// serialized, signed and parsed; it answers in each service's own protocol
// with AWS's error shapes and codes, keeps its state on disk, runs on a
// virtual clock (an hour of Control Tower in a minute at speed 60), injects
// faults on demand, and serves an OCI registry that accepts the ECR token.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"time"

	"github.com/castle-aws/castle/sandbox/world"
)

// Options configure a sandbox.
type Options struct {
	// Addr to listen on; default 127.0.0.1:0 (a free port).
	Addr string
	// Speed of the virtual clock; default 60.
	Speed float64
	// StateDir keeps the state across restarts; "" keeps it in memory.
	StateDir string
	Faults   Faults
	// Seed makes ids repeatable; 0 picks one.
	Seed uint64
	// AutoApproveConnections approves pending GitHub connections a few
	// virtual minutes after they are created.
	AutoApproveConnections bool
	// Services replaces the simulated services (protocol tests).
	Services []world.Service
	// DockerHost is the engine ECS tasks run on ("" → DOCKER_HOST or the default socket).
	DockerHost string
}

// DefaultSpeed is an hour of AWS in a minute.
const DefaultSpeed = 60

// Sandbox is a running simulator.
type Sandbox struct {
	World *world.World
	// URL is the endpoint to give the SDK (BaseEndpoint / --endpoint-url).
	URL     string
	servers []*http.Server
}

// Start runs a sandbox until Close.
func Start(o Options) (*Sandbox, error) {
	if o.Speed == 0 {
		o.Speed = DefaultSpeed
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	svcs := o.Services
	if svcs == nil {
		svcs = services(o)
	}
	w, err := world.New(o.StateDir, o.Speed, o.Seed, svcs...)
	if err != nil {
		return nil, err
	}
	seed := o.Faults.Seed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	h := &handler{w: w, faults: o.Faults, rnd: rand.New(rand.NewPCG(seed, 7))}
	s := &Sandbox{World: w}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return nil, fmt.Errorf("the sandbox cannot listen on %s: %w", o.Addr, err)
	}
	s.URL = "http://" + ln.Addr().String()
	s.serve(ln, h)
	for _, svc := range w.Services() {
		side, ok := svc.(world.SideServer)
		if !ok {
			continue
		}
		// The same port as last time when it is free: image URIs name it.
		sl, err := net.Listen("tcp", w.SideAddrs[svc.Name()])
		if err != nil || w.SideAddrs[svc.Name()] == "" {
			if sl != nil {
				sl.Close()
			}
			sl, err = net.Listen("tcp", "127.0.0.1:0")
		}
		if err != nil {
			s.Close()
			return nil, err
		}
		side.SetSideAddress(sl.Addr().String())
		w.Lock()
		w.SideAddrs[svc.Name()] = sl.Addr().String()
		w.Save()
		w.Unlock()
		s.serve(sl, side.SideHandler(w))
	}
	return s, nil
}

func (s *Sandbox) serve(ln net.Listener, h http.Handler) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	s.servers = append(s.servers, srv)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Printf("sandbox: %v\n", err)
		}
	}()
}

// Close stops the servers and saves the state.
func (s *Sandbox) Close() error {
	// A short grace for requests in flight, then close: the SDK's idle and
	// never-used connections would otherwise hold Shutdown for its whole
	// deadline (net/http waits 5 s on connections that sent nothing yet).
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	for _, srv := range s.servers {
		if srv.Shutdown(ctx) != nil {
			srv.Close()
		}
	}
	for _, svc := range s.World.Services() {
		if c, ok := svc.(interface{ Close() }); ok {
			c.Close()
		}
	}
	s.World.Lock()
	defer s.World.Unlock()
	return s.World.Save()
}

// Clock is the sandbox's virtual clock (it satisfies steps.Clock).
func (s *Sandbox) Clock() *world.Clock { return s.World.Clock }
