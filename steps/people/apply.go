package people

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
)

// Apply adds the people in env.Answers.People that do not exist yet, records
// the instance, portal and user ids in the journal, and hands off the
// console switch AWS has no API for.
func (s section) Apply(ctx context.Context, env *steps.Env, emit steps.Emit) error {
	if err := env.OpenJournal(ctx); err != nil {
		return err
	}
	if err := env.RequireNotRoot(ctx); err != nil {
		return err
	}
	fillDefaults(env)
	inst, err := FindInstance(ctx, env)
	if err != nil {
		return err
	}
	for name, v := range map[string]string{"instanceArn": inst.ARN, "identityStoreId": inst.StoreID, "portalUrl": inst.PortalURL} {
		if err := env.Journal.SetResource(string(steps.People), name, v); err != nil {
			return err
		}
	}
	users, err := ListUsers(ctx, env, inst.StoreID)
	if err != nil {
		return err
	}
	if err := checkAnswers(env, users); err != nil {
		return err
	}
	send := func(key string, kind steps.EventKind, msg string) {
		emit(steps.Event{Time: env.Now(), Section: steps.People, Step: key, Kind: kind, Message: msg, Percent: -1})
	}
	var created []castlefile.User
	for _, u := range env.Answers.People {
		key := "user:" + u.UserName
		send(key, steps.EventStarted, "Adding "+u.UserName)
		if have, ok := FindUser(users, u.UserName); ok {
			if err := env.Journal.SetResource(string(steps.People), "user:"+u.UserName, have.ID); err != nil {
				return err
			}
			send(key, steps.EventSkipped, u.UserName+" already has a sign-in")
			continue
		}
		id, err := createUser(ctx, env, inst.StoreID, u, users)
		if err != nil {
			send(key, steps.EventFailed, err.Error())
			return err
		}
		if err := env.Journal.SetResource(string(steps.People), "user:"+u.UserName, id); err != nil {
			return err
		}
		users = append(users, User{ID: id, UserName: u.UserName, DisplayName: u.DisplayName, Email: u.Email})
		created = append(created, u)
		send(key, steps.EventDone, "Added "+u.UserName)
	}
	if len(created) > 0 {
		var msgs []string
		for _, u := range created {
			msgs = append(msgs, "Message for "+u.UserName+":\n"+Welcome(inst.PortalURL, u))
		}
		emit(steps.Event{Time: env.Now(), Section: steps.People, Step: "email-otp", Kind: steps.EventHandOff, Percent: -1,
			Message: HandOffTitle + ": " + SettingsURL(env.Region, inst.ARN),
			Detail:  HandOffSteps(env.Region) + "\nDirect link to the settings page: " + SettingsURL(env.Region, inst.ARN) + "\n\n" + strings.Join(msgs, "\n\n")})
	}
	return nil
}

func createUser(ctx context.Context, env *steps.Env, storeID string, u castlefile.User, existing []User) (string, error) {
	c := identitystore.NewFromConfig(env.Config)
	out, err := c.CreateUser(ctx, &identitystore.CreateUserInput{
		IdentityStoreId: aws.String(storeID),
		UserName:        aws.String(u.UserName),
		DisplayName:     aws.String(u.DisplayName),
		Name:            &idtypes.Name{GivenName: aws.String(u.GivenName), FamilyName: aws.String(u.FamilyName)},
		Emails:          []idtypes.Email{{Value: aws.String(u.Email), Type: aws.String("work"), Primary: true}},
	})
	if err == nil {
		return aws.ToString(out.UserId), nil
	}
	var conflict *idtypes.ConflictException
	if errors.As(err, &conflict) {
		// Someone (or an earlier castle) added the user meanwhile: that is the goal.
		if id, ok, lerr := UserID(ctx, env, storeID, u.UserName); lerr == nil && ok {
			return id, nil
		}
		msg := fmt.Sprintf("AWS refused to add %s: another user already has that user name or the email %s.", u.UserName, u.Email)
		if other, ok := EmailTaken(existing, u.Email, u.UserName); ok {
			msg = fmt.Sprintf("AWS refused to add %s: the email %s already belongs to the user %s.", u.UserName, u.Email, other)
		}
		return "", &steps.UserError{Message: msg, Next: "Use the email address only this person reads, or leave them out if they already have a sign-in.", Err: err}
	}
	var invalid *idtypes.ValidationException
	if errors.As(err, &invalid) {
		return "", &steps.UserError{Message: fmt.Sprintf("AWS refused the details of %s: %s", u.UserName, aws.ToString(invalid.Message)),
			Next: "Correct that person in the People form (or castle.yaml), then run castle again.", Err: err}
	}
	return "", steps.Explain(err, env)
}

// Resume has nothing to follow: adding a user is immediate.
func (section) Resume(context.Context, *steps.Env, steps.Emit) error { return nil }
