// Package preflight is castle's first section: who is signed in, in which
// region, and whether that identity is safe to build an organization with.
package preflight

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/castle-aws/castle/steps"
)

// MFAConsoleURL is where the root user turns on MFA.
const MFAConsoleURL = "https://console.aws.amazon.com/iam/home#/security_credentials"

// Result is what Preflight found.
type Result struct {
	Identity steps.Identity
	Root     bool
	// RootMFA is whether the account's root user has MFA; nil when castle
	// could not tell (the identity may not read the account summary).
	RootMFA       *bool
	Warnings      []string
	MFAConsoleURL string
}

// RootWarning explains, in plain words, why castle will not work as root.
const RootWarning = "You are signed in as the ROOT USER of this AWS account. The root user can do anything, " +
	"cannot be limited, and if its password or keys leak, every other protection you build falls with it. " +
	"Use it only to turn on MFA and to create an administrator; castle refuses to change your organization as root."

// Check asks STS who is signed in and IAM whether the root user has MFA.
// Errors are *steps.UserError.
func Check(ctx context.Context, env *steps.Env) (Result, error) {
	id, err := env.Caller(ctx)
	if err != nil {
		return Result{}, steps.Explain(err, env)
	}
	r := Result{Identity: id, Root: id.IsRoot(), MFAConsoleURL: MFAConsoleURL}
	if r.Root {
		r.Warnings = append(r.Warnings, RootWarning)
	}
	sum, err := iam.NewFromConfig(env.Config).GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	var apiErr smithy.APIError
	switch {
	case err == nil:
		on := sum.SummaryMap["AccountMFAEnabled"] == 1
		r.RootMFA = &on
		if !on {
			r.Warnings = append(r.Warnings, fmt.Sprintf(
				"The root user of account %s has no MFA. Anyone with its password owns the account: turn MFA on at %s (sign in as root once to do it).",
				id.Account, MFAConsoleURL))
		}
	case errors.As(err, &apiErr) && (apiErr.ErrorCode() == "AccessDenied" || apiErr.ErrorCode() == "AccessDeniedException"):
		r.Warnings = append(r.Warnings, "castle could not check whether the root user has MFA (this identity may not read the IAM account summary). Check it yourself at "+MFAConsoleURL+".")
	default:
		return r, steps.Explain(err, env)
	}
	return r, nil
}
