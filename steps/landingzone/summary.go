package landingzone

import (
	"context"
	"fmt"
	"strings"

	"github.com/castle-aws/castle/steps"
)

// RegionDenyURL is where the region deny control is turned on (console only).
func RegionDenyURL(region string) string {
	return "https://console.aws.amazon.com/controltower/home/landingzone?region=" + region
}

func (r *run) summary(ctx context.Context) error {
	readPortal(ctx, r.env, r.f)
	for _, ou := range []struct{ name, res string }{{r.a.SecurityOU, "securityOU"}, {r.a.SandboxOU, "sandboxOU"}} {
		if err := r.resource(ou.res, r.f.OUs[ou.name].ID); err != nil {
			return err
		}
	}
	var lines []string
	if r.f.LZ != nil {
		lines = append(lines, fmt.Sprintf("Landing zone %s, home region %s, governed regions %s", r.f.LZ.Version, r.f.LZ.HomeRegion, strings.Join(r.a.GovernedRegions, ", ")))
	}
	lines = append(lines, "OUs: "+r.a.SecurityOU+" ("+r.f.OUs[r.a.SecurityOU].ID+"), "+r.a.SandboxOU+" ("+r.f.OUs[r.a.SandboxOU].ID+")")
	if r.f.Log != nil && r.f.Audit != nil {
		lines = append(lines, "Shared accounts: "+LogArchiveName+" "+r.f.Log.ID+", "+AuditName+" "+r.f.Audit.ID)
	}
	if r.f.PortalURL != "" {
		lines = append(lines, "Access portal: "+r.f.PortalURL)
	}
	e := event(r.env, "", steps.EventInfo, "Your landing zone is ready.")
	e.Detail = strings.Join(lines, "\n")
	r.emit(e)
	for _, l := range lines {
		r.send("", steps.EventInfo, l)
	}
	if lz := r.f.LZ; lz != nil && lz.Latest != "" && lz.Latest != lz.Version {
		r.send("", steps.EventInfo, "Landing-zone version "+lz.Latest+" is available (yours is "+lz.Version+"); update it from the Control Tower console, Landing zone settings.")
	}
	if !r.did {
		return nil
	}
	h := event(r.env, "region-deny", steps.EventHandOff, "Optional: keep everyone to your governed regions with the region deny control (console only): "+RegionDenyURL(r.a.HomeRegion))
	h.Detail = strings.Join([]string{
		"AWS lets only the console turn this on.",
		"1. Open " + RegionDenyURL(r.a.HomeRegion) + " signed in to the management account.",
		"2. Choose Modify settings, keep the version, go to the Region deny setting and choose Enabled.",
		"3. Check the governed regions (" + strings.Join(r.a.GovernedRegions, ", ") + "), then choose Update landing zone. It takes a while; castle does not need to wait.",
		"It is optional: nothing else in castle depends on it.",
	}, "\n")
	r.emit(h)
	return nil
}

// Resume follows the operations the journal holds until they end. It starts nothing.
func (section) Resume(ctx context.Context, env *steps.Env, emit steps.Emit) error {
	if err := env.OpenJournal(ctx); err != nil {
		return err
	}
	ops := env.Journal.Operations(sec)
	for _, key := range []string{opLog, opAudit} {
		jop, ok := ops[key]
		if !ok {
			continue
		}
		st, err := followAccount(ctx, env, emit, "create-account:"+strings.TrimPrefix(key, "account:"), jop.Extra["name"], jop)
		if err != nil {
			return err
		}
		if err := env.Journal.FinishOperation(sec, key, string(st.State)); err != nil {
			return err
		}
	}
	if jop, ok := ops[opLandingZone]; ok {
		if err := followLandingZone(ctx, env, emit, jop); err != nil {
			return err
		}
	}
	if jop, ok := ops[opRegister]; ok {
		if err := followBaseline(ctx, env, emit, jop); err != nil {
			return err
		}
	}
	return nil
}
