package environments_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// driver runs a tea.Model without a Program: Update on the test goroutine,
// Cmds in goroutines whose messages come back on a channel.
type driver struct {
	t    *testing.T
	m    tea.Model
	msgs chan tea.Msg
	view func() string
}

func newDriver(t *testing.T, m tea.Model, view func() string, w, h int) *driver {
	d := &driver{t: t, m: m, msgs: make(chan tea.Msg, 1024), view: view}
	d.run(m.Init())
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	d.settle()
	return d
}

func (d *driver) run(cmd tea.Cmd) {
	if cmd != nil {
		go func() { d.msgs <- cmd() }()
	}
}

func (d *driver) send(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil, spinner.TickMsg, tea.QuitMsg, tea.RawMsg:
		return
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
		return
	}
	v := reflect.ValueOf(msg)
	if v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
		cmds := make([]tea.Cmd, v.Len())
		for i := range cmds {
			cmds[i] = v.Index(i).Interface().(tea.Cmd)
		}
		go func() {
			for _, c := range cmds {
				if c != nil {
					d.msgs <- c()
				}
			}
		}()
		return
	}
	if strings.Contains(reflect.TypeOf(msg).String(), "lipboard") || strings.Contains(reflect.TypeOf(msg).String(), "blink") {
		return
	}
	m, cmd := d.m.Update(msg)
	d.m = m
	d.run(cmd)
}

func (d *driver) settle() {
	for {
		select {
		case msg := <-d.msgs:
			d.send(msg)
		case <-time.After(60 * time.Millisecond):
			return
		}
	}
}

func (d *driver) key(names ...string) {
	for _, n := range names {
		var k tea.KeyPressMsg
		switch n {
		case "enter":
			k = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "esc":
			k = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "down":
			k = tea.KeyPressMsg{Code: tea.KeyDown}
		case "backspace":
			k = tea.KeyPressMsg{Code: tea.KeyBackspace}
		case "ctrl+c":
			k = tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
		default:
			r := []rune(n)[0]
			k = tea.KeyPressMsg{Code: r, Text: n}
		}
		d.send(k)
		d.settle()
	}
}

func (d *driver) typeText(s string) {
	for _, r := range s {
		d.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	d.settle()
}

func (d *driver) screen() string { return ansi.Strip(d.view()) }

func (d *driver) waitFor(what string, within time.Duration, cond func(string) bool) string {
	d.t.Helper()
	deadline := time.Now().Add(within)
	for {
		d.settle()
		s := d.screen()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("waiting for %s; screen:\n%s", what, s)
		}
	}
}

func (d *driver) waitText(texts ...string) string {
	d.t.Helper()
	return d.waitFor(strings.Join(texts, " + "), 10*time.Second, func(s string) bool {
		for _, t := range texts {
			if !strings.Contains(s, t) {
				return false
			}
		}
		return true
	})
}
