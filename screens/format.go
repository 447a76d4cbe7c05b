package screens

import (
	"fmt"
	"strings"
	"time"

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
	return out.String()
}

// hardWrap cuts a line that is still too wide (one very long word).
func hardWrap(line string, width int) string {
	if lipgloss.Width(line) <= width {
		return line
	}
	return lipgloss.Wrap(line, width, "")
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
