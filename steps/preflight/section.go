package preflight

import (
	"context"
	"fmt"
	"time"

	"github.com/castle-aws/castle/steps"
)

type section struct{}

// New returns the Preflight section.
func New() steps.Section { return section{} }

func (section) ID() steps.SectionID { return steps.Preflight }
func (section) Title() string       { return "Preflight" }
func (section) Cost() string        { return "free" }
func (section) About() string {
	return "Checks who you are signed in as and in which region castle will work. " +
		"castle works only with an administrator, never with the account's root user, and warns when the root user has no MFA. Nothing is created."
}

func (section) Discover(ctx context.Context, env *steps.Env) (steps.Status, error) {
	st := steps.Status{Section: steps.Preflight}
	r, err := Check(ctx, env)
	if err != nil {
		st.State = steps.StateFailed
		st.Summary = err.Error()
		return st, err
	}
	st.Details = details(env, r)
	switch {
	case r.Root:
		st.State = steps.StateFailed
		st.Summary = "signed in as the root user: choose an administrator profile"
	default:
		st.State = steps.StateDone
		st.Summary = fmt.Sprintf("account %s in %s", r.Identity.Account, env.Region)
		if r.RootMFA != nil && !*r.RootMFA {
			st.Summary += " (root MFA is off)"
		}
	}
	return st, nil
}

func details(env *steps.Env, r Result) []string {
	out := []string{
		"Account: " + r.Identity.Account,
		"Signed in as: " + r.Identity.ARN,
		"Region: " + env.Region,
	}
	if r.RootMFA != nil {
		if *r.RootMFA {
			out = append(out, "Root user MFA: on")
		} else {
			out = append(out, "Root user MFA: OFF")
		}
	}
	return append(out, r.Warnings...)
}

func (section) Plan(ctx context.Context, env *steps.Env) (steps.Plan, error) {
	p := steps.Plan{
		Section:     steps.Preflight,
		Summary:     "Look up who you are and check the root user's MFA. This only reads.",
		MonthlyCost: "free",
		Duration:    2 * time.Second,
		Actions: []steps.Action{
			{Key: "who-am-i", Title: "Find out who is signed in", Why: "castle must know the account and must not run as root.",
				Commands: []string{env.AWSCommand("sts get-caller-identity")}},
			{Key: "root-mfa", Title: "Check the root user's MFA", Why: "A root user without MFA is the easiest way to lose an account.",
				Commands: []string{env.AWSCommand("iam get-account-summary --query SummaryMap.AccountMFAEnabled")}},
		},
	}
	// Preflight only reads. Once the check has passed there is nothing to
	// run again: the wizard's Preflight screen and castle apply already did
	// it, so asking "start now?" for a second look would only get in the way.
	if r, err := Check(ctx, env); err == nil && !r.Root {
		for i := range p.Actions {
			p.Actions[i].Skip = true
			p.Actions[i].SkipReason = "checked just now"
		}
		p.Settled = fmt.Sprintf("Checked: you are signed in to account %s as %s.", r.Identity.Account, r.Identity.ARN)
	}
	if env.Region != "" && !SupportsControlTower(env.Region) {
		p.Notes = append(p.Notes, fmt.Sprintf("Control Tower does not run in %s; choose another region for the landing zone.", env.Region))
	}
	return p, nil
}

func (section) Apply(ctx context.Context, env *steps.Env, emit steps.Emit) error {
	now := env.TheClock().Now
	emit(steps.Event{Time: now(), Section: steps.Preflight, Step: "who-am-i", Kind: steps.EventStarted, Message: "Asking AWS who you are"})
	env.ForgetCaller()
	r, err := Check(ctx, env)
	if err != nil {
		emit(steps.Event{Time: now(), Section: steps.Preflight, Step: "who-am-i", Kind: steps.EventFailed, Message: err.Error()})
		return err
	}
	emit(steps.Event{Time: now(), Section: steps.Preflight, Step: "who-am-i", Kind: steps.EventDone,
		Message: fmt.Sprintf("Signed in to account %s as %s", r.Identity.Account, r.Identity.ARN)})
	if r.Root {
		err := &steps.UserError{Message: RootWarning, Next: "Create an administrator (IAM Identity Center user or IAM user), sign in as it, and choose its profile."}
		emit(steps.Event{Time: now(), Section: steps.Preflight, Step: "who-am-i", Kind: steps.EventFailed, Message: err.Error()})
		return err
	}
	switch {
	case r.RootMFA == nil:
		emit(steps.Event{Time: now(), Section: steps.Preflight, Step: "root-mfa", Kind: steps.EventInfo, Message: r.Warnings[len(r.Warnings)-1]})
	case !*r.RootMFA:
		emit(steps.Event{Time: now(), Section: steps.Preflight, Step: "root-mfa", Kind: steps.EventHandOff, Message: r.Warnings[len(r.Warnings)-1]})
	default:
		emit(steps.Event{Time: now(), Section: steps.Preflight, Step: "root-mfa", Kind: steps.EventDone, Message: "The root user has MFA"})
	}
	if err := env.OpenJournal(ctx); err != nil {
		return err
	}
	return nil
}

func (section) Resume(context.Context, *steps.Env, steps.Emit) error { return nil }
