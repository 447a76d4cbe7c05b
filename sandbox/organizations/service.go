// Package organizations simulates AWS Organizations (awsJson1_1) for castle's
// sandbox: one organization per sandbox, its root, OUs, member accounts,
// asynchronous CreateAccount (IN_PROGRESS, then SUCCEEDED or FAILED with a
// FailureReason, as AWS reports a duplicate email), and paginated lists.
package organizations

import (
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// AccountLimit is the default number of accounts a new organization may hold
// (the management account included).
const AccountLimit = 10

// CreateDuration is how long CreateAccount takes on the virtual clock.
const CreateDuration = 3 * time.Minute

// Org is the organization.
type Org struct {
	ID         string    `json:"id"`
	Management string    `json:"management"`
	FeatureSet string    `json:"featureSet"`
	RootID     string    `json:"rootId"`
	Created    time.Time `json:"created"`
}

// OU is an organizational unit.
type OU struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Parent string `json:"parent"`
}

// Member is an account in the organization.
type Member struct {
	ID     string    `json:"id"`
	Email  string    `json:"email"`
	Parent string    `json:"parent"`
	Joined time.Time `json:"joined"`
	Method string    `json:"method"` // CREATED | INVITED
}

// Request is one CreateAccount request.
type Request struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Email       string    `json:"email"`
	RoleName    string    `json:"roleName"`
	State       string    `json:"state"` // IN_PROGRESS | SUCCEEDED | FAILED
	Requested   time.Time `json:"requested"`
	Completed   time.Time `json:"completed,omitempty"`
	ReadyAt     time.Time `json:"readyAt"`
	AccountID   string    `json:"accountId,omitempty"`
	FailureCode string    `json:"failureReason,omitempty"`
}

// Service is the simulated Organizations.
type Service struct {
	Org      *Org               `json:"org,omitempty"`
	OUs      map[string]*OU     `json:"ous"`
	Members  map[string]*Member `json:"members"`
	Requests []*Request         `json:"requests"`
}

// New returns the simulated Organizations.
func New() *Service {
	return &Service{OUs: map[string]*OU{}, Members: map[string]*Member{}}
}

// From returns the Organizations service of a world, nil when not registered.
func From(w *world.World) *Service {
	s, _ := w.Service("organizations").(*Service)
	return s
}

func (s *Service) Name() string            { return "organizations" }
func (s *Service) Protocol() wire.Protocol { return wire.JSON11 }
func (s *Service) Snapshot() any           { return s }
func (s *Service) Restore(data json.RawMessage) error {
	if err := json.Unmarshal(data, s); err != nil {
		return err
	}
	if s.OUs == nil {
		s.OUs = map[string]*OU{}
	}
	if s.Members == nil {
		s.Members = map[string]*Member{}
	}
	return nil
}

// ThrottleError is Organizations' throttling answer.
func (s *Service) ThrottleError() *wire.Error {
	e := wire.Errorf(400, "TooManyRequestsException", "You have sent too many requests in too short a period of time. The quota helps protect against denial-of-service attacks. Try again later.")
	e.Fields = map[string]any{"Type": "TooManyRequests"}
	return e
}

// Tick finishes CreateAccount requests whose time has come.
func (s *Service) Tick(w *world.World) {
	now := w.Now()
	for _, r := range s.Requests {
		if r.State != "IN_PROGRESS" || now.Before(r.ReadyAt) {
			continue
		}
		r.Completed = r.ReadyAt
		if s.emailTaken(w, r.Email) {
			r.State, r.FailureCode = "FAILED", "EMAIL_ALREADY_EXISTS"
			continue
		}
		if s.Org == nil {
			r.State, r.FailureCode = "FAILED", "INTERNAL_FAILURE"
			continue
		}
		a := w.NewAccount(r.Name, r.Email, false)
		a.Created = r.ReadyAt
		s.Members[a.ID] = &Member{ID: a.ID, Email: a.Email, Parent: s.Org.RootID, Joined: r.ReadyAt, Method: "CREATED"}
		putAdminRole(w, a.ID, s.Org.Management, r.RoleName)
		r.State, r.AccountID = "SUCCEEDED", a.ID
	}
}

// OrganizationID returns the organization's id.
func (s *Service) OrganizationID() (string, bool) {
	if s == nil || s.Org == nil {
		return "", false
	}
	return s.Org.ID, true
}

// RootID returns the root's id, "" without an organization.
func (s *Service) RootID() string {
	if s == nil || s.Org == nil {
		return ""
	}
	return s.Org.RootID
}

// OUByName finds an OU by name anywhere in the organization.
func (s *Service) OUByName(name string) (id, arn string, ok bool) {
	if s == nil || s.Org == nil {
		return "", "", false
	}
	for _, ou := range s.sortedOUs() {
		if strings.EqualFold(ou.Name, name) {
			return ou.ID, s.ouARN(ou.ID), true
		}
	}
	return "", "", false
}

// ParentOf returns the id of an account's parent (root or OU), "" when the
// account is not in the organization.
func (s *Service) ParentOf(accountID string) string {
	if s == nil {
		return ""
	}
	if m, ok := s.Members[accountID]; ok {
		return m.Parent
	}
	return ""
}

// EmailInUse reports whether an account of the organization, or a
// CreateAccount request still running, uses the email (case-insensitive).
func (s *Service) EmailInUse(email string) bool {
	if s == nil {
		return false
	}
	for _, m := range s.Members {
		if strings.EqualFold(m.Email, email) {
			return true
		}
	}
	for _, r := range s.Requests {
		if r.State == "IN_PROGRESS" && strings.EqualFold(r.Email, email) {
			return true
		}
	}
	return false
}

// AddAccount puts a new ACTIVE account in the organization at once (Account
// Factory), under parentID (the root when empty), with an
// AWSControlTowerExecution role trusting the management account.
func (s *Service) AddAccount(w *world.World, name, email, parentID string, vended bool) (*world.Account, error) {
	if s == nil || s.Org == nil {
		return nil, wire.Errorf(400, "AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
	}
	if parentID == "" {
		parentID = s.Org.RootID
	}
	if !s.parentExists(parentID) {
		return nil, wire.Errorf(400, "ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.")
	}
	if s.emailTaken(w, email) {
		return nil, wire.Errorf(400, "DuplicateAccountException", "That account already exists.")
	}
	a := w.NewAccount(name, email, vended)
	s.Members[a.ID] = &Member{ID: a.ID, Email: a.Email, Parent: parentID, Joined: w.Now(), Method: "CREATED"}
	putAdminRole(w, a.ID, s.Org.Management, "AWSControlTowerExecution")
	return a, nil
}

// emailTaken reports whether any account of the world (AWS-wide) has the email.
func (s *Service) emailTaken(w *world.World, email string) bool {
	for _, a := range w.Accounts {
		if strings.EqualFold(a.Email, email) {
			return true
		}
	}
	return false
}

func (s *Service) parentExists(id string) bool {
	if s.Org != nil && id == s.Org.RootID {
		return true
	}
	_, ok := s.OUs[id]
	return ok
}

func (s *Service) sortedOUs() []*OU {
	out := make([]*OU, 0, len(s.OUs))
	for _, ou := range s.OUs {
		out = append(out, ou)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (s *Service) orgARN() string {
	return "arn:aws:organizations::" + s.Org.Management + ":organization/" + s.Org.ID
}

func (s *Service) rootARN() string {
	return "arn:aws:organizations::" + s.Org.Management + ":root/" + s.Org.ID + "/" + s.Org.RootID
}

func (s *Service) ouARN(id string) string {
	return "arn:aws:organizations::" + s.Org.Management + ":ou/" + s.Org.ID + "/" + id
}

func (s *Service) accountARN(id string) string {
	return "arn:aws:organizations::" + s.Org.Management + ":account/" + s.Org.ID + "/" + id
}
