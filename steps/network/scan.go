package network

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// VPC is what discovery learned about one VPC.
type VPC struct {
	ID, CIDR, Name string
	Default        bool
	Gateway        string // attached internet gateway
	NAT            bool   // some subnet routes to a NAT gateway (billed)
	Subnets        []Subnet
	Tables         map[string]*types.RouteTable
}

// Subnet is one subnet of a VPC.
type Subnet struct {
	ID, AZ, Table string
	MapPublic     bool
	Public        bool // 0.0.0.0/0 → the attached internet gateway
	DefaultRoute  bool // any 0.0.0.0/0 route (IGW or NAT)
}

// PublicSubnets returns the ids of the subnets that reach the internet.
func (v VPC) PublicSubnets() []string {
	var out []string
	for _, s := range v.Subnets {
		if s.Public {
			out = append(out, s.ID)
		}
	}
	return out
}

// Candidates are the subnets castle makes public when none is: those that
// give instances public addresses, else those with no default route, else all.
func (v VPC) Candidates() []Subnet {
	if pub := v.PublicSubnets(); len(pub) > 0 {
		var out []Subnet
		for _, s := range v.Subnets {
			if s.Public {
				out = append(out, s)
			}
		}
		return out
	}
	pick := func(ok func(Subnet) bool) []Subnet {
		var out []Subnet
		for _, s := range v.Subnets {
			if ok(s) {
				out = append(out, s)
			}
		}
		return out
	}
	if c := pick(func(s Subnet) bool { return s.MapPublic }); len(c) > 0 {
		return c
	}
	if c := pick(func(s Subnet) bool { return !s.DefaultRoute }); len(c) > 0 {
		return c
	}
	return v.Subnets
}

// MissingRoutes are the route tables of the candidate subnets without a
// 0.0.0.0/0 route to the internet gateway.
func (v VPC) MissingRoutes() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range v.Candidates() {
		if s.Public || s.Table == "" || seen[s.Table] {
			continue
		}
		seen[s.Table] = true
		out = append(out, s.Table)
	}
	sort.Strings(out)
	return out
}

// Describe is one line about the VPC.
func (v VPC) Describe() string {
	kind := "VPC"
	if v.Default {
		kind = "default VPC"
	} else if v.Name != "" {
		kind = "VPC " + v.Name
	}
	line := fmt.Sprintf("%s %s (%s): %d subnets, %d public", kind, v.ID, v.CIDR, len(v.Subnets), len(v.PublicSubnets()))
	if v.Gateway == "" {
		line += ", no internet gateway"
	}
	if v.NAT {
		line += fmt.Sprintf(", a NAT gateway (about $%d a month)", NATMonthly)
	}
	return line
}

// scan reads every VPC with its subnets, route tables and internet gateways.
func scan(ctx context.Context, c *ec2.Client) ([]VPC, error) {
	var vpcs []types.Vpc
	for p := ec2.NewDescribeVpcsPaginator(c, &ec2.DescribeVpcsInput{}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		vpcs = append(vpcs, out.Vpcs...)
	}
	var subnets []types.Subnet
	for p := ec2.NewDescribeSubnetsPaginator(c, &ec2.DescribeSubnetsInput{}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		subnets = append(subnets, out.Subnets...)
	}
	var tables []types.RouteTable
	for p := ec2.NewDescribeRouteTablesPaginator(c, &ec2.DescribeRouteTablesInput{}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		tables = append(tables, out.RouteTables...)
	}
	var gws []types.InternetGateway
	for p := ec2.NewDescribeInternetGatewaysPaginator(c, &ec2.DescribeInternetGatewaysInput{}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		gws = append(gws, out.InternetGateways...)
	}
	var result []VPC
	for _, v := range vpcs {
		info := VPC{ID: aws.ToString(v.VpcId), CIDR: aws.ToString(v.CidrBlock), Default: aws.ToBool(v.IsDefault), Tables: map[string]*types.RouteTable{}}
		for _, t := range v.Tags {
			if aws.ToString(t.Key) == "Name" {
				info.Name = aws.ToString(t.Value)
			}
		}
		for _, g := range gws {
			for _, a := range g.Attachments {
				if aws.ToString(a.VpcId) == info.ID {
					info.Gateway = aws.ToString(g.InternetGatewayId)
				}
			}
		}
		main := ""
		explicit := map[string]string{}
		for i := range tables {
			t := &tables[i]
			if aws.ToString(t.VpcId) != info.ID {
				continue
			}
			info.Tables[aws.ToString(t.RouteTableId)] = t
			for _, a := range t.Associations {
				if aws.ToBool(a.Main) {
					main = aws.ToString(t.RouteTableId)
				} else if a.SubnetId != nil {
					explicit[aws.ToString(a.SubnetId)] = aws.ToString(t.RouteTableId)
				}
			}
		}
		for _, s := range subnets {
			if aws.ToString(s.VpcId) != info.ID {
				continue
			}
			sn := Subnet{ID: aws.ToString(s.SubnetId), AZ: aws.ToString(s.AvailabilityZone), MapPublic: aws.ToBool(s.MapPublicIpOnLaunch), Table: main}
			if t, ok := explicit[sn.ID]; ok {
				sn.Table = t
			}
			if t := info.Tables[sn.Table]; t != nil {
				for _, r := range t.Routes {
					if aws.ToString(r.DestinationCidrBlock) != "0.0.0.0/0" {
						continue
					}
					sn.DefaultRoute = true
					if r.NatGatewayId != nil {
						info.NAT = true
					}
					if info.Gateway != "" && aws.ToString(r.GatewayId) == info.Gateway && r.State != types.RouteStateBlackhole {
						sn.Public = true
					}
				}
			}
			info.Subnets = append(info.Subnets, sn)
		}
		sort.Slice(info.Subnets, func(i, j int) bool {
			return info.Subnets[i].AZ+info.Subnets[i].ID < info.Subnets[j].AZ+info.Subnets[j].ID
		})
		result = append(result, info)
	}
	sort.Slice(result, func(i, j int) bool {
		if result[i].Default != result[j].Default {
			return result[i].Default
		}
		return result[i].ID < result[j].ID
	})
	return result, nil
}

// pick returns the VPC an answer names: "default"/"" → the default VPC.
func pick(vpcs []VPC, answer string) (VPC, bool) {
	for _, v := range vpcs {
		if (answer == "" || answer == "default") && v.Default || v.ID == answer {
			return v, true
		}
	}
	return VPC{}, false
}

func joinIDs(ids []string) string { return strings.Join(ids, ",") }
