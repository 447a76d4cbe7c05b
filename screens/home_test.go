package screens_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/castle-aws/castle/screens"
	"github.com/castle-aws/castle/steps"
)

var stateWords = []string{"done", "in progress", "not started", "waiting", "failed", "not built yet"}

func allSectionsShown(s string) bool {
	return containsAll(s, sectionTitles...) && containsAll(s, stateWords...) && !strings.Contains(s, "checking")
}

func TestHomeShowsEverySectionWithItsState(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			j := newJourney()
			rec := &recorder{m: j.app(screens.Options{Sandbox: true, Version: "v1.2.3"})}
			tm := teatest.NewTestModel(t, rec, teatest.WithInitialTermSize(w, h))

			var stream []byte
			teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
				stream = append(stream[:0], b...)
				return bytes.Contains(b, []byte("Pipeline"))
			}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
			if !bytes.Contains(stream, []byte("\x1b[?1049h")) {
				t.Error("the wizard does not use the alternate screen")
			}
			for _, mouse := range []string{"\x1b[?1000h", "\x1b[?1002h", "\x1b[?1003h"} {
				if bytes.Contains(stream, []byte(mouse)) {
					t.Errorf("the wizard captures the mouse (%q): people could not select text", mouse)
				}
			}

			s := waitScreen(t, rec, "all nine sections with their states", allSectionsShown)
			checkFits(t, s, w, h)
			if !strings.Contains(s, "SANDBOX") {
				t.Errorf("no sandbox badge:\n%s", s)
			}
			if !strings.Contains(s, "Cost once done") {
				t.Errorf("home does not say what the selected section costs:\n%s", s)
			}
			if w >= 120 && !strings.Contains(s, "What it costs each month") {
				t.Errorf("wide home has no cost table:\n%s", s)
			}
			tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
			tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
		})
	}
}

func TestHomeInProgressShowsElapsedAndETAFromTheEnvClock(t *testing.T) {
	j := newJourney()
	d := newDriver(t, j.app(screens.Options{}), 100, 30)
	s := d.waitText("in progress · 20m of about 1h")
	d.key("down") // Landing zone
	s = d.waitText("Setting up the landing zone", "AWS says IN_PROGRESS", "20m so far, about 40m left")
	checkFits(t, s, 100, 30)
	j.clock.Advance(30 * time.Minute)
	d.waitText("50m so far, about 10m left")
	j.clock.Advance(time.Hour)
	d.waitText("should end any moment now")
}

func TestEnterOpensASectionAndEscGoesBack(t *testing.T) {
	j := newJourney()
	rec := &recorder{m: j.app(screens.Options{})}
	tm := teatest.NewTestModel(t, rec, teatest.WithInitialTermSize(80, 24))
	waitScreen(t, rec, "home", allSectionsShown)

	tm.Send(tea.KeyPressMsg{Code: tea.KeyDown})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyDown})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	s := waitScreen(t, rec, "the People section", func(s string) bool { return strings.Contains(s, "What is there now") })
	if !strings.Contains(s, "People (3 of 9)") {
		t.Errorf("narrow section screen has no checklist strip:\n%s", s)
	}
	checkFits(t, s, 80, 24)

	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	waitScreen(t, rec, "home again", func(s string) bool {
		return strings.Contains(s, "From a fresh AWS account") && !strings.Contains(s, "What is there now")
	})
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

func lineOf(s, text string) int {
	for i, l := range strings.Split(s, "\n") {
		if strings.Contains(l, text) {
			return i
		}
	}
	return -1
}

func TestQuestionMarkTogglesFullHelp(t *testing.T) {
	j := newJourney()
	rec := &recorder{m: j.app(screens.Options{SaveAnswers: func() error { return nil }})}
	tm := teatest.NewTestModel(t, rec, teatest.WithInitialTermSize(80, 24))
	s := waitScreen(t, rec, "home", allSectionsShown)
	if lineOf(s, "enter open") != lineOf(s, "q quit") || lineOf(s, "? more keys") < 0 {
		t.Fatalf("short help is not one line with '? more keys':\n%s", s)
	}
	tm.Send(tea.KeyPressMsg{Code: '?', Text: "?"})
	s = waitScreen(t, rec, "full help", func(s string) bool {
		return lineOf(s, "enter open") >= 0 && lineOf(s, "enter open") != lineOf(s, "q quit")
	})
	checkFits(t, s, 80, 24)
	if !strings.Contains(s, "save answers") {
		t.Errorf("full help misses a key:\n%s", s)
	}
	tm.Send(tea.KeyPressMsg{Code: '?', Text: "?"})
	waitScreen(t, rec, "short help again", func(s string) bool { return lineOf(s, "enter open") == lineOf(s, "q quit") })
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

func TestResizeReflows(t *testing.T) {
	j := newJourney()
	rec := &recorder{m: j.app(screens.Options{})}
	tm := teatest.NewTestModel(t, rec, teatest.WithInitialTermSize(80, 24))
	waitScreen(t, rec, "home", allSectionsShown)
	for _, size := range [][2]int{{200, 50}, {60, 20}, {120, 40}, {80, 24}} {
		w, h := size[0], size[1]
		tm.Send(tea.WindowSizeMsg{Width: w, Height: h})
		s := waitScreen(t, rec, fmt.Sprintf("a %dx%d frame", w, h), func(s string) bool {
			first := strings.SplitN(s, "\n", 3)
			return len(first) > 1 && len([]rune(first[1])) == w // the rule under the header spans the width
		})
		checkFits(t, s, w, h)
		if w >= 120 != strings.Contains(s, "What it costs each month") {
			t.Errorf("at %dx%d the cost table should show only when wide:\n%s", w, h, s)
		}
	}
	// a section screen: the checklist moves to the left when wide
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, rec, "strip on top", func(s string) bool { return strings.Contains(s, "(1 of 9)") })
	tm.Send(tea.WindowSizeMsg{Width: 140, Height: 40})
	s := waitScreen(t, rec, "panel on the left", func(s string) bool { return strings.Contains(s, "Sections") && !strings.Contains(s, "(1 of 9)") })
	checkFits(t, s, 140, 40)
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

func TestBeforeTheFirstSizeNothingIsLaidOut(t *testing.T) {
	j := newJourney()
	app := j.app(screens.Options{})
	v := app.View()
	if strings.Contains(v.Content, "Preflight") || !strings.Contains(v.Content, "starting") {
		t.Errorf("first frame before a size: %q", v.Content)
	}
	if !v.AltScreen || v.MouseMode != tea.MouseModeNone {
		t.Errorf("view modes: alt=%v mouse=%v", v.AltScreen, v.MouseMode)
	}
}

func TestPlainASCIIAndWordsWithoutColour(t *testing.T) {
	j := newJourney()
	d := newDriver(t, j.app(screens.Options{ASCII: true, NoColor: true, Sandbox: true}), 80, 24)
	s := d.waitFor("home", allSectionsShown)
	for _, r := range s {
		if r > 127 {
			t.Fatalf("non-ASCII %q on an ASCII screen:\n%s", r, s)
		}
	}
	if strings.Contains(d.m.View().Content, "\x1b[3") {
		t.Errorf("NoColor screen has a foreground colour: %q", d.m.View().Content)
	}
}

func TestAccessibleModeHasNoSpinnerAndNoAltScreen(t *testing.T) {
	j := newJourney()
	d := newDriver(t, j.app(screens.Options{Accessible: true}), 80, 24)
	s := d.waitFor("home", allSectionsShown)
	if d.m.View().AltScreen {
		t.Error("accessible mode should stay in the normal screen")
	}
	if strings.ContainsAny(s, "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏") {
		t.Errorf("accessible mode shows a spinner:\n%s", s)
	}
}

func TestHeaderShowsTheWorkloadAccountAndWSaves(t *testing.T) {
	j := newJourney()
	j.env.Workload = func(context.Context, *steps.Env) (steps.WorkloadAccount, error) {
		return steps.WorkloadAccount{AccountID: "222233334444", Name: "dev"}, nil
	}
	saved := 0
	d := newDriver(t, j.app(screens.Options{SaveAnswers: func() error { saved++; return nil }}), 100, 30)
	d.waitText("workload 222233334444 (dev)", "region eu-west-1")
	d.key("w")
	d.waitText("Saved your answers to castle.yaml.")
	if saved != 1 {
		t.Errorf("SaveAnswers called %d times", saved)
	}
}
