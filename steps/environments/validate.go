package environments

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/castle-aws/castle/steps"
)

var emailRE = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)

// ValidateEmail checks an account email as the user types it: its shape,
// and that no account of the organization uses it.
func ValidateEmail(email string, inv Inventory) error {
	email = strings.TrimSpace(email)
	if !emailRE.MatchString(email) || len(email) > 64 {
		return fmt.Errorf("type an email address such as bot+prod@example.com (64 characters at most)")
	}
	if a, ok := inv.AccountByEmail(email); ok {
		return fmt.Errorf("account %s (%s) already uses this email; every account needs its own, for example with +env before the @", a.Name, a.ID)
	}
	return nil
}

// ValidateName checks an account's display name.
func ValidateName(name string, inv Inventory) error {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 50 {
		return fmt.Errorf("type a name of 1 to 50 characters, such as Discord-Moderation-Bot.prod")
	}
	for _, r := range name {
		if r < 0x20 || r > 0x7e {
			return fmt.Errorf("use plain letters, digits, spaces and punctuation only")
		}
	}
	if a, ok := inv.AccountByName(name); ok {
		return fmt.Errorf("account %s already has this name; pick another so you can tell them apart", a.ID)
	}
	return nil
}

// ValidateOU checks that the OU exists and is registered with Control Tower.
func ValidateOU(name string, inv Inventory) error {
	o, ok := inv.OUByName(strings.TrimSpace(name))
	if !ok {
		var names []string
		for _, o := range inv.OUs {
			names = append(names, o.Name)
		}
		return fmt.Errorf("there is no OU called %q; pick one of: %s", name, strings.Join(names, ", "))
	}
	if o.RegisteredKnown && !o.Registered {
		return fmt.Errorf("OU %s is not registered with Control Tower; register it in the Control Tower console, or pick Sandbox", o.Name)
	}
	return nil
}

// validateAll checks every answer before anything is asked of AWS.
func validateAll(env *steps.Env, inv Inventory) error {
	emails := map[string]string{}
	names := map[string]bool{}
	for _, a := range env.Answers.Environments {
		if _, done := exists(env, inv, a); done {
			continue // done already; skipped
		}
		for _, check := range []error{ValidateName(a.Name, inv), ValidateEmail(a.Email, inv), ValidateOU(a.OU, inv)} {
			if check != nil {
				return &steps.UserError{Message: fmt.Sprintf("The account %q in your answers cannot be created: %v.", a.Name, check),
					Next: "Change it in the Environments form or in castle.yaml, then try again."}
			}
		}
		low := strings.ToLower(a.Email)
		if other, dup := emails[low]; dup {
			return &steps.UserError{Message: fmt.Sprintf("The accounts %q and %q have the same email; every account needs its own.", other, a.Name),
				Next: "Change one of them in the Environments form or in castle.yaml."}
		}
		emails[low] = a.Name
		pp := ProvisionedName(a.Name)
		if names[pp] {
			return &steps.UserError{Message: fmt.Sprintf("Two accounts are called %q.", a.Name), Next: "Give each account its own name."}
		}
		names[pp] = true
	}
	return nil
}
