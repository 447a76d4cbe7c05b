package servicecatalog

import (
	"strings"

	"github.com/castle-aws/castle/sandbox/iam"
	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// Tick creates the Account Factory product once the landing zone is active
// and moves provisioning records forward by the virtual clock.
func (s *Service) Tick(w *world.World) {
	if s.Product == nil {
		if t := towerOf(w); t != nil && t.LandingZoneActive() {
			s.EnsureAccountFactory(w, t.HomeRegion())
		}
	}
	s.advance(w)
}

// EnsureAccountFactory creates the Account Factory product and portfolio in
// the management account's region (what Control Tower does when it sets up
// a landing zone). Tests without a simulated Control Tower call it directly,
// world locked. It returns the product.
func (s *Service) EnsureAccountFactory(w *world.World, region string) *Product {
	if s.Product != nil {
		return s.Product
	}
	acct := world.ManagementAccount
	p := &Product{
		ID:           "prod-" + w.AlnumID(13),
		ViewID:       "prodview-" + w.AlnumID(13),
		ArtifactID:   "pa-" + w.AlnumID(13),
		ArtifactName: "AWS Control Tower Account Factory Template",
		PortfolioID:  "port-" + w.AlnumID(13),
		LaunchPathID: "lpv3-" + w.AlnumID(13),
		Region:       region,
		Account:      acct,
		Created:      w.Now(),
	}
	p.ProductARN = "arn:aws:catalog:" + region + ":" + acct + ":product/" + p.ID
	p.PortfolioARN = "arn:aws:catalog:" + region + ":" + acct + ":portfolio/" + p.PortfolioID
	s.Product = p
	return p
}

// visible returns the product when the caller's account and region can see
// it: the management account, in the landing zone's home region.
func (s *Service) visible(r *wire.Request) *Product {
	p := s.Product
	if p == nil || r.Account != p.Account || (p.Region != "" && r.Region != p.Region) {
		return nil
	}
	return p
}

func (s *Service) productNotFound(id string) error {
	return wire.NotFound("ResourceNotFoundException", "Product %s not found.", id)
}

// lookup finds the product by its id (prod-…) for the caller.
func (s *Service) lookup(r *wire.Request, id string) (*Product, error) {
	p := s.visible(r)
	if p == nil || id != p.ID {
		return nil, s.productNotFound(id)
	}
	return p, nil
}

// callerRoleARN is the IAM ARN a principal is matched by: the user's ARN,
// or for an assumed role the role's ARN with its path.
func callerRoleARN(w *world.World, principal string) string {
	parts := strings.SplitN(principal, ":", 6)
	if len(parts) != 6 || parts[2] != "sts" || !strings.HasPrefix(parts[5], "assumed-role/") {
		return principal
	}
	account := parts[4]
	rest := strings.TrimPrefix(parts[5], "assumed-role/")
	name := rest
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		name = rest[:i]
	}
	if im, ok := w.Service("iam").(*iam.Service); ok {
		if role, ok := im.Role(account, name); ok {
			return role.ARN
		}
	}
	p := "/"
	if strings.HasPrefix(name, "AWSReservedSSO_") {
		p = "/aws-reserved/sso.amazonaws.com/"
	}
	return "arn:aws:iam::" + account + ":role" + p + name
}

// associated reports whether the caller is a principal of the portfolio.
func (s *Service) associated(w *world.World, p *Product, principal string) bool {
	arn := callerRoleARN(w, principal)
	for _, pr := range p.Principals {
		switch pr.Type {
		case "IAM":
			if pr.ARN == arn || pr.ARN == principal {
				return true
			}
		case "IAM_PATTERN":
			if patternMatches(pr.ARN, arn) {
				return true
			}
		}
	}
	return false
}

// patternMatches matches an IAM_PATTERN (arn:aws:iam:::role/PATH/NAME with *
// wildcards, the account left empty to match any account) against a role ARN.
func patternMatches(pattern, arn string) bool {
	pp := strings.SplitN(pattern, ":", 6)
	ap := strings.SplitN(arn, ":", 6)
	if len(pp) != 6 || len(ap) != 6 || pp[2] != "iam" || ap[2] != "iam" {
		return false
	}
	if pp[4] != "" && pp[4] != ap[4] {
		return false
	}
	return glob(pp[5], ap[5])
}

// glob matches IAM-style wildcards: * is any run of characters (slashes
// too, so one pattern covers the regional paths of AWSReservedSSO roles)
// and ? is one character.
func glob(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if glob(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && glob(pattern[1:], s[1:])
	}
	return s != "" && pattern[0] == s[0] && glob(pattern[1:], s[1:])
}

func (s *Service) viewSummary(p *Product) map[string]any {
	return map[string]any{
		"Id": p.ViewID, "ProductId": p.ID, "Name": ProductName, "Owner": ProductOwner,
		"ShortDescription": "Vends AWS accounts governed by AWS Control Tower", "Type": ProductType,
		"Distributor": "", "HasDefaultPath": false,
	}
}

func matchesFilters(filters map[string][]string) bool {
	for k, vs := range filters {
		for _, v := range vs {
			v = strings.ToLower(v)
			switch k {
			case "FullTextSearch":
				if !strings.Contains(strings.ToLower(ProductName), v) && !strings.Contains(strings.ToLower(ProductOwner), v) {
					return false
				}
			case "Owner":
				if !strings.Contains(strings.ToLower(ProductOwner), v) {
					return false
				}
			case "ProductType":
				if !strings.EqualFold(v, ProductType) {
					return false
				}
			}
		}
	}
	return true
}

type searchInput struct {
	Filters     map[string][]string
	PortfolioId string
}

func (s *Service) searchAsAdmin(r *wire.Request) (any, error) {
	var in searchInput
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	details := []any{}
	if p := s.visible(r); p != nil && matchesFilters(in.Filters) && (in.PortfolioId == "" || in.PortfolioId == p.PortfolioID) {
		details = append(details, map[string]any{
			"ProductViewSummary": s.viewSummary(p), "Status": "AVAILABLE",
			"ProductARN": p.ProductARN, "CreatedTime": wire.Epoch(p.Created),
		})
	}
	return map[string]any{"ProductViewDetails": details}, nil
}

func (s *Service) searchProducts(w *world.World, r *wire.Request) (any, error) {
	var in searchInput
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	sums := []any{}
	if p := s.visible(r); p != nil && matchesFilters(in.Filters) && s.associated(w, p, r.Principal) {
		sums = append(sums, s.viewSummary(p))
	}
	return map[string]any{"ProductViewSummaries": sums}, nil
}

type idInput struct {
	Id          string
	Name        string
	ProductId   string
	PortfolioId string
}

func (s *Service) artifacts(p *Product) []any {
	return []any{map[string]any{"Id": p.ArtifactID, "Name": p.ArtifactName, "Description": "Account Factory template",
		"CreatedTime": wire.Epoch(p.Created), "Guidance": "DEFAULT"}}
}

func (s *Service) describeProduct(w *world.World, r *wire.Request) (any, error) {
	var in idInput
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	p := s.visible(r)
	if p == nil || (in.Id != p.ID && in.Name != ProductName) {
		return nil, s.productNotFound(in.Id + in.Name)
	}
	if !s.associated(w, p, r.Principal) {
		return nil, wire.NotFound("ResourceNotFoundException", "No launch paths found for resource: %s", p.ID)
	}
	return map[string]any{
		"ProductViewSummary":    s.viewSummary(p),
		"ProvisioningArtifacts": s.artifacts(p),
		"LaunchPaths":           []any{map[string]any{"Id": p.LaunchPathID, "Name": PortfolioName}},
	}, nil
}

func (s *Service) describeProductAsAdmin(r *wire.Request) (any, error) {
	var in idInput
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	p := s.visible(r)
	if p == nil || (in.Id != p.ID && in.Name != ProductName) {
		return nil, s.productNotFound(in.Id + in.Name)
	}
	arts := []any{}
	for _, a := range s.artifacts(p) {
		m := a.(map[string]any)
		m["Active"] = true
		arts = append(arts, m)
	}
	return map[string]any{
		"ProductViewDetail": map[string]any{"ProductViewSummary": s.viewSummary(p), "Status": "AVAILABLE",
			"ProductARN": p.ProductARN, "CreatedTime": wire.Epoch(p.Created)},
		"ProvisioningArtifactSummaries": arts,
	}, nil
}

func (s *Service) listArtifacts(r *wire.Request) (any, error) {
	var in idInput
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	p, err := s.lookup(r, in.ProductId)
	if err != nil {
		return nil, err
	}
	arts := []any{}
	for _, a := range s.artifacts(p) {
		m := a.(map[string]any)
		m["Active"] = true
		m["Type"] = "CLOUD_FORMATION_TEMPLATE"
		arts = append(arts, m)
	}
	return map[string]any{"ProvisioningArtifactDetails": arts}, nil
}

func (s *Service) portfolio(p *Product) map[string]any {
	return map[string]any{"Id": p.PortfolioID, "ARN": p.PortfolioARN, "DisplayName": PortfolioName,
		"ProviderName": ProductOwner, "CreatedTime": wire.Epoch(p.Created),
		"Description": "Portfolio of the Account Factory product"}
}

func (s *Service) listPortfoliosForProduct(r *wire.Request) (any, error) {
	var in idInput
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	p, err := s.lookup(r, in.ProductId)
	if err != nil {
		return nil, err
	}
	return map[string]any{"PortfolioDetails": []any{s.portfolio(p)}}, nil
}

func (s *Service) listPortfolios(r *wire.Request) (any, error) {
	out := []any{}
	if p := s.visible(r); p != nil {
		out = append(out, s.portfolio(p))
	}
	return map[string]any{"PortfolioDetails": out}, nil
}

func (s *Service) portfolioOf(r *wire.Request, id string) (*Product, error) {
	p := s.visible(r)
	if p == nil || id != p.PortfolioID {
		return nil, wire.NotFound("ResourceNotFoundException", "Portfolio %s not found.", id)
	}
	return p, nil
}

func (s *Service) listPrincipals(r *wire.Request) (any, error) {
	var in idInput
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	p, err := s.portfolioOf(r, in.PortfolioId)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, pr := range p.Principals {
		out = append(out, map[string]any{"PrincipalARN": pr.ARN, "PrincipalType": pr.Type})
	}
	return map[string]any{"Principals": out}, nil
}

func (s *Service) associate(r *wire.Request) (any, error) {
	var in struct{ PortfolioId, PrincipalARN, PrincipalType string }
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	p, err := s.portfolioOf(r, in.PortfolioId)
	if err != nil {
		return nil, err
	}
	switch in.PrincipalType {
	case "IAM":
		if parts := strings.SplitN(in.PrincipalARN, ":", 6); len(parts) != 6 || parts[2] != "iam" || parts[4] == "" {
			return nil, wire.Errorf(400, "InvalidParametersException", "Invalid principal ARN %s for principal type IAM.", in.PrincipalARN)
		}
	case "IAM_PATTERN":
		if parts := strings.SplitN(in.PrincipalARN, ":", 6); len(parts) != 6 || parts[2] != "iam" || parts[4] != "" {
			return nil, wire.Errorf(400, "InvalidParametersException", "Invalid principal ARN %s for principal type IAM_PATTERN: leave the account id empty.", in.PrincipalARN)
		}
	default:
		return nil, wire.Errorf(400, "InvalidParametersException", "Invalid principal type %q.", in.PrincipalType)
	}
	for _, pr := range p.Principals {
		if pr.ARN == in.PrincipalARN && pr.Type == in.PrincipalType {
			return map[string]any{}, nil
		}
	}
	if in.PrincipalType == "IAM_PATTERN" {
		n := 0
		for _, pr := range p.Principals {
			if pr.Type == "IAM_PATTERN" {
				n++
			}
		}
		if n >= 10 { // documented: at most 10 IAM_PATTERN principals per portfolio
			return nil, wire.Errorf(400, "LimitExceededException", "The portfolio already has the maximum of 10 principals of type IAM_PATTERN.")
		}
	}
	p.Principals = append(p.Principals, Principal{ARN: in.PrincipalARN, Type: in.PrincipalType})
	return map[string]any{}, nil
}

func (s *Service) listLaunchPaths(w *world.World, r *wire.Request) (any, error) {
	var in idInput
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	p, err := s.lookup(r, in.ProductId)
	if err != nil {
		return nil, err
	}
	out := []any{}
	if s.associated(w, p, r.Principal) {
		out = append(out, map[string]any{"Id": p.LaunchPathID, "Name": PortfolioName})
	}
	return map[string]any{"LaunchPathSummaries": out}, nil
}

func equalFold(a, b string) bool { return strings.EqualFold(a, b) }
