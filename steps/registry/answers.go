package registry

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
)

// Defaults for empty answers.
const (
	DefaultRepository = "hello-world-repo"
	DefaultPlatform   = "linux/amd64"
	DefaultDemoFolder = "hello-world-app"
)

// withDefaults fills empty answers (and writes them back so castle.yaml can
// be saved with them). The tag stays empty: it is worked out at apply time.
func withDefaults(env *steps.Env) castlefile.Registry {
	if env.Answers == nil {
		env.Answers = &castlefile.File{}
	}
	a := &env.Answers.Registry
	if a.Repository == "" {
		a.Repository = DefaultRepository
	}
	if a.Platform == "" {
		a.Platform = DefaultPlatform
	}
	if a.ScanOnPush == nil {
		on := true
		a.ScanOnPush = &on
	}
	if a.Source == "" && a.Demo {
		a.Source = DefaultDemoFolder
	}
	return *a
}

// repoName is ECR's rule for repository names.
var repoName = regexp.MustCompile(`^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$`)

// CheckRepositoryName says what is wrong with a repository name in a
// sentence, or returns nil when ECR accepts it.
func CheckRepositoryName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("type a name, for example %s", DefaultRepository)
	case len(name) < 2 || len(name) > 256:
		return fmt.Errorf("use 2 to 256 characters")
	case strings.ToLower(name) != name:
		return fmt.Errorf("use lowercase letters only (ECR does not allow capitals): %s", strings.ToLower(name))
	case !repoName.MatchString(name):
		return fmt.Errorf("use lowercase letters, digits, and single . _ - or / between them (start and end with a letter or digit)")
	}
	return nil
}

// CheckSource says what is wrong with a folder to build, or nil.
func CheckSource(dir string) error {
	if dir == "" {
		return fmt.Errorf("type the folder of your app (the one with the Dockerfile), or choose the demo app")
	}
	st, err := os.Stat(expand(dir))
	switch {
	case os.IsNotExist(err):
		return fmt.Errorf("there is no folder %s", dir)
	case err != nil:
		return fmt.Errorf("castle cannot read %s: %v", dir, err)
	case !st.IsDir():
		return fmt.Errorf("%s is a file; type the folder that holds the Dockerfile", dir)
	}
	if _, err := os.Stat(filepath.Join(expand(dir), "Dockerfile")); err != nil {
		return fmt.Errorf("%s has no Dockerfile; add one, or choose castle's demo app", dir)
	}
	return nil
}

// CheckDemoFolder says whether castle can write the demo app to dir: it
// must not exist yet, be empty, or already hold the demo app.
func CheckDemoFolder(dir string) error {
	if dir == "" {
		return fmt.Errorf("type a folder for the demo app, for example %s", DefaultDemoFolder)
	}
	entries, err := os.ReadDir(expand(dir))
	if os.IsNotExist(err) || err == nil && len(entries) == 0 {
		return nil
	}
	if err != nil {
		return fmt.Errorf("castle cannot use %s: %v", dir, err)
	}
	if isDemo(expand(dir)) {
		return nil
	}
	return fmt.Errorf("%s already has other files; pick a new or empty folder", dir)
}

// expand resolves a leading ~/.
func expand(p string) string {
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[2:])
		}
	}
	return p
}

// autoTag is the git short commit of dir when it is a clean git work tree
// (the commit plus a time when it has changes); otherwise the time of the
// newest file in the build context, so the same sources always get the same
// tag. castle's untouched demo app is tagged by its content.
func autoTag(ctx context.Context, env *steps.Env, dir string, demo bool) string {
	stamp := newest(dir, env.Now())
	if out, err := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "--short", "HEAD").Output(); err == nil {
		commit := strings.TrimSpace(string(out))
		dirty, err := exec.CommandContext(ctx, "git", "-C", dir, "status", "--porcelain", "--", ".").Output()
		if err != nil || len(strings.TrimSpace(string(dirty))) > 0 {
			return commit + "-" + stamp
		}
		return commit
	}
	if _, err := os.Stat(dir); demo && (os.IsNotExist(err) || isDemo(dir)) {
		return "demo-" + demoHash()
	}
	return stamp
}

// newest is the time of the newest file of the build context in dir.
func newest(dir string, now time.Time) string {
	files, err := contextFiles(dir)
	var t time.Time
	for _, f := range files {
		if st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f))); err == nil && st.ModTime().After(t) {
			t = st.ModTime()
		}
	}
	if err != nil || t.IsZero() {
		t = now
	}
	return t.UTC().Format("20060102-150405")
}
