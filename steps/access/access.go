// Package access is the Access section: who may do what in which account.
// It grants Identity Center users a permission set on accounts of the
// organization, and revokes it at a moment's notice (RevokeAll for someone
// who just left). Every request id is journaled before castle waits on it,
// so a castle stopped half-way picks the same requests up and never assigns
// anything twice.
package access

import (
	"context"
	"fmt"
	"time"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/people"
)

type section struct{}

// New returns the Access section.
func New() steps.Section { return section{} }

func (section) ID() steps.SectionID { return steps.Access }
func (section) Title() string       { return "Access" }
func (section) About() string {
	return "Decide what each person may do in each account, and take it back the moment they no longer need it. " +
		"People get the least they need: read-only unless you choose more."
}
func (section) Cost() string { return "free" }

// Expected is how long AWS usually takes to apply one assignment.
const Expected = 15 * time.Second

// Discover lists the assignments and the operations still in flight.
func (section) Discover(ctx context.Context, env *steps.Env) (steps.Status, error) {
	st := steps.Status{Section: steps.Access, State: steps.StateUnknown}
	c, err := Load(ctx, env)
	if err == people.ErrNoInstance {
		st.State, st.Blocker = steps.StateBlocked, "Landing zone"
		st.Summary = "needs the Landing zone section (Identity Center)"
		return st, nil
	}
	if err != nil {
		return st, err
	}
	if len(c.Users) == 0 {
		st.State, st.Blocker, st.Summary = steps.StateBlocked, "People", "needs the People section: nobody to give access to"
		return st, nil
	}
	for _, a := range c.Assignments {
		st.Details = append(st.Details, a.UserName+": "+a.PermissionSet+" on "+a.AccountName)
	}
	if env.Journal != nil {
		for key, op := range env.Journal.Operations(string(steps.Access)) {
			st.Operations = append(st.Operations, steps.Operation{Key: key, Name: op.Extra["words"], ID: op.ID, StartedAt: op.StartedAt, Expected: op.Expected, Status: op.Status})
		}
	}
	pending := 0
	for _, g := range env.Answers.Access.Grants {
		if p, err := c.Resolve(g); err != nil || !c.Has(p) {
			pending++
		}
	}
	for _, g := range env.Answers.Access.Revokes {
		if p, err := c.Resolve(g); err == nil && c.Has(p) {
			pending++
		}
	}
	switch {
	case len(st.Operations) > 0:
		n := len(st.Operations)
		st.State, st.Summary = steps.StateInProgress, fmt.Sprintf("%d %s in progress", n, pick(n, "change", "changes"))
	case pending > 0:
		st.State, st.Summary = steps.StateNotStarted, fmt.Sprintf("%d %s to make", pending, pick(pending, "change", "changes"))
	case len(c.Assignments) == 0:
		st.State, st.Summary = steps.StateNotStarted, "nobody has access yet"
	default:
		st.State = steps.StateDone
		n, u := len(c.Assignments), countUsers(c.Assignments)
		// "assignment" is AWS's word; the checklist says who has access to what
		st.Summary = fmt.Sprintf("%d %s with access (%d %s)", u, pick(u, "person", "people"), n, pick(n, "permission", "permissions"))
	}
	return st, nil
}

func countUsers(as []people.Assignment) int {
	seen := map[string]bool{}
	for _, a := range as {
		seen[a.UserID] = true
	}
	return len(seen)
}

func pick(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
