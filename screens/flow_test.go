package screens_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/castle-aws/castle/screens"
	"github.com/castle-aws/castle/screens/internal/fake"
	"github.com/castle-aws/castle/steps"
)

// peoplePlan is a plan with one skipped action and two that spend money.
func peoplePlan() steps.Plan {
	return steps.Plan{
		Summary:     "Add the Workloads OU.",
		MonthlyCost: "about $3 a month",
		SpendsMoney: true,
		Duration:    45 * time.Minute,
		Actions: []steps.Action{
			{Key: "org", Title: "Create the organization", Skip: true, SkipReason: "o-abc123 exists"},
			{Key: "ou", Title: "Create the Workloads OU", Why: "Workloads live apart from security tooling.",
				Commands: []string{"aws organizations create-organizational-unit --parent-id r-1 --name Workloads"}},
			{Key: "register", Title: "Register the OU with Control Tower", Why: "So its accounts get the guardrails."},
		},
		Notes: []string{"Registering an OU takes a while."},
	}
}

// openPeople goes to the People section of a fresh journey with a form
// bound to the answers, and returns the driver at its About page.
func openPeople(t *testing.T, j *journey, plan steps.Plan, w, h int) *driver {
	t.Helper()
	p := j.by[steps.People]
	p.PlanValue = plan
	ui := fake.FormUI{Build: func(ctx screens.FormContext) *huh.Form {
		return huh.NewForm(huh.NewGroup(
			huh.NewInput().Key("ou").Title("Name of the new OU").Validate(huh.ValidateNotEmpty()).Value(&ctx.Answers.LandingZone.SandboxOU),
		))
	}}
	d := newDriver(t, j.app(screens.Options{UIs: map[steps.SectionID]screens.SectionUI{steps.People: ui}}), w, h)
	d.waitFor("home", allSectionsShown)
	d.key("down", "down", "enter")
	d.waitText("What is there now", "answer the questions")
	return d
}

func TestFormPlanConfirmApplyWaitingDoneFailed(t *testing.T) {
	j := newJourney()
	events, done := make(chan steps.Event), make(chan error)
	j.by[steps.People].ApplyFn = fake.Channel(events, done)
	d := openPeople(t, j, peoplePlan(), 100, 30)

	d.key("enter")
	d.waitText("Name of the new OU")
	d.key("enter") // empty: validation keeps the form
	if s := d.screen(); strings.Contains(s, "the plan") {
		t.Fatalf("an empty answer passed validation:\n%s", s)
	}
	d.typeText("Workloads")
	d.key("enter")
	s := d.waitText("People: the plan")
	if got := j.env.Answers.LandingZone.SandboxOU; got != "Workloads" {
		t.Errorf("answer not bound to castle.yaml: %q", got)
	}
	for _, want := range []string{"Add the Workloads OU.", "o-abc123 exists", "Create the Workloads OU",
		"Workloads live apart from security tooling.", "about $3 a month", "about 45 minutes", "Registering an OU takes a while."} {
		if !strings.Contains(s, want) {
			t.Errorf("plan misses %q:\n%s", want, s)
		}
	}
	checkFits(t, s, 100, 30)

	d.key("c")
	d.waitText("aws organizations create-organizational-unit", "--name Workloads")
	d.key("y")
	d.waitFor("the commands in the clipboard (OSC 52)", func(string) bool { return strings.Contains(d.clip, "create-organizational-unit") })

	d.key("enter")
	d.waitText("It takes about 45 minutes and adds to your AWS bill:", "about $3 a month. (y/n)")
	if a, _ := j.by[steps.People].Counts(); a != 0 {
		t.Fatal("Apply ran before the user said yes")
	}
	d.key("y")

	// waiting on AWS: elapsed and ETA from the env clock
	op := &steps.Operation{Key: "ou", Name: "Creating the OU", StartedAt: t0, Expected: time.Hour, Status: "CREATING"}
	j.clock.Set(t0.Add(10 * time.Minute))
	events <- steps.Event{Step: "ou", Kind: steps.EventWaiting, Op: op, Percent: -1}
	s = d.waitText("Creating the OU", "AWS says CREATING", "10m so far, about 50m left", "You can leave castle now: AWS keeps working")
	if !strings.Contains(s, "not started yet") {
		t.Errorf("the step still to come is not listed:\n%s", s)
	}
	j.clock.Set(t0.Add(25 * time.Minute))
	d.waitText("25m so far, about 35m left")

	events <- steps.Event{Step: "ou", Kind: steps.EventDone, Message: "ou-123 created"}
	d.waitText("✓ Create the Workloads OU", "ou-123 created")
	d.waitFor("a bell when the operation ended", func(string) bool { return strings.Contains(strings.Join(d.raw, ""), "\a") })

	events <- steps.Event{Step: "register", Kind: steps.EventProgress, Message: "registering", Percent: 0.5}
	d.waitText("50%")
	events <- steps.Event{Step: "register", Kind: steps.EventFailed, Message: "RegisterOrganizationalUnit failed"}
	done <- &steps.UserError{Message: "Control Tower could not register the OU.", Next: "Open the Control Tower console, fix the drift, then press r."}
	s = d.waitText("✗ Register the OU with Control Tower", "Control Tower could not register the OU.", "r try again")
	nextLine := lineOf(s, "Next: Open the Control Tower console")
	if nextLine < 0 || nextLine == lineOf(s, "Control Tower could not register the OU.") {
		t.Errorf("Next is not on its own line:\n%s", s)
	}
	checkFits(t, s, 100, 30)

	// r plans again; esc/enter go home
	d.key("r")
	d.waitText("People: the plan")
	d.key("esc", "esc")
	d.waitText("From a fresh AWS account", "Pipeline")
}

func TestApplyEndsDoneAndHandOffIsYourTurn(t *testing.T) {
	j := newJourney()
	events, done := make(chan steps.Event), make(chan error)
	j.by[steps.People].ApplyFn = fake.Channel(events, done)
	plan := peoplePlan()
	plan.SpendsMoney, plan.MonthlyCost = false, "free"
	d := openPeople(t, j, plan, 80, 24)
	d.key("enter")
	d.typeText("Apps")
	d.key("enter")
	d.waitText("People: the plan")
	d.key("enter")
	d.waitText("It is free", "(y/n)")
	d.key("y")
	events <- steps.Event{Step: "ou", Kind: steps.EventDone}
	events <- steps.Event{Step: "invite", Kind: steps.EventHandOff, Message: "Accept the invitation in the console.", Detail: "https://console.aws.amazon.com/organizations"}
	s := d.waitText("➜ Your turn: Accept the invitation in the console.", "https://console.aws.amazon.com/organizations")
	if l := lineOf(s, "Your turn"); l >= 0 && strings.ContainsAny(strings.Split(s, "\n")[l], "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏") {
		t.Errorf("a hand-off line shows a spinner:\n%s", s)
	}
	close(done)
	s = d.waitText("Done: People is set up.")
	checkFits(t, s, 80, 24)
	d.key("enter")
	d.waitText("From a fresh AWS account", "Pipeline")
}

func TestConfirmWordRefusesAWrongWord(t *testing.T) {
	j := newJourney()
	plan := peoplePlan()
	plan.ConfirmWord = "organization"
	d := openPeople(t, j, plan, 100, 30)
	d.key("enter")
	d.typeText("Apps")
	d.key("enter")
	d.waitText("People: the plan")
	d.key("enter")
	d.waitText("Type organization and press enter")
	d.typeText("org")
	d.key("enter")
	d.waitText("That is not organization")
	if a, _ := j.by[steps.People].Counts(); a != 0 {
		t.Fatal("a wrong word started Apply")
	}
	for range 3 {
		d.key("backspace")
	}
	d.typeText("organization")
	d.key("enter")
	d.waitFor("Apply to run", func(string) bool { a, _ := j.by[steps.People].Counts(); return a == 1 })
}

func TestCtrlCWhileWorkingAsksBeforeLeaving(t *testing.T) {
	j := newJourney()
	stopped := make(chan struct{})
	j.by[steps.People].ApplyFn = func(ctx context.Context, env *steps.Env, emit steps.Emit) error {
		emit(steps.Event{Step: "ou", Kind: steps.EventWaiting, Op: &steps.Operation{Name: "Creating the OU", StartedAt: t0, Expected: time.Hour}})
		<-ctx.Done()
		close(stopped)
		return ctx.Err()
	}
	d := openPeople(t, j, peoplePlan(), 80, 24)
	d.key("enter")
	d.typeText("Apps")
	d.key("enter")
	d.waitText("People: the plan")
	d.key("enter", "y")
	d.waitText("Creating the OU")

	d.key("ctrl+c")
	s := d.waitText("Leave castle? AWS keeps working; castle picks it up next time. (y/n)")
	checkFits(t, s, 80, 24)
	if d.quit {
		t.Fatal("ctrl+c quit without asking")
	}
	d.key("n")
	d.waitFor("the question to go away", func(s string) bool { return !strings.Contains(s, "Leave castle?") })

	// esc goes home while the work goes on; the checklist shows it working
	d.key("esc")
	d.waitText("From a fresh AWS account", "AWS is working")
	d.key("q")
	d.waitText("Leave castle?")
	d.key("y")
	d.waitFor("y to leave", func(string) bool { return d.quit })
	select {
	case <-stopped: // castle stopped following; the fake stands for AWS, which would go on
	case <-time.After(5 * time.Second):
		t.Fatal("castle's polling was not stopped on leaving")
	}
}

func TestNothingPendingSaysNothingToDo(t *testing.T) {
	j := newJourney()
	plan := steps.Plan{Summary: "Everything is there.", Actions: []steps.Action{
		{Key: "a", Title: "Create the organization", Skip: true, SkipReason: "o-abc123 exists"},
	}}
	d := openPeople(t, j, plan, 80, 24)
	d.key("enter")
	d.typeText("Apps")
	d.key("enter")
	s := d.waitText("Nothing to do: everything already exists.", "o-abc123 exists")
	if strings.Contains(s, "(y/n)") {
		t.Errorf("asks to confirm with nothing to do:\n%s", s)
	}
	d.key("enter")
	d.waitText("From a fresh AWS account", "Pipeline")
	if a, _ := j.by[steps.People].Counts(); a != 0 {
		t.Fatal("Apply ran with nothing to do")
	}
}

func TestInProgressSectionResumesInsteadOfPlanning(t *testing.T) {
	j := newJourney()
	lz := j.by[steps.LandingZone]
	events, done := make(chan steps.Event), make(chan error)
	lz.ResumeFn = fake.Channel(events, done)
	d := newDriver(t, j.app(screens.Options{}), 100, 30)
	d.waitFor("home", allSectionsShown)
	d.key("down", "enter")
	d.waitText("Landing zone: following AWS", "Setting up the landing zone", "20m so far, about 40m left", "You can leave castle now")
	if a, r := lz.Counts(); a != 0 || r != 1 {
		t.Fatalf("Apply %d, Resume %d: want Resume only", a, r)
	}
	close(done)
	d.waitText("Done: AWS finished what castle was following.")
}

func TestPlanErrorShowsNextAndRetries(t *testing.T) {
	j := newJourney()
	p := j.by[steps.Registry]
	p.PlanErr = &steps.UserError{Message: "Your AWS sign-in has expired.", Next: "Run `aws sso login --profile dev`, then retry."}
	d := newDriver(t, j.app(screens.Options{}), 80, 24)
	d.waitFor("home", allSectionsShown)
	d.key("down", "down", "down", "down", "down", "enter", "enter")
	d.waitText("Your AWS sign-in has expired.", "Next: Run `aws sso login --profile dev`", "r try again")
	p.PlanErr = nil
	p.PlanValue = peoplePlan()
	d.key("r")
	d.waitText("Create the Workloads OU")
}

// customModel is a section screen that is done once x is pressed.
type customModel struct{ done bool }

func (m *customModel) Init() tea.Cmd { return nil }
func (m *customModel) Update(msg tea.Msg) (screens.SectionModel, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "x" {
		m.done = true
	}
	return m, nil
}
func (m *customModel) View(w, h int) string { return "custom screen: press x" }
func (m *customModel) Keys() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "finish"))}
}
func (m *customModel) Done() bool { return m.done }

type customUI struct{}

func (customUI) Form(screens.FormContext) *huh.Form                { return nil }
func (customUI) NewModel(screens.FormContext) screens.SectionModel { return &customModel{} }

func TestCustomScreenRunsBeforeThePlan(t *testing.T) {
	j := newJourney()
	j.by[steps.Access].PlanValue = peoplePlan()
	d := newDriver(t, j.app(screens.Options{UIs: map[steps.SectionID]screens.SectionUI{steps.Access: customUI{}}}), 80, 24)
	d.waitFor("home", allSectionsShown)
	d.key("down", "down", "down", "down", "enter", "enter")
	d.waitText("custom screen: press x", "x finish")
	d.key("esc")
	d.waitText("What is there now")
	d.key("enter")
	d.waitText("custom screen")
	d.key("x")
	d.waitText("Access: the plan")
}

func TestNotBuiltSectionHasNothingToRun(t *testing.T) {
	j := newJourney()
	d := newDriver(t, j.app(screens.Options{}), 80, 24)
	d.waitFor("home", allSectionsShown)
	for range 7 {
		d.key("down")
	}
	d.key("enter")
	s := d.waitText("castle does not do this section yet")
	d.key("enter")
	if s2 := d.screen(); strings.Contains(s2, "the plan") || s2 == "" {
		t.Errorf("enter went on from a section that is not built:\n%s\n%s", s, s2)
	}
}

func TestNarrowTabShowsTheChecklist(t *testing.T) {
	j := newJourney()
	d := newDriver(t, j.app(screens.Options{}), 80, 24)
	d.waitFor("home", allSectionsShown)
	d.key("enter")
	d.waitText("(1 of 9)", "tab show sections")
	d.key("tab")
	s := d.waitText("Pipeline", "not built yet", "tab hide sections")
	checkFits(t, s, 80, 24)
	d.key("tab")
	d.waitText("What is there now")
}
