package pipeline

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"time"
)

var (
	repoShape  = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$`)
	githubURL  = regexp.MustCompile(`github\.com[:/]+([A-Za-z0-9-]+/[A-Za-z0-9._-]+?)(?:\.git)?/?$`)
	branchBad  = regexp.MustCompile(`(^[/.-])|\.\.|[\s~^:?*\[\\]|@\{|/$|\.lock$|\.$`)
	gitTimeout = 3 * time.Second
)

// ValidateRepository checks a GitHub repository as typed: owner/name.
func ValidateRepository(s string) error {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return fmt.Errorf("type the GitHub repository as owner/name, for example octocat/hello-world")
	case strings.Contains(s, "github.com"):
		return fmt.Errorf("type only owner/name, without github.com (for example octocat/hello-world)")
	case strings.Count(s, "/") != 1:
		return fmt.Errorf("type the owner, one slash, then the repository name, for example octocat/hello-world")
	case strings.HasSuffix(s, ".git"):
		return fmt.Errorf("leave out the .git at the end")
	case !repoShape.MatchString(s):
		return fmt.Errorf("a GitHub owner has letters, digits and dashes; a repository name letters, digits, dots, dashes and underscores")
	}
	return nil
}

// ValidateBranch checks a branch name as git would accept it (empty means main).
func ValidateBranch(s string) error {
	if s == "" {
		return nil
	}
	if branchBad.MatchString(s) {
		return fmt.Errorf("%q is not a branch name git accepts: no spaces, ~ ^ : ? * [ \\, no .. and no / at the ends", s)
	}
	return nil
}

// GuessRepository reads owner/name from the GitHub remote of a git folder
// ("" when there is none).
func GuessRepository(dir string) string {
	if dir == "" {
		return ""
	}
	out := git(dir, "remote", "get-url", "origin")
	if out == "" {
		for _, remote := range strings.Fields(git(dir, "remote")) {
			if out = git(dir, "remote", "get-url", remote); strings.Contains(out, "github.com") {
				break
			}
		}
	}
	if m := githubURL.FindStringSubmatch(out); m != nil {
		return m[1]
	}
	return ""
}

// GuessBranch is the folder's current branch, or "main".
func GuessBranch(dir string) string {
	if dir != "" {
		// symbolic-ref also names the branch of a repository with no commit yet.
		if b := git(dir, "symbolic-ref", "--short", "-q", "HEAD"); b != "" {
			return b
		}
	}
	return "main"
}

func git(dir string, args ...string) string {
	ctx, cancel := context.WithTimeout(context.Background(), gitTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
