package landingzone

import (
	"context"
	"strings"
	"time"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
)

// Plan lists the calls Apply would make, with costs and durations.
func (section) Plan(ctx context.Context, env *steps.Env) (steps.Plan, error) {
	a := fillDefaults(env)
	f, err := gather(ctx, env)
	if err != nil {
		return steps.Plan{Section: steps.LandingZone}, err
	}
	adopt(f, a)
	p := steps.Plan{Section: steps.LandingZone, Actions: actions(env, f, a)}
	if !p.Pending() {
		p.Summary = "Everything of the landing zone exists already; nothing to do."
		p.MonthlyCost = costLine(loadCosts())
		return p, nil
	}
	if err := checkAnswers(f, a); err != nil {
		return p, err
	}
	c := loadCosts()
	p.Summary = "Set up an organization governed by AWS Control Tower, with shared Log Archive and Audit accounts and a Sandbox OU for new accounts."
	p.MonthlyCost = costLine(c)
	p.SpendsMoney = true
	p.ConfirmWord = ConfirmWord
	for _, it := range c.Items {
		p.Notes = append(p.Notes, it.Name+": "+rangeWords(it.Low, it.High))
	}
	p.Notes = append(p.Notes, "Costs: "+c.Source,
		"This changes your whole organization: Control Tower adds guardrails to every account under its OUs.",
		"The home region ("+a.HomeRegion+") cannot be changed once the landing zone exists.",
		"Leaving is safe: AWS keeps working and castle picks the wait up when you come back.")
	for _, act := range p.Actions {
		if act.Skip {
			continue
		}
		switch {
		case act.Key == "create-landing-zone":
			p.Duration += LandingZoneExpected
		case strings.HasPrefix(act.Key, "create-account"):
			p.Duration += AccountExpected / 2
		case act.Key == "register-sandbox":
			p.Duration += BaselineExpected
		default:
			p.Duration += 10 * time.Second
		}
	}
	return p, nil
}

// checkAnswers refuses answers Apply would fail on.
func checkAnswers(f *Facts, a *castlefile.LandingZone) error {
	if f.InOrg() && !f.IsManagement() {
		return &steps.UserError{Message: "You are signed in to a member account (" + f.Caller + "), not the management account " + f.ManagementID + ".",
			Next: "Sign in to the management account and choose that profile in Preflight."}
	}
	if f.InOrg() && f.FeatureSet != "ALL" {
		return &steps.UserError{Message: "Your organization uses consolidated billing only; Control Tower needs all features.",
			Next: "Enable all features in the AWS Organizations console (Settings), wait until every member account accepts, then run castle again."}
	}
	if len(f.BadRoles) > 0 && f.LZ == nil {
		return &steps.UserError{Message: "Control Tower needs its roles under the path /service-role/, and these exist elsewhere: " + strings.Join(f.BadRoles, ", ") + ".",
			Next: "Delete those roles in the IAM console (nothing uses them before the landing zone exists), then run castle again: it recreates them correctly."}
	}
	if a.HomeRegion == "" {
		return &steps.UserError{Message: "No home region is chosen for the landing zone.", Next: "Choose one in the Landing zone form, or set landingZone.homeRegion in castle.yaml."}
	}
	for _, x := range []struct {
		name, email, other string
		have               *Account
	}{{LogArchiveName, a.LogArchiveEmail, a.AuditEmail, f.Log}, {AuditName, a.AuditEmail, a.LogArchiveEmail, f.Audit}} {
		if x.have != nil || f.LZ != nil {
			continue
		}
		if err := CheckEmail(x.name, x.email, x.other, f); err != nil {
			return &steps.UserError{Message: "The " + x.name + " email: " + err.Error(), Next: "Correct it in the Landing zone form (or landingZone in castle.yaml), then try again."}
		}
	}
	return nil
}

func actions(env *steps.Env, f *Facts, a *castlefile.LandingZone) []steps.Action {
	var out []steps.Action
	add := func(key, title, why string, skip bool, reason string, cmds ...string) {
		out = append(out, steps.Action{Key: key, Title: title, Why: why, Skip: skip, SkipReason: reason, Commands: cmds})
	}
	add("create-organization", "Create the organization (all features)", "Control Tower governs the accounts of an organization; your account becomes its management account.",
		f.InOrg(), "organization "+f.OrgID+" exists", env.AWSCommand("organizations create-organization --feature-set ALL"))
	for _, ou := range []struct{ key, name, why string }{
		{"create-ou:security", a.SecurityOU, "The shared Log Archive and Audit accounts live here."},
		{"create-ou:sandbox", a.SandboxOU, "New accounts for your projects go here."},
	} {
		have, ok := f.OUs[ou.name]
		add(ou.key, "Create the "+ou.name+" OU", ou.why, ok, ou.name+" is "+have.ID,
			env.AWSCommand("organizations create-organizational-unit --parent-id %s --name %q", orPlaceholder(f.RootID, "ROOT_ID"), ou.name))
	}
	var missing []string
	var cmds []string
	for _, r := range loadRoles() {
		if !f.Roles[r.Name] {
			missing = append(missing, r.Name)
			cmds = append(cmds, env.AWSCommand("iam create-role --role-name %s --path %s --assume-role-policy-document '%s'", r.Name, RolePath, r.Trust()))
		}
	}
	add("create-roles", "Create the roles Control Tower needs", "Control Tower works through four IAM roles in this account: "+strings.Join(missing, ", ")+".",
		len(missing) == 0, "the four roles exist", cmds...)
	for _, x := range []struct {
		key, name, email string
		have             *Account
	}{{"create-account:log-archive", LogArchiveName, a.LogArchiveEmail, f.Log}, {"create-account:audit", AuditName, a.AuditEmail, f.Audit}} {
		reason := ""
		if x.have != nil {
			reason = x.name + " is " + x.have.ID
		}
		add(x.key, "Create the "+x.name+" account", "A separate account that "+map[string]string{LogArchiveName: "keeps every account's logs", AuditName: "holds the security and audit tools"}[x.name]+".",
			x.have != nil || f.LZ != nil, orPlaceholder(reason, "the landing zone has its shared accounts"), env.AWSCommand("organizations create-account --account-name %q --email %s", x.name, x.email))
	}
	sec, inSec := f.OUs[a.SecurityOU]
	moved := inSec && f.Log != nil && f.Audit != nil && f.Log.Parent == sec.ID && f.Audit.Parent == sec.ID
	add("move-accounts", "Move the shared accounts into "+a.SecurityOU, "Control Tower wants the accounts it uses in one OU.", moved || f.LZ != nil, "they are in "+a.SecurityOU,
		env.AWSCommand("organizations move-account --account-id ACCOUNT_ID --source-parent-id %s --destination-parent-id %s", orPlaceholder(f.RootID, "ROOT_ID"), orPlaceholder(sec.ID, "SECURITY_OU_ID")))
	lzReason := ""
	if f.LZ != nil {
		lzReason = "landing zone " + f.LZ.Version + " is " + strings.ToLower(f.LZ.Status)
	}
	add("create-landing-zone", "Set up the landing zone (about an hour)", "Control Tower sets up logging, AWS Config, guardrails and IAM Identity Center across the organization.",
		f.LZ != nil, lzReason, env.AWSCommand("controltower create-landing-zone --landing-zone-version %s --manifest file://manifest.json", Version(*a)))
	add("register-sandbox", "Register the "+a.SandboxOU+" OU with Control Tower", "So new accounts placed there are governed and reachable through the access portal.",
		f.SandboxRegistered, a.SandboxOU+" is registered",
		env.AWSCommand("controltower enable-baseline --baseline-identifier arn:aws:controltower:%s::baseline/%s --baseline-version %s --target-identifier %s", a.HomeRegion, ControlTowerBaselineID, baselineVersion(Version(*a)), orPlaceholder(f.OUs[a.SandboxOU].ARN, "SANDBOX_OU_ARN")))
	return out
}

func orPlaceholder(v, p string) string {
	if v == "" {
		return p
	}
	return v
}

// adopt takes the home region and governed regions of an existing landing
// zone: they cannot be changed by castle.
func adopt(f *Facts, a *castlefile.LandingZone) {
	if f.LZ == nil || f.LZ.HomeRegion == "" {
		return
	}
	a.HomeRegion = f.LZ.HomeRegion
	if len(f.LZ.Governed) > 0 {
		a.GovernedRegions = append([]string(nil), f.LZ.Governed...)
	}
}
