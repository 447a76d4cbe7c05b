package pipeline

import (
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/castle-aws/castle/screens"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
	"github.com/castle-aws/castle/steps/journal"
)

func pump(f *huh.Form, msg tea.Msg) *huh.Form {
	queue := []tea.Msg{msg}
	for n := 0; len(queue) > 0 && n < 50; n++ {
		m := queue[0]
		queue = queue[1:]
		if b, ok := m.(tea.BatchMsg); ok {
			for _, c := range b {
				queue = append(queue, run(c))
			}
			continue
		}
		if v := reflect.ValueOf(m); v.IsValid() && v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
			for i := 0; i < v.Len(); i++ {
				queue = append(queue, run(v.Index(i).Interface().(tea.Cmd)))
			}
			continue
		}
		if m == nil {
			continue
		}
		fm, cmd := f.Update(m)
		f = fm.(*huh.Form)
		queue = append(queue, run(cmd))
	}
	return f
}

func run(c tea.Cmd) tea.Msg {
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

func TestRepositoryCheckedAsTypedAndOfferedFromGitRemote(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"init", "-q", "-b", "trunk"}, {"remote", "add", "origin", "git@github.com:octo-org/shop.git"}} {
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Skipf("git is not usable here: %v %s", err, out)
		}
	}
	answers := &castlefile.File{}
	answers.Registry.Source = dir
	f := UI{}.Form(screens.FormContext{Answers: answers, Env: &steps.Env{Answers: answers}})
	if answers.Pipeline.Repository != "octo-org/shop" || answers.Pipeline.Branch != "trunk" {
		t.Fatalf("offered %q on %q, want octo-org/shop on trunk", answers.Pipeline.Repository, answers.Pipeline.Branch)
	}
	f = pump(f, f.Init())
	f = pump(f, tea.WindowSizeMsg{Width: 100, Height: 40})
	for _, r := range "/extra" {
		f = pump(f, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	f = pump(f, tea.KeyPressMsg{Code: tea.KeyEnter})
	if view := ansi.Strip(f.View()); !strings.Contains(view, "one slash") {
		t.Fatalf("a repository with two slashes is accepted:\n%s", view)
	}
	if answers.Pipeline.Repository != "octo-org/shop/extra" {
		t.Errorf("bound answer %q", answers.Pipeline.Repository)
	}
}

func TestHandOffScreenCopiesTheLink(t *testing.T) {
	j, err := journal.Open(t.TempDir(), "111122223333")
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	answers := &castlefile.File{Pipeline: castlefile.Pipeline{Repository: "octo-org/shop"}}
	env := &steps.Env{Journal: j, Answers: answers}
	if m := (UI{}).NewModel(screens.FormContext{Answers: answers, Env: env}); m != nil {
		t.Fatal("a hand-off screen with no pending connection")
	}
	arn := "arn:aws:codeconnections:eu-west-1:111122223333:connection/abc"
	if err := j.SaveOperation("pipeline", "connection", journal.Operation{ID: arn}); err != nil {
		t.Fatal(err)
	}
	m := UI{}.NewModel(screens.FormContext{Answers: answers, Env: env})
	if m == nil {
		t.Fatal("no hand-off screen for a pending connection")
	}
	view := ansi.Strip(m.View(60, 30))
	for _, want := range []string{"console.aws.amazon.com/codesuite/settings/connections?region=eu-west-1", "octo-org", arn} {
		if !strings.Contains(view, want) {
			t.Errorf("hand-off screen lacks %q:\n%s", want, view)
		}
	}
	m, cmd := m.Update(tea.KeyPressMsg{Code: 'c', Text: "c"})
	if cmd == nil || !strings.Contains(ansi.Strip(m.View(200, 30)), "Copied") {
		t.Error("c does not copy the link")
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if !m.Done() {
		t.Error("enter does not go on")
	}
	for _, line := range strings.Split(view, "\n") {
		if len(line) > 60 && strings.Contains(strings.TrimSpace(line), " ") {
			t.Errorf("line wider than 60 columns that could have been wrapped: %q", line)
		}
	}
	if err := j.FinishOperation("pipeline", "connection", "AVAILABLE"); err != nil {
		t.Fatal(err)
	}
	if m := (UI{}).NewModel(screens.FormContext{Answers: answers, Env: env}); m != nil {
		t.Fatal("a hand-off screen for an approved connection")
	}
}
