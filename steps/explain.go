package steps

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/smithy-go"
)

// ErrNoCredentials is wrapped by the UserError Explain returns when the
// standard chain found no credentials at all (as opposed to expired ones).
var ErrNoCredentials = errors.New("no AWS credentials found")

// UserError is an error in plain words with the next thing to do. Every error
// that reaches a screen or the headless output should be one.
type UserError struct {
	Message string // what went wrong, one or two sentences
	Next    string // what to do now, ideally a command to run
	Err     error  // the underlying error, for --debug
}

func (e *UserError) Error() string {
	if e.Next == "" {
		return e.Message
	}
	return e.Message + " " + e.Next
}

func (e *UserError) Unwrap() error { return e.Err }

// Explain turns an AWS SDK error into a UserError with the next action. Errors
// it does not know are wrapped with the AWS code and message, which is still
// better than the raw operation error chain. Sections add their own cases
// before calling it.
func Explain(err error, env *Env) error {
	if err == nil {
		return nil
	}
	var ue *UserError
	if errors.As(err, &ue) {
		return err
	}
	profile := "default"
	loginCmd := "aws sso login"
	if env != nil && env.Profile != "" {
		profile = env.Profile
		loginCmd = "aws sso login --profile " + env.Profile
	}
	var invalidToken *ssocreds.InvalidTokenError
	msg := err.Error()
	switch {
	case errors.Is(err, context.Canceled):
		return err
	case errors.As(err, &invalidToken),
		strings.Contains(msg, "cached SSO token is expired"),
		strings.Contains(msg, "refresh cached SSO token failed"),
		strings.Contains(msg, "failed to read cached SSO token file"),
		strings.Contains(msg, "the SSO session has expired"):
		return &UserError{
			Message: fmt.Sprintf("Your AWS sign-in for profile %q has expired.", profile),
			Next:    "Run `" + loginCmd + "` in another terminal, then retry.",
			Err:     err,
		}
	}
	var noProfile config.SharedConfigProfileNotExistError
	if errors.As(err, &noProfile) {
		return &UserError{
			Message: fmt.Sprintf("There is no AWS profile called %q in your AWS config.", noProfile.Profile),
			Next:    "Pick one of the listed profiles, or create it with `aws configure sso`.",
			Err:     err,
		}
	}
	var missingRegion *aws.MissingRegionError
	if errors.As(err, &missingRegion) {
		return &UserError{Message: "No AWS region is set.", Next: "Choose a region in Preflight, or pass --region.", Err: err}
	}
	if strings.Contains(msg, "failed to retrieve credentials") || strings.Contains(msg, "no EC2 IMDS role found") || strings.Contains(msg, "get credentials") {
		return &UserError{
			Message: "castle found no AWS credentials.",
			Next:    "Run `aws configure sso` (or `aws sso login` for an existing profile), or try castle on the simulator with `castle --sandbox`.",
			Err:     fmt.Errorf("%w: %w", ErrNoCredentials, err),
		}
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		code := apiErr.ErrorCode()
		switch {
		case code == "ExpiredToken" || code == "ExpiredTokenException" || code == "RequestExpired":
			return &UserError{
				Message: "Your AWS credentials have expired.",
				Next:    "Sign in again (`" + loginCmd + "`), then retry.",
				Err:     err,
			}
		case code == "InvalidClientTokenId" || code == "UnrecognizedClientException" || code == "SignatureDoesNotMatch":
			return &UserError{
				Message: "AWS does not recognise these credentials.",
				Next:    "Check the access key of profile " + profile + ", or sign in again with `" + loginCmd + "`.",
				Err:     err,
			}
		case strings.Contains(code, "AccessDenied") || code == "UnauthorizedOperation":
			return &UserError{
				Message: "AWS refused: " + apiErr.ErrorMessage(),
				Next:    "Sign in with an identity that has administrator access to this account (for example the AWSAdministratorAccess permission set), then retry.",
				Err:     err,
			}
		case isThrottle(code):
			return &UserError{
				Message: "AWS is asking castle to slow down (" + code + ").",
				Next:    "Wait a minute and retry; nothing was lost.",
				Err:     err,
			}
		}
		return &UserError{Message: fmt.Sprintf("AWS answered %s: %s", code, apiErr.ErrorMessage()), Err: err}
	}
	var netErr *net.OpError
	if errors.As(err, &netErr) {
		return &UserError{
			Message: "castle could not reach AWS (" + netErr.Error() + ").",
			Next:    "Check your network connection, then retry.",
			Err:     err,
		}
	}
	return err
}

func isThrottle(code string) bool {
	switch code {
	case "Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded", "SlowDown":
		return true
	}
	return false
}
