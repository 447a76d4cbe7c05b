package environments

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/castle-aws/castle/steps"
)

// explain adds this section's cases before steps.Explain.
func explain(err error, env *steps.Env) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		msg := ae.ErrorMessage()
		switch {
		case strings.Contains(msg, "No launch paths found"):
			return &steps.UserError{
				Message: "AWS will not let you use Account Factory yet: your identity is not allowed to launch it.",
				Next:    "Run castle's Environments section again and let it give you access to the Account Factory portfolio, or add your role in the console under Service Catalog → Portfolios → AWS Control Tower Account Factory Portfolio → Access.",
				Err:     err,
			}
		case ae.ErrorCode() == "DuplicateResourceException":
			return &steps.UserError{
				Message: "Account Factory already has a request with this account name. " + msg,
				Next:    "Pick another display name, or look at the earlier request in Service Catalog → Provisioned products.",
				Err:     err,
			}
		}
	}
	return steps.Explain(err, env)
}

// recordFailure turns the reason Account Factory gave into plain words.
func recordFailure(acct, ppName, reason string, env *steps.Env) error {
	low := strings.ToLower(reason)
	terminate := env.AWSCommand("servicecatalog terminate-provisioned-product --provisioned-product-name %s", ppName)
	switch {
	case strings.Contains(low, "email") && (strings.Contains(low, "already") || strings.Contains(low, "in use") || strings.Contains(low, "closed")):
		return &steps.UserError{
			Message: fmt.Sprintf("AWS could not create %s: its email address is already used by another AWS account, or by one closed less than 90 days ago (AWS holds those).", acct),
			Next:    "Choose an email nobody has used for AWS (for example name+env@your-domain), remove the failed request with `" + terminate + "`, then apply again.",
			Err:     errors.New(reason),
		}
	case strings.Contains(low, "not registered"):
		return &steps.UserError{
			Message: fmt.Sprintf("AWS could not create %s: its OU is not registered with Control Tower, so Control Tower cannot govern accounts in it.", acct),
			Next:    "Register the OU in the Control Tower console (Organization → the OU → Register), or pick Sandbox; then remove the failed request with `" + terminate + "` and apply again.",
			Err:     errors.New(reason),
		}
	case strings.Contains(low, "limit of") && strings.Contains(low, "accounts") && !strings.Contains(low, "in progress"):
		return &steps.UserError{
			Message: fmt.Sprintf("AWS could not create %s: your organization has as many accounts as its quota allows.", acct),
			Next:    "Ask for more in the Service Quotas console (AWS Organizations → Default maximum number of accounts), remove the failed request with `" + terminate + "`, then apply again.",
			Err:     errors.New(reason),
		}
	case strings.Contains(low, "limit") || strings.Contains(low, "in progress"):
		return &steps.UserError{
			Message: fmt.Sprintf("AWS could not start %s: Control Tower was already busy with five account operations.", acct),
			Next:    "Remove the failed request with `" + terminate + "`, wait for the running ones to finish, then apply again.",
			Err:     errors.New(reason),
		}
	}
	return &steps.UserError{
		Message: fmt.Sprintf("AWS could not create %s: %s", acct, reason),
		Next:    "Fix what it says, remove the failed request with `" + terminate + "`, then apply again.",
		Err:     errors.New(reason),
	}
}
