package environments_test

import (
	"context"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/sandbox/servicecatalog/sctest"
	"github.com/castle-aws/castle/screens"
	scenv "github.com/castle-aws/castle/screens/environments"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
	se "github.com/castle-aws/castle/steps/environments"
)

// adapter makes a SectionModel a tea.Model for the driver.
type adapter struct{ m screens.SectionModel }

func (a *adapter) Init() tea.Cmd { return a.m.Init() }
func (a *adapter) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := a.m.Update(msg)
	a.m = m
	return a, cmd
}
func (a *adapter) View() tea.View { return tea.NewView(a.m.View(100, 30)) }

func startScreen(t *testing.T, speed float64) (*sandboxtest.Sandbox, *steps.Env) {
	t.Helper()
	sb := sandboxtest.Start(t, sandbox.Options{Speed: speed})
	sctest.Setup(t, sb)
	env := sb.Env()
	env.Answers.People = []castlefile.User{{UserName: "ana", GivenName: "Ana", FamilyName: "Lima", Email: "ana@example.com"}}
	t.Cleanup(func() {
		if env.Journal != nil {
			env.Journal.Close()
		}
	})
	return sb, env
}

func TestAccountFormValidatesAsTypedAndSuggestsTheEmail(t *testing.T) {
	_, env := startScreen(t, 60)
	ui := scenv.UI().(screens.CustomScreen)
	a := &adapter{ui.NewModel(screens.FormContext{Env: env, Answers: env.Answers, Width: 100})}
	d := newDriver(t, a, func() string { return a.View().Content }, 100, 30)
	d.waitText("Accounts in your organization (1)", "castle-sandbox", "To create (0)")

	d.key("a")
	d.waitText("A new account", "Account name")
	d.typeText("castle-sandbox") // the management account's name
	d.key("enter")
	d.waitText("already has this name")
	for range "castle-sandbox" {
		d.key("backspace")
	}
	d.typeText("Bot.prod")
	d.key("enter")
	// The email field proposes name+env at the organization's domain.
	d.waitText("bot+prod@example.com")
	d.typeText("owner@example.com")
	d.key("enter")
	d.waitText("already uses this email")
	if len(env.Answers.Environments) != 0 {
		t.Fatal("an invalid email was accepted")
	}
	for range "owner@example.com" {
		d.key("backspace")
	}
	d.key("enter") // empty: the suggestion
	d.waitText("Organizational unit", "Workloads (not registered with Control Tower)")
	d.key("enter") // Sandbox, preselected
	d.waitText("Owner", "ana")
	d.key("enter")
	s := d.waitText("To create (1)", "Bot.prod", "bot+prod@example.com")
	got := env.Answers.Environments
	if len(got) != 1 || got[0] != (castlefile.Account{Name: "Bot.prod", Email: "bot+prod@example.com", OU: "Sandbox", Owner: "ana"}) {
		t.Fatalf("answers %+v\n%s", got, s)
	}

	// Workload account and the way in.
	d.key("w")
	d.waitText("Workload account", "Bot.prod  (to be created)")
	d.key("down", "enter") // Bot.prod (after the signed-in account)
	d.key("enter")         // assume-role
	d.waitText("Workload account  Bot.prod", "reached through AWSControlTowerExecution")
	if w := env.Answers.Workload; w.Account != "Bot.prod" || w.Via != se.ViaAssumeRole {
		t.Fatalf("workload %+v", w)
	}
	d.key("enter")
	if !a.m.Done() {
		t.Fatal("enter did not finish the screen")
	}
}

// formModel runs a huh form as a tea.Model.
type formModel struct{ f *huh.Form }

func (m *formModel) Init() tea.Cmd { return m.f.Init() }
func (m *formModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	fm, cmd := m.f.Update(msg)
	if f, ok := fm.(*huh.Form); ok {
		m.f = f
	}
	return m, cmd
}
func (m *formModel) View() tea.View { return tea.NewView(m.f.View()) }

func TestUnregisteredOUIsRefusedAsPicked(t *testing.T) {
	_, env := startScreen(t, 60)
	inv, err := se.Load(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	a := &castlefile.Account{Name: "Shop.dev", OU: "Workloads"}
	fm := &formModel{scenv.DetailsForm(a, inv, nil, env.Answers.People)}
	d := newDriver(t, fm, func() string { return fm.View().Content }, 100, 30)
	d.waitText("shop+dev@example.com") // the suggestion
	d.key("enter")                     // take it
	d.key("enter")                     // Workloads
	d.waitText("not registered with Control Tower; register it")
	if fm.f.State == huh.StateCompleted {
		t.Fatal("an unregistered OU was accepted")
	}
}
