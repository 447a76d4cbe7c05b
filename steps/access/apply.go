package access

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/journal"
	"github.com/castle-aws/castle/steps/people"
	"github.com/castle-aws/castle/steps/poll"
)

const sectionName = string(steps.Access)

// job is one assignment change to make (or follow, when journaled).
type job struct {
	pair   Pair
	revoke bool
	skip   bool // discovery found it done already
}

func (j job) key() string {
	if j.revoke {
		return j.pair.Key("revoke")
	}
	return j.pair.Key("grant")
}

func (j job) words() string {
	if j.revoke {
		return "Taking away " + j.pair.Words()
	}
	return "Giving " + j.pair.Words()
}

// Apply makes the grants and revokes of env.Answers.Access, all at once.
func (section) Apply(ctx context.Context, env *steps.Env, emit steps.Emit) error {
	if err := begin(ctx, env); err != nil {
		return err
	}
	c, err := Load(ctx, env)
	if err != nil {
		return err
	}
	w, err := prepare(env, c)
	if err != nil {
		return err
	}
	var jobs []job
	for _, g := range w.grants {
		jobs = append(jobs, job{pair: g, skip: w.skipGrant[g.Key("grant")]})
	}
	for _, r := range w.revokes {
		jobs = append(jobs, job{pair: r, revoke: true, skip: w.skipRevoke[r.Key("revoke")]})
	}
	return runAll(ctx, env, c, jobs, emit)
}

// Resume follows the requests still in flight in the journal; it starts nothing.
func (section) Resume(ctx context.Context, env *steps.Env, emit steps.Emit) error {
	if err := env.OpenJournal(ctx); err != nil {
		return err
	}
	ops := env.Journal.Operations(sectionName)
	if len(ops) == 0 {
		return nil
	}
	inst, err := people.FindInstance(ctx, env)
	if err != nil {
		return err
	}
	emit = serial(emit)
	var wg sync.WaitGroup
	errs := make([]error, 0, len(ops))
	var mu sync.Mutex
	for key, op := range ops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j := job{revoke: strings.HasPrefix(key, "revoke/")}
			_, err := follow(ctx, env, inst.ARN, key, j, op, emit)
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return firstError(errs)
}

// RevokeAll takes away everything a person holds on every account (someone
// just left). It also drops their grants from env.Answers.Access so a later
// apply of the saved castle.yaml does not give the access back.
func RevokeAll(ctx context.Context, env *steps.Env, userName string, emit steps.Emit) error {
	if err := begin(ctx, env); err != nil {
		return err
	}
	c, err := Load(ctx, env)
	if err != nil {
		return err
	}
	u, ok := people.FindUser(c.Users, userName)
	if !ok {
		return &steps.UserError{Message: fmt.Sprintf("There is no user called %q in IAM Identity Center.", userName),
			Next: "Check the spelling; the People section lists everyone."}
	}
	var kept = env.Answers.Access.Grants[:0:0]
	for _, g := range env.Answers.Access.Grants {
		if !strings.EqualFold(g.User, u.UserName) {
			kept = append(kept, g)
		}
	}
	env.Answers.Access.Grants = kept
	var jobs []job
	for _, a := range c.Assignments {
		if a.UserID != u.ID {
			continue
		}
		set := people.PermissionSet{ARN: a.SetARN, Name: a.PermissionSet}
		jobs = append(jobs, job{pair: Pair{User: u, AccountID: a.AccountID, AccountName: a.AccountName, Set: set}, revoke: true})
	}
	if len(jobs) == 0 {
		emit(steps.Event{Time: env.Now(), Section: steps.Access, Step: "revoke-all", Kind: steps.EventInfo, Percent: -1,
			Message: u.UserName + " has no access to any account."})
		return nil
	}
	return runAll(ctx, env, c, jobs, emit)
}

func begin(ctx context.Context, env *steps.Env) error {
	if err := env.OpenJournal(ctx); err != nil {
		return err
	}
	return env.RequireNotRoot(ctx)
}

// runAll runs every job concurrently, each with its own events, and returns
// the first failure (the others are reported as events).
func runAll(ctx context.Context, env *steps.Env, c Catalog, jobs []job, emit steps.Emit) error {
	emit = serial(emit)
	var wg sync.WaitGroup
	errs := make([]error, len(jobs))
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = run(ctx, env, c.Instance.ARN, j, emit)
		}()
	}
	wg.Wait()
	return firstError(errs)
}

// serial makes emit safe to call from the concurrent jobs.
func serial(emit steps.Emit) steps.Emit {
	var mu sync.Mutex
	return func(e steps.Event) {
		mu.Lock()
		defer mu.Unlock()
		emit(e)
	}
}

func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func event(env *steps.Env, key string, kind steps.EventKind, msg string) steps.Event {
	return steps.Event{Time: env.Now(), Section: steps.Access, Step: key, Kind: kind, Message: msg, Percent: -1}
}

// run makes one change: reattach to a journaled request, skip what is done,
// or start a request, journal its id, then follow it.
func run(ctx context.Context, env *steps.Env, instanceARN string, j job, emit steps.Emit) error {
	key := j.key()
	emit(event(env, key, steps.EventStarted, j.words()))
	if op, ok := env.Journal.Operation(sectionName, key); ok && !op.Done {
		found, err := follow(ctx, env, instanceARN, key, j, op, emit)
		if found || err != nil {
			return err
		}
	}
	if j.skip {
		reason := "already in place"
		if j.revoke {
			reason = "nothing to take away"
		}
		emit(event(env, key, steps.EventSkipped, reason))
		return nil
	}
	op, err := start(ctx, env, instanceARN, j)
	if err != nil {
		emit(event(env, key, steps.EventFailed, err.Error()))
		return err
	}
	if err := env.Journal.SaveOperation(sectionName, key, op); err != nil {
		return err
	}
	_, err = follow(ctx, env, instanceARN, key, j, op, emit)
	return err
}

func start(ctx context.Context, env *steps.Env, instanceARN string, j job) (journal.Operation, error) {
	c := ssoadmin.NewFromConfig(env.Config)
	p := j.pair
	var st *types.AccountAssignmentOperationStatus
	var err error
	kind := "sso:CreateAccountAssignment"
	if j.revoke {
		kind = "sso:DeleteAccountAssignment"
		var out *ssoadmin.DeleteAccountAssignmentOutput
		out, err = c.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{InstanceArn: aws.String(instanceARN),
			PermissionSetArn: aws.String(p.Set.ARN), PrincipalId: aws.String(p.User.ID), PrincipalType: types.PrincipalTypeUser,
			TargetId: aws.String(p.AccountID), TargetType: types.TargetTypeAwsAccount})
		if err == nil {
			st = out.AccountAssignmentDeletionStatus
		}
	} else {
		var out *ssoadmin.CreateAccountAssignmentOutput
		out, err = c.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: aws.String(instanceARN),
			PermissionSetArn: aws.String(p.Set.ARN), PrincipalId: aws.String(p.User.ID), PrincipalType: types.PrincipalTypeUser,
			TargetId: aws.String(p.AccountID), TargetType: types.TargetTypeAwsAccount})
		if err == nil {
			st = out.AccountAssignmentCreationStatus
		}
	}
	if err != nil {
		return journal.Operation{}, explain(err, env, j)
	}
	if st == nil || aws.ToString(st.RequestId) == "" {
		return journal.Operation{}, &steps.UserError{Message: "AWS accepted " + j.pair.Words() + " but gave no request id to follow.", Next: "Run castle again; it checks what is in place first."}
	}
	started := aws.ToTime(st.CreatedDate)
	if started.IsZero() {
		started = env.Now()
	}
	return journal.Operation{Kind: kind, ID: aws.ToString(st.RequestId), StartedAt: started, Expected: Expected,
		Status: string(st.Status), Extra: map[string]string{"words": j.words()}}, nil
}

// follow polls a request until it ends. found is false when AWS no longer
// knows the request (the journal is forgotten, and the caller starts afresh).
func follow(ctx context.Context, env *steps.Env, instanceARN, key string, j job, op journal.Operation, emit steps.Emit) (found bool, err error) {
	c := ssoadmin.NewFromConfig(env.Config)
	sop := steps.Operation{Key: key, Name: j.words(), ID: op.ID, StartedAt: op.StartedAt, Expected: op.Expected, Status: op.Status}
	if name := op.Extra["words"]; name != "" {
		sop.Name = name
	}
	var final *types.AccountAssignmentOperationStatus
	check := func(ctx context.Context) (bool, error) {
		st, err := describe(ctx, c, instanceARN, op.ID, j.revoke)
		if err != nil {
			return false, err
		}
		sop.Status = string(st.Status)
		if st.Status == types.StatusValuesInProgress {
			o := sop
			emit(steps.Event{Time: env.Now(), Section: steps.Access, Step: key, Kind: steps.EventWaiting, Message: sop.Name, Op: &o, Percent: -1})
			return false, nil
		}
		final = st
		return true, nil
	}
	err = poll.Until(ctx, env.TheClock(), sop, check)
	var nf *types.ResourceNotFoundException
	if errors.As(err, &nf) {
		return false, env.Journal.Forget(sectionName, key)
	}
	if err != nil {
		err = explain(err, env, j)
		emit(event(env, key, steps.EventFailed, err.Error()))
		return true, err
	}
	if ferr := env.Journal.FinishOperation(sectionName, key, string(final.Status)); ferr != nil {
		return true, ferr
	}
	if final.Status == types.StatusValuesFailed {
		err := &steps.UserError{Message: fmt.Sprintf("AWS could not finish %s: %s", lower(j.words()), aws.ToString(final.FailureReason)),
			Next: "Check that the account is in the organization and the person still exists, then run castle again."}
		emit(event(env, key, steps.EventFailed, err.Error()))
		return true, err
	}
	done := "in place"
	if j.revoke {
		done = "taken away"
	}
	emit(event(env, key, steps.EventDone, done))
	return true, nil
}

func describe(ctx context.Context, c *ssoadmin.Client, instanceARN, id string, revoke bool) (*types.AccountAssignmentOperationStatus, error) {
	if revoke {
		out, err := c.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{
			InstanceArn: aws.String(instanceARN), AccountAssignmentDeletionRequestId: aws.String(id)})
		if err != nil {
			return nil, err
		}
		return out.AccountAssignmentDeletionStatus, nil
	}
	out, err := c.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{
		InstanceArn: aws.String(instanceARN), AccountAssignmentCreationRequestId: aws.String(id)})
	if err != nil {
		return nil, err
	}
	return out.AccountAssignmentCreationStatus, nil
}

func lower(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
