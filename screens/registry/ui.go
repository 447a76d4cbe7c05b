// Package registry is the Registry section's screen: the repository name
// (checked against ECR's rules as it is typed), what to build (a folder with
// a Dockerfile, or castle's demo app), the platform and the repository's
// options; and, once an image is pushed, its URI with a key to copy it.
package registry

import (
	"charm.land/huh/v2"

	"github.com/castle-aws/castle/screens"
	sr "github.com/castle-aws/castle/steps/registry"
)

// UI is the Registry section's contribution to the wizard.
type UI struct{}

// New returns the Registry section's UI.
func New() screens.SectionUI { return UI{} }

// Form asks the Registry questions, bound to ctx.Answers.Registry.
func (UI) Form(ctx screens.FormContext) *huh.Form {
	a := &ctx.Answers.Registry
	if a.Repository == "" {
		a.Repository = sr.DefaultRepository
	}
	if a.Platform == "" {
		a.Platform = sr.DefaultPlatform
	}
	if a.ScanOnPush == nil {
		on := true
		a.ScanOnPush = &on
	}
	return huh.NewForm(
		huh.NewGroup(
			huh.NewInput().Key("repository").
				Title("Repository name").
				Description("Where your images live in ECR. Lowercase letters, digits, and - _ . / between them.").
				Value(&a.Repository).
				Validate(sr.CheckRepositoryName),
			huh.NewSelect[bool]().Key("demo").
				Title("What should castle build?").
				Options(
					huh.NewOption("My app: a folder with a Dockerfile", false),
					huh.NewOption("castle's demo app: a small Node.js web server with a /health page", true),
				).
				Value(&a.Demo),
		),
		huh.NewGroup(
			huh.NewInput().Key("source").
				TitleFunc(func() string {
					if a.Demo {
						return "Folder to write the demo app to"
					}
					return "Folder of your app"
				}, &a.Demo).
				DescriptionFunc(func() string {
					if a.Demo {
						return "A new or empty folder; castle writes the app there so you can change it later."
					}
					return "The folder that holds the Dockerfile; ctrl+e completes a folder name."
				}, &a.Demo).
				PlaceholderFunc(func() string {
					if a.Demo {
						return sr.DefaultDemoFolder
					}
					return "./my-app"
				}, &a.Demo).
				SuggestionsFunc(func() []string { return sr.FolderSuggestions(a.Source) }, &a.Source).
				Value(&a.Source).
				Validate(func(s string) error { return CheckFolder(a.Demo, s) }),
			huh.NewSelect[string]().Key("platform").
				Title("Processor the service runs on").
				Description("castle builds the image for it; an image for the wrong processor does not start on Fargate.").
				Options(
					huh.NewOption("Intel/AMD (linux/amd64): Fargate's default", "linux/amd64"),
					huh.NewOption("Graviton ARM (linux/arm64): about 20% cheaper; your app must run on ARM", "linux/arm64"),
				).
				Value(&a.Platform),
			huh.NewConfirm().Key("scan").
				Title("Scan each image for known vulnerabilities when it is uploaded?").
				Description("Free basic scanning; findings show in the ECR console.").
				Value(a.ScanOnPush),
			huh.NewConfirm().Key("immutable").
				Title("Lock tags so a tag can never point to another image?").
				Description("Safer rollbacks; castle then uploads only the commit tag, not latest.").
				Value(&a.Immutable),
		),
	)
}

// CheckFolder checks the source folder as it is typed.
func CheckFolder(demo bool, dir string) error {
	if demo {
		if dir == "" {
			return nil // the default folder
		}
		return sr.CheckDemoFolder(dir)
	}
	return sr.CheckSource(dir)
}
