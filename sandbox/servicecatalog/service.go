// Package servicecatalog simulates AWS Service Catalog (awsJson1_1) for
// castle's sandbox, as far as Control Tower's Account Factory uses it: the
// Account Factory product and its portfolio (present once a landing zone is
// active), principals associated with the portfolio (launch paths), and
// ProvisionProduct records that vend an account over about 20 virtual
// minutes, with ProvisionToken idempotency and Control Tower's limit of five
// account operations at once.
package servicecatalog

import (
	"encoding/json"
	"time"

	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// Names Control Tower gives its Service Catalog resources.
const (
	ProductName   = "AWS Control Tower Account Factory"
	PortfolioName = "AWS Control Tower Account Factory Portfolio"
	ProductOwner  = "AWS Control Tower"
	ProductType   = "CONTROL_TOWER_ACCOUNT"
)

// Timing of an account vended by Account Factory, in virtual time.
const (
	// ProvisionDuration is how long a successful provision takes.
	ProvisionDuration = 20 * time.Minute
	// checkDelay is when Control Tower has validated the request (OU,
	// email) and fails it if something is wrong.
	checkDelay = 2 * time.Minute
	// startDelay is when a CREATED record moves to IN_PROGRESS.
	startDelay = 10 * time.Second
)

// MaxConcurrent is Control Tower's limit of account operations (provision,
// update, enroll) in progress at the same time.
const MaxConcurrent = 5

// Product is the Account Factory product with its one portfolio.
type Product struct {
	ID           string      `json:"id"`     // prod-…
	ViewID       string      `json:"viewId"` // prodview-…
	ArtifactID   string      `json:"artifactId"`
	ArtifactName string      `json:"artifactName"`
	PortfolioID  string      `json:"portfolioId"`
	LaunchPathID string      `json:"launchPathId"`
	Region       string      `json:"region"`
	Account      string      `json:"account"`
	Created      time.Time   `json:"created"`
	Principals   []Principal `json:"principals,omitempty"`
	PortfolioARN string      `json:"portfolioArn"`
	ProductARN   string      `json:"productArn"`
}

// Principal is one principal associated with the portfolio.
type Principal struct {
	ARN  string `json:"arn"`
	Type string `json:"type"` // IAM | IAM_PATTERN
}

// Record is one ProvisionProduct request.
type Record struct {
	ID          string            `json:"id"`
	PPID        string            `json:"ppId"`
	PPName      string            `json:"ppName"`
	Token       string            `json:"token"`
	Status      string            `json:"status"` // CREATED | IN_PROGRESS | SUCCEEDED | FAILED
	Created     time.Time         `json:"created"`
	Updated     time.Time         `json:"updated"`
	Params      map[string]string `json:"params"`
	Errors      []RecordError     `json:"errors,omitempty"`
	Outputs     map[string]string `json:"outputs,omitempty"`
	UserARN     string            `json:"userArn"`
	ArtifactID  string            `json:"artifactId"`
	OverLimit   bool              `json:"overLimit,omitempty"`
	AccountID   string            `json:"accountId,omitempty"`
	ProductID   string            `json:"productId"`
	PathID      string            `json:"pathId"`
	CheckedOnce bool              `json:"checked,omitempty"`
	Terminate   bool              `json:"terminate,omitempty"`
}

// RecordError is one error of a failed record.
type RecordError struct {
	Code        string `json:"code"`
	Description string `json:"description"`
}

// Provisioned is a provisioned product (one vended account).
type Provisioned struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Status     string    `json:"status"` // UNDER_CHANGE | AVAILABLE | ERROR
	Message    string    `json:"message,omitempty"`
	Created    time.Time `json:"created"`
	LastRecord string    `json:"lastRecord"`
	Token      string    `json:"token"`
	PhysicalID string    `json:"physicalId,omitempty"`
	UserARN    string    `json:"userArn"`
}

// Service is the simulated Service Catalog.
type Service struct {
	Product     *Product                `json:"product,omitempty"`
	Records     map[string]*Record      `json:"records"`
	Provisioned map[string]*Provisioned `json:"provisioned"`
}

// New returns the simulated Service Catalog.
func New() *Service {
	return &Service{Records: map[string]*Record{}, Provisioned: map[string]*Provisioned{}}
}

// From returns the Service Catalog of a world, or nil when it is not registered.
func From(w *world.World) *Service {
	s, _ := w.Service("servicecatalog").(*Service)
	return s
}

func (s *Service) Name() string            { return "servicecatalog" }
func (s *Service) Protocol() wire.Protocol { return wire.JSON11 }
func (s *Service) Snapshot() any           { return s }
func (s *Service) Restore(data json.RawMessage) error {
	if err := json.Unmarshal(data, s); err != nil {
		return err
	}
	if s.Records == nil {
		s.Records = map[string]*Record{}
	}
	if s.Provisioned == nil {
		s.Provisioned = map[string]*Provisioned{}
	}
	return nil
}

// Handle answers one call.
func (s *Service) Handle(w *world.World, r *wire.Request) (any, error) {
	switch r.Operation {
	case "SearchProductsAsAdmin":
		return s.searchAsAdmin(r)
	case "SearchProducts":
		return s.searchProducts(w, r)
	case "DescribeProduct":
		return s.describeProduct(w, r)
	case "DescribeProductAsAdmin":
		return s.describeProductAsAdmin(r)
	case "ListProvisioningArtifacts":
		return s.listArtifacts(r)
	case "ListPortfoliosForProduct":
		return s.listPortfoliosForProduct(r)
	case "ListPortfolios":
		return s.listPortfolios(r)
	case "ListPrincipalsForPortfolio":
		return s.listPrincipals(r)
	case "AssociatePrincipalWithPortfolio":
		return s.associate(r)
	case "ListLaunchPaths":
		return s.listLaunchPaths(w, r)
	case "ProvisionProduct":
		return s.provision(w, r)
	case "DescribeRecord":
		return s.describeRecord(r)
	case "SearchProvisionedProducts":
		return s.searchProvisioned(r)
	case "TerminateProvisionedProduct":
		return s.terminate(w, r)
	}
	return nil, wire.UnknownOperation(r.Operation)
}
