// Package wire speaks AWS's wire protocols on the server side: it reads a
// request the real SDK sent (awsJson1_0/1_1, restJson1, awsQuery, ec2Query,
// restXml) and writes a response or an error in the shape that service's SDK
// client parses, so the SDK's deserializers, error types and retryer behave
// exactly as they do against AWS.
package wire

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Protocol is an AWS wire protocol.
type Protocol int

const (
	JSON10   Protocol = iota // awsJson1_0 (codeconnections)
	JSON11                   // awsJson1_1 (organizations, ecs, ecr, sso-admin, ...)
	RestJSON                 // restJson1 (controltower)
	Query                    // awsQuery (iam, sts)
	EC2Query                 // ec2Query (ec2)
	RestXML                  // restXml (s3)
)

func (p Protocol) String() string {
	return [...]string{"awsJson1_0", "awsJson1_1", "restJson1", "awsQuery", "ec2Query", "restXml"}[p]
}

// Request is one AWS call as the sandbox sees it.
type Request struct {
	Service   string // SigV4 signing name, e.g. "organizations"
	Operation string // e.g. "CreateOrganization"
	Region    string
	// AccessKeyID is the caller's key (from the SigV4 credential scope).
	AccessKeyID string
	// Account and Principal are the caller, resolved from the access key.
	Account   string
	Principal string
	RequestID string

	HTTP *http.Request
	Body []byte
	// Form holds the parameters of query protocols (awsQuery, ec2Query).
	Form url.Values
	// PathParams are filled by a RestRouter.
	PathParams map[string]string
}

// DecodeJSON decodes a JSON body into v; a malformed body is a SerializationException.
func (r *Request) DecodeJSON(v any) error {
	if len(r.Body) == 0 {
		return nil
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		return &Error{Status: 400, Code: "SerializationException", Message: "could not read the request: " + err.Error()}
	}
	return nil
}

// Param returns a query-protocol parameter ("RoleName", "Filter.1.Name").
func (r *Request) Param(name string) string { return r.Form.Get(name) }

// List returns the members of a query-protocol list: prefix "Tags.member"
// (awsQuery) or "SubnetId" (ec2Query) → values of prefix.1, prefix.2, ...
func (r *Request) List(prefix string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := r.Form[fmt.Sprintf("%s.%d", prefix, i)]
		if !ok {
			return out
		}
		out = append(out, v[0])
	}
}

// Structs returns the members of a query-protocol list of structures as maps
// of field → value: prefix "Filter" gives {"Name": "...", "Value.1": "..."}.
func (r *Request) Structs(prefix string) []map[string]string {
	var out []map[string]string
	for i := 1; ; i++ {
		p := fmt.Sprintf("%s.%d.", prefix, i)
		m := map[string]string{}
		for k, v := range r.Form {
			if strings.HasPrefix(k, p) {
				m[strings.TrimPrefix(k, p)] = v[0]
			}
		}
		if len(m) == 0 {
			return out
		}
		out = append(out, m)
	}
}

// Epoch is a timestamp as the JSON protocols send it: seconds since the epoch.
func Epoch(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}

// EpochPtr is Epoch for optional fields: nil for a zero time.
func EpochPtr(t time.Time) *float64 {
	if t.IsZero() {
		return nil
	}
	e := Epoch(t)
	return &e
}

// ISO is a timestamp as the XML protocols send it.
func ISO(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// Raw is a response a service writes itself (restXml, registry-like bodies).
type Raw struct {
	Status int
	Header http.Header
	Body   []byte
}

// RestRouter is implemented by services of the REST protocols (restJson1,
// restXml): it names the operation of a request from its method and path.
type RestRouter interface {
	Route(r *http.Request) (operation string, params map[string]string, ok bool)
}
