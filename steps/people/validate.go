package people

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode"

	"github.com/castle-aws/castle/steps/castlefile"
)

// ValidateUserName applies Identity Center's user-name rules: 1 to 128
// characters, letters, digits and punctuation, no spaces, and not one of the
// two names AWS keeps for itself. The error says what to type instead.
func ValidateUserName(s string) error {
	switch {
	case s == "":
		return errors.New("type a user name, for example the person's team or Roblox handle")
	case len([]rune(s)) > 128:
		return errors.New("a user name can be at most 128 characters; use a shorter handle")
	}
	for _, r := range s {
		if unicode.IsSpace(r) {
			return errors.New("a user name cannot contain spaces; try dots or dashes instead (jane.doe)")
		}
		if !(unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsSymbol(r) || unicode.IsNumber(r) || unicode.IsPunct(r)) {
			return fmt.Errorf("a user name cannot contain %q; use letters, digits, dots, dashes or underscores", r)
		}
	}
	if strings.EqualFold(s, "Administrator") || strings.EqualFold(s, "AWSAdministrators") {
		return fmt.Errorf("AWS keeps the name %q for itself; pick the person's own handle", s)
	}
	return nil
}

// ValidateEmail checks that an address looks like one a person can receive mail at.
func ValidateEmail(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("type the email address this person really reads: AWS sends their sign-in codes there")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") {
		return errors.New("that does not look like an email address; type it as name@example.com")
	}
	return nil
}

// ValidateName checks a given or family name.
func ValidateName(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("type a name: AWS needs a given and a family name for every user")
	}
	if len([]rune(s)) > 256 {
		return errors.New("that name is longer than AWS accepts (256 characters)")
	}
	return nil
}

// ValidateNew checks a user to add against the others of the same batch
// and the users that already exist (by a different user name with the same
// email), so the form can say so as the user types.
func ValidateNew(u castlefile.User, existing []User) error {
	if err := ValidateUserName(u.UserName); err != nil {
		return err
	}
	if err := ValidateName(u.GivenName); err != nil {
		return err
	}
	if err := ValidateName(u.FamilyName); err != nil {
		return err
	}
	if err := ValidateEmail(u.Email); err != nil {
		return err
	}
	for _, e := range existing {
		if strings.EqualFold(e.Email, u.Email) && !strings.EqualFold(e.UserName, u.UserName) {
			return fmt.Errorf("%s already uses %s; each person needs their own email address", e.UserName, u.Email)
		}
	}
	return nil
}

// EmailTaken returns the user name that already uses email, if any.
func EmailTaken(existing []User, email, exceptUserName string) (string, bool) {
	for _, e := range existing {
		if strings.EqualFold(e.Email, email) && !strings.EqualFold(e.UserName, exceptUserName) {
			return e.UserName, true
		}
	}
	return "", false
}
