// Package screens is castle's terminal wizard: one shell (header, section
// checklist, body, key help) around every section, and one generic flow that
// every section goes through:
//
//	About + current status → the section's form (if any) → Plan → confirm
//	(repeating the cost, or a typed word) → Apply with live progress.
//
// A section only contributes questions (a huh form bound to castle.yaml
// answers) and, when it truly needs one, its own interactive screen. The
// AWS work lives in steps/ and never runs inside Update.
//
// # Adding a screen for your section
//
// Put it in screens/<section> (for example screens/registry) and register it
// in main.go through Options.UIs:
//
//	package registry
//
//	type UI struct{}
//
//	// Form asks the questions of the Registry section, bound to ctx.Answers.
//	func (UI) Form(ctx screens.FormContext) *huh.Form {
//		return huh.NewForm(huh.NewGroup(
//			huh.NewInput().
//				Title("Repository name").
//				Description("Where your images go. Lowercase letters, digits and dashes.").
//				Validate(huh.ValidateNotEmpty()).
//				Value(&ctx.Answers.Registry.Repository),
//		))
//	}
//
//	// in main.go:
//	screens.New(screens.Options{UIs: map[steps.SectionID]screens.SectionUI{
//		steps.Registry: registry.UI{},
//	}, ...})
//
// Rules for a Form: bind every field with .Value(&ctx.Answers.X) (ctx.Answers
// is a pointer that stays valid); do not call Run, WithProgramOptions,
// WithTheme or WithAccessible (the shell sets theme, width and accessible mode);
// return nil when there is nothing to ask. The shell draws the keys in its
// footer (from the focused field's KeyBinds); esc leaves the form unless the
// focused field uses esc itself (a select with a filter). Never call AWS from a Form
// (a huh OptionsFunc that needs AWS data should read it from ctx.Status,
// which Discover filled in).
//
// A section that needs more than a form (a table to pick from, a live log)
// also implements CustomScreen; its model runs after the form and before the
// plan. When Done reports true the shell goes on to the plan.
//
// # How Apply and Resume events show
//
// One line per Event.Step (titled by the plan's Action.Title for that key):
// a spinner while started/progress/waiting, ✓ done, ↷ skipped, ✗ failed (with
// the returned UserError's Message and Next), ➜ "Your turn" for EventHandOff
// (Detail on its own line, e.g. a console URL). Waiting lines show Op.Name
// (when it differs from the title), Op.Status, time so far and Op.ETA, on the
// env clock. A progress bar shows for EventProgress when Percent >= 0 and for
// EventWaiting when Percent > 0. EventInfo without a Step goes to a short log
// under the steps.
package screens

import (
	"context"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
)

// FormContext is what a section's UI gets to build its form or screen.
type FormContext struct {
	// Env is the shared environment. Read-only for UIs: never call AWS from
	// Update; run calls in a tea.Cmd.
	Env *steps.Env
	// Status is the section's latest Discover result (Details, Operations).
	Status steps.Status
	// Answers is castle.yaml in memory (same as Env.Answers, never nil). Bind
	// form fields to it; the section's Plan and Apply read it.
	Answers *castlefile.File
	// Width is the width of the body area in cells.
	Width int
	// Accessible is true in accessible mode (screen readers, no animation).
	Accessible bool
	// NoColor is true when colours are off: say things in words and use
	// bold/reverse, never colour alone.
	NoColor bool
	// Reconnect switches the AWS profile and region (it rebuilds
	// Env.Config). Only Preflight needs it; call it from a tea.Cmd, then
	// send ReconnectedMsg so the shell looks at every section again. Nil
	// when the program cannot switch (for example in tests).
	Reconnect func(ctx context.Context, profile, region string) error
}

// SectionUI is what a section contributes to the wizard. Sections without a
// SectionUI go through the generic flow without questions.
type SectionUI interface {
	// Form returns the questions for the section bound to ctx.Answers, or nil
	// when there is nothing to ask. It is called every time the user enters
	// the section, so it can prefill from ctx.Status.
	Form(ctx FormContext) *huh.Form
}

// CustomScreen is optional: a SectionUI that needs its own interactive screen
// after the form (or instead of it, when Form returns nil) implements it too.
type CustomScreen interface {
	NewModel(ctx FormContext) SectionModel
}

// SectionModel is a custom section screen embedded in the shell's body. It is
// like a tea.Model, except that the shell owns the layout (View gets the body
// size) and the key help (Keys lists the bindings that work right now).
//
// The shell keeps ctrl+c (quit) for itself. The model gets every other
// message, including tea.WindowSizeMsg with the size of the body (not of the
// terminal). esc goes to the model only when one of its enabled Keys()
// matches esc; otherwise esc takes the user back to the section's About page.
// Do not call AWS in Update: return a tea.Cmd.
type SectionModel interface {
	Init() tea.Cmd
	Update(tea.Msg) (SectionModel, tea.Cmd)
	// View renders the body in width x height cells.
	View(width, height int) string
	// Keys are the bindings shown in the footer; disabled ones drop out.
	Keys() []key.Binding
	// Done reports that the screen is finished and the shell should go on
	// to the plan.
	Done() bool
}
