package screens

import (
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
