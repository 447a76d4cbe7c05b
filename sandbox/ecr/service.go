// Package ecr simulates Amazon Elastic Container Registry (awsJson1_1) for
// castle's sandbox, backed by a real OCI registry (go-containerregistry's
// handler) served on a second 127.0.0.1 listener.
//
// # How accounts are kept apart
//
// Every repository URI is <registry host>/<name>, like ECR's
// <account>.dkr.ecr.<region>.amazonaws.com/<name> but with one host for all
// accounts. The registry tells accounts apart by the password: the token from
// GetAuthorizationToken (or IssueToken) names the account (and region) it
// was issued for, and the registry stores that account's repository <name>
// under <account>/<region>/<name> internally. A docker client only ever sees
// <host>/<name>. A token issued without a region (IssueToken, for the
// simulated ECS pulling images) finds the repository in whichever region of
// the account has it. Tokens live in memory only, 12 virtual hours.
//
// The registry answers 401 with a Basic challenge on /v2/ (the Docker daemon
// only sends credentials after one), refuses a push to a repository
// CreateRepository did not make (NAME_UNKNOWN), refuses to move a tag in an
// IMMUTABLE repository (TAG_INVALID), and records every manifest pushed so
// DescribeImages lists what was really pushed. Blobs are kept on disk under
// the sandbox's state folder (ecr-blobs/) when it has one; manifests are kept
// in the sandbox state and replayed into the registry when it restarts.
package ecr

import (
	"encoding/json"
	"net/http"
	"sort"
	"time"

	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// TokenTTL is how long a registry password is valid (virtual time).
const TokenTTL = 12 * time.Hour

// Image is one manifest pushed to a repository.
type Image struct {
	Digest    string    `json:"digest"`
	Tags      []string  `json:"tags,omitempty"`
	Size      int64     `json:"size"`
	PushedAt  time.Time `json:"pushedAt"`
	MediaType string    `json:"mediaType"`
	Manifest  []byte    `json:"manifest"`
}

// Repository is an ECR repository.
type Repository struct {
	Name       string            `json:"name"`
	Account    string            `json:"account"`
	Region     string            `json:"region"`
	Created    time.Time         `json:"created"`
	Mutability string            `json:"mutability"`
	ScanOnPush bool              `json:"scanOnPush"`
	Encryption string            `json:"encryption"`
	Images     map[string]*Image `json:"images,omitempty"` // by digest
}

type token struct {
	account, region string
	expires         time.Time
}

// Service is the simulated ECR. Its fields are guarded by the world's lock.
type Service struct {
	// Repos by account/region/name.
	Repos map[string]*Repository `json:"repos"`

	tokens map[string]token
	host   string
	reg    http.Handler
}

// New returns the simulated ECR.
func New() *Service {
	return &Service{Repos: map[string]*Repository{}, tokens: map[string]token{}}
}

// From returns the ECR service of a world, or nil when it is not registered.
func From(w *world.World) *Service {
	s, _ := w.Service("ecr").(*Service)
	return s
}

func (s *Service) Name() string            { return "ecr" }
func (s *Service) Protocol() wire.Protocol { return wire.JSON11 }
func (s *Service) Snapshot() any           { return s }
func (s *Service) Restore(data json.RawMessage) error {
	if err := json.Unmarshal(data, s); err != nil {
		return err
	}
	if s.Repos == nil {
		s.Repos = map[string]*Repository{}
	}
	for _, r := range s.Repos {
		if r.Images == nil { // an empty map is left out of the JSON
			r.Images = map[string]*Image{}
		}
	}
	return nil
}

func key(account, region, name string) string { return account + "/" + region + "/" + name }

// RegistryHost is host:port of the registry ("" before the sandbox starts it).
func (s *Service) RegistryHost() string { return s.host }

// SetSideAddress is called by the sandbox with the registry's listen address.
func (s *Service) SetSideAddress(addr string) { s.host = addr }

// URI is the repository URI of a repository name.
func (s *Service) URI(name string) string { return s.host + "/" + name }

// IssueToken hands out a registry password for an account, valid for
// TokenTTL of virtual time. The user name is always "AWS".
func (s *Service) IssueToken(w *world.World, account string) (user, password string) {
	return "AWS", s.issue(w, account, "")
}

func (s *Service) issue(w *world.World, account, region string) string {
	pw := "eyJwYXlsb2FkIjoi" + w.AlnumID(96)
	if s.tokens == nil {
		s.tokens = map[string]token{}
	}
	now := w.Now()
	for k, t := range s.tokens { // drop expired ones
		if now.After(t.expires) {
			delete(s.tokens, k)
		}
	}
	s.tokens[pw] = token{account: account, region: region, expires: now.Add(TokenTTL)}
	return pw
}

// repoFor finds the repository a token's account may use by name: in the
// token's region, or any region for a region-less token.
func (s *Service) repoFor(account, region, name string) *Repository {
	if region != "" {
		return s.Repos[key(account, region, name)]
	}
	keys := make([]string, 0, len(s.Repos))
	for k, r := range s.Repos {
		if r.Account == account && r.Name == name {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	sort.Strings(keys)
	return s.Repos[keys[0]]
}

// HasImage reports whether a repository holds an image by tag or digest.
func (s *Service) HasImage(account, region, repo, ref string) bool {
	r := s.Repos[key(account, region, repo)]
	return r != nil && r.find(ref) != nil
}

func (r *Repository) find(ref string) *Image {
	if img, ok := r.Images[ref]; ok {
		return img
	}
	for _, img := range r.Images {
		for _, t := range img.Tags {
			if t == ref {
				return img
			}
		}
	}
	return nil
}

// sortedImages returns the images, oldest push first (digest breaks ties).
func (r *Repository) sortedImages() []*Image {
	out := make([]*Image, 0, len(r.Images))
	for _, img := range r.Images {
		out = append(out, img)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].PushedAt.Equal(out[j].PushedAt) {
			return out[i].PushedAt.Before(out[j].PushedAt)
		}
		return out[i].Digest < out[j].Digest
	})
	return out
}

// Passwords are the unexpired registry passwords issued to an account, for
// tests that prove a password was written nowhere. World locked.
func (s *Service) Passwords(w *world.World, account string) []string {
	var out []string
	for pw, t := range s.tokens {
		if t.account == account && !w.Now().After(t.expires) {
			out = append(out, pw)
		}
	}
	sort.Strings(out)
	return out
}
