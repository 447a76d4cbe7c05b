package people

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/castle-aws/castle/steps"
)

// Instance is the IAM Identity Center instance castle works with.
type Instance struct {
	ARN       string // arn:aws:sso:::instance/ssoins-…
	StoreID   string // d-xxxxxxxxxx
	PortalURL string // https://d-xxxxxxxxxx.awsapps.com/start
}

// User is an Identity Center user.
type User struct {
	ID          string
	UserName    string
	DisplayName string
	Email       string
}

// PortalURL is the default address of the AWS access portal of an identity store.
func PortalURL(storeID string) string { return "https://" + storeID + ".awsapps.com/start" }

// ErrNoInstance means Identity Center is not enabled yet (no landing zone).
var ErrNoInstance = &steps.UserError{
	Message: "IAM Identity Center is not set up yet in this region, so there is nowhere to add people.",
	Next:    "Do the Landing zone section first: it turns Identity Center on. If you already did, check that castle uses the landing zone's home region.",
}

// FindInstance returns the Identity Center instance of the signed-in
// account in env.Region, or ErrNoInstance.
func FindInstance(ctx context.Context, env *steps.Env) (Instance, error) {
	c := ssoadmin.NewFromConfig(env.Config)
	p := ssoadmin.NewListInstancesPaginator(c, &ssoadmin.ListInstancesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return Instance{}, steps.Explain(err, env)
		}
		for _, in := range out.Instances {
			if in.Status != "" && in.Status != types.InstanceStatusActive {
				continue
			}
			id := aws.ToString(in.IdentityStoreId)
			return Instance{ARN: aws.ToString(in.InstanceArn), StoreID: id, PortalURL: PortalURL(id)}, nil
		}
	}
	return Instance{}, ErrNoInstance
}

// ListUsers returns the users of the identity store, sorted by user name.
func ListUsers(ctx context.Context, env *steps.Env, storeID string) ([]User, error) {
	c := identitystore.NewFromConfig(env.Config)
	p := identitystore.NewListUsersPaginator(c, &identitystore.ListUsersInput{IdentityStoreId: aws.String(storeID)})
	var users []User
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, steps.Explain(err, env)
		}
		for _, u := range out.Users {
			users = append(users, userOf(u))
		}
	}
	sort.Slice(users, func(i, j int) bool { return strings.ToLower(users[i].UserName) < strings.ToLower(users[j].UserName) })
	return users, nil
}

func userOf(u idtypes.User) User {
	out := User{ID: aws.ToString(u.UserId), UserName: aws.ToString(u.UserName), DisplayName: aws.ToString(u.DisplayName)}
	for _, e := range u.Emails {
		if out.Email == "" || e.Primary {
			out.Email = aws.ToString(e.Value)
		}
	}
	return out
}

// UserID looks a user up by user name; ok is false when there is none.
func UserID(ctx context.Context, env *steps.Env, storeID, userName string) (id string, ok bool, err error) {
	c := identitystore.NewFromConfig(env.Config)
	out, err := c.GetUserId(ctx, &identitystore.GetUserIdInput{
		IdentityStoreId: aws.String(storeID),
		AlternateIdentifier: &idtypes.AlternateIdentifierMemberUniqueAttribute{Value: idtypes.UniqueAttribute{
			AttributePath: aws.String("userName"), AttributeValue: document.NewLazyDocument(userName)}},
	})
	var nf *idtypes.ResourceNotFoundException
	if errors.As(err, &nf) {
		return "", false, nil
	}
	if err != nil {
		return "", false, steps.Explain(err, env)
	}
	return aws.ToString(out.UserId), true, nil
}

// FindUser returns the user with that user name (case-insensitive) from a list.
func FindUser(users []User, userName string) (User, bool) {
	for _, u := range users {
		if strings.EqualFold(u.UserName, userName) {
			return u, true
		}
	}
	return User{}, false
}
