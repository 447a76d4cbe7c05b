// Package people is the People section: the IAM Identity Center users of the
// organization (one per developer, each signing in at the access portal),
// added from castle.yaml or the wizard's form, and the manual console step
// AWS keeps for itself (emailing one-time passwords to users made by API).
package people

import (
	"context"
	"fmt"
	"strings"

	"github.com/castle-aws/castle/steps"
)

type section struct{}

// New returns the People section.
func New() steps.Section { return section{} }

func (section) ID() steps.SectionID { return steps.People }
func (section) Title() string       { return "People" }
func (section) About() string {
	return "Give every developer their own sign-in instead of sharing the root user or one password. " +
		"Each person gets an IAM Identity Center user and signs in at your access portal; " +
		"what they may do in each account is decided in the Access section."
}
func (section) Cost() string { return "free (IAM Identity Center has no charge)" }

// Discover finds the Identity Center instance, its users and what they hold.
func (section) Discover(ctx context.Context, env *steps.Env) (steps.Status, error) {
	st := steps.Status{Section: steps.People, State: steps.StateUnknown}
	inst, err := FindInstance(ctx, env)
	if err == ErrNoInstance {
		st.State, st.Blocker = steps.StateBlocked, "Landing zone"
		st.Summary = "needs the Landing zone section (Identity Center)"
		return st, nil
	}
	if err != nil {
		return st, err
	}
	users, err := ListUsers(ctx, env, inst.StoreID)
	if err != nil {
		return st, err
	}
	sets, err := PermissionSets(ctx, env, inst.ARN)
	if err != nil {
		return st, err
	}
	accounts, err := Accounts(ctx, env)
	if err != nil {
		return st, err
	}
	st.Details = append(st.Details, "Access portal: "+inst.PortalURL)
	for _, u := range users {
		as, err := UserAssignments(ctx, env, inst.ARN, u, sets, accounts)
		if err != nil {
			return st, err
		}
		st.Details = append(st.Details, describeUser(u, as))
	}
	missing := 0
	for _, want := range env.Answers.People {
		if _, ok := FindUser(users, want.UserName); !ok {
			missing++
		}
	}
	switch {
	case missing > 0:
		st.State = steps.StateNotStarted
		st.Summary = fmt.Sprintf("%d of %d people to add", missing, len(env.Answers.People))
	case len(users) == 0:
		st.State, st.Summary = steps.StateNotStarted, "no users yet"
	default:
		st.State, st.Summary = steps.StateDone, plural(len(users), "user")+", portal "+inst.PortalURL
	}
	return st, nil
}

func describeUser(u User, as []Assignment) string {
	line := u.UserName
	if u.DisplayName != "" {
		line += " (" + u.DisplayName + ")"
	}
	if len(as) == 0 {
		return line + ": no access yet"
	}
	var parts []string
	for _, a := range as {
		parts = append(parts, a.PermissionSet+" on "+a.AccountName)
	}
	return line + ": " + strings.Join(parts, ", ")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
