package environments

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/castle-aws/castle/steps"
)

// blocked is the status when the landing zone is missing.
func blocked(why string) steps.Status {
	return steps.Status{Section: steps.Environments, State: steps.StateBlocked, Summary: why,
		Blocker: "Landing zone"}
}

// Discover lists the accounts with their OU and state, Account Factory and
// its active artifact, and the accounts being provisioned.
func (section) Discover(ctx context.Context, env *steps.Env) (steps.Status, error) {
	inv, err := inventory(ctx, env)
	if errors.Is(err, errNoOrganization) {
		return blocked("needs the Landing zone section"), nil
	}
	if err != nil {
		return steps.Status{Section: steps.Environments, State: steps.StateUnknown}, err
	}
	if inv.Product.ID == "" {
		return blocked("needs the Landing zone section (Account Factory)"), nil
	}
	st := steps.Status{Section: steps.Environments}
	for _, a := range inv.Accounts {
		line := fmt.Sprintf("%s  %s  %s  in %s", a.ID, a.Name, a.Email, a.OU)
		if a.Status != "" && !strings.EqualFold(a.Status, "ACTIVE") {
			line += "  (" + strings.ToLower(strings.ReplaceAll(a.Status, "_", " ")) + ")"
		}
		st.Details = append(st.Details, line)
	}
	st.Details = append(st.Details, fmt.Sprintf("Account Factory: product %s, version %s", inv.Product.ID, inv.Product.ArtifactID))
	for _, o := range inv.OUs {
		reg := ""
		if o.RegisteredKnown && !o.Registered {
			reg = " (not registered with Control Tower)"
		}
		st.Details = append(st.Details, fmt.Sprintf("OU %s %s%s", o.Name, o.ID, reg))
	}
	failed := 0
	for _, p := range sortedProvisions(inv) {
		switch {
		case p.InFlight():
			st.Operations = append(st.Operations, steps.Operation{Key: opKey(p.Name), Name: "Create account " + p.Name,
				ID: p.RecordID, StartedAt: p.Created, Expected: Expected, Status: "IN_PROGRESS"})
		case p.Status == "ERROR" || p.Status == "TAINTED":
			failed++
			st.Details = append(st.Details, fmt.Sprintf("Failed request %s: %s", p.Name, p.Message))
		}
	}
	created := len(inv.Accounts)
	switch {
	case len(st.Operations) > 0:
		st.State = steps.StateInProgress
		st.Summary = fmt.Sprintf("%d accounts, %d being created", created, len(st.Operations))
	case failed > 0:
		st.State = steps.StateFailed
		st.Summary = fmt.Sprintf("%d accounts, %s", created, plural(failed, "failed request", "failed requests"))
	case len(pending(env, inv)) > 0:
		st.State = steps.StateNotStarted
		st.Summary = fmt.Sprintf("%d accounts, %d to create", created, len(pending(env, inv)))
	default:
		st.State = steps.StateDone
		st.Summary = fmt.Sprintf("%d accounts", created)
		if created <= 3 && len(env.Answers.Environments) == 0 {
			st.State = steps.StateNotStarted
			st.Summary = "no account for your work yet"
		}
	}
	return st, nil
}
