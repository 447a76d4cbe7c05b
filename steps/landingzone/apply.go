package landingzone

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
)

// run is one Apply: the facts it keeps up to date as it goes.
type run struct {
	env  *steps.Env
	emit steps.Emit
	f    *Facts
	a    *castlefile.LandingZone
	did  bool // something was created or waited for
}

func (r *run) send(step string, kind steps.EventKind, msg string) {
	r.emit(event(r.env, step, kind, msg))
}

func (r *run) skip(step, reason string) { r.send(step, steps.EventSkipped, reason) }

func (r *run) done(step, msg string) {
	r.did = true
	r.send(step, steps.EventDone, msg)
}

func (r *run) resource(name, value string) error {
	if value == "" {
		return nil
	}
	return r.env.Journal.SetResource(sec, name, value)
}

// Apply creates what is missing, in order, skipping what exists, and
// reattaches to operations already in flight.
func (section) Apply(ctx context.Context, env *steps.Env, emit steps.Emit) error {
	if err := env.OpenJournal(ctx); err != nil {
		return err
	}
	if err := env.RequireNotRoot(ctx); err != nil {
		return err
	}
	a := fillDefaults(env)
	f, err := gather(ctx, env)
	if err != nil {
		return err
	}
	adopt(f, a)
	if err := checkAnswers(f, a); err != nil {
		return err
	}
	if err := env.Journal.SetAnswers(sec, a); err != nil {
		return err
	}
	r := &run{env: env, emit: emit, f: f, a: a}
	for _, step := range []func(context.Context) error{r.organization, r.ous, r.roles, r.accounts, r.move, r.landingZone, r.register} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return r.summary(ctx)
}

func (r *run) organization(ctx context.Context) error {
	const key = "create-organization"
	r.send(key, steps.EventStarted, "Creating the organization")
	if r.f.InOrg() {
		r.skip(key, "organization "+r.f.OrgID+" exists")
		return r.readRoot(ctx)
	}
	c := organizations.NewFromConfig(r.env.Config)
	out, err := c.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	var already *orgtypes.AlreadyInOrganizationException
	switch {
	case errors.As(err, &already):
		if err := readOrganization(ctx, r.env, r.f); err != nil {
			return err
		}
	case err != nil:
		r.send(key, steps.EventFailed, err.Error())
		return explain(err, r.env)
	default:
		o := out.Organization
		r.f.OrgID, r.f.FeatureSet = aws.ToString(o.Id), string(o.FeatureSet)
		r.f.ManagementID, r.f.ManagementEmail = aws.ToString(o.MasterAccountId), aws.ToString(o.MasterAccountEmail)
	}
	if err := r.readRoot(ctx); err != nil {
		return err
	}
	r.done(key, "Created organization "+r.f.OrgID)
	return nil
}

func (r *run) readRoot(ctx context.Context) error {
	if r.f.RootID == "" {
		out, err := organizations.NewFromConfig(r.env.Config).ListRoots(ctx, &organizations.ListRootsInput{})
		if err != nil {
			return explain(err, r.env)
		}
		if len(out.Roots) > 0 {
			r.f.RootID = aws.ToString(out.Roots[0].Id)
		}
	}
	return r.resource("organization", r.f.OrgID)
}

func (r *run) ous(ctx context.Context) error {
	c := organizations.NewFromConfig(r.env.Config)
	for _, ou := range []struct{ key, name, res string }{{"create-ou:security", r.a.SecurityOU, "securityOU"}, {"create-ou:sandbox", r.a.SandboxOU, "sandboxOU"}} {
		r.send(ou.key, steps.EventStarted, "Creating the "+ou.name+" OU")
		if have, ok := r.f.OUs[ou.name]; ok {
			r.skip(ou.key, ou.name+" is "+have.ID)
			if err := r.resource(ou.res, have.ID); err != nil {
				return err
			}
			continue
		}
		out, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(r.f.RootID), Name: aws.String(ou.name)})
		var dup *orgtypes.DuplicateOrganizationalUnitException
		switch {
		case errors.As(err, &dup):
			// Made meanwhile (another castle, the console): read it back.
			if err := readOrganization(ctx, r.env, r.f); err != nil {
				return err
			}
		case err != nil:
			r.send(ou.key, steps.EventFailed, err.Error())
			return explain(err, r.env)
		default:
			r.f.OUs[ou.name] = OU{ID: aws.ToString(out.OrganizationalUnit.Id), ARN: aws.ToString(out.OrganizationalUnit.Arn)}
		}
		if err := r.resource(ou.res, r.f.OUs[ou.name].ID); err != nil {
			return err
		}
		r.done(ou.key, "Created the "+ou.name+" OU ("+r.f.OUs[ou.name].ID+")")
	}
	return nil
}

func (r *run) roles(ctx context.Context) error {
	const key = "create-roles"
	r.send(key, steps.EventStarted, "Creating the roles Control Tower needs")
	var missing []string
	for _, role := range loadRoles() {
		if !r.f.Roles[role.Name] {
			missing = append(missing, role.Name)
		}
	}
	if len(missing) == 0 {
		r.skip(key, "the four Control Tower roles exist")
		return nil
	}
	if err := createRoles(ctx, r.env, r.f.Roles); err != nil {
		r.send(key, steps.EventFailed, err.Error())
		return err
	}
	for _, m := range missing {
		r.f.Roles[m] = true
	}
	r.done(key, "Created "+strings.Join(missing, ", "))
	return nil
}

func (r *run) move(ctx context.Context) error {
	const key = "move-accounts"
	r.send(key, steps.EventStarted, "Moving the shared accounts into "+r.a.SecurityOU)
	dest := r.f.OUs[r.a.SecurityOU].ID
	if r.f.LZ != nil {
		r.skip(key, "the landing zone already uses them")
		return nil
	}
	c := organizations.NewFromConfig(r.env.Config)
	moved := 0
	for _, acct := range []*Account{r.f.Log, r.f.Audit} {
		if acct.Parent == dest {
			continue
		}
		src := acct.Parent
		if src == "" {
			src = r.f.RootID
		}
		_, err := c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(acct.ID), SourceParentId: aws.String(src), DestinationParentId: aws.String(dest)})
		var dup *orgtypes.DuplicateAccountException
		if err != nil && !errors.As(err, &dup) {
			r.send(key, steps.EventFailed, err.Error())
			return explain(err, r.env)
		}
		acct.Parent = dest
		moved++
	}
	if moved == 0 {
		r.skip(key, "they are in "+r.a.SecurityOU)
		return nil
	}
	what := "both shared accounts"
	if moved == 1 {
		what = "1 shared account"
	}
	r.done(key, fmt.Sprintf("Moved %s into %s", what, r.a.SecurityOU))
	return nil
}

// closeOp ends a journaled operation that discovery found finished on AWS
// (it ended while castle was away), with AWS's final status; an operation
// AWS no longer knows is forgotten.
func (r *run) closeOp(ctx context.Context, key string, status func(ctx context.Context, id string) (string, error)) error {
	jop, ok := r.env.Journal.Operation(sec, key)
	if !ok || jop.Done {
		return nil
	}
	st, err := status(ctx, jop.ID)
	if err != nil {
		return r.env.Journal.Forget(sec, key)
	}
	return r.env.Journal.FinishOperation(sec, key, st)
}

func accountStatus(env *steps.Env) func(context.Context, string) (string, error) {
	return func(ctx context.Context, id string) (string, error) {
		out, err := organizations.NewFromConfig(env.Config).DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String(id)})
		if err != nil {
			return "", err
		}
		return string(out.CreateAccountStatus.State), nil
	}
}

func lzStatus(env *steps.Env) func(context.Context, string) (string, error) {
	return func(ctx context.Context, id string) (string, error) {
		op, err := lzOperation(ctx, env, id)
		return op.Status, err
	}
}

func baselineStatus(env *steps.Env) func(context.Context, string) (string, error) {
	return func(ctx context.Context, id string) (string, error) {
		op, err := baselineOperation(ctx, env, id)
		return op.Status, err
	}
}
