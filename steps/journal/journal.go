// Package journal keeps castle's progress per AWS account: section answers,
// the ids of resources castle created, and the handle of every long AWS
// operation in flight (saved before the first poll), so a castle killed at
// any moment picks the work up again without creating anything twice.
//
// The file is JSON, mode 0600, written atomically (temp file, fsync, rename),
// locked so that two castles cannot both write it, and versioned. It never
// holds a secret. AWS is the truth: sections reconcile the journal against
// what discovery finds.
//
// # Reconciling
//
// The journal only remembers what castle asked for; AWS decides what exists.
// After discovery, a section looks at each operation the journal still calls
// in flight (Operations) and asks AWS about its handle. When AWS no longer
// knows it (deleted, expired, or the journal came from an older attempt), the
// section calls Forget, so Apply starts the work again instead of waiting on a
// ghost. Resources AWS no longer has are dropped the same way with
// ForgetResource. See the package example.
package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Version is the journal format version written by this castle.
const Version = 1

// ErrLocked is returned by Open when another castle holds the journal.
var ErrLocked = errors.New("another castle is already working on this AWS account")

// ErrNewerVersion is returned by Open for a journal written by a newer castle,
// which this castle might misread and then overwrite.
var ErrNewerVersion = errors.New("the journal was written by a newer castle")

// ErrCorrupt is returned by Open for a journal that cannot be read. The file
// is left exactly as it is: it may be the only record of work in flight.
var ErrCorrupt = errors.New("the journal cannot be read")

// ErrSecret is returned by Update and the helpers when a value looks like AWS
// secret material. Nothing is written.
var ErrSecret = errors.New("refusing to write what looks like an AWS secret to the journal")

// ErrClosed is returned when a closed journal is changed.
var ErrClosed = errors.New("the journal is closed")

// ErrNoOperation is returned by FinishOperation for an operation the journal
// does not have.
var ErrNoOperation = errors.New("no such operation in the journal")

// Data is the journal's content.
type Data struct {
	Version   int                       `json:"version"`
	Account   string                    `json:"account"`
	UpdatedAt time.Time                 `json:"updatedAt"`
	Sections  map[string]*SectionRecord `json:"sections,omitempty"`
}

// SectionRecord is what one section keeps.
type SectionRecord struct {
	// Answers are the section's last answers, as the section encodes them.
	Answers json.RawMessage `json:"answers,omitempty"`
	// Resources maps a name the section chooses to an AWS id or ARN.
	Resources map[string]string `json:"resources,omitempty"`
	// Operations are long operations by key; kept after they end, with Done set.
	Operations map[string]*Operation `json:"operations,omitempty"`
}

// Operation is the handle of one long AWS operation.
type Operation struct {
	Kind      string        `json:"kind"` // e.g. "controltower:CreateLandingZone"
	ID        string        `json:"id"`   // AWS's handle
	StartedAt time.Time     `json:"startedAt"`
	Expected  time.Duration `json:"expected"`
	Done      bool          `json:"done,omitempty"`
	Status    string        `json:"status,omitempty"`
	// Token is an idempotency token (client token, provision token) saved
	// before the call that uses it, so a retry after a crash reuses it.
	Token string            `json:"token,omitempty"`
	Extra map[string]string `json:"extra,omitempty"`
}

// Journal is an open, locked journal file. It is safe for concurrent use: the
// TUI applies several sections at once, and each change is written to disk
// before the call that made it returns.
type Journal struct {
	path    string
	account string

	// mu guards data and closed, and serialises writes so the file on disk
	// always matches the last change that returned nil.
	mu     sync.Mutex
	data   Data
	lock   *fileLock
	closed bool
}

// beforeRename, when set by a test, runs after the temp file is written and
// synced and before it replaces the journal. An error stands for a crash at
// that moment.
var beforeRename func(tmp string) error

// Open opens (creating if needed) the journal of an AWS account under dir
// (dir "" means DefaultDir()) and locks it. It returns an error wrapping
// ErrLocked when another castle holds it, ErrNewerVersion when a newer castle
// wrote it and ErrCorrupt when it cannot be read; in those cases the file is
// left untouched.
func Open(dir, account string) (*Journal, error) {
	if !validAccount(account) {
		return nil, fmt.Errorf("journal: %q is not an AWS account id castle can name a file after", account)
	}
	if dir == "" {
		d, err := DefaultDir()
		if err != nil {
			return nil, err
		}
		dir = d
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("castle cannot create its state folder %s: %w", dir, err)
	}
	path := filepath.Join(dir, "journal-"+account+".json")

	lk, err := lockFile(path + ".lock")
	if err != nil {
		if errors.Is(err, errWouldBlock) {
			return nil, &lockedError{account: account, path: path}
		}
		return nil, fmt.Errorf("castle cannot lock its journal %s: %w", path, err)
	}
	j := &Journal{path: path, account: account, lock: lk}
	if err := j.load(); err != nil {
		lk.unlock()
		return nil, err
	}
	return j, nil
}

// lockedError says who holds the journal and what to do about it.
type lockedError struct{ account, path string }

func (e *lockedError) Error() string {
	return fmt.Sprintf("another castle is already working on account %s (journal %s); close it first, or wait for it to finish", e.account, e.path)
}

func (e *lockedError) Unwrap() error { return ErrLocked }

// validAccount keeps the account usable as part of a file name. AWS account
// ids are 12 digits; the sandbox and tests may use other plain names.
func validAccount(a string) bool {
	if a == "" || len(a) > 64 {
		return false
	}
	for _, r := range a {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// load reads the journal (the lock is held), or creates it.
func (j *Journal) load() error {
	// Temp files left by a castle killed mid-write are useless: the journal
	// itself still holds the last complete content. The lock makes it safe
	// to remove them.
	if stale, _ := filepath.Glob(j.path + ".tmp-*"); len(stale) > 0 {
		for _, s := range stale {
			_ = os.Remove(s)
		}
	}
	raw, err := os.ReadFile(j.path)
	if errors.Is(err, os.ErrNotExist) {
		j.data = Data{Version: Version, Account: j.account, UpdatedAt: time.Now().UTC()}
		return j.write(&j.data)
	}
	if err != nil {
		return fmt.Errorf("castle cannot read its journal %s: %w", j.path, err)
	}
	var head struct {
		Version int `json:"version"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return j.corrupt(err)
	}
	if head.Version > Version {
		return fmt.Errorf("%w: journal %s was written by a newer castle (format %d, this castle knows up to %d); upgrade castle", ErrNewerVersion, j.path, head.Version, Version)
	}
	if head.Version < 1 {
		return j.corrupt(errors.New("it has no format version"))
	}
	var d Data
	if err := json.Unmarshal(raw, &d); err != nil {
		return j.corrupt(err)
	}
	if d.Account != j.account {
		return j.corrupt(fmt.Errorf("it belongs to account %q", d.Account))
	}
	d.Version = Version
	j.data = d
	return nil
}

func (j *Journal) corrupt(why error) error {
	return fmt.Errorf("%w: journal %s is damaged (%v); castle left it as it is. Move it somewhere else to start over (castle rediscovers what exists on AWS), or restore a backup", ErrCorrupt, j.path, why)
}

// DefaultDir is castle's folder under the user's config directory
// (os.UserConfigDir()/castle), created with mode 0700 because journals name
// accounts and resources.
func DefaultDir() (string, error) {
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("castle cannot find your config folder: %w", err)
	}
	dir := filepath.Join(base, "castle")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("castle cannot create its state folder %s: %w", dir, err)
	}
	return dir, nil
}

// Path is the journal file's path.
func (j *Journal) Path() string { return j.path }

// Close releases the lock. The lock file stays on disk: removing it while
// another castle waits on it would let two castles lock different files.
// Closing twice is harmless.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return nil
	}
	j.closed = true
	return j.lock.unlock()
}

// Snapshot returns a deep copy of the current content.
func (j *Journal) Snapshot() Data {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.data.clone()
}

// Update changes the content under the journal's mutex and writes it
// atomically before returning. If fn returns an error nothing is written.
//
// fn works on a copy, so a failing fn, a refused secret or a failed write
// leaves both the file and the journal in memory as they were. Every string
// in the result (keys too, and the answers' JSON) passes the secret guard
// (see LooksSecret) before anything is written.
func (j *Journal) Update(fn func(*Data) error) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return ErrClosed
	}
	next := j.data.clone()
	if err := fn(&next); err != nil {
		return err
	}
	next.Version = Version
	next.Account = j.account
	if err := next.checkSecrets(); err != nil {
		return err
	}
	next.UpdatedAt = time.Now().UTC()
	if err := j.write(&next); err != nil {
		return err
	}
	j.data = next
	return nil
}

// write replaces the file with d: a temp file in the same folder (0600 from
// its creation), written and fsynced, renamed over the journal, then the
// folder fsynced so the rename itself survives a power cut. A crash at any
// point leaves either the old or the new journal, never a mix.
func (j *Journal) write(d *Data) error {
	raw, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return fmt.Errorf("castle cannot encode its journal: %w", err)
	}
	raw = append(raw, '\n')
	dir := filepath.Dir(j.path)
	// os.CreateTemp creates the file with mode 0600.
	f, err := os.CreateTemp(dir, filepath.Base(j.path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("castle cannot write its journal %s: %w", j.path, err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("castle cannot write its journal %s: %w", j.path, err)
	}
	if _, err := f.Write(raw); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("castle cannot write its journal %s: %w", j.path, err)
	}
	if beforeRename != nil {
		if err := beforeRename(tmp); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("castle cannot write its journal %s: %w", j.path, err)
		}
	}
	if err := os.Rename(tmp, j.path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("castle cannot write its journal %s: %w", j.path, err)
	}
	if err := syncDir(dir); err != nil && runtime.GOOS != "windows" {
		// The new content is in place; only its durability across a power
		// cut is in doubt. Say so rather than pretend it failed.
		return fmt.Errorf("castle wrote its journal %s but could not flush its folder: %w", j.path, err)
	}
	return nil
}

// syncDir fsyncs a folder. Windows cannot open folders this way, so callers
// ignore its error there.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Section-level helpers (all save immediately):

// record returns the section's record, creating it.
func (d *Data) record(section string) *SectionRecord {
	if d.Sections == nil {
		d.Sections = map[string]*SectionRecord{}
	}
	r := d.Sections[section]
	if r == nil {
		r = &SectionRecord{}
		d.Sections[section] = r
	}
	return r
}

// peek returns the section's record or nil, without creating it.
func (d *Data) peek(section string) *SectionRecord {
	return d.Sections[section]
}

// SaveOperation records (or replaces) an operation handle. Save it before the
// first poll, and save an idempotency token before the call that uses it.
func (j *Journal) SaveOperation(section, key string, op Operation) error {
	op = op.clone()
	return j.Update(func(d *Data) error {
		r := d.record(section)
		if r.Operations == nil {
			r.Operations = map[string]*Operation{}
		}
		r.Operations[key] = &op
		return nil
	})
}

// Operation returns a saved operation.
func (j *Journal) Operation(section, key string) (Operation, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	r := j.data.peek(section)
	if r == nil || r.Operations[key] == nil {
		return Operation{}, false
	}
	return r.Operations[key].clone(), true
}

// FinishOperation marks an operation done with its final status. It returns
// an error wrapping ErrNoOperation when the journal has no such operation.
func (j *Journal) FinishOperation(section, key, status string) error {
	return j.Update(func(d *Data) error {
		r := d.peek(section)
		if r == nil || r.Operations[key] == nil {
			return fmt.Errorf("%w: %s/%s", ErrNoOperation, section, key)
		}
		r.Operations[key].Done = true
		r.Operations[key].Status = status
		return nil
	})
}

// Forget drops an operation from the journal. Sections call it after
// discovery, for an operation AWS no longer knows (its handle is not found,
// or it belongs to a resource that is gone), so Apply starts the work afresh
// instead of following a ghost. Forgetting an unknown operation is not an
// error.
func (j *Journal) Forget(section, key string) error {
	return j.Update(func(d *Data) error {
		if r := d.peek(section); r != nil {
			delete(r.Operations, key)
		}
		return nil
	})
}

// Operations returns the section's operations that are not done, by key.
func (j *Journal) Operations(section string) map[string]Operation {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := map[string]Operation{}
	if r := j.data.peek(section); r != nil {
		for k, op := range r.Operations {
			if op != nil && !op.Done {
				out[k] = op.clone()
			}
		}
	}
	return out
}

// SetResource records an AWS id under a name.
func (j *Journal) SetResource(section, name, id string) error {
	return j.Update(func(d *Data) error {
		r := d.record(section)
		if r.Resources == nil {
			r.Resources = map[string]string{}
		}
		r.Resources[name] = id
		return nil
	})
}

// Resource returns a recorded id.
func (j *Journal) Resource(section, name string) (string, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	r := j.data.peek(section)
	if r == nil {
		return "", false
	}
	id, ok := r.Resources[name]
	return id, ok
}

// ForgetResource drops a recorded id, after discovery found that AWS no
// longer has the resource. Forgetting an unknown name is not an error.
func (j *Journal) ForgetResource(section, name string) error {
	return j.Update(func(d *Data) error {
		if r := d.peek(section); r != nil {
			delete(r.Resources, name)
		}
		return nil
	})
}

// SetAnswers stores a section's answers (JSON-encoded v).
func (j *Journal) SetAnswers(section string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("castle cannot encode the %s answers: %w", section, err)
	}
	return j.Update(func(d *Data) error {
		d.record(section).Answers = raw
		return nil
	})
}

// Answers decodes a section's answers into v; false when none are stored.
func (j *Journal) Answers(section string, v any) (bool, error) {
	j.mu.Lock()
	r := j.data.peek(section)
	var raw json.RawMessage
	if r != nil {
		raw = r.Answers
	}
	j.mu.Unlock()
	if len(raw) == 0 {
		return false, nil
	}
	// raw is never changed in place (Update replaces it), so decoding it
	// outside the mutex is safe.
	if err := json.Unmarshal(raw, v); err != nil {
		return true, fmt.Errorf("castle cannot read the %s answers in its journal %s: %w", section, j.path, err)
	}
	return true, nil
}

// Deep copies.

func (d Data) clone() Data {
	out := d
	if d.Sections != nil {
		out.Sections = make(map[string]*SectionRecord, len(d.Sections))
		for k, r := range d.Sections {
			if r == nil {
				out.Sections[k] = nil
				continue
			}
			c := r.clone()
			out.Sections[k] = &c
		}
	}
	return out
}

func (r SectionRecord) clone() SectionRecord {
	out := SectionRecord{}
	if r.Answers != nil {
		out.Answers = append(json.RawMessage(nil), r.Answers...)
	}
	if r.Resources != nil {
		out.Resources = make(map[string]string, len(r.Resources))
		for k, v := range r.Resources {
			out.Resources[k] = v
		}
	}
	if r.Operations != nil {
		out.Operations = make(map[string]*Operation, len(r.Operations))
		for k, op := range r.Operations {
			if op == nil {
				out.Operations[k] = nil
				continue
			}
			c := op.clone()
			out.Operations[k] = &c
		}
	}
	return out
}

func (o Operation) clone() Operation {
	if o.Extra != nil {
		extra := make(map[string]string, len(o.Extra))
		for k, v := range o.Extra {
			extra[k] = v
		}
		o.Extra = extra
	}
	return o
}

// The secret guard.
//
// castle never needs a secret in its journal: credentials come from the AWS
// config chain and the ECR token is fetched when pushing. A secret that got
// into a journal would sit in a file people copy into bug reports, so every
// change is checked for the shapes AWS secrets have, and refused. The checks
// are deliberately few and specific, so ordinary ids and ARNs never trip them:
//
//   - an access key id: AKIA or ASIA followed by 16 upper-case letters or
//     digits (on its own, since castle has no reason to keep one either);
//   - a secret access key: 40 base64 characters right after a label such as
//     aws_secret_access_key or SecretAccessKey;
//   - the text X-Amz-Security-Token (a presigned URL or request dump);
//   - a session token: base64 that starts with "IQoJb3JpZ2lu", the encoding
//     STS session tokens begin with;
//   - an ECR authorization token: a long base64 blob that decodes to
//     "AWS:" followed by the registry password.
var (
	accessKeyID   = regexp.MustCompile(`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`)
	labelledKey   = regexp.MustCompile(`(?i)secret_?access_?key["'\\\s:=]+[A-Za-z0-9/+]{40}`)
	securityToken = regexp.MustCompile(`(?i)x-amz-security-token`)
	sessionToken  = regexp.MustCompile(`IQoJb3JpZ2lu[A-Za-z0-9/+]{20,}`)
	awsBlob       = regexp.MustCompile(`QVdTO[A-Za-z0-9/+]{40,}={0,2}`)
)

// LooksSecret reports what kind of AWS secret s seems to hold ("" when none),
// by the rules above. It never returns the secret itself.
func LooksSecret(s string) string {
	switch {
	case accessKeyID.MatchString(s):
		return "an AWS access key id"
	case labelledKey.MatchString(s):
		return "an AWS secret access key"
	case securityToken.MatchString(s):
		return "an AWS security token"
	case sessionToken.MatchString(s):
		return "an AWS session token"
	}
	for _, m := range awsBlob.FindAllString(s, -1) {
		if decodesToAWS(m) {
			return "an ECR authorization token"
		}
	}
	return ""
}

// decodesToAWS reports whether a base64 blob decodes to text starting with
// "AWS:". Only the first 8 characters (6 bytes) are needed.
func decodesToAWS(b64 string) bool {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	if len(b64) < 8 {
		return false
	}
	var bits uint64
	for i := 0; i < 8; i++ {
		v := strings.IndexByte(alphabet, b64[i])
		if v < 0 {
			return false
		}
		bits = bits<<6 | uint64(v)
	}
	return string([]byte{byte(bits >> 40), byte(bits >> 32), byte(bits >> 24), byte(bits >> 16)}) == "AWS:"
}

// checkSecrets runs the guard on every string of d, naming where it found
// something but never what.
func (d *Data) checkSecrets() error {
	check := func(where, s string) error {
		if kind := LooksSecret(s); kind != "" {
			return fmt.Errorf("%w: %s looks like %s; castle keeps secrets out of its journal", ErrSecret, where, kind)
		}
		return nil
	}
	for name, r := range d.Sections {
		if err := check("a section name", name); err != nil {
			return err
		}
		if r == nil {
			continue
		}
		if err := check("the "+name+" answers", string(r.Answers)); err != nil {
			return err
		}
		for k, v := range r.Resources {
			if err := check("a "+name+" resource name", k); err != nil {
				return err
			}
			if err := check("the "+name+" resource "+k, v); err != nil {
				return err
			}
		}
		for k, op := range r.Operations {
			if err := check("a "+name+" operation key", k); err != nil {
				return err
			}
			if op == nil {
				continue
			}
			where := "the " + name + " operation " + k
			for _, s := range []string{op.Kind, op.ID, op.Status, op.Token} {
				if err := check(where, s); err != nil {
					return err
				}
			}
			for ek, ev := range op.Extra {
				if err := check(where, ek); err != nil {
					return err
				}
				if err := check(where, ev); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
