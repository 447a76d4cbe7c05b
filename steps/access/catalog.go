package access

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
	"github.com/castle-aws/castle/steps/people"
)

// DefaultPermissionSet is what castle grants when none is named: look, don't touch.
const DefaultPermissionSet = "AWSReadOnlyAccess"

// AdminPermissionSet is the one that needs a second confirmation.
const AdminPermissionSet = "AWSAdministratorAccess"

var plain = map[string]string{
	"AWSReadOnlyAccess":                "See everything, change nothing (safest)",
	"AWSPowerUserAccess":               "Build anything; no users or permissions",
	"AWSAdministratorAccess":           "Everything, incl. access and billing",
	"AWSOrganizationsFullAccess":       "Manage the organization's accounts",
	"AWSServiceCatalogAdminFullAccess": "Manage Service Catalog products",
	"AWSServiceCatalogEndUserAccess":   "Launch products such as new accounts",
}

// PlainDescription is one plain line about what a permission set allows.
func PlainDescription(name, awsDescription string) string {
	if d, ok := plain[name]; ok {
		return d
	}
	if awsDescription != "" {
		return awsDescription
	}
	return "A permission set of your own."
}

// Catalog is everything the Access section chooses from.
type Catalog struct {
	Instance    people.Instance
	Users       []people.User
	Accounts    []people.Account
	Sets        []people.PermissionSet
	Assignments []people.Assignment
}

// Load reads the catalog from AWS (read-only). Without Identity Center it
// returns people.ErrNoInstance.
func Load(ctx context.Context, env *steps.Env) (Catalog, error) {
	var c Catalog
	var err error
	if c.Instance, err = people.FindInstance(ctx, env); err != nil {
		return c, err
	}
	if c.Users, err = people.ListUsers(ctx, env, c.Instance.StoreID); err != nil {
		return c, err
	}
	if c.Sets, err = people.PermissionSets(ctx, env, c.Instance.ARN); err != nil {
		return c, err
	}
	if c.Accounts, err = people.Accounts(ctx, env); err != nil {
		return c, err
	}
	for _, u := range c.Users {
		as, err := people.UserAssignments(ctx, env, c.Instance.ARN, u, c.Sets, c.Accounts)
		if err != nil {
			return c, err
		}
		c.Assignments = append(c.Assignments, as...)
	}
	return c, nil
}

// Pair is one user × account × permission set, resolved to AWS ids.
type Pair struct {
	User        people.User
	AccountID   string
	AccountName string
	Set         people.PermissionSet
}

// Key is the pair's stable journal key (prefix grant or revoke).
func (p Pair) Key(prefix string) string {
	return prefix + "/" + p.AccountID + "/" + p.Set.Name + "/" + p.User.ID
}

// Words is the pair in plain words: "alice: AWSReadOnlyAccess on Prod (123456789012)".
func (p Pair) Words() string {
	acct := p.AccountName
	if acct != p.AccountID {
		acct += " (" + p.AccountID + ")"
	}
	return p.User.UserName + ": " + p.Set.Name + " on " + acct
}

// Has reports whether the pair is assigned now.
func (c Catalog) Has(p Pair) bool {
	for _, a := range c.Assignments {
		if a.UserID == p.User.ID && a.AccountID == p.AccountID && a.SetARN == p.Set.ARN {
			return true
		}
	}
	return false
}

var twelveDigits = regexp.MustCompile(`^\d{12}$`)

// Resolve turns an answer into a pair, in plain words when something is unknown.
func (c Catalog) Resolve(g castlefile.Grant) (Pair, error) {
	var p Pair
	u, ok := people.FindUser(c.Users, g.User)
	if !ok {
		return p, &steps.UserError{Message: fmt.Sprintf("There is no user called %q in IAM Identity Center.", g.User),
			Next: "Add them in the People section first, or check the spelling of the user name."}
	}
	p.User = u
	acct := strings.TrimSpace(g.Account)
	for _, a := range c.Accounts {
		if a.ID == acct || strings.EqualFold(a.Name, acct) {
			p.AccountID, p.AccountName = a.ID, a.Name
		}
	}
	if p.AccountID == "" && twelveDigits.MatchString(acct) {
		p.AccountID, p.AccountName = acct, acct
	}
	if p.AccountID == "" && len(c.Accounts) == 0 {
		return p, &steps.UserError{Message: fmt.Sprintf("castle cannot find the account %q: this AWS account has no organization yet.", g.Account),
			Next: "Do the Landing zone section first (it creates the organization), or use the 12-digit account id."}
	}
	if p.AccountID == "" {
		var names []string
		for _, a := range c.Accounts {
			names = append(names, a.Name)
		}
		return p, &steps.UserError{Message: fmt.Sprintf("There is no account called %q in your organization (it has: %s).", g.Account, strings.Join(names, ", ")),
			Next: "Use one of those names or a 12-digit account id; new accounts are made in the Environments section."}
	}
	name := g.PermissionSet
	if name == "" {
		name = DefaultPermissionSet
	}
	for _, s := range c.Sets {
		if strings.EqualFold(s.Name, name) {
			p.Set = s
			return p, nil
		}
	}
	return p, &steps.UserError{Message: fmt.Sprintf("There is no permission set called %q.", name),
		Next: "Use one of the sets Control Tower made, for example AWSReadOnlyAccess or AWSPowerUserAccess."}
}
