package people

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/identitystore"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/sandbox/ssoadmin"
	"github.com/castle-aws/castle/sandbox/world"
	"github.com/castle-aws/castle/screens"
	"github.com/castle-aws/castle/screens/screentest"
)

func start(t *testing.T) (*screentest.Driver, screens.FormContext, string) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	sb.World.Lock()
	_, store := ssoadmin.From(sb.World).EnableInstance(sb.World, world.ManagementAccount, sandboxtest.Region)
	_, err := identitystore.From(sb.World).EnsureUser(sb.World, store, "carol", "carol@example.com", "Carol", "Poe")
	sb.World.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	env := sb.Env()
	ctx := screens.FormContext{Env: env, Answers: env.Answers, Width: 80}
	return screentest.Drive(t, UI{}.NewModel(ctx)), ctx, "https://" + store + ".awsapps.com/start"
}

func TestAddPeopleFormValidatesAsTyped(t *testing.T) {
	d, ctx, portal := start(t)
	d.WantView("Access portal", portal, "carol", "Have a sign-in (1)", "To add (0)")

	d.Press("c")
	if len(d.Clip) != 1 || d.Clip[0] != portal {
		t.Fatalf("clipboard %q", d.Clip)
	}

	d.Press("a")
	d.WantView("Add a person", "team or Roblox handle")
	d.Press("carol", "enter")
	d.WantView("carol already has a sign-in")
	d.Erase(5)
	d.Press("bob builds", "enter")
	d.WantView("cannot contain spaces")
	d.Erase(7)
	d.Press("enter")
	d.Press("Bob", "enter", "Builder", "enter")
	d.Press("carol@example.com", "enter")
	d.WantView("carol already uses this email")
	d.Erase(len("carol@example.com"))
	d.Press("bob@example", "enter")
	d.WantView("name@example.com")
	d.Press(".com", "enter")

	if len(ctx.Answers.People) != 1 {
		t.Fatalf("answers %+v", ctx.Answers.People)
	}
	got := ctx.Answers.People[0]
	if got.UserName != "bob" || got.Email != "bob@example.com" || got.DisplayName != "Bob Builder" {
		t.Fatalf("person %+v", got)
	}
	d.WantView("To add (1)", "+ bob")

	// A second person in the same go, then dropped again with x.
	d.Press("a", "dana", "enter", "Dana", "enter", "Diaz", "enter", "bob@example.com", "enter")
	d.WantView("bob in the list to add already uses this email")
	d.Press("esc")
	d.WantView("To add (1)")
	// esc kept what was typed: only the email needs fixing
	d.Press("a")
	d.WantView("> dana", "> Dana", "> Diaz")
	d.Press("enter", "enter", "enter")
	d.Erase(len("bob@example.com"))
	d.Press("dana@example.com", "enter")
	d.WantView("To add (2)", "+ dana")
	d.Press("x")
	d.WantView("To add (1)")
	if len(ctx.Answers.People) != 1 {
		t.Fatalf("x did not drop dana: %+v", ctx.Answers.People)
	}

	// Continue: the console hand-off, with the link to copy and the message to send.
	d.Press("enter")
	d.WantView("Your turn", "Standard authentication", "Send email OTP", `"bob"`, portal)
	d.Press("o")
	if len(d.Clip) != 2 || !strings.Contains(d.Clip[1], "console.aws.amazon.com/singlesignon/home?region=eu-west-1#/instances/") {
		t.Fatalf("clipboard %q", d.Clip)
	}
	d.Press("m")
	if len(d.Clip) != 3 || !strings.Contains(d.Clip[2], `user name "bob"`) || !strings.Contains(d.Clip[2], portal) {
		t.Fatalf("messages %q", d.Clip)
	}
	if d.M.Done() {
		t.Fatal("done before the user said the switch is on")
	}
	d.Press("enter")
	if !d.M.Done() {
		t.Fatal("enter should finish the screen")
	}
}

func TestNobodyToAddGoesStraightOn(t *testing.T) {
	d, _, _ := start(t)
	d.Press("enter")
	if !d.M.Done() {
		t.Fatalf("screen not done:\n%s", d.View())
	}
}

func TestWithoutIdentityCenterSaysWhatToDo(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	env := sb.Env()
	d := screentest.Drive(t, UI{}.NewModel(screens.FormContext{Env: env, Answers: env.Answers, Width: 80}))
	d.WantView("Landing zone section first")
	d.Press("a")
	d.WantView("Landing zone section first")
}

func TestEscKeepsAHalfTypedPerson(t *testing.T) {
	d, ctx, _ := start(t)
	d.WantView("To add (0)")
	d.Press("a")
	d.WantView("Add a person")
	d.Press("dana", "enter", "Dana", "enter")
	d.Press("esc")
	d.WantView("To add (0)")
	d.Press("a")
	d.WantView("dana", "Dana")
	d.Press("enter", "enter", "Doe", "enter", "dana@example.com", "enter")
	if len(ctx.Answers.People) != 1 || ctx.Answers.People[0].UserName != "dana" || ctx.Answers.People[0].GivenName != "Dana" {
		t.Fatalf("answers %+v", ctx.Answers.People)
	}
	d.Press("a")
	if v := d.View(); strings.Contains(v, "> dana") {
		t.Errorf("the next person starts with the last one's answers:\n%s", v)
	}
}

func TestAddFormRewrapsWhenTheTerminalNarrows(t *testing.T) {
	d, _, _ := start(t)
	d.WantView("To add (0)")
	d.Press("a")
	d.WantView("Add a person")
	d.Send(tea.WindowSizeMsg{Width: 50, Height: 24})
	for _, l := range strings.Split(ansi.Strip(d.M.View(50, 24)), "\n") {
		if w := ansi.StringWidth(strings.TrimRight(l, " ")); w > 50 {
			t.Errorf("line of %d cells after narrowing to 50: %q", w, l)
		}
	}
}

func TestEnterComesBeforeTheExtraKeys(t *testing.T) {
	d, _, _ := start(t)
	d.WantView("To add (0)")
	ks := d.M.Keys()
	if len(ks) < 2 || ks[1].Help().Key != "enter" {
		var got []string
		for _, k := range ks {
			got = append(got, k.Help().Key)
		}
		t.Errorf("keys %v: enter must come second, so an 80-column footer keeps it", got)
	}
}

func TestNoIdentityCenterIsSaidWithinTheWidth(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	env := sb.Env()
	d := screentest.Drive(t, UI{}.NewModel(screens.FormContext{Env: env, Answers: env.Answers, Width: 80}))
	v := d.View()
	if !strings.Contains(v, "Press enter to go on.") {
		t.Fatalf("no way on:\n%s", v)
	}
	for _, l := range strings.Split(v, "\n") {
		if w := ansi.StringWidth(strings.TrimRight(l, " ")); w > 80 {
			t.Errorf("line of %d cells: %q", w, l)
		}
	}
}
