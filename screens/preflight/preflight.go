// Package preflight is the Preflight section's screen: pick an AWS profile
// and a region, then see who you are signed in as, with loud warnings for the
// root user, a root user without MFA, and an expired sign-in.
package preflight

import (
	"context"
	"time"

	"charm.land/huh/v2"

	"github.com/castle-aws/castle/screens"
	"github.com/castle-aws/castle/steps"
	pf "github.com/castle-aws/castle/steps/preflight"
)

// checkTimeout bounds the sign-in check (STS and IAM, two quick calls).
const checkTimeout = 45 * time.Second

// UI is the Preflight SectionUI (a form and a custom screen).
type UI struct {
	// ListProfiles, Regions and Check default to steps/preflight; tests
	// replace them.
	ListProfiles func() ([]pf.Profile, error)
	Regions      func(configured string) []string
	Check        func(ctx context.Context, env *steps.Env) (pf.Result, error)
}

// New returns the Preflight screen backed by steps/preflight.
func New() UI {
	return UI{ListProfiles: pf.ListProfiles, Regions: pf.Regions, Check: pf.Check}
}

func (u UI) withDefaults() UI {
	if u.ListProfiles == nil {
		u.ListProfiles = pf.ListProfiles
	}
	if u.Regions == nil {
		u.Regions = pf.Regions
	}
	if u.Check == nil {
		u.Check = pf.Check
	}
	return u
}

// Form asks for the profile (not in the sandbox, which has its own
// credentials) and the region, bound to castle.yaml's profile and region.
func (u UI) Form(ctx screens.FormContext) *huh.Form {
	u = u.withDefaults()
	ans := ctx.Answers
	if ans.Profile == "" && ctx.Env != nil {
		ans.Profile = ctx.Env.Profile
	}
	profiles, err := u.ListProfiles()
	if len(profiles) == 0 {
		profiles = []pf.Profile{{Name: ""}}
	}
	regionOf := map[string]string{}
	for _, p := range profiles {
		regionOf[p.Name] = p.Region
	}
	if ans.Region == "" {
		if ctx.Env != nil && ctx.Env.Region != "" {
			ans.Region = ctx.Env.Region
		} else {
			ans.Region = regionOf[ans.Profile]
		}
	}

	prev := ans.Region // stays second in the list, so the selection is visible

	var groups []*huh.Group
	if ctx.Env == nil || !ctx.Env.Sandbox {
		opts := make([]huh.Option[string], 0, len(profiles))
		for _, p := range profiles {
			opts = append(opts, huh.NewOption(p.Label(), p.Name))
		}
		desc := "The AWS sign-in castle uses, from your AWS config files. (SSO) profiles sign in with `aws sso login`."
		if err != nil {
			desc = "castle could not read your AWS config files (" + err.Error() + "), so only the default credentials are listed."
		}
		groups = append(groups, huh.NewGroup(
			huh.NewSelect[string]().
				Title("Which AWS profile?").
				Description(desc).
				Options(opts...).
				Height(min(len(opts)+4, 12)).
				Value(&ans.Profile),
		))
	}
	region := huh.NewSelect[string]().
		Title("Which region?").
		Description("Where castle builds everything; the landing zone's home region, which cannot change later. Only regions where Control Tower runs are listed. Type / to search.")
	if ctx.Accessible {
		// huh's plain prompts never call an OptionsFunc (they would list
		// nothing), so accessible mode gets the list for the current profile.
		region = region.Options(huh.NewOptions(regionList(u.Regions(regionOf[ans.Profile]), prev)...)...)
	} else {
		region = region.OptionsFunc(func() []huh.Option[string] {
			return huh.NewOptions(regionList(u.Regions(regionOf[ans.Profile]), prev)...)
		}, &ans.Profile)
	}
	groups = append(groups, huh.NewGroup(region.Height(12).Value(&ans.Region)))
	return huh.NewForm(groups...)
}

// NewModel is the screen after the form: it switches to the chosen profile
// and region, then shows who is signed in.
func (u UI) NewModel(ctx screens.FormContext) screens.SectionModel {
	return newModel(u.withDefaults(), ctx)
}

// regionList puts prev right after the first region (the profile's own) so a
// region chosen before stays in view.
func regionList(regions []string, prev string) []string {
	if prev == "" || len(regions) == 0 || regions[0] == prev {
		return regions
	}
	out := []string{regions[0], prev}
	for _, r := range regions[1:] {
		if r != prev {
			out = append(out, r)
		}
	}
	return out
}
