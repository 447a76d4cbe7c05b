package environments

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	sc "github.com/aws/aws-sdk-go-v2/service/servicecatalog"
	sctypes "github.com/aws/aws-sdk-go-v2/service/servicecatalog/types"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
	"github.com/castle-aws/castle/steps/journal"
	"github.com/castle-aws/castle/steps/poll"
)

const kindProvision = "servicecatalog:ProvisionProduct"

// runner is one Apply or Resume.
type runner struct {
	env  *steps.Env
	sc   *sc.Client
	inv  Inventory
	mu   sync.Mutex
	emit steps.Emit
}

// send emits one event; events from concurrent accounts are serialised.
func (r *runner) send(e steps.Event) {
	e.Section = steps.Environments
	if e.Time.IsZero() {
		e.Time = r.env.Now()
	}
	if r.emit == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.emit(e)
}

// job is one account to create or follow.
type job struct {
	acct castlefile.Account
	pp   string // provisioned product name
	// recordID, when set, is a request AWS already has (found, not journaled).
	recordID string
}

func (s section) run(ctx context.Context, env *steps.Env, emit steps.Emit, start bool) error {
	if err := env.OpenJournal(ctx); err != nil {
		return err
	}
	if start {
		if err := env.RequireNotRoot(ctx); err != nil {
			return err
		}
	}
	inv, err := inventory(ctx, env)
	if errors.Is(err, errNoOrganization) || (err == nil && inv.Product.ID == "") {
		if !start {
			return nil
		}
		return &steps.UserError{Message: "Account Factory is not there yet: it comes with the landing zone.",
			Next: "Do the Landing zone section first, then come back."}
	}
	if err != nil {
		return err
	}
	r := &runner{env: env, sc: sc.NewFromConfig(env.Config), inv: inv, emit: emit}
	var (
		jobs   []job
		failed []error // accounts that cannot go on, reported at the end
	)
	seen := map[string]bool{}
	// Requests castle started and has not seen end: follow them first.
	keys := make([]string, 0)
	ops := env.Journal.Operations(Section)
	for k, op := range ops {
		if op.Kind == kindProvision {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		op := ops[k]
		a := castlefile.Account{Name: op.Extra["name"], Email: op.Extra["email"], OU: op.Extra["ou"], Owner: op.Extra["owner"]}
		pp := op.Extra["pp"]
		seen[pp] = true
		if op.ID == "" {
			// castle stopped between saving the token and hearing back:
			// AWS may have the request under that token.
			if p, ok := inv.Provisioned[pp]; ok && op.Token != "" && p.Token == op.Token {
				op.ID, op.StartedAt = p.RecordID, p.Created
				if err := env.Journal.SaveOperation(Section, k, op); err != nil {
					return err
				}
			} else if !start {
				r.send(steps.Event{Step: k, Kind: steps.EventInfo,
					Message: fmt.Sprintf("Account %s was about to be asked for when castle stopped; apply again to go on.", a.Name)})
				continue
			}
		}
		jobs = append(jobs, job{acct: a, pp: pp})
	}
	if start {
		defaults(env)
		if err := validateAll(env, inv); err != nil {
			return err
		}
		for _, a := range env.Answers.Environments {
			pp := ProvisionedName(a.Name)
			if seen[pp] {
				continue
			}
			seen[pp] = true
			key := opKey(pp)
			if ex, ok := exists(env, inv, a); ok {
				if err := env.Journal.SetResource(Section, "account:"+a.Name, ex.ID); err != nil {
					return err
				}
				r.send(steps.Event{Step: key, Kind: steps.EventSkipped, Message: fmt.Sprintf("Account %s exists: %s", a.Name, ex.ID)})
				continue
			}
			j := job{acct: a, pp: pp}
			if p, ok := inv.Provisioned[pp]; ok {
				switch {
				case p.InFlight():
					j.recordID = p.RecordID // started elsewhere or before the journal knew
				case p.Status == "ERROR" || p.Status == "TAINTED":
					// An earlier request failed and still holds the name:
					// say why, and go on with the other accounts.
					err := recordFailure(a.Name, pp, p.Message, env)
					r.send(steps.Event{Step: key, Kind: steps.EventFailed, Message: err.Error()})
					failed = append(failed, err)
					continue
				}
			}
			jobs = append(jobs, j)
		}
		if hasNew(env, jobs) {
			if err := r.ensureAccess(ctx); err != nil {
				return err
			}
		}
	}
	return joinErrors(append(failed, r.runAll(ctx, jobs))...)
}

// hasNew reports whether a job needs a new ProvisionProduct call.
func hasNew(env *steps.Env, jobs []job) bool {
	for _, j := range jobs {
		if op, ok := env.Journal.Operation(Section, opKey(j.pp)); (!ok || op.Done || op.ID == "") && j.recordID == "" {
			return true
		}
	}
	return false
}

// runAll runs the jobs, at most the free Control Tower slots at once; the
// others wait in order and start as slots free up.
func (r *runner) runAll(ctx context.Context, jobs []job) error {
	if len(jobs) == 0 {
		return nil
	}
	ours := map[string]bool{}
	for _, j := range jobs {
		ours[j.pp] = true
	}
	foreign := 0
	for name, p := range r.inv.Provisioned {
		if p.InFlight() && !ours[name] {
			foreign++
		}
	}
	slots := max(MaxConcurrent-foreign, 1)
	sem := make(chan struct{}, slots)
	for i, j := range jobs {
		if i >= slots {
			r.send(steps.Event{Step: opKey(j.pp), Kind: steps.EventProgress, Percent: -1,
				Message: fmt.Sprintf("Account %s is queued: Control Tower creates %d accounts at a time", j.acct.Name, MaxConcurrent)})
		}
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, j := range jobs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return ctx.Err()
		}
		wg.Add(1)
		go func(j job) {
			defer wg.Done()
			defer func() { <-sem }()
			if err := r.account(ctx, j); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}(j)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	return joinErrors(errs...)
}

// joinErrors is nil, the one error, or one UserError for several accounts.
func joinErrors(errs ...error) error {
	var kept []error
	for _, e := range errs {
		if e != nil {
			kept = append(kept, e)
		}
	}
	switch len(kept) {
	case 0:
		return nil
	case 1:
		return kept[0]
	}
	for _, e := range kept {
		if errors.Is(e, context.Canceled) {
			return e
		}
	}
	var msgs []string
	for _, e := range kept {
		msgs = append(msgs, e.Error())
	}
	return &steps.UserError{Message: fmt.Sprintf("%d of the accounts could not be created.", len(kept)),
		Next: strings.Join(msgs, " "), Err: errors.Join(kept...)}
}

func newToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "castle-" + hex.EncodeToString(b)
}

// account starts (or reattaches to) one account's request and follows it.
func (r *runner) account(ctx context.Context, j job) error {
	env := r.env
	key := opKey(j.pp)
	op, ok := env.Journal.Operation(Section, key)
	if !ok || op.Done {
		op = journal.Operation{Kind: kindProvision, ID: j.recordID, StartedAt: env.Now(), Expected: Expected,
			Extra: map[string]string{"name": j.acct.Name, "email": j.acct.Email, "ou": j.acct.OU, "owner": j.acct.Owner, "pp": j.pp}}
		if j.recordID == "" {
			// The token goes to the journal before the call, so a castle
			// killed during the call asks again with the same token and
			// AWS answers with the same request instead of a second account.
			op.Token = newToken()
		}
		if err := env.Journal.SaveOperation(Section, key, op); err != nil {
			return err
		}
	}
	r.send(steps.Event{Step: key, Kind: steps.EventStarted, Message: "Asking Account Factory for " + j.acct.Name})
	if op.ID == "" {
		if err := r.provision(ctx, j, &op); err != nil {
			r.send(steps.Event{Step: key, Kind: steps.EventFailed, Message: err.Error()})
			return err
		}
		if err := env.Journal.SaveOperation(Section, key, op); err != nil {
			return err
		}
	}
	return r.follow(ctx, j, key, op)
}

func (r *runner) provision(ctx context.Context, j job, op *journal.Operation) error {
	o := ownerOf(r.env, r.inv, j.acct)
	param := func(k, v string) sctypes.ProvisioningParameter {
		return sctypes.ProvisioningParameter{Key: aws.String(k), Value: aws.String(v)}
	}
	ou := j.acct.OU
	if o, ok := r.inv.OUByName(ou); ok {
		ou = o.Name + " (" + o.ID + ")" // unambiguous, nested OUs too
	}
	out, err := r.sc.ProvisionProduct(ctx, &sc.ProvisionProductInput{
		ProductId:              aws.String(r.inv.Product.ID),
		ProvisioningArtifactId: aws.String(r.inv.Product.ArtifactID),
		ProvisionedProductName: aws.String(j.pp),
		ProvisionToken:         aws.String(op.Token),
		ProvisioningParameters: []sctypes.ProvisioningParameter{
			param("AccountName", j.acct.Name), param("AccountEmail", j.acct.Email),
			param("ManagedOrganizationalUnit", ou), param("SSOUserEmail", o.Email),
			param("SSOUserFirstName", o.GivenName), param("SSOUserLastName", o.FamilyName),
		},
	})
	if err != nil {
		return explain(err, r.env)
	}
	op.ID = aws.ToString(out.RecordDetail.RecordId)
	if t := aws.ToTime(out.RecordDetail.CreatedTime); !t.IsZero() {
		op.StartedAt = t
	}
	return nil
}

// follow polls the request's record until it ends.
func (r *runner) follow(ctx context.Context, j job, key string, op journal.Operation) error {
	env := r.env
	o := steps.Operation{Key: key, Name: "Create account " + j.acct.Name, ID: op.ID, StartedAt: op.StartedAt, Expected: Expected, Status: "CREATED"}
	var final *sc.DescribeRecordOutput
	err := poll.Until(ctx, env.TheClock(), o, func(ctx context.Context) (bool, error) {
		out, err := r.sc.DescribeRecord(ctx, &sc.DescribeRecordInput{Id: aws.String(op.ID)})
		if err != nil {
			return false, err
		}
		d := out.RecordDetail
		o.Status = string(d.Status)
		if t := aws.ToTime(d.CreatedTime); !t.IsZero() {
			o.StartedAt = t
		}
		switch d.Status {
		case sctypes.RecordStatusSucceeded, sctypes.RecordStatusFailed:
			final = out
			return true, nil
		}
		op := o
		r.send(steps.Event{Step: key, Kind: steps.EventWaiting, Op: &op, Percent: -1})
		return false, nil
	})
	if err != nil {
		if strings.Contains(err.Error(), "ResourceNotFoundException") {
			// AWS no longer knows the request: start afresh next time.
			_ = env.Journal.Forget(Section, key)
			err = &steps.UserError{Message: fmt.Sprintf("AWS no longer knows the request for %s.", j.acct.Name),
				Next: "Apply again: castle will ask for the account anew.", Err: err}
		} else {
			err = explain(err, env)
		}
		if !errors.Is(err, context.Canceled) {
			r.send(steps.Event{Step: key, Kind: steps.EventFailed, Message: err.Error()})
		}
		return err
	}
	d := final.RecordDetail
	if d.Status == sctypes.RecordStatusFailed {
		var reasons []string
		for _, e := range d.RecordErrors {
			reasons = append(reasons, aws.ToString(e.Description))
		}
		if err := env.Journal.FinishOperation(Section, key, string(d.Status)); err != nil {
			return err
		}
		ferr := recordFailure(j.acct.Name, j.pp, strings.Join(reasons, " "), env)
		r.send(steps.Event{Step: key, Kind: steps.EventFailed, Message: ferr.Error()})
		return ferr
	}
	id := ""
	for _, out := range final.RecordOutputs {
		if aws.ToString(out.OutputKey) == "AccountId" {
			id = aws.ToString(out.OutputValue)
		}
	}
	if id != "" {
		if err := env.Journal.SetResource(Section, "account:"+j.acct.Name, id); err != nil {
			return err
		}
	}
	if err := env.Journal.FinishOperation(Section, key, string(d.Status)); err != nil {
		return err
	}
	done := o
	done.Status = string(d.Status)
	r.send(steps.Event{Step: key, Kind: steps.EventDone, Op: &done, Percent: 1,
		Message: fmt.Sprintf("Account %s is ready: %s", j.acct.Name, id)})
	return nil
}
