// Package people is the People section's screen: the access portal (with a
// key to copy its address), the people who already have a sign-in, a form
// to add one or more people, and the one console switch AWS keeps for itself.
package people

import (
	"errors"
	"strings"

	"charm.land/huh/v2"

	"github.com/castle-aws/castle/screens"
	"github.com/castle-aws/castle/steps/castlefile"
	sp "github.com/castle-aws/castle/steps/people"
)

// PersonForm asks for one person, validating as they type. taken lists the
// user names and emails that exist or are already queued, so a clash is said
// at once rather than by AWS later.
func PersonForm(u *castlefile.User, existing []sp.User, queued []castlefile.User) *huh.Form {
	userName := func(s string) error {
		if err := sp.ValidateUserName(s); err != nil {
			return err
		}
		if _, ok := sp.FindUser(existing, s); ok {
			return errors.New(s + " already has a sign-in; pick another user name")
		}
		for _, q := range queued {
			if strings.EqualFold(q.UserName, s) {
				return errors.New(s + " is already in the list to add")
			}
		}
		return nil
	}
	email := func(s string) error {
		if err := sp.ValidateEmail(s); err != nil {
			return err
		}
		if other, ok := sp.EmailTaken(existing, s, u.UserName); ok {
			return errors.New(other + " already uses this email; each person needs their own")
		}
		for _, q := range queued {
			if strings.EqualFold(q.Email, s) {
				return errors.New(q.UserName + " in the list to add already uses this email")
			}
		}
		return nil
	}
	return huh.NewForm(huh.NewGroup(
		huh.NewInput().Key("userName").Title("User name").
			Description("What they type to sign in. Their team or Roblox handle works well (no spaces).").
			Placeholder("builderbob").CharLimit(128).Validate(screens.Sentence(userName)).Value(&u.UserName),
		huh.NewInput().Key("givenName").Title("First name").Validate(screens.Sentence(sp.ValidateName)).Value(&u.GivenName),
		huh.NewInput().Key("familyName").Title("Last name").Validate(screens.Sentence(sp.ValidateName)).Value(&u.FamilyName),
		huh.NewInput().Key("email").Title("Email").
			Description("An address this person really reads: AWS sends their sign-in code there.").
			Placeholder("bob@example.com").Validate(screens.Sentence(email)).Value(&u.Email),
	)).WithShowHelp(false)
}
