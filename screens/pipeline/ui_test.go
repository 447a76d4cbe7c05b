package pipeline

import (
	"os/exec"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/castle-aws/castle/screens"
	"github.com/castle-aws/castle/screens/screentest"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
	"github.com/castle-aws/castle/steps/journal"
)

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
	f = screentest.PumpForm(f, f.Init())
	f = screentest.PumpForm(f, tea.WindowSizeMsg{Width: 100, Height: 40})
	for _, r := range "/extra" {
		f = screentest.PumpForm(f, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	f = screentest.PumpForm(f, tea.KeyPressMsg{Code: tea.KeyEnter})
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
