package wire

import (
	"fmt"
)

// Error is an AWS error response. Code is the error code the SDK turns into
// its typed error (e.g. "ResourceNotFoundException"); Fields are extra members
// of the error shape for the JSON protocols (e.g. "Reason").
type Error struct {
	Status  int
	Code    string
	Message string
	Fields  map[string]any
	// Sender is false for server faults (Type Receiver in awsQuery).
	Server bool
	// Header, when set, is added to the response (e.g. Retry-After).
	Header map[string]string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf builds a client error (4xx).
func Errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Common errors, with the codes AWS services use.

func Validation(format string, args ...any) *Error {
	return Errorf(400, "ValidationException", format, args...)
}

func NotFound(code, format string, args ...any) *Error {
	return Errorf(400, code, format, args...)
}

func Conflict(format string, args ...any) *Error {
	return Errorf(409, "ConflictException", format, args...)
}

func AccessDenied(format string, args ...any) *Error {
	return Errorf(403, "AccessDeniedException", format, args...)
}

// UnknownOperation is what AWS answers for an operation the endpoint does not have.
func UnknownOperation(op string) *Error {
	return Errorf(400, "UnknownOperationException", "the sandbox does not implement %s", op)
}
