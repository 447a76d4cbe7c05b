package landingzone

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
)

// withDefaults returns the answers with defaults applied, changing nothing.
func withDefaults(env *steps.Env) castlefile.LandingZone {
	a := env.Answers.LandingZone
	a.GovernedRegions = append([]string(nil), a.GovernedRegions...)
	applyDefaults(&a, env.Answers.Region, env.Region)
	return a
}

// gather reads everything this section looks at. It changes nothing.
func gather(ctx context.Context, env *steps.Env) (*Facts, error) {
	a := withDefaults(env)
	id, err := env.Caller(ctx)
	if err != nil {
		return nil, err
	}
	f := &Facts{Caller: id.Account, OUs: map[string]OU{}, Pending: map[string]string{}, Roles: map[string]bool{}}
	if err := readOrganization(ctx, env, f); err != nil {
		return nil, err
	}
	if !f.IsManagement() {
		remember(f)
		return f, nil
	}
	if err := readRoles(ctx, env, f); err != nil {
		return nil, err
	}
	if err := readLandingZone(ctx, env, f); err != nil {
		return nil, err
	}
	identify(env, f, a)
	if err := readRegistration(ctx, env, f, a.SandboxOU); err != nil {
		return nil, err
	}
	readPortal(ctx, env, f)
	remember(f)
	return f, nil
}

// identify finds the shared accounts: named by the landing zone, recorded in
// the journal, or matching the answers' emails.
func identify(env *steps.Env, f *Facts, a castlefile.LandingZone) {
	if f.LZ != nil {
		f.Log, f.Audit = f.account(f.LZ.LogAccount), f.account(f.LZ.AuditAccount)
	}
	if env.Journal != nil {
		if id, ok := env.Journal.Resource(sec, "logArchiveAccount"); ok && f.Log == nil {
			f.Log = f.account(id)
		}
		if id, ok := env.Journal.Resource(sec, "auditAccount"); ok && f.Audit == nil {
			f.Audit = f.account(id)
		}
	}
	if f.Log == nil {
		f.Log = f.byEmail(a.LogArchiveEmail)
	}
	if f.Audit == nil {
		f.Audit = f.byEmail(a.AuditEmail)
	}
}

// Discover reports the organization, the landing zone and the shared accounts.
func (section) Discover(ctx context.Context, env *steps.Env) (steps.Status, error) {
	st := steps.Status{Section: steps.LandingZone, State: steps.StateUnknown}
	f, err := gather(ctx, env)
	if err != nil {
		return st, err
	}
	a := withDefaults(env)
	switch {
	case f.InOrg() && !f.IsManagement():
		st.State, st.Blocker = steps.StateBlocked, "Preflight"
		st.Summary = "signed in to a member account: sign in to the management account " + f.ManagementID
		return st, nil
	case !f.InOrg():
		st.State, st.Summary = steps.StateNotStarted, "no organization yet"
		return st, nil
	}
	st.Details = details(f, a)
	switch {
	case f.LZ == nil:
		st.State, st.Summary = steps.StateNotStarted, "organization "+f.OrgID+", no landing zone yet"
		if ops := accountOps(env); len(ops) > 0 {
			st.State, st.Operations = steps.StateInProgress, ops
			st.Summary = "creating the shared accounts"
		}
	case f.LZ.Status == "FAILED":
		st.State, st.Summary = steps.StateFailed, "landing zone "+f.LZ.Version+" failed"
	case f.LZOp != nil || f.LZ.Status == "PROCESSING":
		st.State, st.Summary = steps.StateInProgress, "setting up the landing zone"
		if f.LZOp != nil {
			st.Operations = []steps.Operation{*f.LZOp}
		}
	case f.RegisterOp != nil:
		st.State, st.Summary = steps.StateInProgress, "registering the "+a.SandboxOU+" OU"
		st.Operations = []steps.Operation{*f.RegisterOp}
	case !f.SandboxRegistered:
		st.State, st.Summary = steps.StateNotStarted, "landing zone active; "+a.SandboxOU+" OU still to register"
	default:
		st.State, st.Summary = steps.StateDone, fmt.Sprintf("landing zone %s, active, home region %s", f.LZ.Version, f.LZ.HomeRegion)
	}
	return st, nil
}

// accountOps are the account creations the journal follows.
func accountOps(env *steps.Env) []steps.Operation {
	if env.Journal == nil {
		return nil
	}
	var out []steps.Operation
	for key, op := range env.Journal.Operations(sec) {
		if strings.HasPrefix(key, "account:") {
			out = append(out, steps.Operation{Key: "create-" + key, Name: "Creating the " + op.Extra["name"] + " account", ID: op.ID, StartedAt: op.StartedAt, Expected: op.Expected, Status: op.Status})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func details(f *Facts, a castlefile.LandingZone) []string {
	var d []string
	d = append(d, fmt.Sprintf("Organization %s (all features: %v), management account %s", f.OrgID, f.FeatureSet == "ALL", f.ManagementID))
	if lz := f.LZ; lz != nil {
		d = append(d, fmt.Sprintf("Landing zone %s: %s, home region %s, governed regions %s", lz.Version, strings.ToLower(lz.Status), lz.HomeRegion, strings.Join(lz.Governed, ", ")))
		if lz.Drift != "" && lz.Drift != "IN_SYNC" {
			d = append(d, "Drift: "+lz.Drift+" (repair it in the Control Tower console: Landing zone settings, Repair)")
		}
		if lz.Latest != "" && lz.Latest != lz.Version {
			d = append(d, "A newer landing-zone version is available: "+lz.Latest+" (update it from the Control Tower console, Landing zone settings)")
		}
	}
	var ous []string
	for name, ou := range f.OUs {
		ous = append(ous, name+" ("+ou.ID+")")
	}
	sort.Strings(ous)
	if len(ous) > 0 {
		d = append(d, "OUs: "+strings.Join(ous, ", "))
	}
	for _, x := range []struct {
		name string
		acct *Account
	}{{LogArchiveName, f.Log}, {AuditName, f.Audit}} {
		if x.acct != nil {
			d = append(d, fmt.Sprintf("%s account: %s (%s)", x.name, x.acct.ID, x.acct.Email))
		}
	}
	if f.SandboxRegistered {
		d = append(d, "The "+a.SandboxOU+" OU is registered with Control Tower")
	}
	if f.PortalURL != "" {
		d = append(d, "Access portal: "+f.PortalURL)
	}
	return d
}
