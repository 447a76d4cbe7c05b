package controltower

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/castle-aws/castle/sandbox/iam"
	"github.com/castle-aws/castle/sandbox/organizations"
	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// manifest is the landing zone 4.0 manifest (the parts the sandbox checks).
type manifest struct {
	AccessManagement   *block   `json:"accessManagement"`
	Backup             *block   `json:"backup"`
	CentralizedLogging *block   `json:"centralizedLogging"`
	Config             *block   `json:"config"`
	SecurityRoles      *block   `json:"securityRoles"`
	GovernedRegions    []string `json:"governedRegions"`
}

type block struct {
	Enabled        bool           `json:"enabled"`
	AccountID      string         `json:"accountId"`
	Configurations map[string]any `json:"configurations"`
	hasEnabled     bool
}

func (b *block) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	type plain block
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	*b = block(p)
	_, b.hasEnabled = raw["enabled"]
	return nil
}

// accounts are the accounts the manifest names, without duplicates.
func (m manifest) accounts() []string {
	seen := map[string]bool{}
	var out []string
	for _, b := range []*block{m.CentralizedLogging, m.Config, m.SecurityRoles} {
		if b != nil && b.AccountID != "" && !seen[b.AccountID] {
			seen[b.AccountID] = true
			out = append(out, b.AccountID)
		}
	}
	return out
}

var (
	versionPattern = regexp.MustCompile(`^\d+\.\d+$`)
	regionPattern  = regexp.MustCompile(`^[a-z]{2}-[a-z\-]*-[0-9]{1}$`)
	manifestKeys   = map[string]bool{"accessManagement": true, "backup": true, "centralizedLogging": true, "config": true, "securityRoles": true, "governedRegions": true}
)

// RequiredRoles are the roles CreateLandingZone needs in the management
// account (path /service-role/), with the service each must trust.
var RequiredRoles = []struct{ Name, Service string }{
	{"AWSControlTowerAdmin", "controltower.amazonaws.com"},
	{"AWSControlTowerCloudTrailRole", "cloudtrail.amazonaws.com"},
	{"AWSControlTowerStackSetRole", "cloudformation.amazonaws.com"},
	{"AWSControlTowerConfigAggregatorRoleForOrganizations", "config.amazonaws.com"},
}

func (s *Service) createLandingZone(w *world.World, r *wire.Request) (any, error) {
	var in struct {
		Version          string            `json:"version"`
		Manifest         json.RawMessage   `json:"manifest"`
		RemediationTypes []string          `json:"remediationTypes"`
		Tags             map[string]string `json:"tags"`
	}
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	org := organizations.From(w)
	if org == nil || org.Org == nil || org.Org.Management != r.Account {
		return nil, wire.AccessDenied("AWS Control Tower can be set up only from the management account of an organization in AWS Organizations.")
	}
	if org.Org.FeatureSet != "ALL" {
		return nil, wire.Validation("AWS Organizations must have all features enabled before you set up a landing zone.")
	}
	if s.LZ != nil {
		return nil, wire.Conflict("A landing zone already exists for this organization (%s). Update it instead of creating another.", s.LZ.ARN)
	}
	if !versionPattern.MatchString(in.Version) {
		return nil, wire.Validation("1 validation error detected: Value '%s' at 'version' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d+.\\d+", in.Version)
	}
	if in.Version != s.Latest {
		return nil, wire.Validation("Landing zone version %s is not available for new landing zones. The version must be the latest available version, %s.", in.Version, s.Latest)
	}
	for _, rt := range in.RemediationTypes {
		if rt != "INHERITANCE_DRIFT" {
			return nil, wire.Validation("1 validation error detected: Value '%s' at 'remediationTypes' failed to satisfy enum value set: [INHERITANCE_DRIFT]", rt)
		}
	}
	if _, err := s.checkManifest(org, in.Manifest); err != nil {
		return nil, err
	}
	if err := checkRoles(w, r.Account); err != nil {
		return nil, err
	}
	if len(in.Manifest) == 0 {
		in.Manifest = json.RawMessage(`{}`)
	}
	id := strings.ToUpper(w.AlnumID(16))
	s.LZ = &LandingZone{ID: id, ARN: "arn:aws:controltower:" + r.Region + ":" + r.Account + ":landingzone/" + id,
		Account: r.Account, Region: r.Region, Version: in.Version, Manifest: in.Manifest, Status: "PROCESSING",
		RemediationTypes: in.RemediationTypes}
	op := s.startOp(w, "landingzone", "CREATE", LandingZoneDuration, "")
	return map[string]any{"arn": s.LZ.ARN, "operationIdentifier": op.ID}, nil
}

func (s *Service) startOp(w *world.World, kind, typ string, d time.Duration, target string) *Operation {
	now := w.Now()
	op := &Operation{ID: w.UUID(), Kind: kind, Type: typ, Status: "IN_PROGRESS", Start: now, Target: target, ReadyAt: now.Add(d)}
	s.Ops[op.ID] = op
	return op
}

// checkManifest validates a 4.0 manifest against the organization.
func (s *Service) checkManifest(org *organizations.Service, raw json.RawMessage) (manifest, error) {
	var m manifest
	if len(raw) == 0 || string(raw) == "null" {
		return m, nil
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return m, wire.Validation("The manifest is not a JSON object.")
	}
	for k := range keys {
		if !manifestKeys[k] {
			return m, wire.Validation("The manifest is not valid for landing zone version %s: property %q is not allowed.", s.Latest, k)
		}
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return m, wire.Validation("The manifest is not valid: %v", err)
	}
	for name, b := range map[string]*block{"accessManagement": m.AccessManagement, "backup": m.Backup, "centralizedLogging": m.CentralizedLogging, "config": m.Config, "securityRoles": m.SecurityRoles} {
		if b != nil && !b.hasEnabled {
			return m, wire.Validation("The manifest is not valid: %s.enabled is required.", name)
		}
		if b == nil || name == "accessManagement" || name == "backup" || !b.Enabled {
			continue
		}
		if b.AccountID == "" {
			return m, wire.Validation("The manifest is not valid: %s.accountId is required.", name)
		}
		if err := checkRetention(name, b.Configurations); err != nil {
			return m, err
		}
	}
	for _, g := range m.GovernedRegions {
		if !regionPattern.MatchString(g) {
			return m, wire.Validation("The manifest is not valid: governed region %q is not a region name.", g)
		}
	}
	parent := ""
	for _, acct := range m.accounts() {
		if acct == org.Org.Management {
			return m, wire.Validation("The account %s is the management account; a shared account must be a separate member account.", acct)
		}
		p := org.ParentOf(acct)
		if p == "" {
			return m, wire.Validation("The account %s named in the manifest is not a member of your organization.", acct)
		}
		if p == org.RootID() {
			return m, wire.Validation("The account %s must be in an organizational unit, not at the root of the organization.", acct)
		}
		if parent != "" && p != parent {
			return m, wire.Validation("All accounts used by the landing zone's integrations must be in the same organizational unit.")
		}
		parent = p
	}
	return m, nil
}

func checkRetention(name string, conf map[string]any) error {
	for bucket, v := range conf {
		bm, ok := v.(map[string]any)
		if !ok {
			continue
		}
		if days, ok := bm["retentionDays"].(float64); ok && days < 1 {
			return wire.Validation("The manifest is not valid: %s.configurations.%s.retentionDays must be at least 1.", name, bucket)
		}
	}
	return nil
}

func checkRoles(w *world.World, account string) error {
	svc := iam.From(w)
	for _, rr := range RequiredRoles {
		arn := "arn:aws:iam::" + account + ":role/service-role/" + rr.Name
		role, ok := svc.Role(account, rr.Name)
		if !ok || role.Path != "/service-role/" || !strings.Contains(role.Trust, rr.Service) {
			return wire.AccessDenied("AWS Control Tower cannot assume the role %s. Make sure the role exists with path /service-role/ and trusts %s, then try again.", arn, rr.Service)
		}
	}
	return nil
}

// organizationsRole gives a shared account the AWSControlTowerExecution role.
func organizationsRole(w *world.World, account, management string) {
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + management + `:root"},"Action":"sts:AssumeRole"}]}`
	iam.From(w).PutRole(w, account, "/", "AWSControlTowerExecution", trust, "arn:aws:iam::aws:policy/AdministratorAccess")
}

func (s *Service) lzJSON() map[string]any {
	var doc any = map[string]any{}
	_ = json.Unmarshal(s.LZ.Manifest, &doc)
	out := map[string]any{
		"arn": s.LZ.ARN, "version": s.LZ.Version, "latestAvailableVersion": s.Latest,
		"manifest": doc, "status": s.LZ.Status, "driftStatus": map[string]any{"status": "IN_SYNC"},
	}
	if len(s.LZ.RemediationTypes) > 0 {
		out["remediationTypes"] = s.LZ.RemediationTypes
	}
	return out
}

func (s *Service) getLandingZone(r *wire.Request) (any, error) {
	var in struct {
		LandingZoneIdentifier string `json:"landingZoneIdentifier"`
	}
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	if s.LZ == nil || (in.LandingZoneIdentifier != s.LZ.ARN && in.LandingZoneIdentifier != s.LZ.ID) {
		return nil, notFound("The landing zone %s does not exist.", in.LandingZoneIdentifier)
	}
	return map[string]any{"landingZone": s.lzJSON()}, nil
}

func (s *Service) listLandingZones(w *world.World, r *wire.Request) (any, error) {
	out := []any{}
	if s.LZ != nil && s.LZ.Account == r.Account {
		out = append(out, map[string]any{"arn": s.LZ.ARN})
	}
	return map[string]any{"landingZones": out}, nil
}

func opJSON(op *Operation) map[string]any {
	m := map[string]any{"operationIdentifier": op.ID, "operationType": op.Type, "status": op.Status, "startTime": iso(op.Start)}
	if !op.End.IsZero() {
		m["endTime"] = iso(op.End)
	}
	if op.Message != "" {
		m["statusMessage"] = op.Message
	}
	return m
}

func (s *Service) getOperation(r *wire.Request, kind string) (any, error) {
	var in struct {
		OperationIdentifier string `json:"operationIdentifier"`
	}
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	op, ok := s.Ops[in.OperationIdentifier]
	if !ok || op.Kind != kind {
		return nil, notFound("The operation %s does not exist.", in.OperationIdentifier)
	}
	if kind == "baseline" {
		return map[string]any{"baselineOperation": opJSON(op)}, nil
	}
	return map[string]any{"operationDetails": opJSON(op)}, nil
}

func (s *Service) listLandingZoneOperations(r *wire.Request) (any, error) {
	var in struct {
		Filter struct {
			Statuses []string `json:"statuses"`
			Types    []string `json:"types"`
		} `json:"filter"`
	}
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	var ops []*Operation
	for _, op := range s.Ops {
		if len(in.Filter.Statuses) > 0 && !has(in.Filter.Statuses, op.Status) || len(in.Filter.Types) > 0 && !has(in.Filter.Types, op.Type) {
			continue
		}
		if op.Kind == "landingzone" {
			ops = append(ops, op)
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].Start.Before(ops[j].Start) })
	out := []any{}
	for _, op := range ops {
		out = append(out, map[string]any{"operationIdentifier": op.ID, "operationType": op.Type, "status": op.Status})
	}
	return map[string]any{"landingZoneOperations": out}, nil
}
