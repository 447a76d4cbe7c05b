package environments

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/controltower"
	cttypes "github.com/aws/aws-sdk-go-v2/service/controltower/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	sc "github.com/aws/aws-sdk-go-v2/service/servicecatalog"
	sctypes "github.com/aws/aws-sdk-go-v2/service/servicecatalog/types"

	"github.com/castle-aws/castle/steps"
	sp "github.com/castle-aws/castle/steps/people"
)

// Inventory is what discovery found: the organization's accounts and OUs,
// the Account Factory product, and its provisioned products.
type Inventory struct {
	OrgID    string
	Accounts []Account
	OUs      []OU
	// Product is the Account Factory product; zero when there is none yet.
	Product Product
	// Provisioned are Account Factory's provisioned products by name.
	Provisioned map[string]Provision
	// Users are the IAM Identity Center users who can own an account.
	Users []sp.User
}

// Account is one account of the organization.
type Account struct {
	ID, Name, Email, Status string
	OU                      string // name of its OU, "Root" at the top
}

// OU is an organizational unit.
type OU struct {
	ID, Name, ARN string
	// Registered is whether Control Tower governs it; RegisteredKnown is
	// false when castle could not find out.
	Registered, RegisteredKnown bool
}

// Product is the Account Factory product.
type Product struct {
	ID         string // prod-…, what ProvisionProduct takes
	ViewID     string // prodview-…, what the console shows
	ArtifactID string // the active provisioning artifact (pa-…)
}

// Provision is one provisioned product of Account Factory.
type Provision struct {
	ID, Name, Status, Message, RecordID, AccountID string
	Token                                          string // the ProvisionToken it was asked with
	Created                                        time.Time
}

// InFlight reports whether Control Tower is still working on it.
func (p Provision) InFlight() bool {
	return p.Status == string(sctypes.ProvisionedProductStatusUnderChange) || p.Status == string(sctypes.ProvisionedProductStatusPlanInProgress)
}

// AccountByEmail finds an account by email (case-insensitive).
func (inv Inventory) AccountByEmail(email string) (Account, bool) {
	for _, a := range inv.Accounts {
		if strings.EqualFold(a.Email, email) {
			return a, true
		}
	}
	return Account{}, false
}

// AccountByName finds an account by its name or id.
func (inv Inventory) AccountByName(name string) (Account, bool) {
	for _, a := range inv.Accounts {
		if a.ID == name || strings.EqualFold(a.Name, name) {
			return a, true
		}
	}
	return Account{}, false
}

// OUByName finds an OU by name (case-insensitive).
func (inv Inventory) OUByName(name string) (OU, bool) {
	for _, o := range inv.OUs {
		if strings.EqualFold(o.Name, name) || o.ID == name {
			return o, true
		}
	}
	return OU{}, false
}

// Domains are the email domains of the organization's accounts, most used first.
func (inv Inventory) Domains() []string {
	count := map[string]int{}
	for _, a := range inv.Accounts {
		if i := strings.LastIndexByte(a.Email, '@'); i >= 0 {
			count[strings.ToLower(a.Email[i+1:])]++
		}
	}
	out := make([]string, 0, len(count))
	for d := range count {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool {
		if count[out[i]] != count[out[j]] {
			return count[out[i]] > count[out[j]]
		}
		return out[i] < out[j]
	})
	return out
}

// SuggestEmail proposes an account email: the name and its environment
// ("Bot.prod" → bot+prod@domain) at the domain the organization's accounts
// use most. It returns "" when no domain is known.
func SuggestEmail(name string, inv Inventory) string {
	d := inv.Domains()
	if len(d) == 0 || strings.TrimSpace(name) == "" {
		return ""
	}
	base, env := strings.TrimSpace(name), ""
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		base, env = base[:i], base[i+1:]
	}
	clean := func(s string) string {
		var b strings.Builder
		for _, r := range strings.ToLower(s) {
			switch {
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '.':
				b.WriteRune(r)
			case r == ' ' || r == '_':
				b.WriteByte('-')
			}
		}
		return strings.Trim(b.String(), "-.")
	}
	local := clean(base)
	if e := clean(env); e != "" {
		local += "+" + e
	}
	if local == "" {
		return ""
	}
	return local + "@" + d[0]
}

// Load runs discovery's read-only calls and returns what it found (for
// screens, from a tea.Cmd).
func Load(ctx context.Context, env *steps.Env) (Inventory, error) {
	inv, err := inventory(ctx, env)
	if errors.Is(err, errNoOrganization) {
		return inv, &steps.UserError{Message: "There is no organization yet, so no account can be created.",
			Next: "Do the Landing zone section first."}
	}
	return inv, err
}

// last remembers the newest inventory per env, for the screen's form.
var last sync.Map // *steps.Env → Inventory

// Known returns the inventory the last discovery found for env, for forms
// (which must not call AWS).
func Known(env *steps.Env) (Inventory, bool) {
	v, ok := last.Load(env)
	if !ok {
		return Inventory{}, false
	}
	return v.(Inventory), true
}

// errNoOrganization means there is no organization yet.
var errNoOrganization = errors.New("no organization")

// inventory reads the organization and Account Factory. It changes nothing.
func inventory(ctx context.Context, env *steps.Env) (Inventory, error) {
	inv := Inventory{Provisioned: map[string]Provision{}}
	org := organizations.NewFromConfig(env.Config)
	d, err := org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	var notInUse *orgtypes.AWSOrganizationsNotInUseException
	if errors.As(err, &notInUse) {
		return inv, errNoOrganization
	}
	if err != nil {
		return inv, explain(err, env)
	}
	inv.OrgID = aws.ToString(d.Organization.Id)
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		return inv, explain(err, env)
	}
	for _, r := range roots.Roots {
		if err := walk(ctx, org, aws.ToString(r.Id), "Root", &inv); err != nil {
			return inv, explain(err, env)
		}
	}
	registered(ctx, env, &inv)
	if inst, err := sp.FindInstance(ctx, env); err == nil {
		inv.Users, _ = sp.ListUsers(ctx, env, inst.StoreID) // owners to pick from; optional
	}
	if err := findProduct(ctx, env, &inv); err != nil {
		return inv, err
	}
	if inv.Product.ID != "" {
		if err := provisioned(ctx, env, &inv); err != nil {
			return inv, err
		}
	}
	last.Store(env, inv)
	return inv, nil
}

// walk lists the accounts under a parent and recurses into its OUs.
func walk(ctx context.Context, org *organizations.Client, parent, parentName string, inv *Inventory) error {
	accts := organizations.NewListAccountsForParentPaginator(org, &organizations.ListAccountsForParentInput{ParentId: aws.String(parent)})
	for accts.HasMorePages() {
		page, err := accts.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, a := range page.Accounts {
			inv.Accounts = append(inv.Accounts, Account{ID: aws.ToString(a.Id), Name: aws.ToString(a.Name),
				Email: aws.ToString(a.Email), Status: string(a.Status), OU: parentName})
		}
	}
	ous := organizations.NewListOrganizationalUnitsForParentPaginator(org, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent)})
	for ous.HasMorePages() {
		page, err := ous.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, o := range page.OrganizationalUnits {
			inv.OUs = append(inv.OUs, OU{ID: aws.ToString(o.Id), Name: aws.ToString(o.Name), ARN: aws.ToString(o.Arn)})
			if err := walk(ctx, org, aws.ToString(o.Id), aws.ToString(o.Name), inv); err != nil {
				return err
			}
		}
	}
	return nil
}

// ctBaseline is the id of AWSControlTowerBaseline: an OU with it enabled is
// registered with Control Tower.
const ctBaseline = "17BSJV3IGJ2QSGA2"

// registered asks Control Tower which OUs it governs. When it cannot answer
// (no landing zone yet, no permission) the OUs stay "unknown".
func registered(ctx context.Context, env *steps.Env, inv *Inventory) {
	ct := controltower.NewFromConfig(env.Config)
	pages := controltower.NewListEnabledBaselinesPaginator(ct, &controltower.ListEnabledBaselinesInput{})
	reg := map[string]bool{}
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return
		}
		for _, b := range page.EnabledBaselines {
			ok := b.StatusSummary != nil && b.StatusSummary.Status == cttypes.EnablementStatusSucceeded
			if strings.Contains(aws.ToString(b.BaselineIdentifier), ctBaseline) && ok {
				reg[aws.ToString(b.TargetIdentifier)] = true
			}
		}
	}
	for i := range inv.OUs {
		inv.OUs[i].RegisteredKnown = true
		inv.OUs[i].Registered = reg[inv.OUs[i].ARN]
	}
}

// findProduct finds Account Factory and its active provisioning artifact.
func findProduct(ctx context.Context, env *steps.Env, inv *Inventory) error {
	c := sc.NewFromConfig(env.Config)
	pages := sc.NewSearchProductsAsAdminPaginator(c, &sc.SearchProductsAsAdminInput{
		Filters: map[string][]string{"FullTextSearch": {ProductName}}})
	for pages.HasMorePages() && inv.Product.ID == "" {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return explain(err, env)
		}
		for _, d := range page.ProductViewDetails {
			v := d.ProductViewSummary
			if v != nil && aws.ToString(v.Name) == ProductName {
				// The view id (prodview-…) is not the product id (prod-…).
				inv.Product = Product{ID: aws.ToString(v.ProductId), ViewID: aws.ToString(v.Id)}
				break
			}
		}
	}
	if inv.Product.ID == "" {
		return nil
	}
	arts, err := c.ListProvisioningArtifacts(ctx, &sc.ListProvisioningArtifactsInput{ProductId: aws.String(inv.Product.ID)})
	if err != nil {
		return explain(err, env)
	}
	var newest time.Time
	for _, a := range arts.ProvisioningArtifactDetails {
		if !aws.ToBool(a.Active) || a.Guidance == sctypes.ProvisioningArtifactGuidanceDeprecated {
			continue
		}
		if t := aws.ToTime(a.CreatedTime); inv.Product.ArtifactID == "" || t.After(newest) {
			inv.Product.ArtifactID, newest = aws.ToString(a.Id), t
		}
	}
	return nil
}

// provisioned lists Account Factory's provisioned products.
func provisioned(ctx context.Context, env *steps.Env, inv *Inventory) error {
	c := sc.NewFromConfig(env.Config)
	pages := sc.NewSearchProvisionedProductsPaginator(c, &sc.SearchProvisionedProductsInput{
		AccessLevelFilter: &sctypes.AccessLevelFilter{Key: sctypes.AccessLevelFilterKeyAccount, Value: aws.String("self")},
		Filters:           map[string][]string{"SearchQuery": {"type:CONTROL_TOWER_ACCOUNT"}}})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return explain(err, env)
		}
		for _, p := range page.ProvisionedProducts {
			if aws.ToString(p.ProductId) != inv.Product.ID {
				continue
			}
			name := aws.ToString(p.Name)
			inv.Provisioned[name] = Provision{ID: aws.ToString(p.Id), Name: name, Status: string(p.Status),
				Message: aws.ToString(p.StatusMessage), RecordID: aws.ToString(p.LastRecordId),
				AccountID: aws.ToString(p.PhysicalId), Token: aws.ToString(p.IdempotencyToken), Created: aws.ToTime(p.CreatedTime)}
		}
	}
	return nil
}
