package identitystore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/types"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/sandbox/ssoadmin"
	"github.com/castle-aws/castle/sandbox/world"
)

func start(t *testing.T) (*identitystore.Client, string, *sandboxtest.Sandbox) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	sb.World.Lock()
	_, store := ssoadmin.From(sb.World).EnableInstance(sb.World, world.ManagementAccount, sandboxtest.Region)
	sb.World.Unlock()
	return identitystore.NewFromConfig(sb.Admin()), store, sb
}

func create(c *identitystore.Client, store, name, email string) (*identitystore.CreateUserOutput, error) {
	return c.CreateUser(context.Background(), &identitystore.CreateUserInput{
		IdentityStoreId: aws.String(store), UserName: aws.String(name), DisplayName: aws.String("D " + name),
		Name:   &types.Name{GivenName: aws.String("G"), FamilyName: aws.String("F")},
		Emails: []types.Email{{Value: aws.String(email), Type: aws.String("work"), Primary: true}},
	})
}

func TestCreateDescribeAndConflicts(t *testing.T) {
	c, store, _ := start(t)
	ctx := context.Background()
	out, err := create(c, store, "alice", "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(store), UserId: out.UserId})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.UserName) != "alice" || aws.ToString(d.Emails[0].Value) != "alice@example.com" || !d.Emails[0].Primary || aws.ToString(d.Name.GivenName) != "G" {
		t.Fatalf("user %+v", d)
	}
	for _, c2 := range []struct{ name, email string }{{"ALICE", "other@example.com"}, {"alice2", "Alice@Example.com"}} {
		_, err = create(c, store, c2.name, c2.email)
		var conflict *types.ConflictException
		if !errors.As(err, &conflict) || conflict.Reason != types.ConflictExceptionReasonUniquenessConstraintViolation {
			t.Fatalf("%s: want ConflictException UNIQUENESS_CONSTRAINT_VIOLATION, got %v", c2.name, err)
		}
	}
	for _, bad := range []string{"Administrator", "with space", ""} {
		_, err = create(c, store, bad, bad+"x@example.com")
		var invalid *types.ValidationException
		if !errors.As(err, &invalid) {
			t.Fatalf("%q: want ValidationException, got %v", bad, err)
		}
	}
	_, err = c.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(store), UserId: aws.String("nope")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) || nf.ResourceType != types.ResourceTypeUser {
		t.Fatalf("want ResourceNotFoundException USER, got %v", err)
	}
	_, err = c.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String("d-0000000000")})
	if !errors.As(err, &nf) || nf.ResourceType != types.ResourceTypeIdentityStore {
		t.Fatalf("want ResourceNotFoundException IDENTITY_STORE, got %v", err)
	}
}

func TestGetUserIdAndPagination(t *testing.T) {
	c, store, _ := start(t)
	ctx := context.Background()
	for _, n := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		if _, err := create(c, store, n, n+"@example.com"); err != nil {
			t.Fatal(err)
		}
	}
	p := identitystore.NewListUsersPaginator(c, &identitystore.ListUsersInput{IdentityStoreId: aws.String(store)})
	pages, users := 0, 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		users += len(out.Users)
	}
	if users != 7 || pages < 2 {
		t.Fatalf("%d users in %d pages", users, pages)
	}
	for _, path := range []string{"userName", "emails.value"} {
		v := "e"
		if path == "emails.value" {
			v = "e@example.com"
		}
		out, err := c.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: aws.String(store),
			AlternateIdentifier: &types.AlternateIdentifierMemberUniqueAttribute{Value: types.UniqueAttribute{AttributePath: aws.String(path), AttributeValue: document.NewLazyDocument(v)}}})
		if err != nil || aws.ToString(out.UserId) == "" {
			t.Fatalf("%s: %v", path, err)
		}
	}
	_, err := c.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: aws.String(store),
		AlternateIdentifier: &types.AlternateIdentifierMemberUniqueAttribute{Value: types.UniqueAttribute{AttributePath: aws.String("userName"), AttributeValue: document.NewLazyDocument("zz")}}})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("want ResourceNotFoundException, got %v", err)
	}
}
