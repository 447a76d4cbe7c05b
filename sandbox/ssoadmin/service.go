// Package ssoadmin simulates IAM Identity Center's admin API (awsJson1_1,
// signing name "sso", target prefix SWBExternalService) for castle's sandbox:
// the organization instance Control Tower enables, the permission sets it
// creates, and account assignments that take a few virtual seconds
// (IN_PROGRESS → SUCCEEDED or FAILED) as they do on AWS.
package ssoadmin

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/castle-aws/castle/sandbox/identitystore"
	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// AssignDelay is how long an assignment request takes, in virtual time.
const AssignDelay = 5 * time.Second

// Instance is the organization instance of Identity Center.
type Instance struct {
	ARN     string    `json:"arn"`
	StoreID string    `json:"storeId"`
	Owner   string    `json:"owner"`
	Region  string    `json:"region"`
	Created time.Time `json:"created"`
}

// PermissionSet is one permission set.
type PermissionSet struct {
	ARN         string    `json:"arn"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Session     string    `json:"session"`
	Created     time.Time `json:"created"`
}

// Assignment is a principal's permission set on an account.
type Assignment struct {
	AccountID        string `json:"accountId"`
	PermissionSetARN string `json:"permissionSetArn"`
	PrincipalType    string `json:"principalType"`
	PrincipalID      string `json:"principalId"`
}

// Request is one CreateAccountAssignment or DeleteAccountAssignment call.
type Request struct {
	ID      string    `json:"id"`
	Delete  bool      `json:"delete,omitempty"`
	Status  string    `json:"status"` // IN_PROGRESS | SUCCEEDED | FAILED
	Reason  string    `json:"reason,omitempty"`
	Created time.Time `json:"created"`
	Ready   time.Time `json:"ready"`
	Assignment
}

// Service is the simulated sso-admin.
type Service struct {
	Inst           *Instance                 `json:"instance,omitempty"`
	PermissionSets map[string]*PermissionSet `json:"permissionSets"` // by ARN
	Assignments    []Assignment              `json:"assignments"`
	Requests       map[string]*Request       `json:"requests"`
}

// New returns the simulated sso-admin.
func New() *Service {
	return &Service{PermissionSets: map[string]*PermissionSet{}, Requests: map[string]*Request{}}
}

func (s *Service) Name() string            { return "sso" }
func (s *Service) Protocol() wire.Protocol { return wire.JSON11 }
func (s *Service) Snapshot() any           { return s }
func (s *Service) Restore(data json.RawMessage) error {
	if err := json.Unmarshal(data, s); err != nil {
		return err
	}
	if s.PermissionSets == nil {
		s.PermissionSets = map[string]*PermissionSet{}
	}
	if s.Requests == nil {
		s.Requests = map[string]*Request{}
	}
	return nil
}

// From returns the sso-admin service of a world, or nil when it is not registered.
func From(w *world.World) *Service {
	s, _ := w.Service("sso").(*Service)
	return s
}

// ControlTowerSets are the permission sets a landing zone creates, with
// descriptions in the words AWS uses for them.
var ControlTowerSets = []struct{ Name, Description string }{
	{"AWSAdministratorAccess", "Provides full access to AWS services and resources"},
	{"AWSPowerUserAccess", "Provides full access to AWS services and resources, but does not allow management of Users and groups"},
	{"AWSReadOnlyAccess", "This policy grants permissions to view resources and basic metadata across all AWS services"},
	{"AWSOrganizationsFullAccess", "Provides full access to AWS Organizations"},
	{"AWSServiceCatalogAdminFullAccess", "Provides full access to AWS Service Catalog admin capabilities"},
	{"AWSServiceCatalogEndUserAccess", "Provides access to the AWS Service Catalog end user console"},
}

// EnableInstance enables the organization instance of Identity Center in
// the management account (as Control Tower does) with its identity store
// and permission sets. Calling it again returns the same instance.
func (s *Service) EnableInstance(w *world.World, account, region string) (instanceARN, identityStoreID string) {
	if s.Inst == nil {
		s.Inst = &Instance{ARN: "arn:aws:sso:::instance/ssoins-" + w.HexID(16), StoreID: "d-" + w.HexID(10),
			Owner: account, Region: region, Created: w.Now()}
	}
	if is := identitystore.From(w); is != nil {
		is.EnsureStore(s.Inst.StoreID, s.Inst.Owner)
	}
	for _, ps := range ControlTowerSets {
		if s.setByName(ps.Name) == nil {
			id := s.Inst.ARN[len("arn:aws:sso:::instance/"):]
			p := &PermissionSet{ARN: "arn:aws:sso:::permissionSet/" + id + "/ps-" + w.HexID(16), Name: ps.Name,
				Description: ps.Description, Session: "PT1H", Created: w.Now()}
			s.PermissionSets[p.ARN] = p
		}
	}
	return s.Inst.ARN, s.Inst.StoreID
}

// Instance returns the instance's ARN and identity store id.
func (s *Service) Instance() (arn, storeID string, ok bool) {
	if s.Inst == nil {
		return "", "", false
	}
	return s.Inst.ARN, s.Inst.StoreID, true
}

// AssignNow gives a user a permission set on an account at once (Account
// Factory's own assignment for the account's SSO user).
func (s *Service) AssignNow(w *world.World, permissionSetName, principalID, accountID string) error {
	ps := s.setByName(permissionSetName)
	if ps == nil {
		return fmt.Errorf("no permission set %q (is Identity Center enabled?)", permissionSetName)
	}
	s.add(Assignment{AccountID: accountID, PermissionSetARN: ps.ARN, PrincipalType: "USER", PrincipalID: principalID})
	return nil
}

// Has reports whether a user holds a permission set (by name) on an account.
func (s *Service) Has(permissionSetName, principalID, accountID string) bool {
	return s.Count(permissionSetName, principalID, accountID) > 0
}

// Count is how many times the assignment exists (tests: exactly once).
func (s *Service) Count(permissionSetName, principalID, accountID string) int {
	ps := s.setByName(permissionSetName)
	if ps == nil {
		return 0
	}
	n := 0
	for _, a := range s.Assignments {
		if a.PermissionSetARN == ps.ARN && a.PrincipalID == principalID && a.AccountID == accountID {
			n++
		}
	}
	return n
}

// RequestCount is how many create (or delete) requests were made (tests).
func (s *Service) RequestCount(del bool) int {
	n := 0
	for _, r := range s.Requests {
		if r.Delete == del {
			n++
		}
	}
	return n
}

func (s *Service) setByName(name string) *PermissionSet {
	for _, p := range s.PermissionSets {
		if p.Name == name {
			return p
		}
	}
	return nil
}

func (s *Service) index(a Assignment) int {
	for i, b := range s.Assignments {
		if b == a {
			return i
		}
	}
	return -1
}

func (s *Service) add(a Assignment) {
	if s.index(a) < 0 {
		s.Assignments = append(s.Assignments, a)
	}
}

func (s *Service) remove(a Assignment) {
	if i := s.index(a); i >= 0 {
		s.Assignments = append(s.Assignments[:i], s.Assignments[i+1:]...)
	}
}

// Tick finishes the requests whose time has come.
func (s *Service) Tick(w *world.World) {
	now := w.Now()
	ids := make([]string, 0, len(s.Requests))
	for id, r := range s.Requests {
		if r.Status == "IN_PROGRESS" && !now.Before(r.Ready) {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return s.Requests[ids[i]].Created.Before(s.Requests[ids[j]].Created) })
	for _, id := range ids {
		r := s.Requests[id]
		switch {
		case r.Delete:
			s.remove(r.Assignment)
		case w.Accounts[r.AccountID] == nil:
			r.Status, r.Reason = "FAILED", "The account "+r.AccountID+" is not a member of the organization."
			continue
		case !principalExists(w, r.PrincipalID):
			r.Status, r.Reason = "FAILED", "The principal "+r.PrincipalID+" does not exist in the identity store."
			continue
		default:
			s.add(r.Assignment)
		}
		r.Status = "SUCCEEDED"
	}
}

func principalExists(w *world.World, id string) bool {
	is := identitystore.From(w)
	return is == nil || is.HasUser(id)
}
