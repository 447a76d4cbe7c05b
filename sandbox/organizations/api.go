package organizations

import (
	"sort"
	"strconv"
	"strings"

	"github.com/castle-aws/castle/sandbox/iam"
	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// Handle answers one Organizations call.
func (s *Service) Handle(w *world.World, r *wire.Request) (any, error) {
	var in input
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	switch r.Operation {
	case "CreateOrganization":
		return s.createOrganization(w, r, in)
	case "DescribeOrganization":
		if err := s.member(r); err != nil {
			return nil, err
		}
		return map[string]any{"Organization": s.orgJSON(w)}, nil
	}
	if err := s.management(r); err != nil {
		return nil, err
	}
	switch r.Operation {
	case "ListRoots":
		return map[string]any{"Roots": []any{map[string]any{"Id": s.Org.RootID, "Arn": s.rootARN(), "Name": "Root", "PolicyTypes": []any{}}}}, nil
	case "CreateOrganizationalUnit":
		return s.createOU(w, in)
	case "DescribeOrganizationalUnit":
		ou, ok := s.OUs[in.OrganizationalUnitId]
		if !ok {
			return nil, notFound("OrganizationalUnitNotFoundException", "We can't find an OU with the OrganizationalUnitId that you specified.")
		}
		return map[string]any{"OrganizationalUnit": s.ouJSON(ou)}, nil
	case "ListOrganizationalUnitsForParent":
		if !s.parentExists(in.ParentId) {
			return nil, parentNotFound()
		}
		var items []any
		for _, ou := range s.sortedOUs() {
			if ou.Parent == in.ParentId {
				items = append(items, s.ouJSON(ou))
			}
		}
		return page("OrganizationalUnits", items, in)
	case "CreateAccount":
		return s.createAccount(w, r, in)
	case "DescribeCreateAccountStatus":
		for _, q := range s.Requests {
			if q.ID == in.CreateAccountRequestId {
				return map[string]any{"CreateAccountStatus": requestJSON(q)}, nil
			}
		}
		return nil, notFound("CreateAccountStatusNotFoundException", "We can't find an create account request with the CreateAccountRequestId that you specified.")
	case "ListCreateAccountStatus":
		var items []any
		for _, q := range s.Requests {
			if len(in.States) == 0 || contains(in.States, q.State) {
				items = append(items, requestJSON(q))
			}
		}
		return page("CreateAccountStatuses", items, in)
	case "ListAccounts":
		return page("Accounts", s.accountsUnder(w, ""), in)
	case "ListAccountsForParent":
		if !s.parentExists(in.ParentId) {
			return nil, parentNotFound()
		}
		return page("Accounts", s.accountsUnder(w, in.ParentId), in)
	case "DescribeAccount":
		m, ok := s.Members[in.AccountId]
		if !ok {
			return nil, accountNotFound()
		}
		return map[string]any{"Account": s.accountJSON(w, m)}, nil
	case "ListParents":
		return s.listParents(in.ChildId)
	case "ListChildren":
		return s.listChildren(in)
	case "MoveAccount":
		return s.moveAccount(in)
	}
	return nil, wire.Errorf(400, "InvalidInputException", "The sandbox does not implement %s.", r.Operation)
}

type input struct {
	FeatureSet             string
	ParentId               string
	Name                   string
	OrganizationalUnitId   string
	AccountName            string
	Email                  string
	RoleName               string
	CreateAccountRequestId string
	States                 []string
	AccountId              string
	SourceParentId         string
	DestinationParentId    string
	ChildId                string
	ChildType              string
	NextToken              string
	MaxResults             int
}

func notFound(code, msg string) error { return wire.Errorf(400, code, "%s", msg) }

func parentNotFound() error {
	return notFound("ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.")
}

func accountNotFound() error {
	return notFound("AccountNotFoundException", "We can't find an AWS account with the AccountId that you specified, or the account whose credentials you used to make this request isn't a member of an organization.")
}

func notInUse() error {
	return notFound("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
}

// member checks the caller is in the organization.
func (s *Service) member(r *wire.Request) error {
	if s.Org == nil {
		return notInUse()
	}
	if _, ok := s.Members[r.Account]; !ok {
		return notInUse()
	}
	return nil
}

// management checks the caller is the management account.
func (s *Service) management(r *wire.Request) error {
	if err := s.member(r); err != nil {
		return err
	}
	if r.Account != s.Org.Management {
		return wire.Errorf(400, "AccessDeniedException", "You don't have permissions to access this resource.")
	}
	return nil
}

func (s *Service) createOrganization(w *world.World, r *wire.Request, in input) (any, error) {
	if s.Org != nil {
		return nil, notFound("AlreadyInOrganizationException", "The AWS account is already a member of an organization.")
	}
	fs := in.FeatureSet
	if fs == "" {
		fs = "ALL"
	}
	if fs != "ALL" && fs != "CONSOLIDATED_BILLING" {
		return nil, invalidInput("INVALID_ENUM", "You provided a value that does not match the required pattern.")
	}
	s.Org = &Org{ID: "o-" + w.AlnumID(10), Management: r.Account, FeatureSet: fs, RootID: "r-" + w.AlnumID(4), Created: w.Now()}
	email := ""
	if a, ok := w.Accounts[r.Account]; ok {
		email = a.Email
	}
	s.Members[r.Account] = &Member{ID: r.Account, Email: email, Parent: s.Org.RootID, Joined: w.Now(), Method: "CREATED"}
	return map[string]any{"Organization": s.orgJSON(w)}, nil
}

func invalidInput(reason, msg string) error {
	e := wire.Errorf(400, "InvalidInputException", "%s", msg)
	e.Fields = map[string]any{"Reason": reason}
	return e
}

func (s *Service) orgJSON(w *world.World) map[string]any {
	email := ""
	if a, ok := w.Accounts[s.Org.Management]; ok {
		email = a.Email
	}
	return map[string]any{
		"Id": s.Org.ID, "Arn": s.orgARN(), "FeatureSet": s.Org.FeatureSet,
		"MasterAccountId": s.Org.Management, "MasterAccountEmail": email,
		"MasterAccountArn":     s.accountARN(s.Org.Management),
		"AvailablePolicyTypes": []any{},
	}
}

func (s *Service) ouJSON(ou *OU) map[string]any {
	return map[string]any{"Id": ou.ID, "Arn": s.ouARN(ou.ID), "Name": ou.Name}
}

func (s *Service) createOU(w *world.World, in input) (any, error) {
	if !s.parentExists(in.ParentId) {
		return nil, parentNotFound()
	}
	if in.Name == "" || len(in.Name) > 128 {
		return nil, invalidInput("INVALID_INPUT", "The name of an OU must be 1 to 128 characters long.")
	}
	for _, ou := range s.OUs {
		if ou.Parent == in.ParentId && ou.Name == in.Name {
			return nil, notFound("DuplicateOrganizationalUnitException", "An OU with the same name already exists.")
		}
	}
	ou := &OU{ID: "ou-" + strings.TrimPrefix(s.Org.RootID, "r-") + "-" + w.AlnumID(8), Name: in.Name, Parent: in.ParentId}
	s.OUs[ou.ID] = ou
	return map[string]any{"OrganizationalUnit": s.ouJSON(ou)}, nil
}

func (s *Service) createAccount(w *world.World, r *wire.Request, in input) (any, error) {
	if in.AccountName == "" || len(in.AccountName) > 50 {
		return nil, invalidInput("INVALID_INPUT", "The account name must be 1 to 50 characters long.")
	}
	if len(in.Email) < 6 || len(in.Email) > 64 || strings.Count(in.Email, "@") != 1 {
		return nil, invalidInput("INVALID_PATTERN", "You provided a value that does not match the required pattern.")
	}
	pending := 0
	for _, q := range s.Requests {
		if q.State == "IN_PROGRESS" {
			pending++
		}
	}
	if len(s.Members)+pending >= AccountLimit {
		e := wire.Errorf(400, "ConstraintViolationException", "You have reached the maximum number of accounts in the organization.")
		e.Fields = map[string]any{"Reason": "ACCOUNT_NUMBER_LIMIT_EXCEEDED"}
		return nil, e
	}
	role := in.RoleName
	if role == "" {
		role = "OrganizationAccountAccessRole"
	}
	now := w.Now()
	q := &Request{ID: "car-" + w.HexID(32), Name: in.AccountName, Email: in.Email, RoleName: role,
		State: "IN_PROGRESS", Requested: now, ReadyAt: now.Add(CreateDuration)}
	s.Requests = append(s.Requests, q)
	return map[string]any{"CreateAccountStatus": requestJSON(q)}, nil
}

func requestJSON(q *Request) map[string]any {
	m := map[string]any{"Id": q.ID, "AccountName": q.Name, "State": q.State, "RequestedTimestamp": wire.Epoch(q.Requested)}
	if !q.Completed.IsZero() {
		m["CompletedTimestamp"] = wire.Epoch(q.Completed)
	}
	if q.AccountID != "" {
		m["AccountId"] = q.AccountID
	}
	if q.FailureCode != "" {
		m["FailureReason"] = q.FailureCode
	}
	return m
}

func (s *Service) accountJSON(w *world.World, m *Member) map[string]any {
	name, email := "", m.Email
	if a, ok := w.Accounts[m.ID]; ok {
		name, email = a.Name, a.Email
	}
	return map[string]any{"Id": m.ID, "Arn": s.accountARN(m.ID), "Name": name, "Email": email,
		"State": "ACTIVE", "Status": "ACTIVE", "JoinedMethod": m.Method, "JoinedTimestamp": wire.Epoch(m.Joined)}
}

// accountsUnder lists accounts under parent ("" for all), oldest first.
func (s *Service) accountsUnder(w *world.World, parent string) []any {
	ms := make([]*Member, 0, len(s.Members))
	for _, m := range s.Members {
		if parent == "" || m.Parent == parent {
			ms = append(ms, m)
		}
	}
	sort.Slice(ms, func(i, j int) bool {
		if !ms[i].Joined.Equal(ms[j].Joined) {
			return ms[i].Joined.Before(ms[j].Joined)
		}
		return ms[i].ID < ms[j].ID
	})
	out := make([]any, 0, len(ms))
	for _, m := range ms {
		out = append(out, s.accountJSON(w, m))
	}
	return out
}

func (s *Service) parentType(id string) string {
	if id == s.Org.RootID {
		return "ROOT"
	}
	return "ORGANIZATIONAL_UNIT"
}

func (s *Service) listParents(child string) (any, error) {
	parent := ""
	if m, ok := s.Members[child]; ok {
		parent = m.Parent
	} else if ou, ok := s.OUs[child]; ok {
		parent = ou.Parent
	} else {
		return nil, notFound("ChildNotFoundException", "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.")
	}
	return map[string]any{"Parents": []any{map[string]any{"Id": parent, "Type": s.parentType(parent)}}}, nil
}

func (s *Service) listChildren(in input) (any, error) {
	if !s.parentExists(in.ParentId) {
		return nil, parentNotFound()
	}
	var items []any
	switch in.ChildType {
	case "ACCOUNT":
		ids := make([]string, 0)
		for _, m := range s.Members {
			if m.Parent == in.ParentId {
				ids = append(ids, m.ID)
			}
		}
		sort.Strings(ids)
		for _, id := range ids {
			items = append(items, map[string]any{"Id": id, "Type": "ACCOUNT"})
		}
	case "ORGANIZATIONAL_UNIT":
		for _, ou := range s.sortedOUs() {
			if ou.Parent == in.ParentId {
				items = append(items, map[string]any{"Id": ou.ID, "Type": "ORGANIZATIONAL_UNIT"})
			}
		}
	default:
		return nil, invalidInput("INVALID_ENUM", "ChildType must be ACCOUNT or ORGANIZATIONAL_UNIT.")
	}
	return page("Children", items, in)
}

func (s *Service) moveAccount(in input) (any, error) {
	m, ok := s.Members[in.AccountId]
	if !ok {
		return nil, accountNotFound()
	}
	if !s.parentExists(in.SourceParentId) {
		return nil, notFound("SourceParentNotFoundException", "We can't find a source root or OU with the ParentId that you specified.")
	}
	if !s.parentExists(in.DestinationParentId) {
		return nil, notFound("DestinationParentNotFoundException", "We can't find the destination container (a root or OU) with the ParentId that you specified.")
	}
	if m.Parent != in.SourceParentId {
		if m.Parent == in.DestinationParentId {
			return nil, notFound("DuplicateAccountException", "That account is already present in the specified destination.")
		}
		return nil, accountNotFound()
	}
	if m.Parent == in.DestinationParentId {
		return nil, notFound("DuplicateAccountException", "That account is already present in the specified destination.")
	}
	m.Parent = in.DestinationParentId
	return map[string]any{}, nil
}

// maxPage is the most items the sandbox returns in one page, fewer than
// MaxResults allows, as Organizations may: callers must follow NextToken.
const maxPage = 3

func page(field string, items []any, in input) (any, error) {
	start := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(in.NextToken, "page-"))
		if err != nil || n < 0 || n > len(items) {
			return nil, invalidInput("INVALID_NEXT_TOKEN", "You specified an invalid value for nextToken. You must get the value from the response to a previous call to the API.")
		}
		start = n
	}
	size := maxPage
	if in.MaxResults > 0 && in.MaxResults < size {
		size = in.MaxResults
	}
	end := min(start+size, len(items))
	out := map[string]any{field: append([]any{}, items[start:end]...)}
	if end < len(items) {
		out["NextToken"] = "page-" + strconv.Itoa(end)
	}
	return out, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// putAdminRole gives a new member account its administrator role trusting the
// management account, as Organizations does.
func putAdminRole(w *world.World, account, management, name string) {
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + management + `:root"},"Action":"sts:AssumeRole"}]}`
	if svc := iam.From(w); svc != nil {
		svc.PutRole(w, account, "/", name, trust, "arn:aws:iam::aws:policy/AdministratorAccess")
	}
}
