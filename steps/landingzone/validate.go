package landingzone

import (
	"errors"
	"fmt"
	"strings"
)

// CheckEmailSyntax checks an address the way AWS Organizations does for a new
// account: 6 to 64 plain ASCII characters, one @, a local part without spaces
// or special characters and not starting with a dot, and a domain of letters,
// digits, dots and dashes with at least one dot.
func CheckEmailSyntax(email string) error {
	switch {
	case email == "":
		return errors.New("Type an email address, for example you+log@yourdomain.com.")
	case len(email) < 6 || len(email) > 64:
		return errors.New("An account email must be 6 to 64 characters long.")
	}
	for _, r := range email {
		if r > 127 {
			return errors.New("Use only plain ASCII characters (no accents or symbols) in the email.")
		}
		if r == ' ' || r == '\t' {
			return errors.New("Remove the spaces from the email.")
		}
	}
	if strings.Count(email, "@") != 1 {
		return errors.New("An email address has exactly one @, as in you+log@yourdomain.com.")
	}
	local, domain, _ := strings.Cut(email, "@")
	if local == "" || strings.HasPrefix(local, ".") {
		return errors.New("The part before the @ must not be empty or start with a dot.")
	}
	if strings.ContainsAny(local, "\"'()<>[]:;,\\|%&") {
		return errors.New("The part before the @ may not contain quotes, brackets or any of : ; , \\ | % &.")
	}
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return errors.New("The part after the @ must be a domain such as yourdomain.com.")
	}
	for _, r := range domain {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-') {
			return errors.New("The domain after the @ may contain only letters, digits, dots and dashes.")
		}
	}
	return nil
}

// CheckEmail checks the email of one shared account (which is LogArchiveName
// or AuditName) as the user types it: its syntax, that it differs from the
// other shared account's email and from the management account's, and that no
// other account of the organization uses it. f may be nil (nothing discovered yet).
func CheckEmail(which, email, other string, f *Facts) error {
	email = strings.TrimSpace(email)
	if err := CheckEmailSyntax(email); err != nil {
		return err
	}
	if other != "" && strings.EqualFold(email, strings.TrimSpace(other)) {
		return errors.New("The Log Archive and Audit accounts need two different addresses; try you+log@… and you+audit@….")
	}
	if f == nil {
		return nil
	}
	if f.ManagementEmail != "" && strings.EqualFold(email, f.ManagementEmail) {
		return fmt.Errorf("%s is the email of your management account; the %s account needs an address of its own, such as %s.", email, which, plusAddress(f.ManagementEmail, slug(which)))
	}
	mine := f.Log
	if which == AuditName {
		mine = f.Audit
	}
	if a := f.byEmail(email); a != nil && (mine == nil || mine.ID != a.ID) {
		return fmt.Errorf("The account %q (%s) already uses %s; choose an address no account has used.", a.Name, a.ID, email)
	}
	return nil
}

// plusAddress turns me@example.com into me+tag@example.com.
func plusAddress(email, tag string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok {
		return "you+" + tag + "@yourdomain.com"
	}
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	return local + "+" + tag + "@" + domain
}

// SuggestEmail proposes a plus-address for a shared account from the
// management account's email ("" when unknown).
func SuggestEmail(which string, f *Facts) string {
	if f == nil || f.ManagementEmail == "" {
		return ""
	}
	return plusAddress(f.ManagementEmail, slug(which))
}

// CheckOUName checks an OU name: 1 to 128 characters.
func CheckOUName(name string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return errors.New("Give the OU a name, for example Security.")
	}
	if len(name) > 128 {
		return errors.New("An OU name can be at most 128 characters long.")
	}
	return nil
}
