package screens

import (
	"image/color"
	"os"
	"strings"

	"charm.land/bubbles/v2/spinner"
	"charm.land/lipgloss/v2"
)

// marks are the state markers, in Unicode or in plain ASCII (TERM=dumb, no
// UTF-8 locale). Each has the same meaning in words next to it on screen.
type marks struct {
	done, failed, skipped, todo, blocked, notBuilt, handOff, create, cursor, working string
	rule, dot, more                                                                  string
	spinner                                                                          spinner.Spinner
	barFull, barEmpty                                                                rune
}

var unicodeMarks = marks{
	done: "✓", failed: "✗", skipped: "↷", todo: "·", blocked: "⊘", notBuilt: "–", handOff: "➜",
	create: "+", cursor: "›", working: "…", rule: "─", dot: " · ", more: "…",
	spinner: spinner.MiniDot, barFull: '█', barEmpty: '░',
}

var asciiMarks = marks{
	done: "v", failed: "x", skipped: "~", todo: ".", blocked: "#", notBuilt: "-", handOff: ">",
	create: "+", cursor: ">", working: "*", rule: "-", dot: " - ", more: "...",
	spinner: spinner.Line, barFull: '#', barEmpty: '-',
}

// wantASCII reports whether the terminal likely cannot draw Unicode markers.
func wantASCII() bool {
	if os.Getenv("TERM") == "dumb" {
		return true
	}
	for _, k := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		v := os.Getenv(k)
		if v == "" {
			continue
		}
		v = strings.ToLower(v)
		return !strings.Contains(v, "utf-8") && !strings.Contains(v, "utf8")
	}
	return false
}

// styles are the few looks the wizard uses. With NoColor they keep only
// bold, faint and reverse, so nothing depends on colour alone.
type styles struct {
	bold, faint, ok, bad, warn, accent, handOff lipgloss.Style
	badge, loud, selected, title, header, rule  lipgloss.Style
	panel                                       lipgloss.Style
}

func newStyles(isDark, noColor bool) styles {
	ld := lipgloss.LightDark(isDark)
	fg := func(s lipgloss.Style, light, dark string) lipgloss.Style {
		if noColor {
			return s
		}
		return s.Foreground(ld(lipgloss.Color(light), lipgloss.Color(dark)))
	}
	bg := func(s lipgloss.Style, c color.Color) lipgloss.Style {
		if noColor {
			return s.Reverse(true)
		}
		return s.Background(c).Foreground(lipgloss.Color("15"))
	}
	base := lipgloss.NewStyle()
	st := styles{
		bold:     base.Bold(true),
		faint:    fg(base, "244", "245"),
		ok:       fg(base, "28", "42"),
		bad:      fg(base.Bold(true), "160", "203"),
		warn:     fg(base, "130", "214"),
		accent:   fg(base, "55", "141"),
		handOff:  fg(base.Bold(true), "127", "213"),
		badge:    bg(base.Bold(true).Padding(0, 1), lipgloss.Color("130")),
		loud:     bg(base.Bold(true).Padding(0, 1), lipgloss.Color("160")),
		selected: base.Bold(true).Reverse(true),
		title:    fg(base.Bold(true), "55", "141"),
		header:   base.Bold(true),
		rule:     fg(base, "250", "238"),
		panel:    base.PaddingRight(1),
	}
	if noColor {
		st.faint = base.Faint(true)
	}
	return st
}
