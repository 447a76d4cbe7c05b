// Package identitystore simulates the AWS Identity Store (awsJson1_1, signing
// name "identitystore") for castle's sandbox: the users of the identity
// store an IAM Identity Center instance owns. Stores are created by the
// sso-admin simulation (EnsureStore) when Identity Center is enabled.
package identitystore

import (
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// User is one identity-store user.
type User struct {
	ID          string    `json:"id"`
	UserName    string    `json:"userName"`
	DisplayName string    `json:"displayName"`
	GivenName   string    `json:"givenName"`
	FamilyName  string    `json:"familyName"`
	Email       string    `json:"email"`
	Created     time.Time `json:"created"`
}

// Store is one identity store (d-xxxxxxxxxx).
type Store struct {
	ID    string           `json:"id"`
	Owner string           `json:"owner"` // management account
	Users map[string]*User `json:"users"` // by user id
}

// Service is the simulated Identity Store.
type Service struct {
	Stores map[string]*Store `json:"stores"`
}

// New returns the simulated Identity Store.
func New() *Service { return &Service{Stores: map[string]*Store{}} }

func (s *Service) Name() string            { return "identitystore" }
func (s *Service) Protocol() wire.Protocol { return wire.JSON11 }
func (s *Service) Snapshot() any           { return s }
func (s *Service) Restore(data json.RawMessage) error {
	if err := json.Unmarshal(data, s); err != nil {
		return err
	}
	if s.Stores == nil {
		s.Stores = map[string]*Store{}
	}
	return nil
}

// From returns the Identity Store of a world, or nil when it is not registered.
func From(w *world.World) *Service {
	s, _ := w.Service("identitystore").(*Service)
	return s
}

// EnsureStore creates an empty identity store when it does not exist
// (called by sso-admin when Identity Center is enabled).
func (s *Service) EnsureStore(storeID, owner string) {
	if _, ok := s.Stores[storeID]; !ok {
		s.Stores[storeID] = &Store{ID: storeID, Owner: owner, Users: map[string]*User{}}
	}
}

// EnsureUser returns the id of the user with that user name, creating it
// (for example the SSO user Account Factory names) when missing. An email
// another user has is an error.
func (s *Service) EnsureUser(w *world.World, storeID, userName, email, given, family string) (string, error) {
	st, ok := s.Stores[storeID]
	if !ok {
		return "", storeNotFound(storeID)
	}
	if u := st.byName(userName); u != nil {
		return u.ID, nil
	}
	u := &User{UserName: userName, DisplayName: strings.TrimSpace(given + " " + family), GivenName: given, FamilyName: family, Email: email}
	if err := s.add(w, st, u); err != nil {
		return "", err
	}
	return u.ID, nil
}

// UserByEmail finds a user by primary email (case-insensitive).
func (s *Service) UserByEmail(storeID, email string) (string, bool) {
	if st, ok := s.Stores[storeID]; ok {
		if u := st.byEmail(email); u != nil {
			return u.ID, true
		}
	}
	return "", false
}

// UserByName finds a user by user name (case-insensitive, as AWS compares them).
func (s *Service) UserByName(storeID, userName string) (string, bool) {
	if st, ok := s.Stores[storeID]; ok {
		if u := st.byName(userName); u != nil {
			return u.ID, true
		}
	}
	return "", false
}

// HasUser reports whether a user id exists in any store.
func (s *Service) HasUser(userID string) bool {
	for _, st := range s.Stores {
		if _, ok := st.Users[userID]; ok {
			return true
		}
	}
	return false
}

// UserCount is the number of users of a store (tests).
func (s *Service) UserCount(storeID string) int {
	if st, ok := s.Stores[storeID]; ok {
		return len(st.Users)
	}
	return 0
}

func (st *Store) byName(name string) *User {
	for _, u := range st.Users {
		if strings.EqualFold(u.UserName, name) {
			return u
		}
	}
	return nil
}

func (st *Store) byEmail(email string) *User {
	if email == "" {
		return nil
	}
	for _, u := range st.Users {
		if strings.EqualFold(u.Email, email) {
			return u
		}
	}
	return nil
}

// sorted returns the users in creation order (stable pagination).
func (st *Store) sorted() []*User {
	out := make([]*User, 0, len(st.Users))
	for _, u := range st.Users {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func (s *Service) add(w *world.World, st *Store, u *User) error {
	if st.byName(u.UserName) != nil {
		return conflict("Duplicate UserName")
	}
	if st.byEmail(u.Email) != nil {
		return conflict("Duplicate Email")
	}
	u.ID = w.HexID(10) + "-" + w.UUID()
	u.Created = w.Now()
	st.Users[u.ID] = u
	return nil
}

func conflict(msg string) *wire.Error {
	e := wire.Conflict("%s", msg)
	e.Fields = map[string]any{"Reason": "UNIQUENESS_CONSTRAINT_VIOLATION"}
	return e
}

func storeNotFound(id string) *wire.Error {
	e := wire.NotFound("ResourceNotFoundException", "Identity store %s not found.", id)
	e.Fields = map[string]any{"ResourceType": "IDENTITY_STORE", "ResourceId": id}
	return e
}

func userNotFound(id string) *wire.Error {
	e := wire.NotFound("ResourceNotFoundException", "USER not found.")
	e.Fields = map[string]any{"ResourceType": "USER", "ResourceId": id}
	return e
}
