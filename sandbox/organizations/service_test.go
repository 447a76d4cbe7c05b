package organizations_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/castle-aws/castle/sandbox"
	sbiam "github.com/castle-aws/castle/sandbox/iam"
	sborg "github.com/castle-aws/castle/sandbox/organizations"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/sandbox/sts"
	"github.com/castle-aws/castle/sandbox/world"
)

func start(t *testing.T, f sandbox.Faults) (*sandboxtest.Sandbox, *organizations.Client) {
	sb := sandboxtest.Start(t, sandbox.Options{Speed: 1, Faults: f, Services: []world.Service{sts.New(), sbiam.New(), sborg.New()}})
	return sb, organizations.NewFromConfig(sb.Admin())
}

func TestOrganizationLifecycle(t *testing.T) {
	ctx := context.Background()
	sb, c := start(t, sandbox.Faults{})
	_, err := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	var notInUse *types.AWSOrganizationsNotInUseException
	if !errors.As(err, &notInUse) {
		t.Fatalf("want AWSOrganizationsNotInUseException, got %v", err)
	}
	if _, err := c.ListRoots(ctx, &organizations.ListRootsInput{}); !errors.As(err, &notInUse) {
		t.Fatalf("ListRoots before the organization: want AWSOrganizationsNotInUseException, got %v", err)
	}
	out, err := c.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: types.OrganizationFeatureSetAll})
	if err != nil {
		t.Fatal(err)
	}
	if out.Organization.FeatureSet != types.OrganizationFeatureSetAll || aws.ToString(out.Organization.MasterAccountEmail) != "owner@example.com" {
		t.Fatalf("organization %+v", out.Organization)
	}
	_, err = c.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: types.OrganizationFeatureSetAll})
	var already *types.AlreadyInOrganizationException
	if !errors.As(err, &already) {
		t.Fatalf("want AlreadyInOrganizationException, got %v", err)
	}
	roots, err := c.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil || len(roots.Roots) != 1 {
		t.Fatalf("roots %v %v", roots, err)
	}
	root := aws.ToString(roots.Roots[0].Id)
	ou, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String("Security")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String("Security")})
	var dup *types.DuplicateOrganizationalUnitException
	if !errors.As(err, &dup) {
		t.Fatalf("want DuplicateOrganizationalUnitException, got %v", err)
	}
	_, err = c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String("ou-none-12345678"), Name: aws.String("X")})
	var pnf *types.ParentNotFoundException
	if !errors.As(err, &pnf) {
		t.Fatalf("want ParentNotFoundException, got %v", err)
	}

	// CreateAccount is asynchronous; a duplicate email fails in the status, not the call.
	ca, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("Log Archive"), Email: aws.String("me+log@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	if ca.CreateAccountStatus.State != types.CreateAccountStateInProgress {
		t.Fatalf("state %s", ca.CreateAccountStatus.State)
	}
	dupe, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("Dup"), Email: aws.String("OWNER@example.com")})
	if err != nil {
		t.Fatalf("a duplicate email must not be an API error: %v", err)
	}
	sb.Clock().Advance(sborg.CreateDuration + time.Second)
	st, err := c.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: ca.CreateAccountStatus.Id})
	if err != nil || st.CreateAccountStatus.State != types.CreateAccountStateSucceeded {
		t.Fatalf("status %+v %v", st, err)
	}
	acct := aws.ToString(st.CreateAccountStatus.AccountId)
	st, err = c.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: dupe.CreateAccountStatus.Id})
	if err != nil || st.CreateAccountStatus.State != types.CreateAccountStateFailed || st.CreateAccountStatus.FailureReason != types.CreateAccountFailureReasonEmailAlreadyExists {
		t.Fatalf("duplicate status %+v %v", st.CreateAccountStatus, err)
	}
	sb.World.Lock()
	_, hasRole := sbiam.From(sb.World).Role(acct, "OrganizationAccountAccessRole")
	inUse := sborg.From(sb.World).EmailInUse("ME+LOG@example.com")
	sb.World.Unlock()
	if !hasRole || !inUse {
		t.Fatalf("role %v, email in use %v", hasRole, inUse)
	}

	if _, err := c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(acct), SourceParentId: aws.String(root), DestinationParentId: ou.OrganizationalUnit.Id}); err != nil {
		t.Fatal(err)
	}
	_, err = c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(acct), SourceParentId: aws.String(root), DestinationParentId: ou.OrganizationalUnit.Id})
	var dupAcct *types.DuplicateAccountException
	if !errors.As(err, &dupAcct) {
		t.Fatalf("second move: want DuplicateAccountException, got %v", err)
	}
	parents, err := c.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(acct)})
	if err != nil || aws.ToString(parents.Parents[0].Id) != aws.ToString(ou.OrganizationalUnit.Id) || parents.Parents[0].Type != types.ParentTypeOrganizationalUnit {
		t.Fatalf("parents %+v %v", parents, err)
	}
	_, err = c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String("999999999999")})
	var anf *types.AccountNotFoundException
	if !errors.As(err, &anf) {
		t.Fatalf("want AccountNotFoundException, got %v", err)
	}
}

func TestPaginationAndAccountLimit(t *testing.T) {
	ctx := context.Background()
	sb, c := start(t, sandbox.Faults{Throttle: 0.3, Seed: 3})
	if _, err := c.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: types.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < sborg.AccountLimit; i++ {
		if _, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(fmt.Sprint("a", i)), Email: aws.String(fmt.Sprintf("me+%d@example.com", i))}); err != nil {
			t.Fatalf("account %d: %v", i, err)
		}
	}
	_, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("one too many"), Email: aws.String("me+x@example.com")})
	var cv *types.ConstraintViolationException
	if !errors.As(err, &cv) || cv.Reason != types.ConstraintViolationExceptionReasonAccountNumberLimitExceeded {
		t.Fatalf("want ConstraintViolationException ACCOUNT_NUMBER_LIMIT_EXCEEDED, got %v", err)
	}
	sb.Clock().Advance(10 * time.Minute)
	p := organizations.NewListAccountsPaginator(c, &organizations.ListAccountsInput{})
	n, pages := 0, 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, a := range out.Accounts {
			if a.State != types.AccountStateActive {
				t.Fatalf("account %s state %s", aws.ToString(a.Id), a.State)
			}
			n++
		}
	}
	if n != sborg.AccountLimit || pages < 2 {
		t.Fatalf("listed %d accounts in %d pages", n, pages)
	}
}
