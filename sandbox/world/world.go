// Package world is the sandbox's state: the virtual clock, the accounts, the
// access keys the simulated STS hands out, and every service's resources,
// kept in one file on disk so a sandbox survives castle restarting.
package world

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/castle-aws/castle/sandbox/wire"
)

// Service is one simulated AWS service.
type Service interface {
	// Name is the SigV4 signing name requests are routed by ("organizations", "sso", "logs").
	Name() string
	Protocol() wire.Protocol
	// Handle answers one call. It runs with the world locked: it may read and
	// change any state, and must not block (start goroutines for slow work and
	// take w.Lock in them).
	Handle(w *World, r *wire.Request) (any, error)
}

// Optional service interfaces.
type (
	// Stateful services keep resources across restarts: Snapshot returns a
	// JSON-marshalable value, Restore reads it back.
	Stateful interface {
		Snapshot() any
		Restore(data json.RawMessage) error
	}
	// Ticker services move asynchronous work forward by the virtual clock.
	// Tick runs, world locked, before every request to any service.
	Ticker interface {
		Tick(w *World)
	}
	// XMLNamespaced services of the XML protocols name their namespace.
	XMLNamespaced interface{ XMLNamespace() string }
	// Throttler services say how they throttle (status and error code).
	Throttler interface{ ThrottleError() *wire.Error }
	// Controller services take sandbox-only commands on POST /_sandbox/<name>/<action>
	// (for example approving a pending GitHub connection).
	Controller interface {
		Control(w *World, action string, params url.Values) (any, error)
	}
	// SideServer services serve a second HTTP endpoint (the ECR registry).
	// The sandbox listens on 127.0.0.1 for it and reports the address.
	SideServer interface {
		SideHandler(w *World) http.Handler
		SetSideAddress(addr string)
	}
)

// The management account and the keys a fresh sandbox starts with.
const (
	ManagementAccount = "111122223333"
	AdminKeyID        = "AKIASANDBOXADMIN0001"
	AdminSecret       = "sandbox-admin-secret-not-a-real-key"
	AdminARN          = "arn:aws:iam::111122223333:user/castle-admin"
	RootKeyID         = "AKIASANDBOXROOT00001"
	RootSecret        = "sandbox-root-secret-not-a-real-key"
	RootARN           = "arn:aws:iam::111122223333:root"
	ExpiredKeyID      = "ASIASANDBOXEXPIRED01"
	ExpiredSecret     = "sandbox-expired-secret"
)

// Account is an AWS account in the sandbox.
type Account struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Email   string    `json:"email"`
	Created time.Time `json:"created"`
	// Vended accounts come from Account Factory: Control Tower removed their
	// default VPC in governed regions.
	Vended bool `json:"vended,omitempty"`
}

// Key is an access key the sandbox accepts.
type Key struct {
	AccessKeyID  string    `json:"accessKeyId"`
	Secret       string    `json:"secret"`
	SessionToken string    `json:"sessionToken,omitempty"`
	Account      string    `json:"account"`
	ARN          string    `json:"arn"`
	UserID       string    `json:"userId"`
	Expires      time.Time `json:"expires,omitempty"` // virtual time; zero never expires
}

// World is the whole sandbox state. Lock it (Lock/Unlock) around any access
// from outside Handle/Tick.
type World struct {
	sync.Mutex
	Clock    *Clock
	Accounts map[string]*Account
	Keys     map[string]*Key

	// SideAddrs are the addresses of the services' second endpoints (the
	// registry), kept so image URIs stay valid when the sandbox restarts.
	SideAddrs map[string]string

	services []Service
	byName   map[string]Service
	rnd      *rand.Rand
	dir      string
}

// New makes a world with the given services. dir "" keeps state in memory
// only; otherwise state is loaded from and saved to dir/sandbox.json.
func New(dir string, speed float64, seed uint64, services ...Service) (*World, error) {
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	w := &World{
		Clock:     NewClock(time.Now().UTC().Truncate(time.Second), speed),
		Accounts:  map[string]*Account{},
		Keys:      map[string]*Key{},
		byName:    map[string]Service{},
		SideAddrs: map[string]string{},
		rnd:       rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		dir:       dir,
	}
	for _, s := range services {
		if s == nil {
			continue
		}
		w.services = append(w.services, s)
		w.byName[s.Name()] = s
	}
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		loaded, err := w.load()
		if err != nil {
			return nil, err
		}
		if loaded {
			return w, nil
		}
	}
	w.seed()
	return w, w.Save()
}

func (w *World) seed() {
	now := w.Clock.Now()
	w.Accounts[ManagementAccount] = &Account{ID: ManagementAccount, Name: "castle-sandbox", Email: "owner@example.com", Created: now.Add(-72 * time.Hour)}
	w.Keys[AdminKeyID] = &Key{AccessKeyID: AdminKeyID, Secret: AdminSecret, Account: ManagementAccount, ARN: AdminARN, UserID: "AIDASANDBOXADMIN0001"}
	w.Keys[RootKeyID] = &Key{AccessKeyID: RootKeyID, Secret: RootSecret, Account: ManagementAccount, ARN: RootARN, UserID: ManagementAccount}
	w.Keys[ExpiredKeyID] = &Key{AccessKeyID: ExpiredKeyID, Secret: ExpiredSecret, SessionToken: "expired-session", Account: ManagementAccount, ARN: "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AWSAdministratorAccess_0a1b2c3d4e5f6a7b/castle-admin", UserID: "AROASANDBOXEXPIRED:castle-admin", Expires: now.Add(-time.Hour)}
}

// Service returns a registered service by signing name.
func (w *World) Service(name string) Service { return w.byName[name] }

// Services returns the registered services.
func (w *World) Services() []Service { return w.services }

// Rand is the world's seeded random source (for ids).
func (w *World) Rand() *rand.Rand { return w.rnd }

// Now is the virtual time.
func (w *World) Now() time.Time { return w.Clock.Now() }

// HexID returns n random lower-case hex characters.
func (w *World) HexID(n int) string {
	const hex = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = hex[w.rnd.IntN(16)]
	}
	return string(b)
}

// AlnumID returns n random lower-case letters and digits.
func (w *World) AlnumID(n int) string {
	const chars = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[w.rnd.IntN(len(chars))]
	}
	return string(b)
}

// UUID returns a random RFC 4122 version-4 UUID.
func (w *World) UUID() string {
	h := w.HexID(32)
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

// NewAccount creates an account with a fresh 12-digit id.
func (w *World) NewAccount(name, email string, vended bool) *Account {
	var id string
	for {
		id = fmt.Sprintf("%012d", 200000000000+w.rnd.Int64N(700000000000))
		if _, taken := w.Accounts[id]; !taken {
			break
		}
	}
	a := &Account{ID: id, Name: name, Email: email, Created: w.Now(), Vended: vended}
	w.Accounts[id] = a
	return a
}

// AccountIDs returns the account ids, sorted.
func (w *World) AccountIDs() []string {
	ids := make([]string, 0, len(w.Accounts))
	for id := range w.Accounts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// IssueKey creates temporary credentials for a principal (STS AssumeRole).
func (w *World) IssueKey(account, arn, userID string, ttl time.Duration) *Key {
	k := &Key{
		AccessKeyID:  "ASIA" + upper(w.AlnumID(16)),
		Secret:       w.AlnumID(40),
		SessionToken: "sandbox-session-" + w.AlnumID(32),
		Account:      account,
		ARN:          arn,
		UserID:       userID,
		Expires:      w.Now().Add(ttl),
	}
	w.Keys[k.AccessKeyID] = k
	return k
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}

type snapshot struct {
	Version  int                        `json:"version"`
	Now      time.Time                  `json:"now"`
	Accounts map[string]*Account        `json:"accounts"`
	Keys     map[string]*Key            `json:"keys"`
	Side     map[string]string          `json:"sideAddrs,omitempty"`
	Services map[string]json.RawMessage `json:"services"`
}

func (w *World) path() string { return filepath.Join(w.dir, "sandbox.json") }

// Save writes the state to disk atomically (a no-op for an in-memory world).
// Call it with the world locked.
func (w *World) Save() error {
	if w.dir == "" {
		return nil
	}
	s := snapshot{Version: 1, Now: w.Clock.Now(), Accounts: w.Accounts, Keys: w.Keys, Side: w.SideAddrs, Services: map[string]json.RawMessage{}}
	for _, svc := range w.services {
		st, ok := svc.(Stateful)
		if !ok {
			continue
		}
		b, err := json.Marshal(st.Snapshot())
		if err != nil {
			return fmt.Errorf("sandbox state of %s: %w", svc.Name(), err)
		}
		s.Services[svc.Name()] = b
	}
	data, err := json.MarshalIndent(s, "", " ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(w.dir, ".sandbox-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), w.path())
}

func (w *World) load() (bool, error) {
	data, err := os.ReadFile(w.path())
	if os.IsNotExist(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var s snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return false, fmt.Errorf("the sandbox state %s is unreadable (%v); move it away to start a fresh sandbox", w.path(), err)
	}
	w.Clock = NewClock(s.Now, w.Clock.Speed())
	w.Accounts = s.Accounts
	w.Keys = s.Keys
	w.SideAddrs = s.Side
	if w.Accounts == nil {
		w.Accounts = map[string]*Account{}
	}
	if w.Keys == nil {
		w.Keys = map[string]*Key{}
	}
	if w.SideAddrs == nil {
		w.SideAddrs = map[string]string{}
	}
	for _, svc := range w.services {
		st, ok := svc.(Stateful)
		if !ok {
			continue
		}
		if raw, ok := s.Services[svc.Name()]; ok {
			if err := st.Restore(raw); err != nil {
				return false, fmt.Errorf("sandbox state of %s: %w", svc.Name(), err)
			}
		}
	}
	return true, nil
}

// Dir is the folder the state is kept in ("" for an in-memory world). Services
// that keep large data outside sandbox.json (the ECR registry's blobs) put it
// under this folder.
func (w *World) Dir() string { return w.dir }
