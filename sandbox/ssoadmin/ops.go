package ssoadmin

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// pageSize is the default page when MaxResults is not given: small, so
// castle's paginators really follow NextToken.
const pageSize = 4

var accountID = regexp.MustCompile(`^\d{12}$`)

type input struct {
	InstanceArn      string
	PermissionSetArn string
	TargetId         string
	TargetType       string
	PrincipalType    string
	PrincipalId      string
	AccountId        string
	MaxResults       int
	NextToken        string
	Filter           *struct{ AccountId string }

	AccountAssignmentCreationRequestId string
	AccountAssignmentDeletionRequestId string
}

func (s *Service) Handle(w *world.World, r *wire.Request) (any, error) {
	var in input
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	if r.Operation == "ListInstances" {
		var list []any
		if s.Inst != nil && s.Inst.Owner == r.Account && (s.Inst.Region == "" || s.Inst.Region == r.Region) {
			list = append(list, s.instanceJSON())
		}
		return map[string]any{"Instances": list}, nil
	}
	if err := s.checkInstance(r, in.InstanceArn); err != nil {
		return nil, err
	}
	switch r.Operation {
	case "DescribeInstance":
		return s.instanceJSON(), nil
	case "ListPermissionSets":
		arns := make([]string, 0, len(s.PermissionSets))
		for _, p := range s.sortedSets() {
			arns = append(arns, p.ARN)
		}
		return paged("PermissionSets", arns, in.NextToken, in.MaxResults)
	case "DescribePermissionSet":
		p, err := s.mustSet(in.PermissionSetArn)
		if err != nil {
			return nil, err
		}
		return map[string]any{"PermissionSet": map[string]any{"Name": p.Name, "PermissionSetArn": p.ARN,
			"Description": p.Description, "SessionDuration": p.Session, "CreatedDate": wire.Epoch(p.Created)}}, nil
	case "CreateAccountAssignment", "DeleteAccountAssignment":
		return s.startRequest(w, r, in)
	case "DescribeAccountAssignmentCreationStatus", "DescribeAccountAssignmentDeletionStatus":
		id, del, key := in.AccountAssignmentCreationRequestId, false, "AccountAssignmentCreationStatus"
		if r.Operation == "DescribeAccountAssignmentDeletionStatus" {
			id, del, key = in.AccountAssignmentDeletionRequestId, true, "AccountAssignmentDeletionStatus"
		}
		req, ok := s.Requests[id]
		if !ok || req.Delete != del {
			return nil, wire.NotFound("ResourceNotFoundException", "The request %s does not exist.", id)
		}
		return map[string]any{key: statusJSON(req)}, nil
	case "ListAccountAssignments":
		if !accountID.MatchString(in.AccountId) {
			return nil, wire.Validation("AccountId must be a 12-digit account id.")
		}
		if _, err := s.mustSet(in.PermissionSetArn); err != nil {
			return nil, err
		}
		var out []any
		for _, a := range s.Assignments {
			if a.AccountID == in.AccountId && a.PermissionSetARN == in.PermissionSetArn {
				out = append(out, assignmentJSON(a))
			}
		}
		return paged("AccountAssignments", out, in.NextToken, in.MaxResults)
	case "ListAccountAssignmentsForPrincipal":
		if in.PrincipalId == "" || (in.PrincipalType != "USER" && in.PrincipalType != "GROUP") {
			return nil, wire.Validation("PrincipalId and PrincipalType (USER or GROUP) are required.")
		}
		var out []any
		for _, a := range s.Assignments {
			if a.PrincipalID == in.PrincipalId && a.PrincipalType == in.PrincipalType && (in.Filter == nil || in.Filter.AccountId == "" || in.Filter.AccountId == a.AccountID) {
				out = append(out, assignmentJSON(a))
			}
		}
		return paged("AccountAssignments", out, in.NextToken, in.MaxResults)
	case "ListPermissionSetsProvisionedToAccount":
		if !accountID.MatchString(in.AccountId) {
			return nil, wire.Validation("AccountId must be a 12-digit account id.")
		}
		var arns []string
		for _, p := range s.sortedSets() {
			for _, a := range s.Assignments {
				if a.AccountID == in.AccountId && a.PermissionSetARN == p.ARN {
					arns = append(arns, p.ARN)
					break
				}
			}
		}
		return paged("PermissionSets", arns, in.NextToken, in.MaxResults)
	}
	return nil, wire.UnknownOperation(r.Operation)
}

func (s *Service) startRequest(w *world.World, r *wire.Request, in input) (any, error) {
	if _, err := s.mustSet(in.PermissionSetArn); err != nil {
		return nil, err
	}
	if !accountID.MatchString(in.TargetId) || in.TargetType != "AWS_ACCOUNT" {
		return nil, wire.Validation("TargetId must be a 12-digit account id and TargetType AWS_ACCOUNT.")
	}
	if in.PrincipalType != "USER" && in.PrincipalType != "GROUP" {
		return nil, wire.Validation("PrincipalType must be USER or GROUP.")
	}
	if in.PrincipalId == "" {
		return nil, wire.Validation("PrincipalId is required.")
	}
	del := r.Operation == "DeleteAccountAssignment"
	a := Assignment{AccountID: in.TargetId, PermissionSetARN: in.PermissionSetArn, PrincipalType: in.PrincipalType, PrincipalID: in.PrincipalId}
	req := &Request{ID: w.UUID(), Delete: del, Status: "IN_PROGRESS", Created: w.Now(), Ready: w.Now().Add(AssignDelay), Assignment: a}
	s.Requests[req.ID] = req
	key := "AccountAssignmentCreationStatus"
	if del {
		key = "AccountAssignmentDeletionStatus"
	}
	return map[string]any{key: statusJSON(req)}, nil
}

func (s *Service) checkInstance(r *wire.Request, arn string) error {
	if arn == "" {
		return wire.Validation("1 validation error detected: Value at 'instanceArn' failed to satisfy constraint: Member must not be null")
	}
	if !strings.HasPrefix(arn, "arn:aws:sso:::instance/") {
		return wire.Validation("The InstanceArn %s is not valid.", arn)
	}
	if s.Inst == nil || s.Inst.ARN != arn {
		return wire.NotFound("ResourceNotFoundException", "The instance %s does not exist.", arn)
	}
	if s.Inst.Owner != r.Account {
		return wire.AccessDenied("User: %s is not authorized to perform: sso:%s on resource: %s", r.Principal, r.Operation, arn)
	}
	return nil
}

func (s *Service) mustSet(arn string) (*PermissionSet, error) {
	if arn == "" {
		return nil, wire.Validation("PermissionSetArn is required.")
	}
	p, ok := s.PermissionSets[arn]
	if !ok {
		return nil, wire.NotFound("ResourceNotFoundException", "The permission set %s does not exist.", arn)
	}
	return p, nil
}

func (s *Service) sortedSets() []*PermissionSet {
	out := make([]*PermissionSet, 0, len(s.PermissionSets))
	for _, p := range s.PermissionSets {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (s *Service) instanceJSON() map[string]any {
	i := s.Inst
	return map[string]any{"InstanceArn": i.ARN, "IdentityStoreId": i.StoreID, "OwnerAccountId": i.Owner,
		"Status": "ACTIVE", "CreatedDate": wire.Epoch(i.Created), "PrimaryRegion": i.Region}
}

func statusJSON(r *Request) map[string]any {
	m := map[string]any{"RequestId": r.ID, "Status": r.Status, "TargetId": r.AccountID, "TargetType": "AWS_ACCOUNT",
		"PermissionSetArn": r.PermissionSetARN, "PrincipalType": r.PrincipalType, "PrincipalId": r.PrincipalID,
		"CreatedDate": wire.Epoch(r.Created)}
	if r.Reason != "" {
		m["FailureReason"] = r.Reason
	}
	return m
}

func assignmentJSON(a Assignment) map[string]any {
	return map[string]any{"AccountId": a.AccountID, "PermissionSetArn": a.PermissionSetARN, "PrincipalType": a.PrincipalType, "PrincipalId": a.PrincipalID}
}

// paged returns one page of items under key, with NextToken when more follow.
func paged[T any](key string, items []T, token string, max int) (any, error) {
	from := 0
	if token != "" {
		v, err := strconv.Atoi(strings.TrimPrefix(token, "next-"))
		if err != nil || !strings.HasPrefix(token, "next-") || v < 0 || v > len(items) {
			return nil, wire.Validation("The NextToken is not valid.")
		}
		from = v
	}
	if max <= 0 {
		max = pageSize
	}
	to := min(from+max, len(items))
	out := map[string]any{key: append([]T{}, items[from:to]...)}
	if to < len(items) {
		out["NextToken"] = "next-" + strconv.Itoa(to)
	}
	return out, nil
}
