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
)

func start(t *testing.T) (*driver, screens.FormContext, string) {
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
	return drive(t, UI{}.NewModel(ctx)), ctx, "https://" + store + ".awsapps.com/start"
}

func TestAddPeopleFormValidatesAsTyped(t *testing.T) {
	d, ctx, portal := start(t)
	d.wantView("Access portal", portal, "carol", "Have a sign-in (1)", "To add (0)")

	d.press("c")
	if len(d.clip) != 1 || d.clip[0] != portal {
		t.Fatalf("clipboard %q", d.clip)
	}

	d.press("a")
	d.wantView("Add a person", "team or Roblox handle")
	d.press("carol", "enter")
	d.wantView("carol already has a sign-in")
	d.erase(5)
	d.press("bob builds", "enter")
	d.wantView("cannot contain spaces")
	d.erase(7)
	d.press("enter")
	d.press("Bob", "enter", "Builder", "enter")
	d.press("carol@example.com", "enter")
	d.wantView("carol already uses this email")
	d.erase(len("carol@example.com"))
	d.press("bob@example", "enter")
	d.wantView("name@example.com")
	d.press(".com", "enter")

	if len(ctx.Answers.People) != 1 {
		t.Fatalf("answers %+v", ctx.Answers.People)
	}
	got := ctx.Answers.People[0]
	if got.UserName != "bob" || got.Email != "bob@example.com" || got.DisplayName != "Bob Builder" {
		t.Fatalf("person %+v", got)
	}
	d.wantView("To add (1)", "+ bob")

	// A second person in the same go, then dropped again with x.
	d.press("a", "dana", "enter", "Dana", "enter", "Diaz", "enter", "bob@example.com", "enter")
	d.wantView("bob in the list to add already uses this email")
	d.press("esc")
	d.wantView("To add (1)")
	// esc kept what was typed: only the email needs fixing
	d.press("a")
	d.wantView("> dana", "> Dana", "> Diaz")
	d.press("enter", "enter", "enter")
	d.erase(len("bob@example.com"))
	d.press("dana@example.com", "enter")
	d.wantView("To add (2)", "+ dana")
	d.press("x")
	d.wantView("To add (1)")
	if len(ctx.Answers.People) != 1 {
		t.Fatalf("x did not drop dana: %+v", ctx.Answers.People)
	}

	// Continue: the console hand-off, with the link to copy and the message to send.
	d.press("enter")
	d.wantView("Your turn", "Standard authentication", "Send email OTP", `"bob"`, portal)
	d.press("o")
	if len(d.clip) != 2 || !strings.Contains(d.clip[1], "console.aws.amazon.com/singlesignon/home?region=eu-west-1#/instances/") {
		t.Fatalf("clipboard %q", d.clip)
	}
	d.press("m")
	if len(d.clip) != 3 || !strings.Contains(d.clip[2], `user name "bob"`) || !strings.Contains(d.clip[2], portal) {
		t.Fatalf("messages %q", d.clip)
	}
	if d.m.Done() {
		t.Fatal("done before the user said the switch is on")
	}
	d.press("enter")
	if !d.m.Done() {
		t.Fatal("enter should finish the screen")
	}
}

func TestNobodyToAddGoesStraightOn(t *testing.T) {
	d, _, _ := start(t)
	d.press("enter")
	if !d.m.Done() {
		t.Fatalf("screen not done:\n%s", d.view())
	}
}

func TestWithoutIdentityCenterSaysWhatToDo(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	env := sb.Env()
	d := drive(t, UI{}.NewModel(screens.FormContext{Env: env, Answers: env.Answers, Width: 80}))
	d.wantView("Landing zone section first")
	d.press("a")
	d.wantView("Landing zone section first")
}

func TestEscKeepsAHalfTypedPerson(t *testing.T) {
	d, ctx, _ := start(t)
	d.wantView("To add (0)")
	d.press("a")
	d.wantView("Add a person")
	d.press("dana", "enter", "Dana", "enter")
	d.press("esc")
	d.wantView("To add (0)")
	d.press("a")
	d.wantView("dana", "Dana")
	d.press("enter", "enter", "Doe", "enter", "dana@example.com", "enter")
	if len(ctx.Answers.People) != 1 || ctx.Answers.People[0].UserName != "dana" || ctx.Answers.People[0].GivenName != "Dana" {
		t.Fatalf("answers %+v", ctx.Answers.People)
	}
	d.press("a")
	if v := d.view(); strings.Contains(v, "> dana") {
		t.Errorf("the next person starts with the last one's answers:\n%s", v)
	}
}

func TestAddFormRewrapsWhenTheTerminalNarrows(t *testing.T) {
	d, _, _ := start(t)
	d.wantView("To add (0)")
	d.press("a")
	d.wantView("Add a person")
	d.send(tea.WindowSizeMsg{Width: 50, Height: 24})
	for _, l := range strings.Split(ansi.Strip(d.m.View(50, 24)), "\n") {
		if w := ansi.StringWidth(strings.TrimRight(l, " ")); w > 50 {
			t.Errorf("line of %d cells after narrowing to 50: %q", w, l)
		}
	}
}

func TestEnterComesBeforeTheExtraKeys(t *testing.T) {
	d, _, _ := start(t)
	d.wantView("To add (0)")
	ks := d.m.Keys()
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
	d := drive(t, UI{}.NewModel(screens.FormContext{Env: env, Answers: env.Answers, Width: 80}))
	v := d.view()
	if !strings.Contains(v, "Press enter to go on.") {
		t.Fatalf("no way on:\n%s", v)
	}
	for _, l := range strings.Split(v, "\n") {
		if w := ansi.StringWidth(strings.TrimRight(l, " ")); w > 80 {
			t.Errorf("line of %d cells: %q", w, l)
		}
	}
}
