package landingzone_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/charmbracelet/x/ansi"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/screens"
	"github.com/castle-aws/castle/screens/landingzone"
	"github.com/castle-aws/castle/steps/castlefile"
	lz "github.com/castle-aws/castle/steps/landingzone"
)

// driver runs a huh form without a Program, feeding command results back.
type driver struct {
	t    *testing.T
	form *huh.Form
}

func (d *driver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	select {
	case msg := <-ch:
		d.send(msg)
	case <-time.After(20 * time.Millisecond):
	}
}

func (d *driver) send(msg tea.Msg) {
	if msg == nil {
		return
	}
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			d.run(c)
		}
		return
	}
	v := reflect.ValueOf(msg)
	if v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
		for i := 0; i < v.Len(); i++ {
			d.run(v.Index(i).Interface().(tea.Cmd))
		}
		return
	}
	m, cmd := d.form.Update(msg)
	if f, ok := m.(*huh.Form); ok {
		d.form = f
	}
	d.run(cmd)
}

func (d *driver) enter() { d.send(tea.KeyPressMsg{Code: tea.KeyEnter}) }

func (d *driver) typeText(s string) {
	for _, r := range s {
		d.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func (d *driver) clear(n int) {
	for i := 0; i < n; i++ {
		d.send(tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
}

func (d *driver) focusOn(key string) {
	for i := 0; i < 20; i++ {
		if f := d.form.GetFocusedField(); f != nil && f.GetKey() == key {
			return
		}
		d.enter()
	}
	d.t.Fatalf("never reached field %s", key)
}

func (d *driver) view() string { return ansi.Strip(d.form.View()) }

// flat joins the view's wrapped lines so a sentence can be found whole.
func (d *driver) flat() string { return strings.Join(strings.Fields(d.view()), " ") }

func TestEmailsAreCheckedAsTyped(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{Speed: 1000})
	ctx := context.Background()
	if _, err := organizations.NewFromConfig(sb.Admin()).CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	env := sb.Env()
	if _, err := lz.New().Discover(ctx, env); err != nil { // what the shell does before the form
		t.Fatal(err)
	}
	form := landingzone.UI().Form(screens.FormContext{Env: env, Answers: env.Answers, Width: 80})
	if form == nil {
		t.Fatal("no form before the landing zone exists")
	}
	d := &driver{t: t, form: form}
	d.run(form.Init())
	d.send(tea.WindowSizeMsg{Width: 80, Height: 40})
	if v := d.flat(); !strings.Contains(v, "cannot be moved later") {
		t.Fatalf("home region not explained:\n%s", d.view())
	}
	d.focusOn("logArchiveEmail")
	if v := d.flat(); !strings.Contains(v, "you+log@example.com") || !strings.Contains(v, "owner+log@example.com") {
		t.Fatalf("plus-addressing not explained or no suggestion:\n%s", d.view())
	}
	cases := []struct{ typed, want string }{
		{"not-an-email", "exactly one @"},
		{"owner@example.com", "email of your management account"},
		{"me@localhost", "must be a domain"},
	}
	for _, c := range cases {
		d.typeText(c.typed)
		d.enter()
		if f := d.form.GetFocusedField(); f == nil || f.GetKey() != "logArchiveEmail" {
			t.Fatalf("%q was accepted", c.typed)
		}
		if v := d.flat(); !strings.Contains(v, c.want) {
			t.Fatalf("typing %q: want %q on screen:\n%s", c.typed, c.want, d.view())
		}
		d.clear(len(c.typed))
	}
	d.typeText("owner+log@example.com")
	d.enter()
	if f := d.form.GetFocusedField(); f == nil || f.GetKey() != "auditEmail" {
		t.Fatalf("a good Log Archive email was not accepted:\n%s", d.view())
	}
	d.typeText("OWNER+LOG@example.com")
	d.enter()
	if v := d.flat(); !strings.Contains(v, "two different addresses") {
		t.Fatalf("same email twice not refused:\n%s", d.view())
	}
	d.clear(len("OWNER+LOG@example.com"))
	d.typeText("owner+audit@example.com")
	d.enter()
	if d.form.State != huh.StateCompleted {
		t.Fatalf("form not completed:\n%s", d.view())
	}
	got := env.Answers.LandingZone
	if got.LogArchiveEmail != "owner+log@example.com" || got.AuditEmail != "owner+audit@example.com" || got.SecurityOU != "Security" || got.HomeRegion != sandboxtest.Region {
		t.Fatalf("answers %+v", got)
	}
}

func TestEmailUsedInTheOrganization(t *testing.T) {
	f := &lz.Facts{ManagementEmail: "owner@example.com", Accounts: []lz.Account{{ID: "222233334444", Name: "dev", Email: "dev@example.com"}}}
	err := lz.CheckEmail(lz.AuditName, "DEV@example.com", "", f)
	if err == nil || !strings.Contains(err.Error(), `"dev" (222233334444) already uses`) {
		t.Fatalf("want the account that uses it named, got %v", err)
	}
	// The shared account that already has the address is not a clash.
	f.Audit = &f.Accounts[0]
	if err := lz.CheckEmail(lz.AuditName, "dev@example.com", "", f); err != nil {
		t.Fatalf("the Audit account's own email refused: %v", err)
	}
}

func TestOUNamesMustDifferAndNotBeRoot(t *testing.T) {
	for _, c := range []struct{ name, other, want string }{
		{"Security", "Sandbox", ""},
		{"root", "Sandbox", "top of the organization"},
		{"Sandbox", " sandbox", "two different OUs"},
		{"", "Sandbox", "Give the OU a name"},
	} {
		err := landingzone.CheckOUNames(c.name, c.other)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q refused: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%q next to %q: want %q, got %v", c.name, c.other, c.want, err)
		}
	}
}

func TestRegionsSayWhereTheyAre(t *testing.T) {
	form := landingzone.UI().Form(screens.FormContext{Answers: &castlefile.File{Region: "eu-west-1"}, Width: 80})
	d := &driver{t: t, form: form}
	d.run(form.Init())
	d.send(tea.WindowSizeMsg{Width: 80, Height: 40})
	if v := d.view(); !strings.Contains(v, "eu-west-1 (Ireland)") || !strings.Contains(v, "us-east-1 (N. Virginia)") {
		t.Fatalf("regions without places:\n%s", v)
	}
}
