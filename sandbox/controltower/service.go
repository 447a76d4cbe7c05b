// Package controltower simulates AWS Control Tower (restJson1) for castle's
// sandbox: one landing zone per organization, created by an operation that
// runs about an hour on the virtual clock, with its manifest, version and
// IAM-role checks; and baselines enabled on OUs (how an OU is registered).
// When the landing zone becomes ACTIVE, IAM Identity Center is enabled
// (sso-admin) and the IdentityCenterBaseline is enabled on the landing zone.
package controltower

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/castle-aws/castle/sandbox/ssoadmin"
	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// Durations on the virtual clock.
const (
	LandingZoneDuration = 60 * time.Minute
	BaselineDuration    = 4 * time.Minute
)

// DefaultLatestVersion is the newest landing-zone version the sandbox offers.
const DefaultLatestVersion = "4.0"

// Baseline ids (the last part of a baseline ARN).
const (
	ControlTowerBaselineID   = "17BSJV3IGJ2QSGA2"
	IdentityCenterBaselineID = "LN25R72TTG6IGPTQ"
)

// LandingZone is the organization's landing zone.
type LandingZone struct {
	ID               string          `json:"id"`
	ARN              string          `json:"arn"`
	Account          string          `json:"account"`
	Region           string          `json:"region"`
	Version          string          `json:"version"`
	Manifest         json.RawMessage `json:"manifest"`
	Status           string          `json:"status"` // PROCESSING | ACTIVE | FAILED
	RemediationTypes []string        `json:"remediationTypes,omitempty"`
}

// Operation is a landing-zone or baseline operation.
type Operation struct {
	ID      string    `json:"id"`
	Kind    string    `json:"kind"` // landingzone | baseline
	Type    string    `json:"type"` // CREATE | ENABLE
	Status  string    `json:"status"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end,omitempty"`
	ReadyAt time.Time `json:"readyAt"`
	Message string    `json:"message,omitempty"`
	Target  string    `json:"target,omitempty"` // enabled baseline ARN for baseline operations
}

// EnabledBaseline is a baseline enabled on a target.
type EnabledBaseline struct {
	ARN      string            `json:"arn"`
	Baseline string            `json:"baseline"` // baseline ARN
	Version  string            `json:"version"`
	Target   string            `json:"target"`
	Params   map[string]string `json:"params,omitempty"`
	Status   string            `json:"status"` // UNDER_CHANGE | SUCCEEDED | FAILED
	LastOp   string            `json:"lastOp"`
}

// Service is the simulated Control Tower.
type Service struct {
	LZ      *LandingZone          `json:"landingZone,omitempty"`
	Ops     map[string]*Operation `json:"operations"`
	Enabled []*EnabledBaseline    `json:"enabledBaselines"`
	// Latest is the newest landing-zone version; CreateLandingZone accepts only it.
	Latest string `json:"latest"`
	// FailNext, when set, makes the next landing-zone operation end FAILED
	// with this status message (tests, `castle sandbox` demos of a failure).
	FailNext string `json:"failNext,omitempty"`
}

// New returns the simulated Control Tower.
func New() *Service {
	return &Service{Ops: map[string]*Operation{}, Latest: DefaultLatestVersion}
}

// From returns the Control Tower service of a world, nil when not registered.
func From(w *world.World) *Service {
	s, _ := w.Service("controltower").(*Service)
	return s
}

func (s *Service) Name() string            { return "controltower" }
func (s *Service) Protocol() wire.Protocol { return wire.RestJSON }
func (s *Service) Snapshot() any           { return s }
func (s *Service) Restore(data json.RawMessage) error {
	if err := json.Unmarshal(data, s); err != nil {
		return err
	}
	if s.Ops == nil {
		s.Ops = map[string]*Operation{}
	}
	if s.Latest == "" {
		s.Latest = DefaultLatestVersion
	}
	return nil
}

// ThrottleError is Control Tower's throttling answer.
func (s *Service) ThrottleError() *wire.Error {
	e := wire.Errorf(429, "ThrottlingException", "Rate exceeded")
	e.Fields = map[string]any{"serviceCode": "controltower", "quotaCode": "L-0000000", "retryAfterSeconds": 1}
	return e
}

// LandingZoneActive reports whether the landing zone exists and is ACTIVE.
func (s *Service) LandingZoneActive() bool {
	return s != nil && s.LZ != nil && s.LZ.Status == "ACTIVE"
}

// HomeRegion is the landing zone's home region, "" without one.
func (s *Service) HomeRegion() string {
	if s == nil || s.LZ == nil {
		return ""
	}
	return s.LZ.Region
}

// OURegistered reports whether AWSControlTowerBaseline is enabled (and
// succeeded) on the OU with this id (ou-…).
func (s *Service) OURegistered(ouID string) bool {
	if s == nil || ouID == "" {
		return false
	}
	for _, eb := range s.Enabled {
		if baselineID(eb.Baseline) == ControlTowerBaselineID && eb.Status == "SUCCEEDED" && lastPart(eb.Target) == ouID {
			return true
		}
	}
	return false
}

// SetLatestVersion changes the newest landing-zone version (tests, sandbox control).
func (s *Service) SetLatestVersion(v string) { s.Latest = v }

// Tick ends operations whose time has come.
func (s *Service) Tick(w *world.World) {
	now := w.Now()
	for _, op := range s.Ops {
		if op.Status != "IN_PROGRESS" || now.Before(op.ReadyAt) {
			continue
		}
		op.Status, op.End = "SUCCEEDED", op.ReadyAt
		switch op.Kind {
		case "landingzone":
			s.finishLandingZone(w, op)
		case "baseline":
			for _, eb := range s.Enabled {
				if eb.ARN == op.Target {
					eb.Status = "SUCCEEDED"
				}
			}
		}
	}
}

func (s *Service) finishLandingZone(w *world.World, op *Operation) {
	if s.LZ == nil {
		op.Status, op.Message = "FAILED", "The landing zone was deleted while it was being set up."
		return
	}
	if s.FailNext != "" {
		op.Status, op.Message = "FAILED", s.FailNext
		s.LZ.Status, s.FailNext = "FAILED", ""
		return
	}
	s.LZ.Status = "ACTIVE"
	var m manifest
	_ = json.Unmarshal(s.LZ.Manifest, &m)
	if m.AccessManagement != nil && m.AccessManagement.Enabled {
		if sso := ssoadmin.From(w); sso != nil {
			sso.EnableInstance(w, s.LZ.Account, s.LZ.Region)
		}
		s.Enabled = append(s.Enabled, &EnabledBaseline{
			ARN:      s.enabledARN(w, s.LZ.Region, s.LZ.Account),
			Baseline: baselineARN(s.LZ.Region, IdentityCenterBaselineID), Version: "1.0",
			Target: s.LZ.ARN, Status: "SUCCEEDED", LastOp: op.ID,
		})
	}
	// Control Tower gives the shared accounts its execution role.
	for _, acct := range m.accounts() {
		organizationsRole(w, acct, s.LZ.Account)
	}
}

// Route names the operation of a request (wire.RestRouter).
func (s *Service) Route(r *http.Request) (string, map[string]string, bool) {
	if r.Method != http.MethodPost {
		return "", nil, false
	}
	op, ok := routes[r.URL.Path]
	return op, nil, ok
}

var routes = map[string]string{
	"/create-landingzone":          "CreateLandingZone",
	"/get-landingzone":             "GetLandingZone",
	"/list-landingzones":           "ListLandingZones",
	"/get-landingzone-operation":   "GetLandingZoneOperation",
	"/list-landingzone-operations": "ListLandingZoneOperations",
	"/list-baselines":              "ListBaselines",
	"/get-baseline":                "GetBaseline",
	"/list-enabled-baselines":      "ListEnabledBaselines",
	"/get-enabled-baseline":        "GetEnabledBaseline",
	"/enable-baseline":             "EnableBaseline",
	"/get-baseline-operation":      "GetBaselineOperation",
}

// Handle answers one Control Tower call.
func (s *Service) Handle(w *world.World, r *wire.Request) (any, error) {
	switch r.Operation {
	case "CreateLandingZone":
		return s.createLandingZone(w, r)
	case "GetLandingZone":
		return s.getLandingZone(r)
	case "ListLandingZones":
		return s.listLandingZones(w, r)
	case "GetLandingZoneOperation":
		return s.getOperation(r, "landingzone")
	case "ListLandingZoneOperations":
		return s.listLandingZoneOperations(r)
	case "ListBaselines":
		return s.listBaselines(r)
	case "GetBaseline":
		return s.getBaseline(r)
	case "ListEnabledBaselines":
		return s.listEnabledBaselines(r)
	case "GetEnabledBaseline":
		return s.getEnabledBaseline(r)
	case "EnableBaseline":
		return s.enableBaseline(w, r)
	case "GetBaselineOperation":
		return s.getOperation(r, "baseline")
	}
	return nil, wire.UnknownOperation(r.Operation)
}

func iso(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func notFound(format string, args ...any) error {
	return wire.Errorf(404, "ResourceNotFoundException", format, args...)
}

// Control: POST /_sandbox/controltower/latest-version?version=4.1 makes a
// newer landing-zone version available (to try castle's upgrade path);
// POST /_sandbox/controltower/fail-next-landing-zone?reason=... makes the next
// landing-zone operation fail with that reason.
func (s *Service) Control(w *world.World, action string, p url.Values) (any, error) {
	switch action {
	case "latest-version":
		v := p.Get("version")
		if !versionPattern.MatchString(v) {
			return nil, wire.Validation("version must look like 4.1")
		}
		s.Latest = v
		return map[string]string{"latest": s.Latest}, nil
	case "fail-next-landing-zone":
		s.FailNext = p.Get("reason")
		if s.FailNext == "" {
			s.FailNext = "AWS Control Tower cannot set up the landing zone because an AWS Config configuration recorder already exists in a shared account."
		}
		return map[string]string{"failNext": s.FailNext}, nil
	}
	return nil, wire.UnknownOperation(action)
}
