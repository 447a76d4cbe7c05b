package screens

import (
	"errors"
	"strings"
	"testing"
)

func TestWrapKeepsURLsWhole(t *testing.T) {
	url := "https://eu-west-1.console.aws.amazon.com/controltower/home?region=eu-west-1"
	got := wrap("1. Open "+url+" signed in to the management account.", 80)
	if !strings.Contains(got, url) {
		t.Fatalf("the URL was broken:\n%s", got)
	}
	for _, line := range strings.Split(got, "\n") {
		if len(line) > 80 {
			t.Fatalf("line wider than 80: %q", line)
		}
	}
	if got := wrap("  indented words that wrap around", 12); !strings.HasPrefix(got, "  indented") {
		t.Fatalf("lost the indent: %q", got)
	}
}

func TestSentenceCapitalisesAndEndsValidatorMessages(t *testing.T) {
	check := Sentence(func(s string) error {
		if s == "" {
			return errors.New("type a name, for example bob")
		}
		return nil
	})
	if err := check("x"); err != nil {
		t.Fatalf("a good answer refused: %v", err)
	}
	if err := check(""); err == nil || err.Error() != "Type a name, for example bob." {
		t.Fatalf("got %v", err)
	}
	named := Sentence(func(s string) error { return errors.New(s + " already has a sign-in; pick another user name") })
	if err := named("carol"); err == nil || err.Error() != "carol already has a sign-in; pick another user name." {
		t.Fatalf("a user name lost its case: %v", err)
	}
}

func TestWrapCutsAnOverlongURLAtTheEdgeNotAtADash(t *testing.T) {
	url := "https://eu-west-1.console.aws.amazon.com/controltower/home/landingzone?region=eu-west-1"
	got := strings.Split(wrap(url, 40), "\n")
	if len(got[0]) != 40 || strings.HasSuffix(got[0], "-") {
		t.Fatalf("first line %q: want the first 40 characters, not a break at a dash", got[0])
	}
	if strings.Join(got, "") != url {
		t.Fatalf("the pieces do not make the URL again: %q", got)
	}
}

func TestWrapKeepsTheStyleOnEveryLine(t *testing.T) {
	styled := "\x1b[1;35mYou can leave castle now: AWS keeps working and castle picks it up\x1b[m"
	lines := strings.Split(wrap(styled, 30), "\n")
	if len(lines) < 2 {
		t.Fatalf("did not wrap: %q", lines)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "\x1b[1;35m") || !strings.HasSuffix(l, "\x1b[m") {
			t.Fatalf("a wrapped line lost its style: %q", l)
		}
	}
}
