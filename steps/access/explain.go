package access

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/castle-aws/castle/steps"
)

// explain words the errors of assignment calls, then falls back to steps.Explain.
func explain(err error, env *steps.Env, j job) error {
	var conflict *types.ConflictException
	if errors.As(err, &conflict) {
		return &steps.UserError{Message: "AWS is still busy with another change to " + j.pair.Words() + ".",
			Next: "Wait a minute and run castle again; nothing was lost.", Err: err}
	}
	var quota *types.ServiceQuotaExceededException
	if errors.As(err, &quota) {
		return &steps.UserError{Message: "AWS says this organization has reached its limit of account assignments.",
			Next: "Take away access nobody uses any more (the revoke screen), or ask AWS Support to raise the quota.", Err: err}
	}
	var invalid *types.ValidationException
	if errors.As(err, &invalid) {
		return &steps.UserError{Message: "AWS refused " + j.pair.Words() + ": " + aws.ToString(invalid.Message),
			Next: "Check the user, account and permission set in the Access screen (or castle.yaml).", Err: err}
	}
	var nf *types.ResourceNotFoundException
	if errors.As(err, &nf) {
		return &steps.UserError{Message: "AWS no longer knows part of " + j.pair.Words() + " (" + aws.ToString(nf.Message) + ").",
			Next: "Run castle again: it looks everything up afresh.", Err: err}
	}
	return steps.Explain(err, env)
}
