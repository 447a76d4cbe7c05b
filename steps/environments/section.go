// Package environments is castle's Environments section: new AWS accounts
// vended by Control Tower's Account Factory (AWS Service Catalog), several
// at once, and the workload account the application sections run in.
package environments

import (
	"context"
	"time"

	"github.com/castle-aws/castle/steps"
)

// Section is the journal's and the flags' name of this section.
const Section = string(steps.Environments)

// Expected is how long Account Factory usually takes for one account.
const Expected = 20 * time.Minute

// MaxConcurrent is Control Tower's limit of account operations in progress at
// the same time. castle starts at most this many and queues the rest.
const MaxConcurrent = 5

// DefaultAccountQuota is the number of accounts a new organization may hold
// unless the quota was raised (AWS Service Quotas).
const DefaultAccountQuota = 10

// ProductName is the Service Catalog product Control Tower creates.
const ProductName = "AWS Control Tower Account Factory"

// SSOPattern is the IAM_PATTERN that matches every IAM Identity Center role
// (AWSReservedSSO_…) in any account of the organization.
const SSOPattern = "arn:aws:iam:::role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_*"

type section struct{}

// New returns the Environments section.
func New() steps.Section { return section{} }

func (section) ID() steps.SectionID { return steps.Environments }
func (section) Title() string       { return "Environments" }

func (section) About() string {
	return "Each environment is its own AWS account: what runs in one cannot touch another. " +
		"castle asks Control Tower's Account Factory for the accounts you list, up to five at a time, " +
		"gives the owner administrator access, and lets you pick the account your service will live in."
}

func (section) Cost() string {
	b := loadCosts().Baseline
	return b.String() + " per account for Control Tower's checks (the accounts themselves are free)"
}

func (s section) Resume(ctx context.Context, env *steps.Env, emit steps.Emit) error {
	return s.run(ctx, env, emit, false)
}

func (s section) Apply(ctx context.Context, env *steps.Env, emit steps.Emit) error {
	return s.run(ctx, env, emit, true)
}
