package landingzone

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/controltower"
	"github.com/aws/aws-sdk-go-v2/service/controltower/document"
	cttypes "github.com/aws/aws-sdk-go-v2/service/controltower/types"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/journal"
	"github.com/castle-aws/castle/steps/poll"
)

// register enables AWSControlTowerBaseline on the Sandbox OU.
func (r *run) register(ctx context.Context) error {
	const key = "register-sandbox"
	r.send(key, steps.EventStarted, "Registering the "+r.a.SandboxOU+" OU with Control Tower")
	if r.f.SandboxRegistered {
		r.skip(key, r.a.SandboxOU+" is registered")
		return r.closeOp(ctx, opRegister, baselineStatus(r.env))
	}
	if r.f.RegisterOp == nil {
		if err := readRegistration(ctx, r.env, r.f, r.a.SandboxOU); err != nil {
			return err
		}
		if r.f.SandboxRegistered {
			r.skip(key, r.a.SandboxOU+" is registered")
			return r.closeOp(ctx, opRegister, baselineStatus(r.env))
		}
	}
	jop, err := r.registerHandle(ctx)
	if err != nil {
		r.send(key, steps.EventFailed, err.Error())
		return err
	}
	if err := followBaseline(ctx, r.env, r.emit, jop); err != nil {
		r.send(key, steps.EventFailed, err.Error())
		return err
	}
	r.f.SandboxRegistered = true
	r.done(key, "Registered the "+r.a.SandboxOU+" OU")
	return nil
}

func (r *run) registerHandle(ctx context.Context) (journal.Operation, error) {
	if op := r.f.RegisterOp; op != nil {
		jop := journal.Operation{Kind: "controltower:EnableBaseline", ID: op.ID, StartedAt: op.StartedAt, Expected: BaselineExpected, Status: op.Status}
		return jop, r.env.Journal.SaveOperation(sec, opRegister, jop)
	}
	c := ctClient(r.env)
	arns := map[string]string{}
	p := controltower.NewListBaselinesPaginator(c, &controltower.ListBaselinesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return journal.Operation{}, explain(err, r.env)
		}
		for _, b := range out.Baselines {
			arns[aws.ToString(b.Name)] = aws.ToString(b.Arn)
		}
	}
	ctb := arns["AWSControlTowerBaseline"]
	if ctb == "" {
		return journal.Operation{}, &steps.UserError{Message: "Control Tower does not offer the AWSControlTowerBaseline in " + r.a.HomeRegion + ".", Next: "Register the " + r.a.SandboxOU + " OU in the Control Tower console (Organization, Register OU)."}
	}
	in := &controltower.EnableBaselineInput{
		BaselineIdentifier: aws.String(ctb),
		BaselineVersion:    aws.String(baselineVersion(r.f.LZ.Version)),
		TargetIdentifier:   aws.String(r.f.OUs[r.a.SandboxOU].ARN),
	}
	if idc := arns["IdentityCenterBaseline"]; idc != "" {
		out, err := c.ListEnabledBaselines(ctx, &controltower.ListEnabledBaselinesInput{Filter: &cttypes.EnabledBaselineFilter{BaselineIdentifiers: []string{idc}}})
		if err != nil {
			return journal.Operation{}, explain(err, r.env)
		}
		if len(out.EnabledBaselines) > 0 {
			in.Parameters = []cttypes.EnabledBaselineParameter{{Key: aws.String("IdentityCenterEnabledBaselineArn"), Value: document.NewLazyDocument(aws.ToString(out.EnabledBaselines[0].Arn))}}
		}
	}
	out, err := c.EnableBaseline(ctx, in)
	if err != nil {
		return journal.Operation{}, explain(err, r.env)
	}
	jop := journal.Operation{Kind: "controltower:EnableBaseline", ID: aws.ToString(out.OperationIdentifier), StartedAt: r.env.Now(),
		Expected: BaselineExpected, Status: "IN_PROGRESS", Extra: map[string]string{"enabledBaseline": aws.ToString(out.Arn)}}
	return jop, r.env.Journal.SaveOperation(sec, opRegister, jop)
}

// followBaseline polls a baseline operation to its end.
func followBaseline(ctx context.Context, env *steps.Env, emit steps.Emit, jop journal.Operation) error {
	op := steps.Operation{Key: stepRegister, Name: "Registering the Sandbox OU", ID: jop.ID, StartedAt: jop.StartedAt, Expected: BaselineExpected, Status: jop.Status}
	var final steps.Operation
	err := poll.Until(ctx, env.TheClock(), op, func(ctx context.Context) (bool, error) {
		cur, err := baselineOperation(ctx, env, jop.ID)
		if err != nil {
			return false, err
		}
		final = cur
		e := event(env, "register-sandbox", steps.EventWaiting, "Control Tower is registering the OU")
		e.Op = &cur
		emit(e)
		return cur.Status != string(cttypes.BaselineOperationStatusInProgress), nil
	})
	var nf *cttypes.ResourceNotFoundException
	if errors.As(err, &nf) {
		_ = env.Journal.Forget(sec, opRegister)
		return &steps.UserError{Message: "AWS no longer knows the registration castle was following.", Next: "Run castle again.", Err: err}
	}
	if err != nil {
		return explain(err, env)
	}
	if err := env.Journal.FinishOperation(sec, opRegister, final.Status); err != nil {
		return err
	}
	if final.Status != string(cttypes.BaselineOperationStatusSucceeded) {
		return &steps.UserError{Message: "Control Tower could not register the OU (" + strings.ToLower(final.Status) + ").", Next: "Open the Control Tower console (Organization), read the reason next to the OU, then choose Re-register or run castle again."}
	}
	return nil
}
