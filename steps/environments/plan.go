package environments

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	sc "github.com/aws/aws-sdk-go-v2/service/servicecatalog"
	sctypes "github.com/aws/aws-sdk-go-v2/service/servicecatalog/types"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
)

func opKey(ppName string) string { return "account-" + ppName }

// ProvisionedName is the Service Catalog name of an account's request: the
// display name with anything Service Catalog refuses replaced by '-'.
func ProvisionedName(displayName string) string {
	b := []byte(strings.TrimSpace(displayName))
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || (i > 0 && (c == '.' || c == '_' || c == '-'))
		if !ok {
			b[i] = '-'
		}
	}
	if len(b) > 128 {
		b = b[:128]
	}
	return string(b)
}

func sortedProvisions(inv Inventory) []Provision {
	out := make([]Provision, 0, len(inv.Provisioned))
	for _, p := range inv.Provisioned {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// pending are the answers whose account does not exist yet.
func pending(env *steps.Env, inv Inventory) []castlefile.Account {
	var out []castlefile.Account
	for _, a := range env.Answers.Environments {
		if _, ok := exists(env, inv, a); ok {
			continue
		}
		out = append(out, a)
	}
	return out
}

// exists finds the account an answer asked for: one with its email and
// its name (or the id the journal remembers for the name). An email used by
// an account of another name is a clash, not this account.
func exists(env *steps.Env, inv Inventory, a castlefile.Account) (Account, bool) {
	ex, ok := inv.AccountByEmail(a.Email)
	if !ok {
		return Account{}, false
	}
	if strings.EqualFold(ex.Name, a.Name) {
		return ex, true
	}
	if env.Journal != nil {
		if id, ok := env.Journal.Resource(Section, "account:"+a.Name); ok && id == ex.ID {
			return ex, true
		}
	}
	return Account{}, false
}

// defaults fills empty answers: the Sandbox OU, and an owner from People.
func defaults(env *steps.Env) {
	for i := range env.Answers.Environments {
		a := &env.Answers.Environments[i]
		if a.OU == "" {
			a.OU = "Sandbox"
			if lz := env.Answers.LandingZone.SandboxOU; lz != "" {
				a.OU = lz
			}
		}
		if a.Owner == "" && len(env.Answers.People) > 0 {
			a.Owner = env.Answers.People[0].UserName
		}
	}
}

// Plan shows one action per new account, and the portfolio access.
func (section) Plan(ctx context.Context, env *steps.Env) (steps.Plan, error) {
	p := steps.Plan{Section: steps.Environments}
	inv, err := inventory(ctx, env)
	if errors.Is(err, errNoOrganization) || (err == nil && inv.Product.ID == "") {
		return p, &steps.UserError{Message: "Account Factory is not there yet: it comes with the landing zone.",
			Next: "Do the Landing zone section first, then come back."}
	}
	if err != nil {
		return p, err
	}
	defaults(env)
	if err := validateAll(env, inv); err != nil {
		return p, err
	}
	p.Actions = append(p.Actions, accessAction(ctx, env, inv))
	n := 0
	for _, a := range env.Answers.Environments {
		act := steps.Action{Key: opKey(ProvisionedName(a.Name)), Title: "Create account " + a.Name,
			Why: fmt.Sprintf("A separate account for %s, in OU %s, owned by %s.", a.Name, a.OU, ownerLabel(env, inv, a))}
		if ex, ok := exists(env, inv, a); ok {
			act.Skip, act.SkipReason = true, fmt.Sprintf("account %s (%s) exists", ex.ID, ex.Email)
		} else {
			n++
			act.Cost = loadCosts().Baseline.String()
			act.Commands = []string{env.AWSCommand("servicecatalog provision-product --product-id %s --provisioning-artifact-id %s "+
				"--provisioned-product-name %s --provision-token <new token> --provisioning-parameters "+
				"Key=AccountName,Value='%s' Key=AccountEmail,Value=%s Key=ManagedOrganizationalUnit,Value='%s' "+
				"Key=SSOUserEmail,Value=%s Key=SSOUserFirstName,Value='%s' Key=SSOUserLastName,Value='%s'",
				inv.Product.ID, inv.Product.ArtifactID, ProvisionedName(a.Name), a.Name, a.Email, a.OU,
				ownerOf(env, inv, a).Email, ownerOf(env, inv, a).GivenName, ownerOf(env, inv, a).FamilyName)}
		}
		p.Actions = append(p.Actions, act)
	}
	c := loadCosts()
	if n == 0 {
		p.Summary = "Every account you listed exists."
		if len(env.Answers.Environments) == 0 {
			p.Summary = "No new account asked for: add one on the Environments screen or under environments: in castle.yaml."
		}
		p.MonthlyCost = "nothing new"
		if !p.Actions[0].Skip {
			p.Actions[0].Skip, p.Actions[0].SkipReason = true, "no account to create"
		}
	} else {
		p.Summary = fmt.Sprintf("Create %s through Account Factory, up to %d at a time.", plural(n, "account", "accounts"), MaxConcurrent)
		p.MonthlyCost = fmt.Sprintf("%s in all (the accounts are free; this is what Control Tower turns on in them: %s)",
			c.Baseline.Times(n).String(), c.Baseline.What)
		p.SpendsMoney = true
	}
	p.Duration = time.Duration((n+MaxConcurrent-1)/MaxConcurrent) * Expected
	left := DefaultAccountQuota - len(inv.Accounts)
	p.Notes = append(p.Notes, fmt.Sprintf("Your organization has %d accounts; with the default quota of %d, %d more fit (raise it in Service Quotas → AWS Organizations).",
		len(inv.Accounts), DefaultAccountQuota, max(left, 0)))
	if n > left {
		p.Notes = append(p.Notes, fmt.Sprintf("That is fewer than the %d you asked for: the extra ones will fail until the quota is raised.", n))
	}
	if n > MaxConcurrent {
		p.Notes = append(p.Notes, fmt.Sprintf("Control Tower works on %d accounts at once; castle queues the others and starts each as a slot frees up.", MaxConcurrent))
	}
	return p, nil
}

// owner is who gets administrator access to an account.
type owner struct{ Email, GivenName, FamilyName string }

func ownerOf(env *steps.Env, inv Inventory, a castlefile.Account) owner {
	for _, u := range env.Answers.People {
		if strings.EqualFold(u.UserName, a.Owner) || strings.EqualFold(u.Email, a.Owner) {
			return owner{u.Email, u.GivenName, u.FamilyName}
		}
	}
	for _, u := range inv.Users {
		if strings.EqualFold(u.UserName, a.Owner) || strings.EqualFold(u.Email, a.Owner) {
			given, family, _ := strings.Cut(strings.TrimSpace(u.DisplayName), " ")
			if given == "" {
				given = u.UserName
			}
			if family == "" {
				family = "-"
			}
			return owner{u.Email, given, family}
		}
	}
	if strings.Contains(a.Owner, "@") {
		local := a.Owner[:strings.IndexByte(a.Owner, '@')]
		return owner{a.Owner, local, "Owner"}
	}
	// Without an owner, the account's own email gets the user.
	return owner{a.Email, "Account", "Owner"}
}

func ownerLabel(env *steps.Env, inv Inventory, a castlefile.Account) string {
	if a.Owner != "" {
		return a.Owner
	}
	return ownerOf(env, inv, a).Email
}

// accessAction is the portfolio association Apply would make, skipped when
// the caller can already launch Account Factory. Read-only.
func accessAction(ctx context.Context, env *steps.Env, inv Inventory) steps.Action {
	a := steps.Action{Key: "portfolio-access", Title: "Allow yourself to use Account Factory",
		Why: "Account Factory only launches for identities added to its portfolio."}
	c := sc.NewFromConfig(env.Config)
	if ok, err := canLaunch(ctx, c, inv.Product.ID); err == nil && ok {
		a.Skip, a.SkipReason = true, "you may already use it"
		return a
	}
	principal, kind := SSOPattern, sctypes.PrincipalTypeIamPattern
	if id, err := env.Caller(ctx); err == nil {
		if p, k, err := principalFor(ctx, env, id.ARN); err == nil {
			principal, kind = p, k
		}
	}
	port := "PORTFOLIO"
	if out, err := c.ListPortfoliosForProduct(ctx, &sc.ListPortfoliosForProductInput{ProductId: &inv.Product.ID}); err == nil && len(out.PortfolioDetails) > 0 {
		port = *out.PortfolioDetails[0].Id
	}
	a.Why += " castle adds " + principal + "."
	a.Commands = []string{env.AWSCommand("servicecatalog associate-principal-with-portfolio --portfolio-id %s --principal-type %s --principal-arn '%s'", port, kind, principal)}
	return a
}
