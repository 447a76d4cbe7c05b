package landingzone

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/castle-aws/castle/steps"
)

// Account is a member account of the organization.
type Account struct {
	ID, Name, Email, Parent string
}

// OU is an organizational unit under the root.
type OU struct{ ID, ARN string }

// LandingZone is what Control Tower reports.
type LandingZone struct {
	ARN, Status, Version, Latest, Drift, HomeRegion string
	Governed                                        []string
	LogAccount, AuditAccount                        string
}

// Facts are what discovery found.
type Facts struct {
	Caller          string
	OrgID           string
	FeatureSet      string
	ManagementID    string
	ManagementEmail string
	RootID          string
	OUs             map[string]OU // by name, children of the root
	Accounts        []Account
	Log, Audit      *Account
	// Pending are CreateAccount requests still IN_PROGRESS, by account name → request id.
	Pending map[string]string
	Roles   map[string]bool
	// BadRoles exist with a path other than /service-role/, which Control Tower refuses.
	BadRoles []string
	LZ       *LandingZone
	// LZOp is a landing-zone operation in flight, whoever started it.
	LZOp *steps.Operation
	// SandboxRegistered: AWSControlTowerBaseline is enabled on the Sandbox OU;
	// RegisterOp is its enable operation still running.
	SandboxRegistered bool
	RegisterOp        *steps.Operation
	PortalURL         string
}

// InOrg reports whether an organization exists.
func (f *Facts) InOrg() bool { return f.OrgID != "" }

// IsManagement reports whether the caller is the organization's management account.
func (f *Facts) IsManagement() bool { return f.InOrg() && f.Caller == f.ManagementID }

func (f *Facts) account(id string) *Account {
	for i := range f.Accounts {
		if f.Accounts[i].ID == id {
			return &f.Accounts[i]
		}
	}
	return nil
}

func (f *Facts) byEmail(email string) *Account {
	if email == "" {
		return nil
	}
	for i := range f.Accounts {
		if strings.EqualFold(f.Accounts[i].Email, email) {
			return &f.Accounts[i]
		}
	}
	return nil
}

var (
	lastMu    sync.Mutex
	lastFacts *Facts
)

// remember keeps a copy of the latest facts for the form's validation (it
// may not call AWS), so Apply can go on changing its own.
func remember(f *Facts) {
	c := f.clone()
	lastMu.Lock()
	lastFacts = c
	lastMu.Unlock()
}

func (f *Facts) clone() *Facts {
	c := *f
	c.Accounts = append([]Account(nil), f.Accounts...)
	c.OUs, c.Pending, c.Roles = map[string]OU{}, map[string]string{}, map[string]bool{}
	for k, v := range f.OUs {
		c.OUs[k] = v
	}
	for k, v := range f.Pending {
		c.Pending[k] = v
	}
	for k, v := range f.Roles {
		c.Roles[k] = v
	}
	c.BadRoles = append([]string(nil), f.BadRoles...)
	if f.LZ != nil {
		lz := *f.LZ
		lz.Governed = append([]string(nil), f.LZ.Governed...)
		c.LZ = &lz
	}
	if f.LZOp != nil {
		op := *f.LZOp
		c.LZOp = &op
	}
	if f.RegisterOp != nil {
		op := *f.RegisterOp
		c.RegisterOp = &op
	}
	if f.Log != nil {
		c.Log = c.account(f.Log.ID)
	}
	if f.Audit != nil {
		c.Audit = c.account(f.Audit.ID)
	}
	return &c
}

// LastFacts returns what the latest discovery found (nil before the first).
func LastFacts() *Facts {
	lastMu.Lock()
	defer lastMu.Unlock()
	return lastFacts
}

// readOrganization fills the organization part of the facts.
func readOrganization(ctx context.Context, env *steps.Env, f *Facts) error {
	c := organizations.NewFromConfig(env.Config)
	out, err := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	var notInUse *orgtypes.AWSOrganizationsNotInUseException
	if errors.As(err, &notInUse) {
		return nil
	}
	if err != nil {
		return explain(err, env)
	}
	o := out.Organization
	f.OrgID, f.FeatureSet = aws.ToString(o.Id), string(o.FeatureSet)
	f.ManagementID, f.ManagementEmail = aws.ToString(o.MasterAccountId), aws.ToString(o.MasterAccountEmail)
	if !f.IsManagement() {
		return nil
	}
	roots, err := c.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		return explain(err, env)
	}
	if len(roots.Roots) > 0 {
		f.RootID = aws.ToString(roots.Roots[0].Id)
	}
	ous := organizations.NewListOrganizationalUnitsForParentPaginator(c, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(f.RootID)})
	for ous.HasMorePages() {
		p, err := ous.NextPage(ctx)
		if err != nil {
			return explain(err, env)
		}
		for _, ou := range p.OrganizationalUnits {
			f.OUs[aws.ToString(ou.Name)] = OU{ID: aws.ToString(ou.Id), ARN: aws.ToString(ou.Arn)}
		}
	}
	parents := map[string]string{}
	for _, parent := range append([]string{f.RootID}, ouIDs(f.OUs)...) {
		pg := organizations.NewListAccountsForParentPaginator(c, &organizations.ListAccountsForParentInput{ParentId: aws.String(parent)})
		for pg.HasMorePages() {
			p, err := pg.NextPage(ctx)
			if err != nil {
				return explain(err, env)
			}
			for _, a := range p.Accounts {
				parents[aws.ToString(a.Id)] = parent
			}
		}
	}
	all := organizations.NewListAccountsPaginator(c, &organizations.ListAccountsInput{})
	for all.HasMorePages() {
		p, err := all.NextPage(ctx)
		if err != nil {
			return explain(err, env)
		}
		for _, a := range p.Accounts {
			if a.State != orgtypes.AccountStateActive && a.State != "" {
				continue
			}
			id := aws.ToString(a.Id)
			f.Accounts = append(f.Accounts, Account{ID: id, Name: aws.ToString(a.Name), Email: aws.ToString(a.Email), Parent: parents[id]})
		}
	}
	reqs := organizations.NewListCreateAccountStatusPaginator(c, &organizations.ListCreateAccountStatusInput{States: []orgtypes.CreateAccountState{orgtypes.CreateAccountStateInProgress}})
	for reqs.HasMorePages() {
		p, err := reqs.NextPage(ctx)
		if err != nil {
			return explain(err, env)
		}
		for _, s := range p.CreateAccountStatuses {
			f.Pending[aws.ToString(s.AccountName)] = aws.ToString(s.Id)
		}
	}
	return nil
}

func ouIDs(m map[string]OU) []string {
	var out []string
	for _, ou := range m {
		out = append(out, ou.ID)
	}
	return out
}
