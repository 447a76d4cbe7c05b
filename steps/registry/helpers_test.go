package registry

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/castle-aws/castle/sandbox"
	sbecr "github.com/castle-aws/castle/sandbox/ecr"
	"github.com/castle-aws/castle/sandbox/iam"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/sandbox/sts"
	"github.com/castle-aws/castle/sandbox/world"
	"github.com/castle-aws/castle/steps"
)

// needDocker skips the test when no engine answers, unless
// CASTLE_REQUIRE_DOCKER=1 says the engine must be there.
func needDocker(t *testing.T) *client.Client {
	t.Helper()
	c, err := client.New(client.FromEnv)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err = c.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true})
	}
	if err != nil {
		if os.Getenv("CASTLE_REQUIRE_DOCKER") == "1" {
			t.Fatalf("CASTLE_REQUIRE_DOCKER=1 but no Docker engine answers: %v", err)
		}
		t.Skipf("skipping: no Docker engine answers (%v); set CASTLE_REQUIRE_DOCKER=1 to make this a failure", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// fixture is a sandbox with ECR, an env whose SDK debug log goes to a
// buffer, and the events Apply emitted.
type fixture struct {
	sb     *sandboxtest.Sandbox
	env    *steps.Env
	debug  *syncBuffer
	mu     sync.Mutex
	events []steps.Event
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	sb := sandboxtest.Start(t, sandbox.Options{Services: []world.Service{sts.New(), iam.New(), sbecr.New()}})
	f := &fixture{sb: sb, debug: &syncBuffer{}}
	cfg, err := steps.LoadConfig(context.Background(), steps.ConnectOptions{
		Region: sandboxtest.Region, EndpointURL: sb.URL, Isolated: true, DebugLog: f.debug,
		Credentials: steps.StaticCredentials(world.AdminKeyID, world.AdminSecret, ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	f.env = sb.EnvWith(cfg)
	f.env.Answers.Registry.Repository = "castle-reg6-" + randHex(4)
	t.Cleanup(func() {
		if f.env.Journal != nil {
			f.env.Journal.Close()
		}
	})
	return f
}

func (f *fixture) emit(ev steps.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, ev)
}

func (f *fixture) eventText() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var b strings.Builder
	for _, ev := range f.events {
		fmt.Fprintf(&b, "%+v\n", ev)
	}
	return b.String()
}

// kinds returns the last event kind of each step.
func (f *fixture) kinds() map[string]steps.EventKind {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]steps.EventKind{}
	for _, ev := range f.events {
		out[ev.Step] = ev.Kind
	}
	return out
}

func (f *fixture) passwords() []string {
	w := f.sb.World
	w.Lock()
	defer w.Unlock()
	return sbecr.From(w).Passwords(w, world.ManagementAccount)
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// folder writes files into a new temporary folder.
func folder(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// removeImages deletes the test's images from the engine.
func removeImages(t *testing.T, c *client.Client, refs ...string) {
	t.Cleanup(func() {
		for _, r := range refs {
			c.ImageRemove(context.Background(), r, client.ImageRemoveOptions{Force: true, PruneChildren: true})
		}
	})
}
