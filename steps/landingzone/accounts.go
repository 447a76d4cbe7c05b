package landingzone

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/journal"
	"github.com/castle-aws/castle/steps/poll"
)

type sharedAccount struct {
	step, opKey, name, email, res string
	slot                          **Account
}

func (r *run) shared() []sharedAccount {
	return []sharedAccount{
		{"create-account:log-archive", opLog, LogArchiveName, r.a.LogArchiveEmail, "logArchiveAccount", &r.f.Log},
		{"create-account:audit", opAudit, AuditName, r.a.AuditEmail, "auditAccount", &r.f.Audit},
	}
}

// accounts starts the missing shared accounts (or reattaches to their
// requests), then waits for them.
func (r *run) accounts(ctx context.Context) error {
	c := organizations.NewFromConfig(r.env.Config)
	var waiting []sharedAccount
	for _, s := range r.shared() {
		r.send(s.step, steps.EventStarted, "Creating the "+s.name+" account")
		if *s.slot == nil && r.f.LZ != nil {
			r.skip(s.step, "the landing zone already has its shared accounts")
			continue
		}
		if have := *s.slot; have != nil {
			r.skip(s.step, s.name+" is "+have.ID)
			if err := r.resource(s.res, have.ID); err != nil {
				return err
			}
			if err := r.closeOp(ctx, s.opKey, accountStatus(r.env)); err != nil {
				return err
			}
			continue
		}
		if op, ok := r.env.Journal.Operation(sec, s.opKey); ok && !op.Done {
			r.send("", steps.EventInfo, s.name+": following the request castle started earlier ("+op.ID+")")
		} else if id, ok := r.f.Pending[s.name]; ok {
			r.send("", steps.EventInfo, s.name+": following a request already in progress ("+id+")")
			if err := r.saveAccountOp(s, id, r.env.Now()); err != nil {
				return err
			}
		} else {
			out, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(s.name), Email: aws.String(s.email)})
			if err != nil {
				r.send(s.step, steps.EventFailed, err.Error())
				return explain(err, r.env)
			}
			st := out.CreateAccountStatus
			// The handle goes to the journal before the first poll.
			if err := r.saveAccountOp(s, aws.ToString(st.Id), aws.ToTime(st.RequestedTimestamp)); err != nil {
				return err
			}
		}
		waiting = append(waiting, s)
	}
	for _, s := range waiting {
		if err := r.waitAccount(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

func (r *run) saveAccountOp(s sharedAccount, id string, started time.Time) error {
	if started.IsZero() {
		started = r.env.Now()
	}
	return r.env.Journal.SaveOperation(sec, s.opKey, journal.Operation{Kind: "organizations:CreateAccount", ID: id, StartedAt: started,
		Expected: AccountExpected, Status: "IN_PROGRESS", Extra: map[string]string{"name": s.name}})
}

// waitAccount polls a journaled CreateAccount request to its end.
func (r *run) waitAccount(ctx context.Context, s sharedAccount) error {
	jop, _ := r.env.Journal.Operation(sec, s.opKey)
	st, err := followAccount(ctx, r.env, r.emit, s.step, s.name, jop)
	if err != nil {
		r.send(s.step, steps.EventFailed, err.Error())
		return err
	}
	if st.State != orgtypes.CreateAccountStateSucceeded {
		_ = r.env.Journal.FinishOperation(sec, s.opKey, string(st.State))
		err := accountFailure(s.name, s.email, st.FailureReason)
		r.send(s.step, steps.EventFailed, err.Error())
		return err
	}
	id := aws.ToString(st.AccountId)
	acct := Account{ID: id, Name: s.name, Email: s.email, Parent: r.f.RootID}
	r.f.Accounts = append(r.f.Accounts, acct)
	*s.slot = r.f.account(id)
	if err := r.resource(s.res, id); err != nil {
		return err
	}
	if err := r.env.Journal.FinishOperation(sec, s.opKey, string(st.State)); err != nil {
		return err
	}
	r.done(s.step, "Created the "+s.name+" account ("+id+")")
	return nil
}

// followAccount polls DescribeCreateAccountStatus until the request ends,
// emitting a waiting event on every poll.
func followAccount(ctx context.Context, env *steps.Env, emit steps.Emit, step, name string, jop journal.Operation) (*orgtypes.CreateAccountStatus, error) {
	c := organizations.NewFromConfig(env.Config)
	op := steps.Operation{Key: step, Name: "Creating the " + name + " account", ID: jop.ID, StartedAt: jop.StartedAt, Expected: jop.Expected, Status: "IN_PROGRESS"}
	var last *orgtypes.CreateAccountStatus
	err := poll.Until(ctx, env.TheClock(), op, func(ctx context.Context) (bool, error) {
		out, err := c.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String(jop.ID)})
		if err != nil {
			return false, err
		}
		last = out.CreateAccountStatus
		op.Status = string(last.State)
		e := event(env, step, steps.EventWaiting, "AWS is creating the "+name+" account")
		cp := op
		e.Op = &cp
		emit(e)
		return last.State != orgtypes.CreateAccountStateInProgress, nil
	})
	if err != nil {
		return nil, explain(err, env)
	}
	return last, nil
}
