package screens

import (
	"slices"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
)

// keyMap holds every key of the shell. Which ones work depends on the screen;
// the footer shows only those (see App.activeKeys).
type keyMap struct {
	Up, Down, Open, Back, Quit, Refresh, Help key.Binding
	Continue, Commands, Copy, Yes, No         key.Binding
	Retry, Save, PageUp, PageDown, Sections   key.Binding
	Move, Scroll                              key.Binding // footer only: up/down, pgup/pgdn
	ForceQuit, Leave, Stay                    key.Binding
}

func newKeyMap(ascii bool) keyMap {
	up, down, move := "↑/k", "↓/j", "↑/↓"
	if ascii {
		up, down, move = "up/k", "down/j", "up/down"
	}
	return keyMap{
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp(up, "up")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp(down, "down")),
		Open:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Continue:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		Refresh:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
		Retry:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "try again")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "more keys")),
		Commands:  key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "show commands")),
		Copy:      key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy commands")),
		Yes:       key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes, go ahead")),
		No:        key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "no, go back")),
		Save:      key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "save answers")),
		Move:      key.NewBinding(key.WithKeys("up", "down"), key.WithHelp(move, "move")),
		Scroll:    key.NewBinding(key.WithKeys("pgup", "pgdown"), key.WithHelp("pgup/pgdn", "scroll")),
		PageUp:    key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "scroll up")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "scroll down")),
		Sections:  key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "show sections")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Leave:     key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes, leave")),
		Stay:      key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n", "stay")),
	}
}

// helpKeys adapts a list of bindings to help.KeyMap.
type helpKeys []key.Binding

func (h helpKeys) ShortHelp() []key.Binding { return h }

func (h helpKeys) FullHelp() [][]key.Binding {
	var cols [][]key.Binding
	for i := 0; i < len(h); i += 3 {
		cols = append(cols, h[i:min(i+3, len(h))])
	}
	return cols
}

// shortKeys keeps as many bindings as fit in one line of width w, in order.
// The screen's first key (the way forward), the way back (esc) and the help
// key are kept before any other, so "enter …", "esc back" and "? more keys"
// do not fall off however many keys a screen has; on a very narrow line the
// first key wins over the help key, and both over esc.
func (a *App) shortKeys(ks []key.Binding, w int) []key.Binding {
	keep := make([]bool, len(ks))
	first, back, help := -1, -1, -1
	for i := range ks {
		switch {
		case ks[i].Help().Key == "?":
			help = i
		case !ks[i].Enabled():
		case back < 0 && slices.Contains(ks[i].Keys(), "esc"):
			back = i
		case first < 0:
			first = i
		}
	}
	measure := a.help
	measure.SetWidth(0)
	kept := func() []key.Binding { // in order, the help key last
		var out, last []key.Binding
		for i, b := range ks {
			switch {
			case !keep[i]:
			case i == help:
				last = append(last, b)
			default:
				out = append(out, b)
			}
		}
		return append(out, last...)
	}
	fits := func() bool { return lipgloss.Width(measure.ShortHelpView(kept())) <= w }
	for _, i := range []int{first, help, back} {
		if i < 0 {
			continue
		}
		keep[i] = true
		if !fits() && i != first {
			keep[i] = false
		}
	}
	for i, b := range ks {
		if keep[i] || !b.Enabled() || i == help {
			continue
		}
		keep[i] = true
		if !fits() {
			keep[i] = false
			break
		}
	}
	return kept()
}
