package screens_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/castle-aws/castle/screens"
	"github.com/castle-aws/castle/screens/internal/fake"
	"github.com/castle-aws/castle/steps"
)

// longPlan has enough actions not to fit in 24 lines.
func longPlan(n int) steps.Plan {
	p := steps.Plan{Summary: "Many steps.", MonthlyCost: "free"}
	for i := range n {
		p.Actions = append(p.Actions, steps.Action{Key: fmt.Sprintf("a%d", i), Title: fmt.Sprintf("Step number %d", i),
			Why: "Because this step is needed for the next one."})
	}
	return p
}

func TestRunEndLooksAgainAtTheSectionsAfterIt(t *testing.T) {
	j := newJourney()
	events, done := make(chan steps.Event), make(chan error)
	j.by[steps.People].ApplyFn = fake.Channel(events, done)
	j.by[steps.Access].SetStatus(steps.Status{State: steps.StateBlocked, Summary: "nobody to give access to", Blocker: "People"}, nil)
	d := openPeople(t, j, peoplePlan(), 100, 30)
	d.key("enter")
	d.typeText("Apps")
	d.key("enter")
	d.waitText("People: the plan")
	d.key("enter", "y")
	events <- steps.Event{Step: "ou", Kind: steps.EventDone}
	// People now exist on AWS: Access would find them
	j.by[steps.Access].SetStatus(steps.Status{State: steps.StateNotStarted, Summary: "nobody has access yet"}, nil)
	close(done)
	d.waitText("Done: People is set up.")
	d.key("enter")
	s := d.waitText("From a fresh AWS account")
	if strings.Contains(s, "nobody to give access to") {
		t.Errorf("Access still shows what it found before People ran:\n%s", s)
	}
	d.waitText("nobody has access yet")
}

func TestChecklistCutsLongSummariesWithAnEllipsis(t *testing.T) {
	j := newJourney()
	j.by[steps.Registry].SetStatus(steps.Status{State: steps.StateNotStarted,
		Summary: "a summary much too long for one line of the checklist at eighty columns END"}, nil)
	d := newDriver(t, j.app(screens.Options{}), 80, 24)
	s := d.waitFor("home", allSectionsShown)
	checkFits(t, s, 80, 24)
	l := lineOf(s, "Registry")
	if l < 0 || !strings.HasSuffix(strings.TrimRight(strings.Split(s, "\n")[l], " "), "…") {
		t.Errorf("a cut summary does not end with …:\n%s", s)
	}
}

func TestTypedConfirmWordStillScrollsThePlan(t *testing.T) {
	j := newJourney()
	plan := longPlan(12)
	plan.ConfirmWord = "organization"
	d := openPeople(t, j, plan, 80, 24)
	d.key("enter")
	d.typeText("Apps")
	d.key("enter")
	d.waitText("People: the plan")
	d.key("enter")
	s := d.waitText("Type organization", "pgup/pgdn")
	if !strings.Contains(s, "Step number 0") {
		t.Fatalf("the plan does not start at the top:\n%s", s)
	}
	d.send(tea.KeyPressMsg{Code: tea.KeyPgDown})
	d.settle()
	s = d.screen()
	if strings.Contains(s, "Step number 0") {
		t.Errorf("pgdn did not scroll the plan while the word is asked:\n%s", s)
	}
	d.typeText("organization")
	d.key("enter")
	d.waitFor("Apply to run", func(string) bool { a, _ := j.by[steps.People].Counts(); return a == 1 })
}

func TestFailureAndNextStayInViewAtTheEnd(t *testing.T) {
	j := newJourney()
	plan := longPlan(14)
	plan.MonthlyCost = ""
	j.by[steps.People].ApplyFn = func(ctx context.Context, env *steps.Env, emit steps.Emit) error {
		for i := range 13 {
			emit(steps.Event{Step: fmt.Sprintf("a%d", i), Kind: steps.EventDone, Message: "done"})
		}
		emit(steps.Event{Step: "a13", Kind: steps.EventFailed, Message: "refused"})
		return &steps.UserError{Message: "AWS refused the last step.", Next: "Fix the quota, then press r."}
	}
	d := openPeople(t, j, plan, 80, 24)
	d.key("enter")
	d.typeText("Apps")
	d.key("enter")
	d.waitText("People: the plan")
	d.key("enter", "y")
	s := d.waitText("r try again")
	if !strings.Contains(s, "Next: Fix the quota, then press r.") {
		t.Errorf("the next step of the failure is scrolled out of view:\n%s", s)
	}
	checkFits(t, s, 80, 24)
}

// manyKeys is a custom screen with more keys than an 80-column footer holds.
type manyKeys struct{}

func (m *manyKeys) Init() tea.Cmd                                  { return nil }
func (m *manyKeys) Update(tea.Msg) (screens.SectionModel, tea.Cmd) { return m, nil }
func (m *manyKeys) View(w, h int) string                           { return "custom screen with many keys" }
func (m *manyKeys) Done() bool                                     { return false }

func (m *manyKeys) Keys() []key.Binding {
	var ks []key.Binding
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		ks = append(ks, key.NewBinding(key.WithKeys(k), key.WithHelp(k, "a rather long description of "+k)))
	}
	return ks
}

type manyKeysUI struct{ customUI }

func (manyKeysUI) NewModel(screens.FormContext) screens.SectionModel { return &manyKeys{} }

func TestFooterAlwaysShowsTheWayBack(t *testing.T) {
	j := newJourney()
	d := newDriver(t, j.app(screens.Options{UIs: map[steps.SectionID]screens.SectionUI{steps.Access: manyKeysUI{}}}), 80, 24)
	d.waitFor("home", allSectionsShown)
	d.key("down", "down", "down", "down", "enter", "enter")
	s := d.waitText("custom screen")
	foot := strings.Split(strings.TrimRight(s, "\n"), "\n")
	last := foot[len(foot)-1]
	if !strings.Contains(last, "esc back") || !strings.Contains(last, "a rather long description of a") {
		t.Errorf("footer lost esc or the first key: %q", last)
	}
	checkFits(t, s, 80, 24)
}

func TestCostOnceDoneWrapsAt80Columns(t *testing.T) {
	j := newJourney()
	j.by[steps.People].Price = "about $1 to $4 a month per account for the checks Control Tower turns on in it ENDOFCOST"
	d := newDriver(t, j.app(screens.Options{}), 80, 24)
	d.waitFor("home", allSectionsShown)
	d.key("down", "down", "enter")
	s := d.waitText("What is there now", "ENDOFCOST")
	checkFits(t, s, 80, 24)
}

func TestResumeEndsWithTheStepDoneAndAWayOn(t *testing.T) {
	j := newJourney()
	lz := j.by[steps.LandingZone]
	events, done := make(chan steps.Event), make(chan error)
	lz.ResumeFn = fake.Channel(events, done)
	lz.PlanValue = peoplePlan()
	d := newDriver(t, j.app(screens.Options{}), 80, 24)
	d.waitFor("home", allSectionsShown)
	d.key("down", "enter")
	d.waitText("Landing zone: following AWS", "Setting up the landing zone")
	// AWS finishes; one step castle did not start is left
	lz.SetStatus(steps.Status{State: steps.StateNotStarted, Summary: "the Sandbox OU is not registered yet"}, nil)
	close(done)
	s := d.waitText("Done: AWS finished what castle was following.", "press enter to see the plan", "enter see the plan")
	if l := lineOf(s, "Setting up the landing zone"); l < 0 || !strings.HasPrefix(strings.Split(s, "\n")[l], "✓") {
		t.Errorf("the operation AWS finished is not marked done:\n%s", s)
	}
	d.key("enter")
	d.waitText("Landing zone: the plan")
}

func TestAfterASectionIsDoneTheChecklistPointsAtTheNext(t *testing.T) {
	j := newJourney()
	plan := peoplePlan()
	d := openPeople(t, j, plan, 80, 24)
	d.key("enter")
	d.typeText("Apps")
	d.key("enter")
	d.waitText("People: the plan")
	d.key("enter", "y")
	d.waitText("Done: People is set up.")
	d.key("enter")
	s := d.waitText("From a fresh AWS account")
	if l := lineOf(s, "› "); l < 0 || !strings.Contains(strings.Split(s, "\n")[l], "Environments") {
		t.Errorf("the cursor is not on the section after People:\n%s", s)
	}
}

func TestAnErrorWithoutItsOwnNextStillSaysWhatToDo(t *testing.T) {
	j := newJourney()
	p := j.by[steps.Registry]
	p.PlanErr = errBoom
	d := newDriver(t, j.app(screens.Options{}), 80, 24)
	d.waitFor("home", allSectionsShown)
	d.key("down", "down", "down", "down", "down", "enter", "enter")
	d.waitText("boom", "Next: Press r to try again", "r try again")
}

func TestNarrowFooterKeepsTheWayForward(t *testing.T) {
	j := newJourney()
	d := openPeople(t, j, peoplePlan(), 50, 15)
	s := d.waitText("What is there now")
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, "enter answer the questions") {
		t.Errorf("the way forward fell off a 50-column footer: %q", last)
	}
	checkFits(t, s, 50, 15)
}

func TestShortTerminalShowsEverySectionOnTheChecklist(t *testing.T) {
	j := newJourney()
	d := newDriver(t, j.app(screens.Options{}), 60, 12)
	s := d.waitFor("home", func(s string) bool { return strings.Contains(s, "Landing zone") })
	if !strings.Contains(s, "Pipeline") {
		t.Errorf("the last section is cut off a 12-line checklist:\n%s", s)
	}
	checkFits(t, s, 60, 12)
}

func TestChecklistSaysWhatARunningSectionDoesNow(t *testing.T) {
	j := newJourney()
	events, done := make(chan steps.Event), make(chan error)
	j.by[steps.People].ApplyFn = fake.Channel(events, done)
	j.by[steps.People].SetStatus(steps.Status{State: steps.StateNotStarted, Summary: "nothing there yet"}, nil)
	d := openPeople(t, j, peoplePlan(), 100, 30)
	d.key("enter")
	d.typeText("Apps")
	d.key("enter")
	d.waitText("People: the plan")
	d.key("enter", "y")
	events <- steps.Event{Step: "ou", Kind: steps.EventWaiting, Op: &steps.Operation{Name: "Creating the OU", StartedAt: t0, Expected: time.Hour}}
	d.waitText("Creating the OU")
	d.key("esc")
	s := d.waitText("From a fresh AWS account", "AWS is working")
	if l := lineOf(s, "AWS is working"); l < 0 || strings.Contains(strings.Split(s, "\n")[l], "nothing there yet") || !strings.Contains(strings.Split(s, "\n")[l], "create the Workloads OU") {
		t.Errorf("the checklist shows what was there before the run, not what castle does:\n%s", s)
	}
	close(done)
}
