package registry

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/castle-aws/castle/screens"
	"github.com/castle-aws/castle/screens/screentest"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
	"github.com/castle-aws/castle/steps/journal"
)

func typeText(f *huh.Form, s string) *huh.Form {
	for _, r := range s {
		f = screentest.PumpForm(f, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return f
}

func TestRepositoryNameIsCheckedAsTyped(t *testing.T) {
	answers := &castlefile.File{}
	answers.Registry.Repository = "x"
	f := UI{}.Form(screens.FormContext{Answers: answers, Env: &steps.Env{Answers: answers}})
	f = screentest.PumpForm(f, f.Init())
	f = screentest.PumpForm(f, tea.WindowSizeMsg{Width: 100, Height: 40})
	f = typeText(f, "Y")
	f = screentest.PumpForm(f, tea.KeyPressMsg{Code: tea.KeyEnter})
	view := ansi.Strip(f.View())
	if !strings.Contains(view, "lowercase") {
		t.Fatalf("after typing a capital the form says:\n%s", view)
	}
	if answers.Registry.Repository != "xY" {
		t.Errorf("bound answer = %q", answers.Registry.Repository)
	}
	if answers.Registry.Platform != "linux/amd64" || answers.Registry.ScanOnPush == nil || !*answers.Registry.ScanOnPush {
		t.Errorf("defaults = %+v", answers.Registry)
	}
}

func TestFolderIsCheckedAsTyped(t *testing.T) {
	dir := t.TempDir()
	if err := CheckFolder(false, filepath.Join(dir, "nope")); err == nil || !strings.Contains(err.Error(), "no folder") {
		t.Errorf("missing folder: %v", err)
	}
	if err := CheckFolder(false, dir); err == nil || !strings.Contains(err.Error(), "no Dockerfile") {
		t.Errorf("folder without Dockerfile: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\n"), 0o644)
	if err := CheckFolder(false, dir); err != nil {
		t.Errorf("good folder: %v", err)
	}
	if err := CheckFolder(true, dir); err == nil {
		t.Error("the demo app would be written over someone's app")
	}
	if err := CheckFolder(true, ""); err != nil {
		t.Errorf("demo in the default folder: %v", err)
	}
}

func TestImageURIWithCopyKey(t *testing.T) {
	if m := (UI{}).NewModel(screens.FormContext{Env: &steps.Env{}}); m != nil {
		t.Fatal("a screen with nothing pushed yet")
	}
	j, err := journal.Open(t.TempDir(), "111122223333")
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	image := "111122223333.dkr.ecr.eu-west-1.amazonaws.com/hello-world-repo:abc1234"
	j.SetResource("registry", "image", image)
	j.SetResource("registry", "digest", "sha256:0123")
	m := (UI{}).NewModel(screens.FormContext{Env: &steps.Env{Journal: j}})
	if m == nil {
		t.Fatal("no screen for a pushed image")
	}
	if v := ansi.Strip(m.View(120, 20)); !strings.Contains(v, image) || !strings.Contains(v, "sha256:0123") {
		t.Errorf("view:\n%s", v)
	}
	m, cmd := m.Update(tea.KeyPressMsg{Code: 'c', Text: "c"})
	if cmd == nil || !strings.Contains(ansi.Strip(m.View(120, 20)), "Copied") {
		t.Error("c did not copy")
	}
	if msg := fmt.Sprintf("%v", cmd()); !strings.Contains(msg, image) {
		t.Errorf("clipboard message %v does not hold the image URI", cmd())
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if !m.Done() {
		t.Error("enter did not go on to the plan")
	}
}
