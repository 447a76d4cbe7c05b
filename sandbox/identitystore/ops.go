package identitystore

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode"

	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// pageSize is the default page of ListUsers when MaxResults is not given:
// small, so castle's paginators really follow NextToken.
const pageSize = 5

type nameJSON struct {
	Formatted  string `json:",omitempty"`
	GivenName  string `json:",omitempty"`
	FamilyName string `json:",omitempty"`
}

type emailJSON struct {
	Value   string `json:",omitempty"`
	Type    string `json:",omitempty"`
	Primary bool   `json:",omitempty"`
}

type userJSON struct {
	IdentityStoreId string
	UserId          string
	UserName        string
	DisplayName     string      `json:",omitempty"`
	Name            *nameJSON   `json:",omitempty"`
	Emails          []emailJSON `json:",omitempty"`
	UserStatus      string      `json:",omitempty"`
	CreatedAt       float64     `json:",omitempty"`
}

func toJSON(storeID string, u *User) userJSON {
	out := userJSON{IdentityStoreId: storeID, UserId: u.ID, UserName: u.UserName, DisplayName: u.DisplayName,
		Name:       &nameJSON{GivenName: u.GivenName, FamilyName: u.FamilyName, Formatted: strings.TrimSpace(u.GivenName + " " + u.FamilyName)},
		UserStatus: "ENABLED", CreatedAt: wire.Epoch(u.Created)}
	if u.Email != "" {
		out.Emails = []emailJSON{{Value: u.Email, Type: "work", Primary: true}}
	}
	return out
}

func (s *Service) Handle(w *world.World, r *wire.Request) (any, error) {
	var in struct {
		IdentityStoreId     string
		UserId              string
		UserName            string
		DisplayName         string
		Name                *nameJSON
		Emails              []emailJSON
		MaxResults          int
		NextToken           string
		Filters             []struct{ AttributePath, AttributeValue string }
		AlternateIdentifier *struct {
			UniqueAttribute *struct {
				AttributePath  string
				AttributeValue json.RawMessage
			}
		}
	}
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	if in.IdentityStoreId == "" {
		return nil, wire.Validation("1 validation error detected: Value at 'identityStoreId' failed to satisfy constraint: Member must not be null")
	}
	st, ok := s.Stores[in.IdentityStoreId]
	if !ok {
		return nil, storeNotFound(in.IdentityStoreId)
	}
	if st.Owner != r.Account {
		return nil, wire.AccessDenied("User: %s is not authorized to perform: identitystore:%s on resource: identitystore::%s:identitystore/%s", r.Principal, r.Operation, st.Owner, st.ID)
	}
	switch r.Operation {
	case "CreateUser":
		if err := validateUserName(in.UserName); err != nil {
			return nil, err
		}
		if strings.TrimSpace(in.DisplayName) == "" || in.Name == nil || in.Name.GivenName == "" || in.Name.FamilyName == "" {
			return nil, wire.Validation("DisplayName, Name.GivenName and Name.FamilyName are required for users of IAM Identity Center.")
		}
		u := &User{UserName: in.UserName, DisplayName: in.DisplayName, GivenName: in.Name.GivenName, FamilyName: in.Name.FamilyName}
		for _, e := range in.Emails {
			if u.Email == "" || e.Primary {
				u.Email = e.Value
			}
		}
		if u.Email != "" && !plausibleEmail(u.Email) {
			return nil, wire.Validation("Invalid email address: the value must look like name@example.com.")
		}
		if err := s.add(w, st, u); err != nil {
			return nil, err
		}
		return map[string]any{"IdentityStoreId": st.ID, "UserId": u.ID}, nil
	case "DescribeUser":
		u, ok := st.Users[in.UserId]
		if !ok {
			return nil, userNotFound(in.UserId)
		}
		return toJSON(st.ID, u), nil
	case "GetUserId":
		return s.getUserID(st, in.AlternateIdentifier)
	case "ListUsers":
		users := st.sorted()
		for _, f := range in.Filters {
			if f.AttributePath != "UserName" && f.AttributePath != "userName" {
				return nil, wire.Validation("Filtering is only supported on UserName.")
			}
			var kept []*User
			for _, u := range users {
				if strings.EqualFold(u.UserName, f.AttributeValue) {
					kept = append(kept, u)
				}
			}
			users = kept
		}
		from, to, next, err := page(len(users), in.NextToken, in.MaxResults)
		if err != nil {
			return nil, err
		}
		out := make([]userJSON, 0, to-from)
		for _, u := range users[from:to] {
			out = append(out, toJSON(st.ID, u))
		}
		res := map[string]any{"Users": out}
		if next != "" {
			res["NextToken"] = next
		}
		return res, nil
	}
	return nil, wire.UnknownOperation(r.Operation)
}

func (s *Service) getUserID(st *Store, alt *struct {
	UniqueAttribute *struct {
		AttributePath  string
		AttributeValue json.RawMessage
	}
}) (any, error) {
	if alt == nil || alt.UniqueAttribute == nil {
		return nil, wire.Validation("AlternateIdentifier must name a UniqueAttribute.")
	}
	var value string
	if err := json.Unmarshal(alt.UniqueAttribute.AttributeValue, &value); err != nil {
		return nil, wire.Validation("AttributeValue must be a string.")
	}
	var u *User
	switch alt.UniqueAttribute.AttributePath {
	case "userName", "UserName":
		u = st.byName(value)
	case "emails.value":
		u = st.byEmail(value)
	default:
		return nil, wire.Validation("Invalid AttributePath: only userName and emails.value are unique attributes.")
	}
	if u == nil {
		return nil, userNotFound(value)
	}
	return map[string]any{"IdentityStoreId": st.ID, "UserId": u.ID}, nil
}

// validateUserName applies the identity store's rules for Identity Center
// user names: 1 to 128 characters, letters, digits and punctuation without
// spaces, and not one of the reserved names.
func validateUserName(n string) error {
	if n == "" || len([]rune(n)) > 128 {
		return wire.Validation("1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must have length between 1 and 128")
	}
	for _, r := range n {
		if !(unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsSymbol(r) || unicode.IsNumber(r) || unicode.IsPunct(r)) {
			return wire.Validation("1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+")
		}
	}
	if strings.EqualFold(n, "Administrator") || strings.EqualFold(n, "AWSAdministrators") {
		return wire.Validation("The user name %s is reserved.", n)
	}
	return nil
}

func plausibleEmail(e string) bool {
	at := strings.LastIndexByte(e, '@')
	return at > 0 && at < len(e)-1 && strings.Contains(e[at:], ".") && !strings.ContainsAny(e, " \t")
}

// page cuts n items by an opaque NextToken and MaxResults.
func page(n int, token string, max int) (from, to int, next string, err error) {
	if token != "" {
		v, perr := strconv.Atoi(strings.TrimPrefix(token, "page-"))
		if perr != nil || !strings.HasPrefix(token, "page-") || v < 0 || v > n {
			return 0, 0, "", wire.Validation("The NextToken is not valid.")
		}
		from = v
	}
	if max <= 0 {
		max = pageSize
	}
	to = min(from+max, n)
	if to < n {
		next = "page-" + strconv.Itoa(to)
	}
	return from, to, next, nil
}
