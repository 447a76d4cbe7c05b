package access

import (
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/castle-aws/castle/screens"
)

// driver runs a SectionModel without a Program: Update on the test
// goroutine, each Cmd with a short deadline (cursor blinks never make it),
// their messages fed back until things settle.
type driver struct {
	t    *testing.T
	m    screens.SectionModel
	clip []string
}

func drive(t *testing.T, m screens.SectionModel) *driver {
	d := &driver{t: t, m: m}
	d.run(m.Init(), time.Minute)
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	return d
}

func (d *driver) run(cmd tea.Cmd, wait time.Duration) {
	if cmd == nil {
		return
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	select {
	case msg := <-ch:
		d.send(msg)
	case <-time.After(wait):
	}
}

func (d *driver) send(msg tea.Msg) {
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
		d.clip = append(d.clip, v.String())
		return
	}
	m, cmd := d.m.Update(msg)
	d.m = m
	d.run(cmd, 20*time.Millisecond)
}

func (d *driver) press(keys ...string) {
	for _, k := range keys {
		switch k {
		case "enter":
			d.send(tea.KeyPressMsg{Code: tea.KeyEnter})
		case "esc":
			d.send(tea.KeyPressMsg{Code: tea.KeyEscape})
		case "backspace":
			d.send(tea.KeyPressMsg{Code: tea.KeyBackspace})
		case "space":
			d.send(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
		case "down":
			d.send(tea.KeyPressMsg{Code: tea.KeyDown})
		case "up":
			d.send(tea.KeyPressMsg{Code: tea.KeyUp})
		default:
			for _, r := range k {
				d.send(tea.KeyPressMsg{Code: r, Text: string(r)})
			}
		}
	}
}

func (d *driver) view() string { return ansi.Strip(d.m.View(80, 24)) }

func (d *driver) wantView(parts ...string) {
	d.t.Helper()
	v := d.view()
	for _, p := range parts {
		if !strings.Contains(v, p) {
			d.t.Fatalf("screen lacks %q:\n%s", p, v)
		}
	}
}

func (d *driver) erase(n int) {
	for i := 0; i < n; i++ {
		d.press("backspace")
	}
}
