package servicecatalog

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/castle-aws/castle/sandbox/organizations"
	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// The parameters of the Account Factory product.
var requiredParams = []string{"AccountEmail", "AccountName", "ManagedOrganizationalUnit", "SSOUserEmail", "SSOUserFirstName", "SSOUserLastName"}

var (
	tokenRE  = regexp.MustCompile(`^[a-zA-Z0-9_\-]{1,128}$`)
	ppNameRE = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}$`)
	emailRE  = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)
)

type provisionInput struct {
	ProductId              string
	ProductName            string
	ProvisioningArtifactId string
	PathId                 string
	ProvisionedProductName string
	ProvisionToken         string
	ProvisioningParameters []struct{ Key, Value string }
}

// inFlight counts account operations Control Tower is working on.
func (s *Service) inFlight() int {
	n := 0
	for _, rec := range s.Records {
		if (rec.Status == "CREATED" || rec.Status == "IN_PROGRESS") && !rec.OverLimit {
			n++
		}
	}
	return n
}

func (s *Service) provision(w *world.World, r *wire.Request) (any, error) {
	var in provisionInput
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	if !tokenRE.MatchString(in.ProvisionToken) {
		return nil, wire.Validation("1 validation error detected: Value at 'provisionToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_\\-]*")
	}
	// The same token is the same request: answer with its record, create nothing.
	for _, rec := range s.Records {
		if rec.Token == in.ProvisionToken {
			return map[string]any{"RecordDetail": s.recordDetail(rec)}, nil
		}
	}
	p := s.visible(r)
	if p == nil || (in.ProductId != p.ID && in.ProductName != ProductName) {
		return nil, s.productNotFound(in.ProductId + in.ProductName)
	}
	if !s.associated(w, p, r.Principal) {
		return nil, wire.NotFound("ResourceNotFoundException", "No launch paths found for resource: %s", p.ID)
	}
	if in.PathId != "" && in.PathId != p.LaunchPathID {
		return nil, wire.NotFound("ResourceNotFoundException", "Launch path %s not found.", in.PathId)
	}
	if in.ProvisioningArtifactId != p.ArtifactID {
		return nil, wire.Errorf(400, "InvalidParametersException", "Provisioning artifact %s is not part of product %s.", in.ProvisioningArtifactId, p.ID)
	}
	if !ppNameRE.MatchString(in.ProvisionedProductName) {
		return nil, wire.Validation("1 validation error detected: Value '%s' at 'provisionedProductName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9][a-zA-Z0-9._-]*", in.ProvisionedProductName)
	}
	for _, pp := range s.Provisioned {
		if pp.Name == in.ProvisionedProductName {
			return nil, wire.Errorf(400, "DuplicateResourceException", "A provisioned product with the name %s already exists.", in.ProvisionedProductName)
		}
	}
	params := map[string]string{}
	for _, kv := range in.ProvisioningParameters {
		params[kv.Key] = kv.Value
	}
	for _, k := range requiredParams {
		if strings.TrimSpace(params[k]) == "" {
			return nil, wire.Errorf(400, "InvalidParametersException", "Parameter %s must have a value.", k)
		}
	}
	for _, k := range []string{"AccountEmail", "SSOUserEmail"} {
		if !emailRE.MatchString(params[k]) {
			return nil, wire.Errorf(400, "InvalidParametersException", "Parameter %s must match pattern [^\\s@]+@[^\\s@]+\\.[^\\s@]+", k)
		}
	}
	now := w.Now()
	pp := &Provisioned{ID: "pp-" + w.AlnumID(13), Name: in.ProvisionedProductName, Status: "UNDER_CHANGE",
		Created: now, Token: in.ProvisionToken, UserARN: r.Principal}
	rec := &Record{ID: "rec-" + w.AlnumID(13), PPID: pp.ID, PPName: pp.Name, Token: in.ProvisionToken, Status: "CREATED",
		Created: now, Updated: now, Params: params, UserARN: r.Principal, ArtifactID: p.ArtifactID, ProductID: p.ID, PathID: p.LaunchPathID}
	// Service Catalog accepts the request; Control Tower, which does the
	// work, refuses a sixth concurrent account operation. The AWS Control
	// Tower limits page documents the limit of five concurrent account
	// operations but no Service Catalog error code for it, so the refusal
	// shows where Control Tower's failures show: the record goes FAILED
	// (with Control Tower's reason) and the provisioned product to ERROR.
	// Callers must queue instead of counting on an API error.
	if s.inFlight() >= MaxConcurrent {
		rec.OverLimit = true
	}
	pp.LastRecord = rec.ID
	s.Records[rec.ID] = rec
	s.Provisioned[pp.ID] = pp
	return map[string]any{"RecordDetail": s.recordDetail(rec)}, nil
}

// advance moves records forward by the virtual clock.
func (s *Service) advance(w *world.World) {
	now := w.Now()
	ids := make([]string, 0, len(s.Records))
	for id := range s.Records {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		rec := s.Records[id]
		if rec.Status != "CREATED" && rec.Status != "IN_PROGRESS" {
			continue
		}
		age := now.Sub(rec.Created)
		if rec.Terminate {
			if age >= time.Minute {
				rec.Status, rec.Updated = "SUCCEEDED", rec.Created.Add(time.Minute)
				delete(s.Provisioned, rec.PPID)
			}
			continue
		}
		switch {
		case rec.OverLimit:
			s.fail(w, rec, "AccountFactoryLimit", fmt.Sprintf("AWS Control Tower cannot start this account operation: %d account operations are already in progress, which is the limit. Try again when one of them finishes.", MaxConcurrent))
			continue
		case rec.Status == "CREATED" && age >= startDelay:
			rec.Status, rec.Updated = "IN_PROGRESS", rec.Created.Add(startDelay)
		}
		if age >= checkDelay && !rec.CheckedOnce {
			rec.CheckedOnce = true
			if msg := s.validate(w, rec); msg != "" {
				s.fail(w, rec, "AccountFactoryError", msg)
				continue
			}
		}
		if age >= ProvisionDuration {
			s.complete(w, rec)
		}
	}
}

// ouID resolves ManagedOrganizationalUnit: "Name" or "Name (ou-…)".
func ouID(w *world.World, v string) (id, name string, ok bool) {
	v = strings.TrimSpace(v)
	if i := strings.LastIndex(v, "(ou-"); i >= 0 && strings.HasSuffix(v, ")") {
		return v[i+1 : len(v)-1], strings.TrimSpace(v[:i]), true
	}
	if o := orgsOf(w); o != nil {
		id, _, ok := o.OUByName(v)
		return id, v, ok
	}
	return "", v, false
}

// validate is what Control Tower checks before it creates the account.
func (s *Service) validate(w *world.World, rec *Record) string {
	ou := rec.Params["ManagedOrganizationalUnit"]
	id, name, ok := ouID(w, ou)
	if !ok && orgsOf(w) != nil {
		return fmt.Sprintf("AWS Control Tower cannot find the organizational unit %s in your organization.", ou)
	}
	if t := towerOf(w); t != nil && !t.OURegistered(id) {
		return fmt.Sprintf("AWS Control Tower cannot create an account in organizational unit %s because the OU is not registered with AWS Control Tower. Register the OU, then try again.", name)
	}
	if o := organizations.From(w); o != nil && o.Org != nil && len(o.Members) >= organizations.AccountLimit {
		return fmt.Sprintf("AWS Control Tower cannot create an account because your organization has reached its limit of %d accounts. Ask for a higher quota in Service Quotas, then try again.", organizations.AccountLimit)
	}
	if email := rec.Params["AccountEmail"]; emailInUse(w, email) {
		return fmt.Sprintf("AWS Control Tower cannot create the account: the email address %s is already used by another AWS account, or by an account that was closed in the last 90 days.", email)
	}
	return ""
}

func (s *Service) fail(w *world.World, rec *Record, code, msg string) {
	rec.Status, rec.Updated = "FAILED", w.Now()
	rec.Errors = append(rec.Errors, RecordError{Code: code, Description: msg})
	if pp := s.Provisioned[rec.PPID]; pp != nil {
		pp.Status, pp.Message = "ERROR", msg
	}
}

// complete vends the account: the account in its OU, the Identity Center
// user, and administrator access for that user on the account.
func (s *Service) complete(w *world.World, rec *Record) {
	if msg := s.validate(w, rec); msg != "" {
		s.fail(w, rec, "AccountFactoryError", msg)
		return
	}
	id, _, _ := ouID(w, rec.Params["ManagedOrganizationalUnit"])
	acct, err := vendAccount(w, rec.Params["AccountName"], rec.Params["AccountEmail"], id)
	if err != nil {
		s.fail(w, rec, "AccountFactoryError", "AWS Control Tower could not create the account: "+err.Error())
		return
	}
	rec.AccountID = acct.ID
	rec.Outputs = map[string]string{"AccountId": acct.ID, "AccountEmail": acct.Email, "SSOUserEmail": rec.Params["SSOUserEmail"]}
	if sso := ssoOf(w); sso != nil {
		if _, store, ok := sso.Instance(); ok {
			if ids := idStoreOf(w); ids != nil {
				email := rec.Params["SSOUserEmail"]
				// An existing user with that email is reused; otherwise a
				// new one is made, named by the email.
				uid, found := ids.UserByEmail(store, email)
				var err error
				if !found {
					uid, err = ids.EnsureUser(w, store, email, email, rec.Params["SSOUserFirstName"], rec.Params["SSOUserLastName"])
				}
				if err == nil {
					if err := sso.AssignNow(w, "AWSAdministratorAccess", uid, acct.ID); err != nil {
						s.fail(w, rec, "AccountFactoryError", "AWS Control Tower created account "+acct.ID+" but could not give "+email+" access: "+err.Error())
						return
					}
				} else {
					s.fail(w, rec, "AccountFactoryError", "AWS Control Tower created account "+acct.ID+" but could not set up the IAM Identity Center user: "+err.Error())
					return
				}
			}
		}
	}
	rec.Status = "SUCCEEDED"
	rec.Updated = rec.Created.Add(ProvisionDuration)
	if pp := s.Provisioned[rec.PPID]; pp != nil {
		pp.Status, pp.PhysicalID = "AVAILABLE", acct.ID
	}
}

func (s *Service) recordDetail(rec *Record) map[string]any {
	errs := []any{}
	for _, e := range rec.Errors {
		errs = append(errs, map[string]any{"Code": e.Code, "Description": e.Description})
	}
	kind := "PROVISION_PRODUCT"
	if rec.Terminate {
		kind = "TERMINATE_PROVISIONED_PRODUCT"
	}
	return map[string]any{
		"RecordId": rec.ID, "ProvisionedProductId": rec.PPID, "ProvisionedProductName": rec.PPName,
		"ProvisionedProductType": ProductType, "RecordType": kind, "Status": rec.Status,
		"CreatedTime": wire.Epoch(rec.Created), "UpdatedTime": wire.Epoch(rec.Updated),
		"ProductId": rec.ProductID, "ProvisioningArtifactId": rec.ArtifactID, "PathId": rec.PathID,
		"RecordErrors": errs, "RecordTags": []any{},
	}
}

func (s *Service) describeRecord(r *wire.Request) (any, error) {
	var in struct{ Id string }
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	rec, ok := s.Records[in.Id]
	if !ok || s.Product == nil || r.Account != s.Product.Account {
		return nil, wire.NotFound("ResourceNotFoundException", "Record %s not found.", in.Id)
	}
	outs := []any{}
	keys := make([]string, 0, len(rec.Outputs))
	for k := range rec.Outputs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		outs = append(outs, map[string]any{"OutputKey": k, "OutputValue": rec.Outputs[k]})
	}
	return map[string]any{"RecordDetail": s.recordDetail(rec), "RecordOutputs": outs}, nil
}

// searchProvisioned answers SearchProvisionedProducts. The SearchQuery
// filter takes "name:X", "status:X", "type:X" or free text.
func (s *Service) searchProvisioned(r *wire.Request) (any, error) {
	var in struct{ Filters map[string][]string }
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	out := []any{}
	if s.Product == nil || r.Account != s.Product.Account {
		return map[string]any{"ProvisionedProducts": out, "TotalResultsCount": 0}, nil
	}
	pps := make([]*Provisioned, 0, len(s.Provisioned))
	for _, pp := range s.Provisioned {
		pps = append(pps, pp)
	}
	sort.Slice(pps, func(i, j int) bool {
		if !pps[i].Created.Equal(pps[j].Created) {
			return pps[i].Created.Before(pps[j].Created)
		}
		return pps[i].ID < pps[j].ID
	})
	for _, pp := range pps {
		if !matchesQuery(pp, in.Filters["SearchQuery"]) {
			continue
		}
		m := map[string]any{
			"Id": pp.ID, "Name": pp.Name, "Status": pp.Status, "Type": ProductType, "CreatedTime": wire.Epoch(pp.Created),
			"IdempotencyToken": pp.Token, "LastRecordId": pp.LastRecord, "LastProvisioningRecordId": pp.LastRecord,
			"ProductId": s.Product.ID, "ProductName": ProductName, "ProvisioningArtifactId": s.Product.ArtifactID,
			"ProvisioningArtifactName": s.Product.ArtifactName, "UserArn": pp.UserARN,
			"Arn": "arn:aws:servicecatalog:" + s.Product.Region + ":" + s.Product.Account + ":stack/" + pp.Name + "/" + pp.ID,
		}
		if pp.Message != "" {
			m["StatusMessage"] = pp.Message
		}
		if pp.PhysicalID != "" {
			m["PhysicalId"] = pp.PhysicalID
		}
		if pp.Status == "AVAILABLE" {
			m["LastSuccessfulProvisioningRecordId"] = pp.LastRecord
		}
		out = append(out, m)
	}
	return map[string]any{"ProvisionedProducts": out, "TotalResultsCount": len(out)}, nil
}

func matchesQuery(pp *Provisioned, queries []string) bool {
	for _, q := range queries {
		k, v, found := strings.Cut(q, ":")
		if !found {
			if !strings.Contains(strings.ToLower(pp.Name), strings.ToLower(q)) {
				return false
			}
			continue
		}
		switch strings.ToLower(k) {
		case "name":
			if pp.Name != v {
				return false
			}
		case "status":
			if !strings.EqualFold(pp.Status, v) {
				return false
			}
		case "type":
			if !strings.EqualFold(ProductType, v) {
				return false
			}
		case "id":
			if pp.ID != v {
				return false
			}
		}
	}
	return true
}
