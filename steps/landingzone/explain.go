package landingzone

import (
	"errors"
	"fmt"
	"regexp"

	cttypes "github.com/aws/aws-sdk-go-v2/service/controltower/types"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/castle-aws/castle/steps"
)

// explain words the errors of this section, then falls back on steps.Explain.
func explain(err error, env *steps.Env) error {
	if err == nil {
		return nil
	}
	var cv *orgtypes.ConstraintViolationException
	if errors.As(err, &cv) && cv.Reason == orgtypes.ConstraintViolationExceptionReasonAccountNumberLimitExceeded {
		return &steps.UserError{
			Message: "Your organization has reached its limit on the number of accounts.",
			Next:    "Ask AWS for a higher limit in Service Quotas (AWS Organizations, \"Default maximum number of accounts\"), then run castle again.",
			Err:     err,
		}
	}
	var denied *cttypes.AccessDeniedException
	if errors.As(err, &denied) {
		return &steps.UserError{
			Message: "Control Tower refused: " + denied.ErrorMessage(),
			Next:    "Make sure you are signed in to the management account as an administrator, then run castle again; castle recreates any missing Control Tower role.",
			Err:     err,
		}
	}
	var ve *cttypes.ValidationException
	if errors.As(err, &ve) {
		return &steps.UserError{
			Message: "Control Tower did not accept the request: " + ve.ErrorMessage(),
			Next:    "Check the Landing zone answers (home region, governed regions, emails), then run castle again.",
			Err:     err,
		}
	}
	return steps.Explain(err, env)
}

// newerVersion reads the version AWS requires from its answer to an older one.
var newerVersion = regexp.MustCompile(`(?i)latest available version[^0-9]*(\d+\.\d+)`)

func requiredVersion(err error) (string, bool) {
	var ve *cttypes.ValidationException
	if !errors.As(err, &ve) {
		return "", false
	}
	m := newerVersion.FindStringSubmatch(ve.ErrorMessage())
	if m == nil {
		return "", false
	}
	return m[1], true
}

// accountFailure explains a CreateAccount request that ended FAILED.
func accountFailure(name, email string, reason orgtypes.CreateAccountFailureReason) error {
	switch reason {
	case orgtypes.CreateAccountFailureReasonEmailAlreadyExists:
		return &steps.UserError{
			Message: fmt.Sprintf("AWS could not create the %s account: the email %s already belongs to another AWS account (every account needs an address no other account has ever used).", name, email),
			Next:    "Choose another address in the Landing zone form, for example with plus-addressing (you+" + slug(name) + "@yourdomain.com), then run castle again.",
		}
	case orgtypes.CreateAccountFailureReasonAccountLimitExceeded:
		return &steps.UserError{
			Message: "AWS could not create the " + name + " account: the organization has reached its limit on accounts.",
			Next:    "Ask AWS for a higher limit in Service Quotas, then run castle again.",
		}
	case orgtypes.CreateAccountFailureReasonInvalidEmail, orgtypes.CreateAccountFailureReasonInvalidAddress:
		return &steps.UserError{
			Message: fmt.Sprintf("AWS could not create the %s account: it does not accept %s as an email address.", name, email),
			Next:    "Enter another address in the Landing zone form, then run castle again.",
		}
	case orgtypes.CreateAccountFailureReasonConcurrentAccountModification:
		return &steps.UserError{Message: "AWS was busy changing the organization and did not create the " + name + " account.", Next: "Run castle again in a minute."}
	}
	return &steps.UserError{
		Message: fmt.Sprintf("AWS could not create the %s account (%s).", name, reason),
		Next:    "If this repeats, check the payment method and the details of the management account in the AWS console, then run castle again.",
	}
}

func slug(name string) string {
	if name == LogArchiveName {
		return "log"
	}
	return "audit"
}
