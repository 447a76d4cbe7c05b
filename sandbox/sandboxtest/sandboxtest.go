// Package sandboxtest starts castle's sandbox for a test and hands out SDK
// configurations and castle envs pointed at it, so tests exercise the real
// SDK over loopback HTTP and never reach AWS.
package sandboxtest

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/world"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
)

// Region is the region tests work in.
const Region = "eu-west-1"

// Sandbox is a sandbox running for one test.
type Sandbox struct {
	*sandbox.Sandbox
	t testing.TB
}

// Start runs a sandbox (in memory unless o.StateDir is set) and stops it when
// the test ends. Speed defaults to 60 unless set.
func Start(t testing.TB, o sandbox.Options) *Sandbox {
	t.Helper()
	s, err := sandbox.Start(o)
	if err != nil {
		t.Fatalf("start sandbox: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return &Sandbox{Sandbox: s, t: t}
}

// Config returns an SDK configuration with the given keys.
func (s *Sandbox) Config(keyID, secret, session string) aws.Config {
	s.t.Helper()
	cfg, err := steps.LoadConfig(context.Background(), steps.ConnectOptions{
		Region:      Region,
		EndpointURL: s.URL,
		Credentials: steps.StaticCredentials(keyID, secret, session),
		Isolated:    true,
		MaxBackoff:  50 * time.Millisecond,
	})
	if err != nil {
		s.t.Fatalf("sandbox config: %v", err)
	}
	return cfg
}

// Admin is the management account's administrator.
func (s *Sandbox) Admin() aws.Config { return s.Config(world.AdminKeyID, world.AdminSecret, "") }

// Root is the management account's root user.
func (s *Sandbox) Root() aws.Config { return s.Config(world.RootKeyID, world.RootSecret, "") }

// Expired holds credentials that expired an hour ago.
func (s *Sandbox) Expired() aws.Config {
	return s.Config(world.ExpiredKeyID, world.ExpiredSecret, "expired-session")
}

// Env is a castle env signed in as the administrator, with a journal in a
// temporary folder, the sandbox's clock and empty answers.
func (s *Sandbox) Env() *steps.Env {
	return s.EnvWith(s.Admin())
}

// EnvWith is Env with another configuration.
func (s *Sandbox) EnvWith(cfg aws.Config) *steps.Env {
	return &steps.Env{
		Config:      cfg,
		Region:      Region,
		Sandbox:     true,
		EndpointURL: s.URL,
		Clock:       s.Clock(),
		Answers:     &castlefile.File{Region: Region},
		StateDir:    s.t.TempDir(),
	}
}
