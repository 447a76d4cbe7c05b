package servicecatalog

import (
	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// terminate answers TerminateProvisionedProduct: the provisioned product
// goes UNDER_CHANGE and disappears a minute later, freeing its name. For an
// account that was vended, Control Tower stops managing it; the account
// stays in the organization (closing it is a separate step on AWS too).
func (s *Service) terminate(w *world.World, r *wire.Request) (any, error) {
	var in struct {
		ProvisionedProductId   string
		ProvisionedProductName string
		TerminateToken         string
	}
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	if !tokenRE.MatchString(in.TerminateToken) {
		return nil, wire.Validation("1 validation error detected: Value at 'terminateToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_\\-]*")
	}
	for _, rec := range s.Records {
		if rec.Token == "terminate:"+in.TerminateToken {
			return map[string]any{"RecordDetail": s.recordDetail(rec)}, nil
		}
	}
	if s.Product == nil || r.Account != s.Product.Account {
		return nil, wire.NotFound("ResourceNotFoundException", "Provisioned product not found.")
	}
	var pp *Provisioned
	for _, p := range s.Provisioned {
		if (in.ProvisionedProductId != "" && p.ID == in.ProvisionedProductId) || (in.ProvisionedProductName != "" && p.Name == in.ProvisionedProductName) {
			pp = p
		}
	}
	if pp == nil {
		return nil, wire.NotFound("ResourceNotFoundException", "Provisioned product %s%s not found.", in.ProvisionedProductId, in.ProvisionedProductName)
	}
	if pp.Status == "UNDER_CHANGE" {
		return nil, wire.Errorf(400, "InvalidStateException", "Provisioned product %s is being changed; try again when it is done.", pp.Name)
	}
	now := w.Now()
	rec := &Record{ID: "rec-" + w.AlnumID(13), PPID: pp.ID, PPName: pp.Name, Token: "terminate:" + in.TerminateToken,
		Status: "IN_PROGRESS", Created: now, Updated: now, UserARN: r.Principal, ArtifactID: s.Product.ArtifactID,
		ProductID: s.Product.ID, PathID: s.Product.LaunchPathID, Terminate: true}
	s.Records[rec.ID] = rec
	pp.Status, pp.LastRecord = "UNDER_CHANGE", rec.ID
	return map[string]any{"RecordDetail": s.recordDetail(rec)}, nil
}
