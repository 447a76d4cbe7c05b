// Package screentest drives a section's custom screen in tests without a
// Program: Update runs on the test goroutine, each command gets a short
// deadline (cursor blinks never make it), and its messages are fed back until
// things settle.
package screentest

import (
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/castle-aws/castle/screens"
)

// Driver runs a SectionModel at 80x24.
type Driver struct {
	t *testing.T
	// M is the model as it is now.
	M screens.SectionModel
	// Clip collects what the screen copied to the clipboard.
	Clip []string
}

// Drive starts m: Init, then a window size.
func Drive(t *testing.T, m screens.SectionModel) *Driver {
	d := &Driver{t: t, M: m}
	d.run(m.Init(), time.Minute)
	d.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	return d
}

func (d *Driver) run(cmd tea.Cmd, wait time.Duration) {
	if cmd == nil {
		return
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	select {
	case msg := <-ch:
		d.Send(msg)
	case <-time.After(wait):
	}
}

// Send delivers one message and whatever it leads to.
func (d *Driver) Send(msg tea.Msg) {
	if msg == nil {
		return
	}
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			d.run(c, 20*time.Millisecond)
		}
		return
	}
	v := reflect.ValueOf(msg)
	if v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
		for i := 0; i < v.Len(); i++ {
			d.run(v.Index(i).Interface().(tea.Cmd), 20*time.Millisecond)
		}
		return
	}
	if strings.Contains(reflect.TypeOf(msg).String(), "Clipboard") && v.Kind() == reflect.String {
		d.Clip = append(d.Clip, v.String())
		return
	}
	m, cmd := d.M.Update(msg)
	d.M = m
	d.run(cmd, 20*time.Millisecond)
}

// Press types keys: "enter", "esc", "backspace", "space", "down", "up", or text.
func (d *Driver) Press(keys ...string) {
	for _, k := range keys {
		switch k {
		case "enter":
			d.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
		case "esc":
			d.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
		case "backspace":
			d.Send(tea.KeyPressMsg{Code: tea.KeyBackspace})
		case "space":
			d.Send(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
		case "down":
			d.Send(tea.KeyPressMsg{Code: tea.KeyDown})
		case "up":
			d.Send(tea.KeyPressMsg{Code: tea.KeyUp})
		default:
			for _, r := range k {
				d.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
			}
		}
	}
}

// View is the screen as plain text.
func (d *Driver) View() string { return ansi.Strip(d.M.View(80, 24)) }

// WantView fails the test unless the screen shows every part.
func (d *Driver) WantView(parts ...string) {
	d.t.Helper()
	v := d.View()
	for _, p := range parts {
		if !strings.Contains(v, p) {
			d.t.Fatalf("screen lacks %q:\n%s", p, v)
		}
	}
}

// Erase presses backspace n times.
func (d *Driver) Erase(n int) {
	for i := 0; i < n; i++ {
		d.Press("backspace")
	}
}
