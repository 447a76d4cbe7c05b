package people

import (
	"context"
	"errors"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/castle-aws/castle/steps"
)

// PermissionSet is a permission set of the instance.
type PermissionSet struct {
	ARN         string
	Name        string
	Description string
}

// Account is an account of the organization.
type Account struct {
	ID    string
	Name  string
	Email string
}

// Assignment is one user's permission set on one account.
type Assignment struct {
	UserID        string
	UserName      string
	AccountID     string
	AccountName   string
	PermissionSet string // name
	SetARN        string
}

// PermissionSets lists the instance's permission sets, sorted by name.
func PermissionSets(ctx context.Context, env *steps.Env, instanceARN string) ([]PermissionSet, error) {
	c := ssoadmin.NewFromConfig(env.Config)
	p := ssoadmin.NewListPermissionSetsPaginator(c, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(instanceARN)})
	var sets []PermissionSet
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, steps.Explain(err, env)
		}
		for _, arn := range out.PermissionSets {
			d, err := c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn)})
			if err != nil {
				return nil, steps.Explain(err, env)
			}
			sets = append(sets, PermissionSet{ARN: arn, Name: aws.ToString(d.PermissionSet.Name), Description: aws.ToString(d.PermissionSet.Description)})
		}
	}
	sort.Slice(sets, func(i, j int) bool { return sets[i].Name < sets[j].Name })
	return sets, nil
}

// Accounts lists the organization's accounts (empty without an organization).
func Accounts(ctx context.Context, env *steps.Env) ([]Account, error) {
	c := organizations.NewFromConfig(env.Config)
	p := organizations.NewListAccountsPaginator(c, &organizations.ListAccountsInput{})
	var out []Account
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		var notInUse *orgtypes.AWSOrganizationsNotInUseException
		if errors.As(err, &notInUse) {
			return nil, nil
		}
		if err != nil {
			return nil, steps.Explain(err, env)
		}
		for _, a := range page.Accounts {
			if a.Status == orgtypes.AccountStatusSuspended || a.State == orgtypes.AccountStateClosed || a.State == orgtypes.AccountStateSuspended {
				continue
			}
			out = append(out, Account{ID: aws.ToString(a.Id), Name: aws.ToString(a.Name), Email: aws.ToString(a.Email)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// UserAssignments lists what one user holds, with names filled from sets and accounts.
func UserAssignments(ctx context.Context, env *steps.Env, instanceARN string, u User, sets []PermissionSet, accounts []Account) ([]Assignment, error) {
	c := ssoadmin.NewFromConfig(env.Config)
	p := ssoadmin.NewListAccountAssignmentsForPrincipalPaginator(c, &ssoadmin.ListAccountAssignmentsForPrincipalInput{
		InstanceArn: aws.String(instanceARN), PrincipalId: aws.String(u.ID), PrincipalType: types.PrincipalTypeUser})
	var out []Assignment
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, steps.Explain(err, env)
		}
		for _, a := range page.AccountAssignments {
			as := Assignment{UserID: u.ID, UserName: u.UserName, AccountID: aws.ToString(a.AccountId), SetARN: aws.ToString(a.PermissionSetArn)}
			as.PermissionSet = as.SetARN
			for _, s := range sets {
				if s.ARN == as.SetARN {
					as.PermissionSet = s.Name
				}
			}
			as.AccountName = as.AccountID
			for _, acct := range accounts {
				if acct.ID == as.AccountID {
					as.AccountName = acct.Name
				}
			}
			out = append(out, as)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].AccountName != out[j].AccountName {
			return out[i].AccountName < out[j].AccountName
		}
		return out[i].PermissionSet < out[j].PermissionSet
	})
	return out, nil
}
