package landingzone

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/controltower"
	"github.com/aws/aws-sdk-go-v2/service/controltower/document"
	cttypes "github.com/aws/aws-sdk-go-v2/service/controltower/types"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
	"github.com/castle-aws/castle/steps/journal"
	"github.com/castle-aws/castle/steps/poll"
)

// Manifest is the landing zone 4.0 manifest castle sends.
func Manifest(a castlefile.LandingZone, logAccount, auditAccount string) map[string]any {
	buckets := map[string]any{"loggingBucket": map[string]any{"retentionDays": 365}, "accessLoggingBucket": map[string]any{"retentionDays": 3650}}
	return map[string]any{
		"governedRegions":    a.GovernedRegions,
		"accessManagement":   map[string]any{"enabled": true},
		"centralizedLogging": map[string]any{"enabled": true, "accountId": logAccount, "configurations": buckets},
		"config":             map[string]any{"enabled": true, "accountId": auditAccount, "configurations": buckets},
		"securityRoles":      map[string]any{"enabled": true, "accountId": auditAccount},
		"backup":             map[string]any{"enabled": false},
	}
}

func (r *run) landingZone(ctx context.Context) error {
	const key = "create-landing-zone"
	r.send(key, steps.EventStarted, "Setting up the landing zone")
	if lz := r.f.LZ; lz != nil && lz.Status == string(cttypes.LandingZoneStatusActive) && r.f.LZOp == nil {
		r.skip(key, "landing zone "+lz.Version+" is active")
		if err := r.closeOp(ctx, opLandingZone, lzStatus(r.env)); err != nil {
			return err
		}
		return r.resource("landingZoneArn", lz.ARN)
	}
	jop, err := r.lzHandle(ctx)
	if err != nil {
		r.send(key, steps.EventFailed, err.Error())
		return err
	}
	if err := followLandingZone(ctx, r.env, r.emit, jop); err != nil {
		r.send(key, steps.EventFailed, err.Error())
		return err
	}
	if err := readLandingZone(ctx, r.env, r.f); err != nil {
		return err
	}
	if r.f.LZ != nil {
		if err := r.resource("landingZoneArn", r.f.LZ.ARN); err != nil {
			return err
		}
	}
	r.done(key, "The landing zone is active")
	return nil
}

// lzHandle returns the journaled operation to follow: one already in flight
// (castle's or anyone's), or a new CreateLandingZone.
func (r *run) lzHandle(ctx context.Context) (journal.Operation, error) {
	if op := r.f.LZOp; op != nil {
		jop, ok := r.env.Journal.Operation(sec, opLandingZone)
		if !ok || jop.ID != op.ID || jop.Done {
			r.send("", steps.EventInfo, "Following the landing-zone operation already in progress ("+op.ID+")")
			jop = journal.Operation{Kind: "controltower:CreateLandingZone", ID: op.ID, StartedAt: op.StartedAt, Expected: LandingZoneExpected, Status: op.Status}
			if r.f.LZ != nil {
				jop.Extra = map[string]string{"arn": r.f.LZ.ARN}
			}
			if err := r.env.Journal.SaveOperation(sec, opLandingZone, jop); err != nil {
				return jop, err
			}
		}
		return jop, nil
	}
	if r.f.LZ != nil {
		// Discovery reads the landing zone, then its operations: an operation
		// that ended between the two calls leaves a PROCESSING landing zone
		// with nothing in flight. The journaled handle still names it, and
		// its final status tells what happened.
		if jop, ok := r.env.Journal.Operation(sec, opLandingZone); ok && jop.ID != "" && r.f.LZ.Status == "PROCESSING" {
			return jop, nil
		}
		return journal.Operation{}, &steps.UserError{
			Message: "The landing zone is " + r.f.LZ.Status + " and no operation is running on it.",
			Next:    "Open the Control Tower console, read the reason on the Landing zone settings page, repair it there, then run castle again.",
		}
	}
	if jop, ok := r.env.Journal.Operation(sec, opLandingZone); ok && !jop.Done {
		// The journal names an operation but AWS lists no landing zone: a ghost.
		_ = r.env.Journal.Forget(sec, opLandingZone)
	}
	version := Version(*r.a)
	c := ctClient(r.env)
	in := &controltower.CreateLandingZoneInput{
		Version:          aws.String(version),
		Manifest:         document.NewLazyDocument(Manifest(*r.a, r.f.Log.ID, r.f.Audit.ID)),
		RemediationTypes: []cttypes.RemediationType{cttypes.RemediationTypeInheritanceDrift},
	}
	out, err := c.CreateLandingZone(ctx, in)
	if v, ok := requiredVersion(err); ok && v != version {
		r.send("", steps.EventInfo, "AWS now requires landing-zone version "+v+" for new landing zones (castle asked for "+version+"); castle uses "+v+".")
		version = v
		in.Version = aws.String(v)
		out, err = c.CreateLandingZone(ctx, in)
	}
	var conflict *cttypes.ConflictException
	if errors.As(err, &conflict) {
		// Someone started one meanwhile: follow theirs.
		if err := readLandingZone(ctx, r.env, r.f); err != nil {
			return journal.Operation{}, err
		}
		if r.f.LZOp != nil {
			return r.lzHandle(ctx)
		}
	}
	if err != nil {
		return journal.Operation{}, explain(err, r.env)
	}
	jop := journal.Operation{Kind: "controltower:CreateLandingZone", ID: aws.ToString(out.OperationIdentifier), StartedAt: r.env.Now(),
		Expected: LandingZoneExpected, Status: "IN_PROGRESS", Extra: map[string]string{"arn": aws.ToString(out.Arn), "version": version}}
	if err := r.env.Journal.SaveOperation(sec, opLandingZone, jop); err != nil {
		return jop, err
	}
	return jop, r.resource("landingZoneArn", aws.ToString(out.Arn))
}

// followLandingZone polls a landing-zone operation to its end.
func followLandingZone(ctx context.Context, env *steps.Env, emit steps.Emit, jop journal.Operation) error {
	op := steps.Operation{Key: stepLandingZone, Name: "Setting up the landing zone", ID: jop.ID, StartedAt: jop.StartedAt, Expected: LandingZoneExpected, Status: jop.Status}
	var final steps.Operation
	msg := ""
	err := poll.Until(ctx, env.TheClock(), op, func(ctx context.Context) (bool, error) {
		cur, err := lzOperation(ctx, env, jop.ID)
		if err != nil {
			return false, err
		}
		final = cur
		e := event(env, stepLandingZone, steps.EventWaiting, "AWS is setting up the landing zone")
		e.Op = &cur
		emit(e)
		if cur.Status == string(cttypes.LandingZoneOperationStatusFailed) {
			out, gerr := ctClient(env).GetLandingZoneOperation(ctx, &controltower.GetLandingZoneOperationInput{OperationIdentifier: aws.String(jop.ID)})
			if gerr == nil {
				msg = aws.ToString(out.OperationDetails.StatusMessage)
			}
		}
		return cur.Status != string(cttypes.LandingZoneOperationStatusInProgress), nil
	})
	var nf *cttypes.ResourceNotFoundException
	if errors.As(err, &nf) {
		_ = env.Journal.Forget(sec, opLandingZone)
		return &steps.UserError{Message: "AWS no longer knows the landing-zone operation castle was following.", Next: "Run castle again: it looks at what exists and carries on from there.", Err: err}
	}
	if err != nil {
		return explain(err, env)
	}
	if err := env.Journal.FinishOperation(sec, opLandingZone, final.Status); err != nil {
		return err
	}
	if final.Status != string(cttypes.LandingZoneOperationStatusSucceeded) {
		if msg == "" {
			msg = "AWS gave no reason"
		}
		return &steps.UserError{
			Message: "Control Tower could not set up the landing zone: " + msg,
			Next:    "Fix what the reason names (often a leftover AWS Config recorder or an account outside the OU), then retry from the Control Tower console (Landing zone settings) or run castle again.",
		}
	}
	return nil
}
