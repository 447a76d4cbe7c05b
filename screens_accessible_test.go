package main

// These tests run the real castle binary in a tmux window against its
// built-in sandbox, the way a person with a screen reader, an old console
// (TERM=dumb) or NO_COLOR would, and read the screen back.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

var (
	castleBinOnce sync.Once
	castleBin     string
	castleBinErr  error
)

// buildCastle builds this castle once per test binary.
func buildCastle(t *testing.T) string {
	t.Helper()
	castleBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "castle-bin-")
		if err != nil {
			castleBinErr = err
			return
		}
		castleBin = filepath.Join(dir, "castle")
		out, err := exec.Command("go", "build", "-o", castleBin, ".").CombinedOutput()
		if err != nil {
			castleBinErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if castleBinErr != nil {
		t.Fatal(castleBinErr)
	}
	return castleBin
}

// term is castle running in a tmux window of its own (its own tmux server).
type term struct {
	t      *testing.T
	socket string
	seen   []string // every screen captured, for the glyph checks
}

// startTerm runs castle with env and args in an 80x24 tmux window. It skips
// the test when tmux is not installed.
func startTerm(t *testing.T, env []string, args ...string) *term {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed; these tests drive castle in a tmux window")
	}
	bin := buildCastle(t)
	dir := t.TempDir()
	x := &term{t: t, socket: fmt.Sprintf("castle-test-%d-%d", os.Getpid(), time.Now().UnixNano())}
	cmd := "env " + strings.Join(env, " ") + " " + bin + " --sandbox --state-dir " + dir + " " + strings.Join(args, " ") + "; sleep 300"
	x.tmux("new-session", "-d", "-x", "80", "-y", "24", "-c", dir, cmd)
	t.Cleanup(func() { exec.Command("tmux", "-L", x.socket, "kill-server").Run() })
	return x
}

func (x *term) tmux(args ...string) string {
	x.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", x.socket}, args...)...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// screen is the window's text; withEscapes keeps the colour and style codes.
func (x *term) screen(withEscapes bool) string {
	args := []string{"capture-pane", "-p"}
	if withEscapes {
		args = append(args, "-e")
	}
	s := x.tmux(args...)
	x.seen = append(x.seen, s)
	return s
}

// waitFor polls the screen until it shows text.
func (x *term) waitFor(text string) string {
	x.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		s := x.screen(true)
		if strings.Contains(stripSGR(s), text) {
			return s
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("the screen never showed %q; it shows:\n%s", text, stripSGR(s))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// keys presses keys (tmux key names) one after another.
func (x *term) keys(keys ...string) {
	for _, k := range keys {
		x.tmux("send-keys", k)
		time.Sleep(150 * time.Millisecond)
	}
}

// line types text and presses enter, as a plain prompt wants it.
func (x *term) line(text string) {
	x.tmux("send-keys", "-l", text)
	time.Sleep(100 * time.Millisecond)
	x.keys("Enter")
}

// open puts the checklist's cursor on the section called name and opens it.
func (x *term) open(name string) {
	x.t.Helper()
	target := regexp.MustCompile(`^(> |› |  )\S+ ` + regexp.QuoteMeta(name) + ` `)
	for i := 0; i < 20; i++ {
		cur, tgt := -1, -1
		for n, l := range strings.Split(stripSGR(x.screen(false)), "\n") {
			if cur < 0 && (strings.HasPrefix(l, "> ") || strings.HasPrefix(l, "› ")) {
				cur = n
			}
			if tgt < 0 && target.MatchString(l) {
				tgt = n
			}
		}
		switch {
		case cur < 0 || tgt < 0:
			time.Sleep(100 * time.Millisecond)
			continue
		case cur < tgt:
			x.keys("Down")
		case cur > tgt:
			x.keys("Up")
		default:
			x.keys("Enter")
			x.waitFor("What is there now")
			return
		}
	}
	x.t.Fatalf("could not put the cursor on %s:\n%s", name, stripSGR(x.screen(false)))
}

var sgr = regexp.MustCompile("\x1b\\[([0-9;:]*)m")

func stripSGR(s string) string { return sgr.ReplaceAllString(s, "") }

// colourCodes lists the SGR codes in s that set a colour (foreground or
// background); bold, faint, italic, underline, reverse and the resets are fine.
func colourCodes(s string) []string {
	var bad []string
	for _, m := range sgr.FindAllStringSubmatch(s, -1) {
		params := strings.Split(strings.ReplaceAll(m[1], ":", ";"), ";")
		for i := 0; i < len(params); i++ {
			var n int
			fmt.Sscan(params[i], &n)
			switch {
			case n == 38 || n == 48 || n == 58:
				bad = append(bad, m[0])
				i = len(params)
			case n >= 30 && n <= 37, n >= 40 && n <= 47, n >= 90 && n <= 97, n >= 100 && n <= 107:
				bad = append(bad, m[0])
			}
		}
	}
	return bad
}

// TestDumbTerminalAccessibleLandingZone goes through Preflight and the whole
// Landing zone section with TERM=dumb and --accessible: questions are plain
// numbered prompts, states are words, nothing animates, and not one
// character on screen is outside ASCII (no spinner, no box drawing).
func TestDumbTerminalAccessibleLandingZone(t *testing.T) {
	x := startTerm(t, []string{"TERM=dumb", "LANG=C.UTF-8"}, "--accessible", "--speed", "600")

	home := x.waitFor("Pick a")
	x.waitFor("done - account 111122223333")
	for _, words := range []string{"Preflight     done", "Landing zone  not started", "People        waiting"} {
		if !strings.Contains(stripSGR(x.screen(false)), words) {
			t.Errorf("the checklist does not say %q in words:\n%s", words, stripSGR(home))
		}
	}

	// Preflight: the region question is a numbered list; enter keeps the
	// region castle suggests.
	x.open("Preflight")
	x.keys("Enter")
	x.waitFor("Enter a number between 1 and")
	// The list is longer than the window: read the scrollback too.
	prompt := x.tmux("capture-pane", "-p", "-S", "-100")
	if !strings.Contains(prompt, "Which region?") || !strings.Contains(prompt, ". eu-west-1") || !strings.Contains(prompt, ". il-central-1") {
		t.Errorf("the region question does not list the regions:\n%s", prompt)
	}
	x.keys("Enter")
	x.waitFor("r check again")
	x.keys("Enter")
	x.waitFor("Preflight: the plan")
	// Preflight only reads, and its screen has just checked: nothing to run
	// again, no question to answer.
	x.waitFor("Checked: you are signed in to account 111122223333")
	x.keys("Enter")
	x.waitFor("Pick a")

	// Landing zone: every answer typed at a plain prompt.
	x.open("Landing zone")
	x.keys("Enter")
	x.waitFor("Enter a number between 1 and") // the home region (its title scrolled away)
	x.keys("Enter")                           // the suggested one
	x.waitFor("Confirm selection")
	x.line("0") // governed regions: the home region only
	x.waitFor("Name of the OU for the shared accounts")
	x.line("Security")
	x.waitFor("Name of the OU for new project accounts")
	x.line("Sandbox")
	x.waitFor("Log Archive account email")
	x.line("aws+log@example.com")
	x.waitFor("Audit account email")
	x.line("aws+audit@example.com")
	x.waitFor("Landing zone: the plan")
	x.keys("Enter")
	x.waitFor("Type organization")
	x.line("organization")
	wait := x.waitFor("so far")
	if !strings.Contains(wait, "AWS says IN_PROGRESS") {
		t.Errorf("the long wait does not say AWS's state in words:\n%s", wait)
	}
	x.waitFor("Your landing zone is ready.")
	x.waitFor("Done: Landing zone is set up.")
	x.keys("Enter")
	x.waitFor("Landing zone  done")

	for _, s := range x.seen {
		if esc := sgr.FindString(s); esc != "" {
			t.Errorf("TERM=dumb got a style escape %q:\n%s", esc, stripSGR(s))
			break
		}
	}
	for _, s := range x.seen {
		if r, at := firstNonASCII(stripSGR(s)); at >= 0 {
			t.Errorf("TERM=dumb got %q (U+%04X), which a terminal without Unicode cannot draw:\n%s", r, r, s)
			break
		}
	}
}

// TestNoColorHasOnlyStyles goes through Preflight with NO_COLOR on a colour
// terminal: bold, faint and reverse stay, colours go.
func TestNoColorHasOnlyStyles(t *testing.T) {
	x := startTerm(t, []string{"TERM=xterm-256color", "COLORTERM=truecolor", "NO_COLOR=1", "LANG=C.UTF-8"})
	x.waitFor("Pick a")
	x.waitFor("done · account 111122223333")
	x.open("Preflight")
	x.keys("Enter")
	x.waitFor("Which region?")
	x.keys("Enter")
	x.waitFor("r check again")
	x.keys("Enter")
	x.waitFor("Preflight: the plan")
	// Preflight only reads, and its screen has just checked: nothing to run
	// again, no question to answer.
	x.waitFor("Checked: you are signed in to account 111122223333")
	x.keys("Enter")
	x.waitFor("Pick a")

	styled := false
	for _, s := range x.seen {
		if bad := colourCodes(s); len(bad) > 0 {
			t.Fatalf("NO_COLOR, yet the screen sets colours %q:\n%s", bad, s)
		}
		styled = styled || sgr.MatchString(s)
	}
	if !styled {
		t.Error("no bold, faint or reverse at all: the capture lost its escapes, so this test proves nothing")
	}
}

func firstNonASCII(s string) (rune, int) {
	for i, r := range s {
		if r > utf8.RuneSelf-1 || (r < 0x20 && r != '\n' && r != '\t') {
			return r, i
		}
	}
	return 0, -1
}
