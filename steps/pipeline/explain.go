package pipeline

import (
	"errors"
	"net/url"
	"strings"

	"github.com/castle-aws/castle/steps"
)

// explain words the pipeline's AWS errors; the rest goes to steps.Explain.
func explain(err error, env *steps.Env, in inputs) error {
	if err == nil {
		return nil
	}
	var ue *steps.UserError
	if errors.As(err, &ue) {
		return err
	}
	switch code := apiCode(err); {
	case notYetAssumable(err):
		return &steps.UserError{
			Message: "AWS has not finished setting up the new roles " + in.BuildRole + " and " + in.PipelineRole + ", so CodeBuild or CodePipeline cannot use them yet.",
			Next:    "Wait a minute and apply the Pipeline section again; nothing is created twice.",
			Err:     err,
		}
	case code == "BucketAlreadyExists":
		return &steps.UserError{
			Message: "Another AWS account already owns a bucket named " + in.Bucket + ".",
			Next:    "Bucket names are shared by everyone on AWS; tell castle's maintainers, since castle's names include your account id.",
			Err:     err,
		}
	case code == "LimitExceededException":
		return &steps.UserError{
			Message: "The account has reached an AWS limit: " + errMessage(err),
			Next:    "Delete connections or pipelines you no longer use, or ask AWS Support for a higher quota, then apply again.",
			Err:     err,
		}
	case code == "InvalidStructureException" || code == "InvalidActionDeclarationException" || code == "InvalidInputException":
		return &steps.UserError{
			Message: "AWS refused castle's pipeline definition: " + errMessage(err),
			Next:    "This is a bug in castle; please report it with the output of `castle plan --only pipeline`.",
			Err:     err,
		}
	}
	return steps.Explain(err, env)
}

// notYetAssumable reports the errors AWS gives while a new role cannot be
// assumed yet (IAM is eventually consistent).
func notYetAssumable(err error) bool {
	code, msg := apiCode(err), errMessage(err)
	switch code {
	case "InvalidInputException", "InvalidStructureException", "InvalidParameterException":
		return strings.Contains(msg, "AssumeRole") || strings.Contains(msg, "not authorized to perform")
	}
	return false
}

func errMessage(err error) string {
	type messager interface{ ErrorMessage() string }
	var m messager
	if errors.As(err, &m) {
		return m.ErrorMessage()
	}
	return err.Error()
}

// decodePolicy undoes the URL encoding IAM returns policy documents in.
func decodePolicy(doc string) string {
	if d, err := url.QueryUnescape(doc); err == nil {
		return d
	}
	return doc
}
