// Package landingzone is the Landing zone section's screen: the home region
// (explained: it cannot change later), the governed regions, the names of the
// two OUs, and the Log Archive and Audit emails, checked as they are typed.
package landingzone

import (
	"errors"
	"slices"
	"strings"

	"charm.land/huh/v2"

	"github.com/castle-aws/castle/screens"
	"github.com/castle-aws/castle/steps/castlefile"
	lz "github.com/castle-aws/castle/steps/landingzone"
	pf "github.com/castle-aws/castle/steps/preflight"
)

type ui struct{}

// UI returns the Landing zone SectionUI.
func UI() screens.SectionUI { return ui{} }

// Texts of the form, in castle's own words.
const (
	HomeRegionHelp = "Control Tower lives in this region and keeps its logs and settings here. " +
		"It cannot be moved later: changing it means taking the whole landing zone down. Pick the region closest to you or your users."
	GovernedHelp = "Guardrails, logging and AWS Config cover these regions. The home region is always included. " +
		"Each extra region adds a little AWS Config cost; you can add regions later."
	EmailHelp = "Each AWS account needs an email address that no other AWS account has ever used, and its root " +
		"password resets go there, so use an address you will keep (a domain you own is best, not a work address you may lose). " +
		"Plus-addressing gives you many addresses from one mailbox: mail to you+log@example.com and you+audit@example.com " +
		"lands in you@example.com, and AWS sees two different addresses."
)

// Form asks the Landing zone questions, or nil when the landing zone exists.
func (ui) Form(ctx screens.FormContext) *huh.Form {
	f := lz.LastFacts()
	if f != nil && f.LZ != nil {
		return nil
	}
	a := &ctx.Answers.LandingZone
	prefill(a, ctx)
	regions := pf.ControlTowerRegions
	if a.HomeRegion != "" && !slices.Contains(regions, a.HomeRegion) {
		regions = append([]string{a.HomeRegion}, regions...)
	}
	home := huh.NewGroup(huh.NewSelect[string]().Key("homeRegion").Title("Home region").Description(HomeRegionHelp).
		Options(regionOptions(regions)...).Height(12).Value(&a.HomeRegion))
	governed := huh.NewGroup(huh.NewMultiSelect[string]().Key("governedRegions").Title("Governed regions").Description(GovernedHelp).
		Options(regionOptions(governedFirst(regions, a.GovernedRegions))...).Height(12).Value(&a.GovernedRegions))
	ous := huh.NewGroup(
		huh.NewInput().Key("securityOU").Title("Name of the OU for the shared accounts").
			Description("An OU (organizational unit) is a folder of accounts that shares the same rules. "+
				"The Log Archive and Audit accounts go in this one.").
			Validate(func(s string) error { return CheckOUNames(s, a.SandboxOU) }).Value(&a.SecurityOU),
		huh.NewInput().Key("sandboxOU").Title("Name of the OU for new project accounts").
			Description("Accounts you create later (Environments) go here.").
			Validate(func(s string) error { return CheckOUNames(s, a.SecurityOU) }).Value(&a.SandboxOU),
	)
	var emails []huh.Field
	emails = append(emails, huh.NewNote().Title("Two new accounts, two email addresses").Description(EmailHelp))
	if f == nil || f.Log == nil {
		emails = append(emails, huh.NewInput().Key("logArchiveEmail").Title("Log Archive account email").
			Placeholder(placeholder(lz.LogArchiveName, f)).
			Validate(func(s string) error { return lz.CheckEmail(lz.LogArchiveName, s, a.AuditEmail, lz.LastFacts()) }).
			Value(&a.LogArchiveEmail))
	}
	if f == nil || f.Audit == nil {
		emails = append(emails, huh.NewInput().Key("auditEmail").Title("Audit account email").
			Placeholder(placeholder(lz.AuditName, f)).
			Validate(func(s string) error { return lz.CheckEmail(lz.AuditName, s, a.LogArchiveEmail, lz.LastFacts()) }).
			Value(&a.AuditEmail))
	}
	return huh.NewForm(home, governed, ous, huh.NewGroup(emails...)).WithShowHelp(false)
}

// CheckOUNames checks one OU name as typed: a name AWS accepts, not the
// name of the organization's top level, and not the other OU's name (the
// shared accounts and the project accounts need two OUs).
func CheckOUNames(name, other string) error {
	if err := lz.CheckOUName(name); err != nil {
		return err
	}
	name = strings.TrimSpace(name)
	if strings.EqualFold(name, "Root") {
		return errors.New("Root is what AWS calls the top of the organization; pick another name, for example Security or Sandbox.")
	}
	if strings.EqualFold(name, strings.TrimSpace(other)) {
		return errors.New("The shared accounts and the project accounts need two different OUs; give this one another name.")
	}
	return nil
}

// prefill sets the defaults the form starts from.
func prefill(a *castlefile.LandingZone, ctx screens.FormContext) {
	if a.HomeRegion == "" {
		a.HomeRegion = ctx.Answers.Region
	}
	if a.HomeRegion == "" && ctx.Env != nil {
		a.HomeRegion = ctx.Env.Region
	}
	if len(a.GovernedRegions) == 0 && a.HomeRegion != "" {
		a.GovernedRegions = []string{a.HomeRegion}
	}
	if a.SecurityOU == "" {
		a.SecurityOU = "Security"
	}
	if a.SandboxOU == "" {
		a.SandboxOU = "Sandbox"
	}
}

func placeholder(which string, f *lz.Facts) string {
	if s := lz.SuggestEmail(which, f); s != "" {
		return s
	}
	if which == lz.LogArchiveName {
		return "you+log@yourdomain.com"
	}
	return "you+audit@yourdomain.com"
}

// governedFirst lists the regions already chosen first, so they show selected
// at the top.
func governedFirst(regions, chosen []string) []string {
	out := append([]string(nil), chosen...)
	for _, r := range regions {
		if !slices.Contains(chosen, r) {
			out = append(out, r)
		}
	}
	return out
}

// regionPlaces are where the regions are, so a region code means something
// to someone who has never seen one.
var regionPlaces = map[string]string{
	"us-east-1": "N. Virginia", "us-east-2": "Ohio", "us-west-1": "N. California", "us-west-2": "Oregon",
	"ca-central-1": "Canada, Montreal", "ca-west-1": "Canada, Calgary", "sa-east-1": "São Paulo",
	"eu-west-1": "Ireland", "eu-west-2": "London", "eu-west-3": "Paris", "eu-central-1": "Frankfurt",
	"eu-central-2": "Zurich", "eu-north-1": "Stockholm", "eu-south-1": "Milan", "eu-south-2": "Spain",
	"ap-south-1": "Mumbai", "ap-south-2": "Hyderabad", "ap-southeast-1": "Singapore", "ap-southeast-2": "Sydney",
	"ap-southeast-3": "Jakarta", "ap-southeast-4": "Melbourne", "ap-southeast-5": "Malaysia",
	"ap-northeast-1": "Tokyo", "ap-northeast-2": "Seoul", "ap-northeast-3": "Osaka", "ap-east-1": "Hong Kong",
	"af-south-1": "Cape Town", "me-south-1": "Bahrain", "me-central-1": "UAE", "il-central-1": "Tel Aviv",
}

// regionOptions label each region code with its place: "eu-west-1 (Ireland)".
func regionOptions(regions []string) []huh.Option[string] {
	opts := make([]huh.Option[string], 0, len(regions))
	for _, r := range regions {
		label := r
		if p := regionPlaces[r]; p != "" {
			label += " (" + p + ")"
		}
		opts = append(opts, huh.NewOption(label, r))
	}
	return opts
}
