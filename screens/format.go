package screens

import (
	"fmt"
	"github.com/charmbracelet/x/ansi"
	"regexp"
	"strings"
	"time"
	"unicode"

	"charm.land/lipgloss/v2"
)

// human is a duration in plain words: "40s", "12m", "1h 5m".
func human(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	h := int(d.Hours())
	m := int(d.Minutes()) - h*60
	if m == 0 {
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dh %dm", h, m)
}

// about is a duration estimate in words: "about 45 minutes".
func about(d time.Duration) string {
	switch {
	case d <= 0:
		return ""
	case d < time.Minute:
		return "under a minute"
	case d < 2*time.Minute:
		return "about a minute"
	case d < time.Hour:
		return fmt.Sprintf("about %d minutes", int(d.Round(time.Minute).Minutes()))
	case d < 2*time.Hour:
		return "about an hour"
	}
	return fmt.Sprintf("about %d hours", int(d.Round(time.Hour).Hours()))
}

// opTiming is "12m so far, about 48m left" for an operation in flight.
func opTiming(elapsed, eta time.Duration, expected time.Duration) string {
	s := human(elapsed) + " so far"
	switch {
	case expected <= 0:
	case eta <= 0:
		s += ", should end any moment now"
	default:
		s += ", about " + human(eta) + " left"
	}
	return s
}

// wrap breaks text to width cells at spaces only, keeping existing line
// breaks. It never breaks inside a word, so URLs and ARNs (full of dashes)
// stay whole and can be copied; a word wider than the line gets a line of
// its own and is hard-wrapped only there.
func wrap(s string, width int) string {
	if width < 8 {
		width = 8
	}
	var out strings.Builder
	for i, para := range strings.Split(s, "\n") {
		if i > 0 {
			out.WriteByte('\n')
		}
		lead := para[:len(para)-len(strings.TrimLeft(para, " "))]
		line, lineW := lead, lipgloss.Width(lead)
		for _, word := range strings.Fields(para) {
			ww := lipgloss.Width(word)
			switch {
			case lineW == lipgloss.Width(lead):
				line, lineW = line+word, lineW+ww
			case lineW+1+ww <= width:
				line, lineW = line+" "+word, lineW+1+ww
			default:
				out.WriteString(hardWrap(line, width) + "\n")
				line, lineW = word, ww
			}
		}
		out.WriteString(hardWrap(line, width))
	}
	return carryStyles(out.String())
}

var sgr = regexp.MustCompile("\x1b\\[[0-9;]*m")

// carryStyles starts every line with the colours and weights still open at
// the end of the line before, and closes them at its end, so a styled
// sentence keeps its style on every line it wraps to (the layout draws
// lines one by one).
func carryStyles(s string) string {
	if !strings.Contains(s, "\x1b[") {
		return s
	}
	lines := strings.Split(s, "\n")
	open := ""
	for i, line := range lines {
		prefix := open
		for _, seq := range sgr.FindAllString(line, -1) {
			if seq == "\x1b[m" || seq == "\x1b[0m" {
				open = ""
			} else {
				open += seq
			}
		}
		if open != "" {
			line += "\x1b[m"
		}
		lines[i] = prefix + line
	}
	return strings.Join(lines, "\n")
}

// hardWrap cuts a line that is still too wide (one very long word).
func hardWrap(line string, width int) string {
	if lipgloss.Width(line) <= width {
		return line
	}
	// Cut at the edge, not at a dash: a URL broken at "eu-west-" looks
	// finished and gets copied without its tail.
	return ansi.Hardwrap(line, width, false)
}

// indent prefixes every line of s.
func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

// fit cuts s to w x h cells: long lines are truncated, extra lines dropped,
// so a frame never scrolls the terminal.
func fit(s string, w, h int) string {
	if w < 1 || h < 1 {
		return ""
	}
	return lipgloss.NewStyle().MaxWidth(w).MaxHeight(h).Render(s)
}

// pad makes s exactly h lines tall (never more), and at most w wide.
func pad(s string, w, h int) string {
	s = fit(s, w, h)
	n := lipgloss.Height(s)
	if s == "" {
		n = 0
	}
	if n < h {
		s += strings.Repeat("\n", h-n)
	}
	return s
}

// Sentence makes a form validator's message read like every other one on
// screen: a capital first letter (unless it starts with a name) and a full
// stop. Validators in steps/ say
// lower-case fragments so they can be part of a longer message; a form
// shows them alone.
func Sentence(check func(string) error) func(string) error {
	return func(s string) error {
		err := check(s)
		if err == nil {
			return nil
		}
		msg := strings.TrimSpace(err.Error())
		if msg == "" {
			return err
		}
		if first, _, _ := strings.Cut(msg, " "); sentenceStarts[first] {
			r := []rune(msg)
			r[0] = unicode.ToUpper(r[0])
			msg = string(r)
		}
		if !strings.HasSuffix(msg, ".") && !strings.HasSuffix(msg, "?") && !strings.HasSuffix(msg, "!") {
			msg += "."
		}
		return sentenceError{msg: msg, err: err}
	}
}

// sentenceStarts are the words validators begin with. Only these get a
// capital: a message may also begin with a user or account name, which must
// stay as typed ("carol already has a sign-in").
var sentenceStarts = map[string]bool{
	"a": true, "an": true, "the": true, "that": true, "this": true, "there": true, "type": true,
	"use": true, "pick": true, "give": true, "account": true, "each": true, "every": true, "remove": true,
}

type sentenceError struct {
	msg string
	err error
}

func (e sentenceError) Error() string { return e.msg }
func (e sentenceError) Unwrap() error { return e.err }
