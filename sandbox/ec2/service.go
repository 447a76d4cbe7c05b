// Package ec2 simulates the parts of Amazon EC2 castle's Network and Service
// sections use (ec2Query): VPCs, subnets, route tables, internet gateways,
// security groups and the network interfaces Fargate tasks get.
//
// Accounts: a regular account (world.Account.Vended false) gets AWS's default
// VPC in every region the first time anyone looks (172.31.0.0/16, three
// public subnets, an internet gateway and a 0.0.0.0/0 route). An Account
// Factory account (Vended true) starts with no VPC at all, as when the
// Account Factory network settings create none; tests that want a Control
// Tower VPC (public subnets routed through a NAT gateway) make one with
// AddVPC.
package ec2

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// Region is one account's EC2 in one region.
type Region struct {
	Seeded   bool                      `json:"seeded"`
	VPCs     map[string]*VPC           `json:"vpcs"`
	Subnets  map[string]*Subnet        `json:"subnets"`
	Tables   map[string]*RouteTable    `json:"routeTables"`
	Gateways map[string]*Gateway       `json:"internetGateways"`
	Groups   map[string]*SecurityGroup `json:"securityGroups"`
	ENIs     map[string]*ENI           `json:"networkInterfaces"`
	NATs     map[string]string         `json:"natGateways,omitempty"` // nat id → subnet id
}

// VPC is a virtual private cloud.
type VPC struct {
	ID        string `json:"id"`
	CIDR      string `json:"cidr"`
	IsDefault bool   `json:"isDefault"`
	Name      string `json:"name,omitempty"`
}

// Subnet is a subnet of a VPC.
type Subnet struct {
	ID           string `json:"id"`
	VPC          string `json:"vpc"`
	CIDR         string `json:"cidr"`
	AZ           string `json:"az"`
	DefaultForAZ bool   `json:"defaultForAz"`
	MapPublicIP  bool   `json:"mapPublicIp"`
}

// Route is one route of a table.
type Route struct {
	Dest    string `json:"dest"`
	Gateway string `json:"gateway,omitempty"` // igw-… or "local"
	NAT     string `json:"nat,omitempty"`
}

// RouteTable is a route table with its subnet associations.
type RouteTable struct {
	ID      string   `json:"id"`
	VPC     string   `json:"vpc"`
	Main    bool     `json:"main"`
	Subnets []string `json:"subnets,omitempty"`
	Routes  []Route  `json:"routes"`
}

// Gateway is an internet gateway.
type Gateway struct {
	ID  string `json:"id"`
	VPC string `json:"vpc,omitempty"` // attached VPC
}

// Permission is one ingress rule.
type Permission struct {
	Protocol string   `json:"protocol"`
	From     int      `json:"from"`
	To       int      `json:"to"`
	CIDRs    []string `json:"cidrs"`
}

// SecurityGroup is a security group.
type SecurityGroup struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Description string       `json:"description"`
	VPC         string       `json:"vpc"`
	Ingress     []Permission `json:"ingress,omitempty"`
	SelfIngress bool         `json:"selfIngress,omitempty"` // the default group's rule
}

// ENI is a network interface (Fargate tasks get one each).
type ENI struct {
	ID          string   `json:"id"`
	Subnet      string   `json:"subnet"`
	VPC         string   `json:"vpc"`
	AZ          string   `json:"az"`
	PrivateIP   string   `json:"privateIp"`
	PublicIP    string   `json:"publicIp,omitempty"`
	Groups      []string `json:"groups,omitempty"`
	Description string   `json:"description"`
}

// Service is the simulated EC2.
type Service struct {
	Regions map[string]*Region `json:"regions"` // "account/region"
}

// New returns the simulated EC2.
func New() *Service { return &Service{Regions: map[string]*Region{}} }

func (s *Service) Name() string            { return "ec2" }
func (s *Service) Protocol() wire.Protocol { return wire.EC2Query }
func (s *Service) XMLNamespace() string    { return "http://ec2.amazonaws.com/doc/2016-11-15/" }
func (s *Service) Snapshot() any           { return s }
func (s *Service) Restore(data json.RawMessage) error {
	if err := json.Unmarshal(data, s); err != nil {
		return err
	}
	if s.Regions == nil {
		s.Regions = map[string]*Region{}
	}
	return nil
}

// From returns the EC2 service of a world, or nil when it is not registered.
func From(w *world.World) *Service {
	s, _ := w.Service("ec2").(*Service)
	return s
}

// region returns (creating and seeding) an account's region.
func (s *Service) region(w *world.World, account, region string) *Region {
	key := account + "/" + region
	g, ok := s.Regions[key]
	if !ok {
		g = &Region{VPCs: map[string]*VPC{}, Subnets: map[string]*Subnet{}, Tables: map[string]*RouteTable{},
			Gateways: map[string]*Gateway{}, Groups: map[string]*SecurityGroup{}, ENIs: map[string]*ENI{}}
		s.Regions[key] = g
	}
	if g.NATs == nil {
		g.NATs = map[string]string{}
	}
	if !g.Seeded {
		g.Seeded = true
		if a := w.Accounts[account]; a == nil || !a.Vended {
			s.makeDefaultVPC(w, g, region)
		}
	}
	return g
}

func (s *Service) Handle(w *world.World, r *wire.Request) (any, error) {
	g := s.region(w, r.Account, r.Region)
	h, ok := handlers[r.Operation]
	if !ok {
		return nil, wire.Errorf(400, "InvalidAction", "The action %s is not valid for this web service.", r.Operation)
	}
	return h(s, w, g, r)
}

type handlerFunc func(s *Service, w *world.World, g *Region, r *wire.Request) (any, error)

var handlers map[string]handlerFunc

func init() {
	handlers = map[string]handlerFunc{
		"DescribeVpcs":                  describeVpcs,
		"CreateDefaultVpc":              createDefaultVpc,
		"DescribeSubnets":               describeSubnets,
		"DescribeRouteTables":           describeRouteTables,
		"CreateInternetGateway":         createInternetGateway,
		"AttachInternetGateway":         attachInternetGateway,
		"DescribeInternetGateways":      describeInternetGateways,
		"CreateRoute":                   createRoute,
		"CreateSecurityGroup":           createSecurityGroup,
		"AuthorizeSecurityGroupIngress": authorizeIngress,
		"DescribeSecurityGroups":        describeSecurityGroups,
		"DescribeNetworkInterfaces":     describeNetworkInterfaces,
	}
}

func sortedKeys[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func notFound(code, kind, id string) error {
	return wire.Errorf(400, code, "The %s ID '%s' does not exist", kind, id)
}

func newID(w *world.World, prefix string) string { return fmt.Sprintf("%s-%s", prefix, w.HexID(17)) }
