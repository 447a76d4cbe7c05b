// Package iam simulates AWS Identity and Access Management (awsQuery) for
// castle's sandbox: roles with trust and inline policies, managed-policy
// attachments, service-linked roles, and the account summary (root MFA).
package iam

import (
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// Role is an IAM role.
type Role struct {
	Name     string            `json:"name"`
	Path     string            `json:"path"`
	ID       string            `json:"id"`
	ARN      string            `json:"arn"`
	Created  time.Time         `json:"created"`
	Trust    string            `json:"trust"`
	Inline   map[string]string `json:"inline,omitempty"`
	Attached []string          `json:"attached,omitempty"`
	Linked   string            `json:"linkedService,omitempty"` // service-linked role's service
}

// AccountState is one account's IAM.
type AccountState struct {
	Roles   map[string]*Role `json:"roles"`
	RootMFA bool             `json:"rootMfa"`
}

// Service is the simulated IAM.
type Service struct {
	Accounts map[string]*AccountState `json:"accounts"`
}

// New returns the simulated IAM.
func New() *Service { return &Service{Accounts: map[string]*AccountState{}} }

func (s *Service) Name() string            { return "iam" }
func (s *Service) Protocol() wire.Protocol { return wire.Query }
func (s *Service) XMLNamespace() string    { return "https://iam.amazonaws.com/doc/2010-05-08/" }
func (s *Service) Snapshot() any           { return s }
func (s *Service) Restore(data json.RawMessage) error {
	return json.Unmarshal(data, s)
}

// From returns the IAM service of a world, for other services' side effects.
func From(w *world.World) *Service { return w.Service("iam").(*Service) }

func (s *Service) account(id string) *AccountState {
	a, ok := s.Accounts[id]
	if !ok {
		a = &AccountState{Roles: map[string]*Role{}}
		s.Accounts[id] = a
	}
	return a
}

// PutRole creates a role if it is missing (other services' side effects,
// e.g. AWSControlTowerExecution in a vended account) and returns it.
func (s *Service) PutRole(w *world.World, account, path, name, trust string, attached ...string) *Role {
	a := s.account(account)
	if r, ok := a.Roles[strings.ToLower(name)]; ok {
		return r
	}
	if path == "" {
		path = "/"
	}
	r := &Role{Name: name, Path: path, ID: "AROA" + strings.ToUpper(w.AlnumID(17)), ARN: "arn:aws:iam::" + account + ":role" + path + name,
		Created: w.Now(), Trust: trust, Inline: map[string]string{}, Attached: attached}
	a.Roles[strings.ToLower(name)] = r
	return r
}

// Role returns a role by name.
func (s *Service) Role(account, name string) (*Role, bool) {
	r, ok := s.account(account).Roles[strings.ToLower(name)]
	return r, ok
}

// SetRootMFA turns the root user's MFA on or off.
func (s *Service) SetRootMFA(account string, on bool) { s.account(account).RootMFA = on }

// Control: POST /_sandbox/iam/root-mfa?account=ID&enabled=true
func (s *Service) Control(w *world.World, action string, p url.Values) (any, error) {
	switch action {
	case "root-mfa":
		acct := p.Get("account")
		if acct == "" {
			acct = world.ManagementAccount
		}
		s.SetRootMFA(acct, p.Get("enabled") == "true")
		return map[string]bool{"rootMfa": s.account(acct).RootMFA}, nil
	}
	return nil, wire.UnknownOperation(action)
}

func (s *Service) Handle(w *world.World, r *wire.Request) (any, error) {
	a := s.account(r.Account)
	switch r.Operation {
	case "GetAccountSummary":
		return s.summary(a), nil
	case "GetRole":
		role, err := s.mustRole(a, r.Param("RoleName"))
		if err != nil {
			return nil, err
		}
		return struct {
			Role xmlRole `xml:"Role"`
		}{toXML(role)}, nil
	case "CreateRole":
		return s.createRole(w, r, a)
	case "CreateServiceLinkedRole":
		return s.createLinkedRole(w, r, a)
	case "AttachRolePolicy":
		role, err := s.mustRole(a, r.Param("RoleName"))
		if err != nil {
			return nil, err
		}
		arn := r.Param("PolicyArn")
		if !strings.HasPrefix(arn, "arn:aws:iam::aws:policy/") {
			return nil, wire.Errorf(404, "NoSuchEntity", "Policy %s does not exist or is not attachable.", arn)
		}
		for _, p := range role.Attached {
			if p == arn {
				return nil, nil
			}
		}
		role.Attached = append(role.Attached, arn)
		return nil, nil
	case "PutRolePolicy":
		role, err := s.mustRole(a, r.Param("RoleName"))
		if err != nil {
			return nil, err
		}
		doc := r.Param("PolicyDocument")
		if !json.Valid([]byte(doc)) {
			return nil, wire.Errorf(400, "MalformedPolicyDocument", "The policy document is not valid JSON.")
		}
		role.Inline[r.Param("PolicyName")] = doc
		return nil, nil
	case "GetRolePolicy":
		role, err := s.mustRole(a, r.Param("RoleName"))
		if err != nil {
			return nil, err
		}
		doc, ok := role.Inline[r.Param("PolicyName")]
		if !ok {
			return nil, wire.Errorf(404, "NoSuchEntity", "The role policy with name %s cannot be found.", r.Param("PolicyName"))
		}
		return struct {
			RoleName       string
			PolicyName     string
			PolicyDocument string
		}{role.Name, r.Param("PolicyName"), url.QueryEscape(doc)}, nil
	case "ListRolePolicies":
		role, err := s.mustRole(a, r.Param("RoleName"))
		if err != nil {
			return nil, err
		}
		names := make([]string, 0, len(role.Inline))
		for n := range role.Inline {
			names = append(names, n)
		}
		sort.Strings(names)
		return struct {
			PolicyNames []string `xml:"PolicyNames>member"`
			IsTruncated bool
		}{names, false}, nil
	case "ListAttachedRolePolicies":
		role, err := s.mustRole(a, r.Param("RoleName"))
		if err != nil {
			return nil, err
		}
		type attached struct{ PolicyName, PolicyArn string }
		var out []attached
		for _, arn := range role.Attached {
			out = append(out, attached{arn[strings.LastIndexByte(arn, '/')+1:], arn})
		}
		return struct {
			AttachedPolicies []attached `xml:"AttachedPolicies>member"`
			IsTruncated      bool
		}{out, false}, nil
	case "ListRoles":
		var roles []xmlRole
		for _, role := range sortedRoles(a) {
			if p := r.Param("PathPrefix"); p != "" && !strings.HasPrefix(role.Path, p) {
				continue
			}
			roles = append(roles, toXML(role))
		}
		return struct {
			Roles       []xmlRole `xml:"Roles>member"`
			IsTruncated bool
		}{roles, false}, nil
	}
	return nil, wire.Errorf(400, "InvalidAction", "The action %s is not valid for this web service.", r.Operation)
}

func (s *Service) summary(a *AccountState) any {
	type entry struct {
		Key   string `xml:"key"`
		Value int    `xml:"value"`
	}
	mfa := 0
	if a.RootMFA {
		mfa = 1
	}
	return struct {
		Entries []entry `xml:"SummaryMap>entry"`
	}{[]entry{
		{"AccountMFAEnabled", mfa},
		{"AccountAccessKeysPresent", 0},
		{"AccountPasswordPresent", 1},
		{"Roles", len(a.Roles)},
		{"RolesQuota", 1000},
	}}
}

func (s *Service) mustRole(a *AccountState, name string) (*Role, error) {
	role, ok := a.Roles[strings.ToLower(name)]
	if !ok {
		return nil, wire.Errorf(404, "NoSuchEntity", "The role with name %s cannot be found.", name)
	}
	return role, nil
}

func (s *Service) createRole(w *world.World, r *wire.Request, a *AccountState) (any, error) {
	name := r.Param("RoleName")
	if name == "" || len(name) > 64 {
		return nil, wire.Errorf(400, "ValidationError", "1 validation error detected: Value at 'roleName' failed to satisfy constraint: Member must have length between 1 and 64")
	}
	if _, exists := a.Roles[strings.ToLower(name)]; exists {
		return nil, wire.Errorf(409, "EntityAlreadyExists", "Role with name %s already exists.", name)
	}
	trust := r.Param("AssumeRolePolicyDocument")
	if !json.Valid([]byte(trust)) {
		return nil, wire.Errorf(400, "MalformedPolicyDocument", "The trust policy is not valid JSON.")
	}
	role := s.PutRole(w, r.Account, r.Param("Path"), name, trust)
	return struct {
		Role xmlRole `xml:"Role"`
	}{toXML(role)}, nil
}

func (s *Service) createLinkedRole(w *world.World, r *wire.Request, a *AccountState) (any, error) {
	svc := r.Param("AWSServiceName")
	names := map[string]string{
		"ecs.amazonaws.com":                         "AWSServiceRoleForECS",
		"ecs.application-autoscaling.amazonaws.com": "AWSServiceRoleForApplicationAutoScaling_ECSService",
		"servicecatalog.amazonaws.com":              "AWSServiceRoleForServiceCatalog",
	}
	name, ok := names[svc]
	if !ok {
		name = "AWSServiceRoleFor" + strings.Title(strings.Split(svc, ".")[0])
	}
	if _, exists := a.Roles[strings.ToLower(name)]; exists {
		return nil, wire.Errorf(400, "InvalidInput", "Service role name %s has been taken in this account, please try a different suffix.", name)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + svc + `"},"Action":"sts:AssumeRole"}]}`
	role := s.PutRole(w, r.Account, "/aws-service-role/"+svc+"/", name, trust)
	role.Linked = svc
	return struct {
		Role xmlRole `xml:"Role"`
	}{toXML(role)}, nil
}

type xmlRole struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               string
	AssumeRolePolicyDocument string
}

func toXML(r *Role) xmlRole {
	return xmlRole{r.Path, r.Name, r.ID, r.ARN, wire.ISO(r.Created), url.QueryEscape(r.Trust)}
}

func sortedRoles(a *AccountState) []*Role {
	out := make([]*Role, 0, len(a.Roles))
	for _, r := range a.Roles {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
