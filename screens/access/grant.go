package access

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/huh/v2"

	sa "github.com/castle-aws/castle/steps/access"
	"github.com/castle-aws/castle/steps/castlefile"
)

// choice is what the grant form fills in.
type choice struct {
	users    []string
	accounts []string // account ids
	set      string
	adminOK  bool
}

// GrantForm asks who gets which permission set on which accounts. Read-only
// is preselected; choosing administrator adds a page that asks again and
// says why less is better.
func grantForm(c sa.Catalog, ch *choice) *huh.Form {
	if ch.set == "" {
		ch.set = sa.DefaultPermissionSet
	}
	var users []huh.Option[string]
	for _, u := range c.Users {
		label := u.UserName
		if u.DisplayName != "" {
			label += " (" + u.DisplayName + ")"
		}
		users = append(users, huh.NewOption(label, u.UserName))
	}
	var accounts []huh.Option[string]
	for _, a := range c.Accounts {
		accounts = append(accounts, huh.NewOption(a.Name+"  "+a.ID, a.ID))
	}
	var sets []huh.Option[string]
	for _, s := range c.Sets {
		sets = append(sets, huh.NewOption(fmt.Sprintf("%-32s %s", s.Name, clip(sa.PlainDescription(s.Name, s.Description), 40)), s.Name))
	}
	return huh.NewForm(
		huh.NewGroup(huh.NewMultiSelect[string]().Key("users").Title("Who?").
			Description("Space picks a person; enter goes on.").
			Height(min(len(users)+3, 14)).Options(users...).
			Validate(pickOne("Pick at least one person: move to a name and press space, then enter.")).Value(&ch.users)),
		huh.NewGroup(huh.NewMultiSelect[string]().Key("accounts").Title("Which accounts?").
			Description("Space picks an account; enter goes on.").
			Height(min(len(accounts)+3, 14)).Options(accounts...).
			Validate(pickOne("Pick at least one account: move to it and press space, then enter.")).Value(&ch.accounts)),
		huh.NewGroup(huh.NewSelect[string]().Key("set").Title("What may they do there?").
			Description("Give the least that lets them work. You can always give more later.").
			Height(len(sets)+3).Value(&ch.set).Options(sets...)),
		huh.NewGroup(huh.NewConfirm().Key("admin").Title("Really give full administrator access?").
			Description("Administrators can do anything: delete resources, change who has access, run up the bill. "+
				"If their password leaks, so does all of that. Most work needs only read-only or power-user access.").
			Affirmative("Yes, administrator").Negative("No").Value(&ch.adminOK)).
			WithHideFunc(func() bool { return ch.set != sa.AdminPermissionSet }),
	).WithShowHelp(false)
}

// pickOne refuses an empty pick with msg, so enter on a list where nothing
// is ticked says what to do instead of going on with nobody.
func pickOne(msg string) func([]string) error {
	return func(v []string) error {
		if len(v) == 0 {
			return errors.New(msg)
		}
		return nil
	}
}

// addGrants records the chosen pairs in the answers (no duplicates) and
// drops any pending revoke of the same pair.
func addGrants(a *castlefile.File, c sa.Catalog, ch choice) int {
	n := 0
	for _, u := range ch.users {
		for _, id := range ch.accounts {
			g := castlefile.Grant{User: u, Account: accountName(c, id), PermissionSet: ch.set}
			if !contains(a.Access.Grants, g) {
				a.Access.Grants = append(a.Access.Grants, g)
				n++
			}
			a.Access.Revokes = without(a.Access.Revokes, g)
		}
	}
	return n
}

func accountName(c sa.Catalog, id string) string {
	for _, a := range c.Accounts {
		if a.ID == id && a.Name != "" {
			return a.Name
		}
	}
	return id
}

func same(a, b castlefile.Grant) bool {
	return strings.EqualFold(a.User, b.User) && strings.EqualFold(a.Account, b.Account) && strings.EqualFold(a.PermissionSet, b.PermissionSet)
}

func contains(list []castlefile.Grant, g castlefile.Grant) bool {
	for _, x := range list {
		if same(x, g) {
			return true
		}
	}
	return false
}

func without(list []castlefile.Grant, g castlefile.Grant) []castlefile.Grant {
	out := list[:0:0]
	for _, x := range list {
		if !same(x, g) {
			out = append(out, x)
		}
	}
	return out
}
