package servicecatalog_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sc "github.com/aws/aws-sdk-go-v2/service/servicecatalog"
	"github.com/aws/aws-sdk-go-v2/service/servicecatalog/types"
	"github.com/aws/smithy-go"

	"github.com/castle-aws/castle/sandbox"
	sbiam "github.com/castle-aws/castle/sandbox/iam"
	sbids "github.com/castle-aws/castle/sandbox/identitystore"
	sborg "github.com/castle-aws/castle/sandbox/organizations"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/sandbox/servicecatalog"
	"github.com/castle-aws/castle/sandbox/servicecatalog/sctest"
	sbsso "github.com/castle-aws/castle/sandbox/ssoadmin"
	"github.com/castle-aws/castle/sandbox/world"
)

func setup(t *testing.T) (*sandboxtest.Sandbox, *sc.Client, *servicecatalog.Product) {
	t.Helper()
	sb := sandboxtest.Start(t, sandbox.Options{Speed: 1})
	c := sc.NewFromConfig(sb.Admin())
	out, err := c.SearchProductsAsAdmin(context.Background(), &sc.SearchProductsAsAdminInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ProductViewDetails) != 0 {
		t.Fatalf("Account Factory exists before any landing zone: %+v", out.ProductViewDetails)
	}
	lz := sctest.Setup(t, sb)
	p := lz.Product
	return sb, c, p
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func params(name, email string) []types.ProvisioningParameter {
	kv := map[string]string{"AccountName": name, "AccountEmail": email, "ManagedOrganizationalUnit": "Sandbox",
		"SSOUserEmail": "ana@example.com", "SSOUserFirstName": "Ana", "SSOUserLastName": "Lima"}
	var out []types.ProvisioningParameter
	for k, v := range kv {
		out = append(out, types.ProvisioningParameter{Key: aws.String(k), Value: aws.String(v)})
	}
	return out
}

func provision(c *sc.Client, p *servicecatalog.Product, name, email, token string) (*sc.ProvisionProductOutput, error) {
	return c.ProvisionProduct(context.Background(), &sc.ProvisionProductInput{
		ProductId: aws.String(p.ID), ProvisioningArtifactId: aws.String(p.ArtifactID),
		ProvisionedProductName: aws.String(name), ProvisionToken: aws.String(token),
		ProvisioningParameters: params(name, email)})
}

func associateAdmin(t *testing.T, c *sc.Client, p *servicecatalog.Product) {
	t.Helper()
	_, err := c.AssociatePrincipalWithPortfolio(context.Background(), &sc.AssociatePrincipalWithPortfolioInput{
		PortfolioId: aws.String(p.PortfolioID), PrincipalARN: aws.String(world.AdminARN), PrincipalType: types.PrincipalTypeIam})
	if err != nil {
		t.Fatal(err)
	}
}

func TestLaunchPathNeedsAssociationAndProdviewIsNotProd(t *testing.T) {
	sb, c, p := setup(t)
	ctx := context.Background()
	out, err := c.SearchProductsAsAdmin(ctx, &sc.SearchProductsAsAdminInput{Filters: map[string][]string{"FullTextSearch": {servicecatalog.ProductName}}})
	if err != nil || len(out.ProductViewDetails) != 1 {
		t.Fatalf("search: %v %+v", err, out)
	}
	sum := out.ProductViewDetails[0].ProductViewSummary
	if !strings.HasPrefix(aws.ToString(sum.Id), "prodview-") || aws.ToString(sum.ProductId) != p.ID || !strings.HasPrefix(p.ID, "prod-") {
		t.Fatalf("ids: view %s product %s", aws.ToString(sum.Id), aws.ToString(sum.ProductId))
	}
	_, err = c.DescribeProduct(ctx, &sc.DescribeProductInput{Id: aws.String(p.ID)})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) || !strings.Contains(nf.ErrorMessage(), "No launch paths found for resource: "+p.ID) {
		t.Fatalf("want no launch paths, got %v", err)
	}
	if _, err := provision(c, p, "a1", "a1@example.com", "tok-1"); code(err) != "ResourceNotFoundException" {
		t.Fatalf("provision without association: %v", err)
	}
	end, err := c.SearchProducts(ctx, &sc.SearchProductsInput{})
	if err != nil || len(end.ProductViewSummaries) != 0 {
		t.Fatalf("end-user search sees the product before association: %v %+v", err, end)
	}
	associateAdmin(t, c, p)
	d, err := c.DescribeProduct(ctx, &sc.DescribeProductInput{Id: aws.String(p.ID)})
	if err != nil || len(d.LaunchPaths) != 1 || aws.ToString(d.ProvisioningArtifacts[0].Id) != p.ArtifactID {
		t.Fatalf("describe after association: %v %+v", err, d)
	}
	// The product view id is not the product id.
	_, err = c.ProvisionProduct(ctx, &sc.ProvisionProductInput{ProductId: sum.Id, ProvisioningArtifactId: aws.String(p.ArtifactID),
		ProvisionedProductName: aws.String("a1"), ProvisionToken: aws.String("tok-2"), ProvisioningParameters: params("a1", "a1@example.com")})
	if !errors.As(err, &nf) {
		t.Fatalf("provision with prodview id: %v", err)
	}
	_ = sb
}

func TestSSOPatternMatchesReservedRole(t *testing.T) {
	sb, c, p := setup(t)
	ctx := context.Background()
	sb.World.Lock()
	role := sbiam.From(sb.World).PutRole(sb.World, world.ManagementAccount, "/aws-reserved/sso.amazonaws.com/eu-west-1/", "AWSReservedSSO_AWSAdministratorAccess_0123456789abcdef", "{}")
	k := sb.World.IssueKey(world.ManagementAccount, "arn:aws:sts::"+world.ManagementAccount+":assumed-role/"+role.Name+"/ana", role.ID+":ana", time.Hour)
	sb.World.Unlock()
	sso := sc.NewFromConfig(sb.Config(k.AccessKeyID, k.Secret, k.SessionToken))
	if _, err := sso.DescribeProduct(ctx, &sc.DescribeProductInput{Id: aws.String(p.ID)}); code(err) != "ResourceNotFoundException" {
		t.Fatalf("before pattern: %v", err)
	}
	_, err := c.AssociatePrincipalWithPortfolio(ctx, &sc.AssociatePrincipalWithPortfolioInput{PortfolioId: aws.String(p.PortfolioID),
		PrincipalARN: aws.String("arn:aws:iam:::role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_*"), PrincipalType: types.PrincipalTypeIamPattern})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sso.DescribeProduct(ctx, &sc.DescribeProductInput{Id: aws.String(p.ID)}); err != nil {
		t.Fatalf("after pattern: %v", err)
	}
}

func record(t *testing.T, c *sc.Client, id string) *sc.DescribeRecordOutput {
	t.Helper()
	out, err := c.DescribeRecord(context.Background(), &sc.DescribeRecordInput{Id: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestProvisionLifecycleTokenAndDuplicates(t *testing.T) {
	sb, c, p := setup(t)
	associateAdmin(t, c, p)
	out, err := provision(c, p, "Bot.prod", "bot+prod@example.com", "tok-a")
	if err != nil {
		t.Fatal(err)
	}
	recID := aws.ToString(out.RecordDetail.RecordId)
	if out.RecordDetail.Status != types.RecordStatusCreated {
		t.Fatalf("status %s", out.RecordDetail.Status)
	}
	again, err := provision(c, p, "Bot.prod", "bot+prod@example.com", "tok-a")
	if err != nil || aws.ToString(again.RecordDetail.RecordId) != recID {
		t.Fatalf("same token gave %v %v", err, again)
	}
	if _, err := provision(c, p, "Bot.prod", "other@example.com", "tok-b"); code(err) != "DuplicateResourceException" {
		t.Fatalf("taken name: %v", err)
	}
	sb.Clock().Advance(time.Minute)
	if st := record(t, c, recID).RecordDetail.Status; st != types.RecordStatusInProgress {
		t.Fatalf("after a minute: %s", st)
	}
	before := len(sb.World.Accounts)
	sb.Clock().Advance(20 * time.Minute)
	rec := record(t, c, recID)
	if rec.RecordDetail.Status != types.RecordStatusSucceeded {
		t.Fatalf("after 21 minutes: %s %+v", rec.RecordDetail.Status, rec.RecordDetail.RecordErrors)
	}
	var acct string
	for _, o := range rec.RecordOutputs {
		if aws.ToString(o.OutputKey) == "AccountId" {
			acct = aws.ToString(o.OutputValue)
		}
	}
	sb.World.Lock()
	a := sb.World.Accounts[acct]
	n := len(sb.World.Accounts)
	sb.World.Unlock()
	if a == nil || a.Email != "bot+prod@example.com" || !a.Vended || n != before+1 {
		t.Fatalf("account %q: %+v (accounts %d → %d)", acct, a, before, n)
	}
	sb.World.Lock()
	ouID, _, _ := sborg.From(sb.World).OUByName("Sandbox")
	parent := sborg.From(sb.World).ParentOf(acct)
	_, store, _ := sbsso.From(sb.World).Instance()
	uid, ok := sbids.From(sb.World).UserByEmail(store, "ana@example.com")
	admin := ok && sbsso.From(sb.World).Has("AWSAdministratorAccess", uid, acct)
	sb.World.Unlock()
	if parent != ouID || !admin {
		t.Fatalf("account parent %s (want %s), owner has admin: %v", parent, ouID, admin)
	}
	pps, err := c.SearchProvisionedProducts(context.Background(), &sc.SearchProvisionedProductsInput{Filters: map[string][]string{"SearchQuery": {"name:Bot.prod"}}})
	if err != nil || len(pps.ProvisionedProducts) != 1 || pps.ProvisionedProducts[0].Status != types.ProvisionedProductStatusAvailable {
		t.Fatalf("search provisioned: %v %+v", err, pps)
	}
}

func TestEmailInUseFailsTheRecord(t *testing.T) {
	sb, c, p := setup(t)
	associateAdmin(t, c, p)
	out, err := provision(c, p, "Dup", "owner@example.com", "tok-dup") // the management account's email
	if err != nil {
		t.Fatal(err)
	}
	sb.Clock().Advance(3 * time.Minute)
	rec := record(t, c, aws.ToString(out.RecordDetail.RecordId))
	if rec.RecordDetail.Status != types.RecordStatusFailed || len(rec.RecordDetail.RecordErrors) == 0 ||
		!strings.Contains(aws.ToString(rec.RecordDetail.RecordErrors[0].Description), "already used") {
		t.Fatalf("record %+v", rec.RecordDetail)
	}
}

func TestSixthConcurrentOperationFails(t *testing.T) {
	sb, c, p := setup(t)
	associateAdmin(t, c, p)
	var ids []string
	for i := 0; i < 6; i++ {
		out, err := provision(c, p, fmt.Sprintf("acct-%d", i), fmt.Sprintf("a%d@example.com", i), fmt.Sprintf("tok-%d", i))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.ToString(out.RecordDetail.RecordId))
	}
	sb.Clock().Advance(30 * time.Second)
	for i, id := range ids {
		st := record(t, c, id).RecordDetail.Status
		if want := types.RecordStatusInProgress; i == 5 {
			if st != types.RecordStatusFailed {
				t.Fatalf("sixth: %s", st)
			}
		} else if st != want {
			t.Fatalf("record %d: %s", i, st)
		}
	}
	sb.Clock().Advance(20 * time.Minute)
	for _, id := range ids[:5] {
		if st := record(t, c, id).RecordDetail.Status; st != types.RecordStatusSucceeded {
			t.Fatalf("record %s: %s %s", id, st, aws.ToString(record(t, c, id).RecordDetail.RecordErrors[0].Description))
		}
	}
	// With the slots free, a new request is accepted and runs.
	out, err := provision(c, p, "acct-6", "a6@example.com", "tok-6")
	if err != nil {
		t.Fatal(err)
	}
	sb.Clock().Advance(time.Minute)
	if st := record(t, c, aws.ToString(out.RecordDetail.RecordId)).RecordDetail.Status; st != types.RecordStatusInProgress {
		t.Fatalf("after slots freed: %s", st)
	}
}

func TestUnregisteredOUFailsWithControlTowersReason(t *testing.T) {
	sb, c, p := setup(t)
	associateAdmin(t, c, p)
	in := params("W1", "w1@example.com")
	for i := range in {
		if aws.ToString(in[i].Key) == "ManagedOrganizationalUnit" {
			in[i].Value = aws.String("Workloads")
		}
	}
	out, err := c.ProvisionProduct(context.Background(), &sc.ProvisionProductInput{ProductId: aws.String(p.ID),
		ProvisioningArtifactId: aws.String(p.ArtifactID), ProvisionedProductName: aws.String("W1"),
		ProvisionToken: aws.String("tok-w1"), ProvisioningParameters: in})
	if err != nil {
		t.Fatal(err)
	}
	sb.Clock().Advance(3 * time.Minute)
	rec := record(t, c, aws.ToString(out.RecordDetail.RecordId))
	if rec.RecordDetail.Status != types.RecordStatusFailed || !strings.Contains(aws.ToString(rec.RecordDetail.RecordErrors[0].Description), "not registered") {
		t.Fatalf("record %s %+v", rec.RecordDetail.Status, rec.RecordDetail.RecordErrors)
	}
}

func TestAccountQuotaFailsTheRecord(t *testing.T) {
	sb, c, p := setup(t)
	associateAdmin(t, c, p)
	sb.World.Lock()
	org := sborg.From(sb.World)
	for i := len(org.Members); i < sborg.AccountLimit; i++ {
		id := fmt.Sprintf("9000000000%02d", i)
		org.Members[id] = &sborg.Member{ID: id, Email: fmt.Sprintf("m%d@example.com", i), Parent: org.Org.RootID}
	}
	sb.World.Unlock()
	out, err := provision(c, p, "Full", "full@example.com", "tok-full")
	if err != nil {
		t.Fatal(err)
	}
	sb.Clock().Advance(3 * time.Minute)
	rec := record(t, c, aws.ToString(out.RecordDetail.RecordId))
	if rec.RecordDetail.Status != types.RecordStatusFailed || !strings.Contains(aws.ToString(rec.RecordDetail.RecordErrors[0].Description), "limit") {
		t.Fatalf("record %s %+v", rec.RecordDetail.Status, rec.RecordDetail.RecordErrors)
	}
}
