// Package environments is the Environments section's screen: the accounts
// the organization has, the new ones to create (one row each, added with a
// small form that checks as you type), and the choice of the account the
// application sections work in and how castle reaches it.
package environments

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/huh/v2"

	"github.com/castle-aws/castle/screens"
	"github.com/castle-aws/castle/steps/castlefile"
	se "github.com/castle-aws/castle/steps/environments"
)

// NameForm asks for a new account's name (the first half of adding one:
// the email suggestion depends on it).
func NameForm(a *castlefile.Account, inv se.Inventory, queued []castlefile.Account) *huh.Form {
	name := func(s string) error {
		if err := se.ValidateName(s, inv); err != nil {
			return err
		}
		for _, q := range queued {
			if strings.EqualFold(q.Name, strings.TrimSpace(s)) {
				return errors.New("an account with this name is already in the list to create")
			}
		}
		return nil
	}
	return huh.NewForm(huh.NewGroup(
		huh.NewInput().Key("name").Title("Account name").
			Description("What you will see in lists: the project and its environment, such as Discord-Moderation-Bot.prod.").
			Placeholder("Discord-Moderation-Bot.prod").CharLimit(50).Validate(screens.Sentence(name)).Value(&a.Name),
	)).WithShowHelp(false)
}

// DetailsForm asks for the rest of a new account: its email (an empty
// answer takes the suggestion), OU and owner. queued are the accounts
// already in the list to create, so a clash with them is said at once.
func DetailsForm(a *castlefile.Account, inv se.Inventory, queued []castlefile.Account, people []castlefile.User) *huh.Form {
	suggestion := se.SuggestEmail(a.Name, inv)
	email := func(s string) error {
		if strings.TrimSpace(s) == "" && suggestion != "" {
			return nil // the suggestion is used
		}
		if err := se.ValidateEmail(s, inv); err != nil {
			return err
		}
		for _, q := range queued {
			if strings.EqualFold(q.Email, strings.TrimSpace(s)) {
				return fmt.Errorf("%s in the list to create already uses this email", q.Name)
			}
		}
		return nil
	}
	desc := "Unique to this account, and one you read: adding +env before the @ works with most mail providers."
	if suggestion != "" {
		desc = "Unique to this account, and one you read. Leave it empty for " + suggestion + "."
	}
	if a.OU == "" {
		a.OU = defaultOU(inv)
	}
	owners := ownerOptions(inv, people)
	if a.Owner == "" {
		a.Owner = owners[0].Value
	}
	return huh.NewForm(huh.NewGroup(
		huh.NewInput().Key("email").Title("Account email for "+a.Name).Description(desc).
			Placeholder(suggestion).CharLimit(64).Validate(screens.Sentence(email)).Value(&a.Email),
		huh.NewSelect[string]().Key("ou").Title("Organizational unit").
			Description("Where the account lives; Control Tower's rules for that OU apply to it.").
			Options(ouOptions(inv)...).
			Validate(screens.Sentence(func(s string) error { return se.ValidateOU(s, inv) })).Value(&a.OU),
		huh.NewSelect[string]().Key("owner").Title("Owner").
			Description("This person gets administrator access to the account through the access portal.").
			Options(owners...).Value(&a.Owner),
	)).WithShowHelp(false)
}

// finishAccount fills what the form left to its suggestions.
func finishAccount(a *castlefile.Account, inv se.Inventory) {
	a.Name = strings.TrimSpace(a.Name)
	a.Email = strings.TrimSpace(a.Email)
	if a.Email == "" {
		a.Email = se.SuggestEmail(a.Name, inv)
	}
}

func defaultOU(inv se.Inventory) string {
	for _, o := range inv.OUs {
		if strings.EqualFold(o.Name, "Sandbox") {
			return o.Name
		}
	}
	for _, o := range inv.OUs {
		if o.Registered || !o.RegisteredKnown {
			return o.Name
		}
	}
	return ""
}

func ouOptions(inv se.Inventory) []huh.Option[string] {
	var opts []huh.Option[string]
	for _, o := range inv.OUs {
		label := o.Name
		if o.RegisteredKnown && !o.Registered {
			label += " (not registered with Control Tower)"
		}
		opts = append(opts, huh.NewOption(label, o.Name))
	}
	if len(opts) == 0 {
		opts = append(opts, huh.NewOption("Sandbox", "Sandbox"))
	}
	return opts
}

func ownerOptions(inv se.Inventory, people []castlefile.User) []huh.Option[string] {
	var opts []huh.Option[string]
	seen := map[string]bool{}
	for _, u := range people {
		if seen[strings.ToLower(u.UserName)] {
			continue
		}
		seen[strings.ToLower(u.UserName)] = true
		label := u.UserName + "  (" + u.Email + ", to be added in People)"
		for _, x := range inv.Users {
			if strings.EqualFold(x.UserName, u.UserName) {
				label = u.UserName + "  (" + u.Email + ")" // People added them already
			}
		}
		opts = append(opts, huh.NewOption(label, u.UserName))
	}
	for _, u := range inv.Users {
		if seen[strings.ToLower(u.UserName)] {
			continue
		}
		seen[strings.ToLower(u.UserName)] = true
		label := u.UserName
		if !strings.EqualFold(u.Email, u.UserName) {
			label += "  (" + u.Email + ")"
		}
		opts = append(opts, huh.NewOption(label, u.UserName))
	}
	return append(opts, huh.NewOption("Someone new: a sign-in for the account's own email", ""))
}

// WorkloadForm asks which account the application sections work in and
// how castle reaches it.
// self is the signed-in account's id ("" when unknown): choosing it is
// remembered as an explicit choice.
func WorkloadForm(w *castlefile.Workload, inv se.Inventory, pending []castlefile.Account, self string) *huh.Form {
	accts := []huh.Option[string]{huh.NewOption("The account you are signed in to", self)}
	for _, a := range inv.Accounts {
		if a.ID == self || strings.EqualFold(a.OU, "Security") {
			continue // the landing zone's own accounts are not for workloads
		}
		accts = append(accts, huh.NewOption(fmt.Sprintf("%s  (%s, in %s)", a.Name, a.ID, a.OU), a.Name))
	}
	for _, a := range pending {
		accts = append(accts, huh.NewOption(a.Name+"  (to be created)", a.Name))
	}
	if w.Via == "" {
		w.Via = se.ViaAssumeRole
	}
	if w.Account != "" {
		if a, ok := inv.AccountByName(w.Account); ok && a.ID != self {
			w.Account = a.Name // the journal remembers ids; the options are names
		}
	}
	return huh.NewForm(
		huh.NewGroup(
			huh.NewSelect[string]().Key("account").Title("Workload account").
				Description("Registry, Network, Service and Pipeline build your service here. An account of its own keeps it apart from the account that runs your organization.").
				Options(accts...).Value(&w.Account),
			huh.NewSelect[string]().Key("via").Title("How castle gets in").
				Options(
					huh.NewOption("From this sign-in, through the role Control Tower puts in every account (AWSControlTowerExecution)", se.ViaAssumeRole),
					huh.NewOption("With an AWS profile I already have for that account (aws configure sso)", se.ViaProfile),
				).Value(&w.Via),
		),
		huh.NewGroup(
			huh.NewInput().Key("profile").Title("Profile name").
				Description("The profile in ~/.aws/config that signs in to the workload account.").
				Validate(screens.Sentence(func(s string) error {
					if strings.TrimSpace(s) == "" {
						return errors.New("type the profile's name, as in `aws configure list-profiles`")
					}
					return nil
				})).Value(&w.Profile),
		).WithHideFunc(func() bool { return w.Via != se.ViaProfile }),
	).WithShowHelp(false)
}
