// Package sts simulates AWS Security Token Service (awsQuery) for castle's
// sandbox: who am I, and AssumeRole into member accounts, whose temporary keys
// make later calls land in that account's own state.
package sts

import (
	"strings"
	"time"

	"github.com/castle-aws/castle/sandbox/iam"
	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// Service is the simulated STS.
type Service struct{}

// New returns the simulated STS.
func New() *Service { return &Service{} }

func (s *Service) Name() string            { return "sts" }
func (s *Service) Protocol() wire.Protocol { return wire.Query }
func (s *Service) XMLNamespace() string    { return "https://sts.amazonaws.com/doc/2011-06-15/" }

func (s *Service) Handle(w *world.World, r *wire.Request) (any, error) {
	switch r.Operation {
	case "GetCallerIdentity":
		k := w.Keys[r.AccessKeyID]
		return struct {
			Arn     string
			UserId  string
			Account string
		}{k.ARN, k.UserID, k.Account}, nil
	case "AssumeRole":
		return s.assumeRole(w, r)
	}
	return nil, wire.Errorf(400, "InvalidAction", "Could not find operation %s for version 2011-06-15", r.Operation)
}

func (s *Service) assumeRole(w *world.World, r *wire.Request) (any, error) {
	roleARN := r.Param("RoleArn")
	session := r.Param("RoleSessionName")
	if session == "" || len(session) > 64 {
		return nil, wire.Errorf(400, "ValidationError", "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must have length between 2 and 64")
	}
	// arn:aws:iam::ACCOUNT:role/PATH/NAME
	parts := strings.SplitN(roleARN, ":", 6)
	if len(parts) != 6 || !strings.HasPrefix(parts[5], "role/") {
		return nil, wire.Errorf(400, "ValidationError", "%s is not a valid role ARN", roleARN)
	}
	account := parts[4]
	name := parts[5][strings.LastIndexByte(parts[5], '/')+1:]
	denied := wire.Errorf(403, "AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", r.Principal, roleARN)
	if _, ok := w.Accounts[account]; !ok {
		return nil, denied
	}
	role, ok := iam.From(w).Role(account, name)
	if !ok || !trusts(role.Trust, r.Account) {
		return nil, denied
	}
	dur := time.Hour
	if d := r.Param("DurationSeconds"); d != "" {
		if sec, err := time.ParseDuration(d + "s"); err == nil {
			dur = sec
		}
	}
	userID := role.ID + ":" + session
	k := w.IssueKey(account, "arn:aws:sts::"+account+":assumed-role/"+role.Name+"/"+session, userID, dur)
	type creds struct {
		AccessKeyId     string
		SecretAccessKey string
		SessionToken    string
		Expiration      string
	}
	type user struct {
		Arn           string
		AssumedRoleId string
	}
	return struct {
		Credentials     creds
		AssumedRoleUser user
	}{creds{k.AccessKeyID, k.Secret, k.SessionToken, wire.ISO(k.Expires)}, user{k.ARN, userID}}, nil
}

// trusts is a deliberately small reading of a trust policy: the role trusts
// the caller's account when its document names that account (as
// arn:aws:iam::ACCOUNT:root or the bare id).
func trusts(doc, callerAccount string) bool {
	return strings.Contains(doc, "arn:aws:iam::"+callerAccount+":") || strings.Contains(doc, `"`+callerAccount+`"`)
}
