package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
)

// dockerOrSkip returns when a Docker engine answers; otherwise the test is
// skipped with the reason, or fails when CASTLE_REQUIRE_DOCKER=1 (CI).
func dockerOrSkip(t *testing.T) {
	t.Helper()
	cli, err := client.New(client.FromEnv)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_, err = cli.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true})
		cli.Close()
	}
	if err == nil {
		return
	}
	if os.Getenv("CASTLE_REQUIRE_DOCKER") == "1" {
		t.Fatalf("CASTLE_REQUIRE_DOCKER=1 but no Docker engine answers: %v", err)
	}
	t.Skipf("no Docker engine answers (%v); set DOCKER_HOST or start dockerd to run the whole journey", err)
}

// The whole journey of castle.yaml, headless, on the sandbox and the real
// Docker engine: from a fresh account to a landing zone, people, an Account
// Factory account, access, an image pushed from a FROM scratch folder, the
// network, a Fargate service that answers on its URL, and a pipeline whose
// first run deploys. Then the same file again changes nothing.
func TestWholeJourneyThenNothingChanges(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole journey")
	}
	dockerOrSkip(t)
	dir := t.TempDir()
	app := filepath.Join(dir, "app")
	os.MkdirAll(filepath.Join(app, "src"), 0o755)
	os.WriteFile(filepath.Join(app, "src", "main.go"), []byte(`package main

import (
	"fmt"
	"net/http"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "hello from the journey") })
	http.ListenAndServe(":8080", nil)
}
`), 0o644)
	os.WriteFile(filepath.Join(app, "src", "go.mod"), []byte("module journey\n\ngo 1.22\n"), 0o644)
	build := exec.Command("go", "build", "-o", filepath.Join(app, "server"), ".")
	build.Dir = filepath.Join(app, "src")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64", "GOWORK=off", "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the test server: %v\n%s", err, out)
	}
	os.RemoveAll(filepath.Join(app, "src"))
	os.WriteFile(filepath.Join(app, "Dockerfile"), []byte("FROM scratch\nCOPY server /server\nEXPOSE 8080\nENTRYPOINT [\"/server\"]\n"), 0o644)

	_, example, _ := castle(t, "init", "--example")
	yaml := strings.Replace(example, "  demo: true", "  demo: false", 1)
	yaml = strings.Replace(yaml, "  source: ./hello-world", "  source: "+app, 1)
	file := filepath.Join(dir, "castle.yaml")
	os.WriteFile(file, []byte(yaml), 0o600)

	state := filepath.Join(dir, "state")
	code, out, errOut := castle(t, "apply", "--sandbox", "--speed", "600", "--state-dir", state, "-f", file, "--yes")
	if code != 0 {
		t.Fatalf("apply failed (%d): %s\n%s", code, errOut, tail(out, 40))
	}
	for _, want := range []string{"The landing zone is active", "Added emily", "Account Discord-Bot.dev is ready", "answered 200 OK", "Deploy succeeded"} {
		if !strings.Contains(out, want) {
			t.Errorf("the journey's output lacks %q", want)
		}
	}
	code, out, errOut = castle(t, "apply", "--sandbox", "--speed", "600", "--state-dir", state, "-f", file, "--yes")
	if code != 0 || !strings.Contains(out, "Nothing changed") {
		t.Fatalf("the second apply changed something (%d): %s\n%s", code, errOut, tail(out, 30))
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
