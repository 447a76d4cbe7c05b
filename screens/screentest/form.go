package screentest

import (
	"reflect"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
)

// PumpForm sends msg to a huh form and feeds back the messages of its
// commands (skipping ones that take longer than a moment, like cursor
// blinks), so a test can type into a form without a Program.
func PumpForm(f *huh.Form, msg tea.Msg) *huh.Form {
	queue := []tea.Msg{msg}
	for n := 0; len(queue) > 0 && n < 50; n++ {
		m := queue[0]
		queue = queue[1:]
		if b, ok := m.(tea.BatchMsg); ok {
			for _, c := range b {
				queue = append(queue, runBriefly(c))
			}
			continue
		}
		if v := reflect.ValueOf(m); v.IsValid() && v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
			for i := 0; i < v.Len(); i++ {
				queue = append(queue, runBriefly(v.Index(i).Interface().(tea.Cmd)))
			}
			continue
		}
		if m == nil {
			continue
		}
		fm, cmd := f.Update(m)
		f = fm.(*huh.Form)
		queue = append(queue, runBriefly(cmd))
	}
	return f
}

func runBriefly(c tea.Cmd) tea.Msg {
	if c == nil {
		return nil
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- c() }()
	select {
	case m := <-ch:
		return m
	case <-time.After(20 * time.Millisecond):
		return nil
	}
}
