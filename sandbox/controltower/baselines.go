package controltower

import (
	"encoding/json"
	"strings"

	"github.com/castle-aws/castle/sandbox/organizations"
	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// baselines are the baselines the sandbox offers: id, name, description.
var baselines = []struct{ ID, Name, Description string }{
	{ControlTowerBaselineID, "AWSControlTowerBaseline", "Sets up resources and mandatory controls for member accounts within the target OU, so they are governed by AWS Control Tower."},
	{IdentityCenterBaselineID, "IdentityCenterBaseline", "Sets up the shared resources for AWS IAM Identity Center, which prepares the AWSControlTowerBaseline to set up Identity Center access for accounts."},
}

// BaselineVersion is the AWSControlTowerBaseline version for landing zone 4.0.
const BaselineVersion = "5.0"

func baselineARN(region, id string) string {
	return "arn:aws:controltower:" + region + "::baseline/" + id
}

func baselineID(arn string) string { return lastPart(arn) }

func lastPart(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }

func (s *Service) enabledARN(w *world.World, region, account string) string {
	return "arn:aws:controltower:" + region + ":" + account + ":enabledbaseline/" + strings.ToUpper(w.AlnumID(15))
}

func (s *Service) listBaselines(r *wire.Request) (any, error) {
	out := []any{}
	for _, b := range baselines {
		out = append(out, map[string]any{"arn": baselineARN(r.Region, b.ID), "name": b.Name, "description": b.Description})
	}
	return map[string]any{"baselines": out}, nil
}

func (s *Service) getBaseline(r *wire.Request) (any, error) {
	var in struct {
		BaselineIdentifier string `json:"baselineIdentifier"`
	}
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	for _, b := range baselines {
		if baselineARN(r.Region, b.ID) == in.BaselineIdentifier {
			return map[string]any{"arn": in.BaselineIdentifier, "name": b.Name, "description": b.Description}, nil
		}
	}
	return nil, notFound("The baseline %s does not exist.", in.BaselineIdentifier)
}

func ebJSON(eb *EnabledBaseline, withParams bool) map[string]any {
	m := map[string]any{
		"arn": eb.ARN, "baselineIdentifier": eb.Baseline, "baselineVersion": eb.Version, "targetIdentifier": eb.Target,
		"statusSummary":      map[string]any{"status": eb.Status, "lastOperationIdentifier": eb.LastOp},
		"driftStatusSummary": map[string]any{"types": map[string]any{"inheritance": map[string]any{"status": "IN_SYNC"}}},
	}
	if withParams {
		ps := []any{}
		for k, v := range eb.Params {
			ps = append(ps, map[string]any{"key": k, "value": v})
		}
		m["parameters"] = ps
	}
	return m
}

func (s *Service) listEnabledBaselines(r *wire.Request) (any, error) {
	var in struct {
		Filter struct {
			BaselineIdentifiers []string `json:"baselineIdentifiers"`
			TargetIdentifiers   []string `json:"targetIdentifiers"`
		} `json:"filter"`
	}
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	out := []any{}
	for _, eb := range s.Enabled {
		if len(in.Filter.BaselineIdentifiers) > 0 && !has(in.Filter.BaselineIdentifiers, eb.Baseline) {
			continue
		}
		if len(in.Filter.TargetIdentifiers) > 0 && !has(in.Filter.TargetIdentifiers, eb.Target) {
			continue
		}
		out = append(out, ebJSON(eb, false))
	}
	return map[string]any{"enabledBaselines": out}, nil
}

func (s *Service) getEnabledBaseline(r *wire.Request) (any, error) {
	var in struct {
		EnabledBaselineIdentifier string `json:"enabledBaselineIdentifier"`
	}
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	for _, eb := range s.Enabled {
		if eb.ARN == in.EnabledBaselineIdentifier {
			return map[string]any{"enabledBaselineDetails": ebJSON(eb, true)}, nil
		}
	}
	return nil, notFound("The enabled baseline %s does not exist.", in.EnabledBaselineIdentifier)
}

func has(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (s *Service) enableBaseline(w *world.World, r *wire.Request) (any, error) {
	var in struct {
		BaselineIdentifier string `json:"baselineIdentifier"`
		BaselineVersion    string `json:"baselineVersion"`
		TargetIdentifier   string `json:"targetIdentifier"`
		Parameters         []struct {
			Key   string          `json:"key"`
			Value json.RawMessage `json:"value"`
		} `json:"parameters"`
	}
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	if s.LZ == nil || s.LZ.Status != "ACTIVE" || s.LZ.Account != r.Account {
		return nil, wire.Validation("AWS Control Tower can enable a baseline only when a landing zone is set up and ACTIVE.")
	}
	if in.BaselineIdentifier != baselineARN(r.Region, ControlTowerBaselineID) {
		return nil, notFound("The baseline %s does not exist or cannot be enabled on an organizational unit.", in.BaselineIdentifier)
	}
	if in.BaselineVersion != BaselineVersion {
		return nil, wire.Validation("Baseline version %s is not compatible with landing zone version %s; use %s.", in.BaselineVersion, s.LZ.Version, BaselineVersion)
	}
	org := organizations.From(w)
	ouID := lastPart(in.TargetIdentifier)
	if org == nil || !strings.Contains(in.TargetIdentifier, ":ou/") || !ouExists(org, ouID) {
		return nil, notFound("The target %s is not an organizational unit of your organization.", in.TargetIdentifier)
	}
	params := map[string]string{}
	for _, p := range in.Parameters {
		var v string
		if err := json.Unmarshal(p.Value, &v); err != nil {
			return nil, wire.Validation("Parameter %s must be a string.", p.Key)
		}
		params[p.Key] = v
	}
	if idc := s.identityCenterBaseline(); idc != nil && params["IdentityCenterEnabledBaselineArn"] != idc.ARN {
		return nil, wire.Validation("The IdentityCenterEnabledBaselineArn parameter must be the ARN of the enabled IdentityCenterBaseline (%s).", idc.ARN)
	}
	for _, eb := range s.Enabled {
		if eb.Target == in.TargetIdentifier && eb.Baseline == in.BaselineIdentifier {
			if eb.Status == "UNDER_CHANGE" {
				return nil, wire.Conflict("Another operation is in progress on %s.", in.TargetIdentifier)
			}
			return nil, wire.Validation("The baseline is already enabled on %s (%s).", in.TargetIdentifier, eb.ARN)
		}
	}
	eb := &EnabledBaseline{ARN: s.enabledARN(w, r.Region, r.Account), Baseline: in.BaselineIdentifier, Version: in.BaselineVersion,
		Target: in.TargetIdentifier, Params: params, Status: "UNDER_CHANGE"}
	op := s.startOp(w, "baseline", "ENABLE", BaselineDuration, eb.ARN)
	eb.LastOp = op.ID
	s.Enabled = append(s.Enabled, eb)
	return map[string]any{"arn": eb.ARN, "operationIdentifier": op.ID}, nil
}

func (s *Service) identityCenterBaseline() *EnabledBaseline {
	for _, eb := range s.Enabled {
		if baselineID(eb.Baseline) == IdentityCenterBaselineID && eb.Status == "SUCCEEDED" {
			return eb
		}
	}
	return nil
}

func ouExists(org *organizations.Service, id string) bool {
	_, ok := org.OUs[id]
	return ok
}
