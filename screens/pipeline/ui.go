// Package pipeline is the Pipeline section's screen: the GitHub repository
// (owner/name, checked as typed, offered from the app folder's git remote)
// and branch; and, while a GitHub connection waits for its approval, the
// console link with a key to copy it and who can approve it.
package pipeline

import (
	"charm.land/huh/v2"

	"github.com/castle-aws/castle/screens"
	"github.com/castle-aws/castle/steps"
	sp "github.com/castle-aws/castle/steps/pipeline"
)

// UI is the Pipeline section's contribution to the wizard.
type UI struct{}

// New returns the Pipeline section's UI.
func New() screens.SectionUI { return UI{} }

// Form asks for the repository and branch, bound to ctx.Answers.Pipeline.
func (UI) Form(ctx screens.FormContext) *huh.Form {
	a := &ctx.Answers.Pipeline
	src := ctx.Answers.Registry.Source
	guess := sp.GuessRepository(src)
	if a.Repository == "" {
		a.Repository = guess
	}
	if a.Branch == "" {
		a.Branch = sp.GuessBranch(src)
	}
	repoHelp := "The GitHub repository to build from, as owner/name (for example octocat/hello-world)."
	if guess != "" {
		repoHelp += " castle found " + guess + " in your app folder's git remote."
	}
	fields := []huh.Field{
		huh.NewNote().Title("What it costs").Description(sp.CostText()),
		huh.NewInput().Key("repository").
			Title("GitHub repository").
			Description(repoHelp).
			Placeholder("owner/name").
			Value(&a.Repository).
			Validate(sp.ValidateRepository),
		huh.NewInput().Key("branch").
			Title("Branch to deploy").
			Description("Every push to this branch builds and deploys. Empty means main.").
			Placeholder("main").
			Value(&a.Branch).
			Validate(sp.ValidateBranch),
	}
	if ctx.Status.State == steps.StateDone {
		fields = append(fields, huh.NewConfirm().Key("runNow").
			Title("Build and deploy the latest commit now?").
			Description("Without waiting for the next push.").
			Value(&a.RunNow))
	}
	return huh.NewForm(huh.NewGroup(fields...))
}
