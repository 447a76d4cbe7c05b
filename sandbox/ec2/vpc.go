package ec2

import (
	"fmt"
	"strings"

	"github.com/castle-aws/castle/sandbox/world"
)

// makeDefaultVPC creates AWS's default VPC: 172.31.0.0/16, one public subnet
// in each of three zones, an attached internet gateway, a main route table
// with 0.0.0.0/0 to it, and the default security group.
func (s *Service) makeDefaultVPC(w *world.World, g *Region, region string) *VPC {
	v := &VPC{ID: newID(w, "vpc"), CIDR: "172.31.0.0/16", IsDefault: true}
	g.VPCs[v.ID] = v
	igw := &Gateway{ID: newID(w, "igw"), VPC: v.ID}
	g.Gateways[igw.ID] = igw
	rt := s.mainTable(w, g, v)
	rt.Routes = append(rt.Routes, Route{Dest: "0.0.0.0/0", Gateway: igw.ID})
	for i, az := range []string{"a", "b", "c"} {
		sn := &Subnet{ID: newID(w, "subnet"), VPC: v.ID, CIDR: fmt.Sprintf("172.31.%d.0/20", i*16), AZ: region + az, DefaultForAZ: true, MapPublicIP: true}
		g.Subnets[sn.ID] = sn
	}
	return v
}

// mainTable creates a VPC's main route table with its local route and its
// default security group.
func (s *Service) mainTable(w *world.World, g *Region, v *VPC) *RouteTable {
	rt := &RouteTable{ID: newID(w, "rtb"), VPC: v.ID, Main: true, Routes: []Route{{Dest: v.CIDR, Gateway: "local"}}}
	g.Tables[rt.ID] = rt
	sg := &SecurityGroup{ID: newID(w, "sg"), Name: "default", Description: "default VPC security group", VPC: v.ID, SelfIngress: true}
	g.Groups[sg.ID] = sg
	return rt
}

// VPCOptions shape a VPC made by AddVPC.
type VPCOptions struct {
	Name string
	CIDR string // default 10.0.0.0/16
	// PublicSubnets get their own route table; with InternetGateway it has a
	// 0.0.0.0/0 route to an attached internet gateway.
	PublicSubnets   int
	InternetGateway bool
	// PrivateSubnets route 0.0.0.0/0 to a NAT gateway in the first public
	// subnet (a Control Tower VPC), when there is one.
	PrivateSubnets int
}

// AddVPC makes a (non-default) VPC in an account's region and returns its id
// (tests and Account Factory's Control Tower VPC). Call it with the world locked.
func (s *Service) AddVPC(w *world.World, account, region string, o VPCOptions) string {
	g := s.region(w, account, region)
	if o.CIDR == "" {
		o.CIDR = "10.0.0.0/16"
	}
	v := &VPC{ID: newID(w, "vpc"), CIDR: o.CIDR, Name: o.Name}
	g.VPCs[v.ID] = v
	s.mainTable(w, g, v)
	prefix := strings.Join(strings.Split(o.CIDR, ".")[:2], ".")
	azs := []string{"a", "b", "c"}
	pub := &RouteTable{ID: newID(w, "rtb"), VPC: v.ID, Routes: []Route{{Dest: v.CIDR, Gateway: "local"}}}
	if o.InternetGateway {
		igw := &Gateway{ID: newID(w, "igw"), VPC: v.ID}
		g.Gateways[igw.ID] = igw
		pub.Routes = append(pub.Routes, Route{Dest: "0.0.0.0/0", Gateway: igw.ID})
	}
	nat := ""
	for i := 0; i < o.PublicSubnets; i++ {
		sn := &Subnet{ID: newID(w, "subnet"), VPC: v.ID, CIDR: fmt.Sprintf("%s.%d.0/24", prefix, i), AZ: region + azs[i%3], MapPublicIP: o.InternetGateway}
		g.Subnets[sn.ID] = sn
		pub.Subnets = append(pub.Subnets, sn.ID)
		if nat == "" && o.InternetGateway {
			nat = newID(w, "nat")
			g.NATs[nat] = sn.ID
		}
	}
	if o.PublicSubnets > 0 {
		g.Tables[pub.ID] = pub
	}
	if o.PrivateSubnets > 0 {
		priv := &RouteTable{ID: newID(w, "rtb"), VPC: v.ID, Routes: []Route{{Dest: v.CIDR, Gateway: "local"}}}
		if nat != "" {
			priv.Routes = append(priv.Routes, Route{Dest: "0.0.0.0/0", NAT: nat})
		}
		for i := 0; i < o.PrivateSubnets; i++ {
			sn := &Subnet{ID: newID(w, "subnet"), VPC: v.ID, CIDR: fmt.Sprintf("%s.%d.0/24", prefix, 100+i), AZ: region + azs[i%3]}
			g.Subnets[sn.ID] = sn
			priv.Subnets = append(priv.Subnets, sn.ID)
		}
		g.Tables[priv.ID] = priv
	}
	return v.ID
}

// tableFor is the route table a subnet uses: its explicit association, or
// the VPC's main table.
func tableFor(g *Region, sn *Subnet) *RouteTable {
	var main *RouteTable
	for _, id := range sortedKeys(g.Tables) {
		t := g.Tables[id]
		if t.VPC != sn.VPC {
			continue
		}
		for _, a := range t.Subnets {
			if a == sn.ID {
				return t
			}
		}
		if t.Main {
			main = t
		}
	}
	return main
}

// SubnetInfo is what ECS needs to know about a subnet.
type SubnetInfo struct {
	VPC, AZ string
	// Internet is true when the subnet's route table sends 0.0.0.0/0 to an
	// attached internet gateway.
	Internet bool
	// NAT is true when 0.0.0.0/0 goes to a NAT gateway (a private subnet
	// that still reaches the internet).
	NAT bool
}

// Subnet looks a subnet up (ECS CreateService validation, task placement).
func (s *Service) Subnet(w *world.World, account, region, id string) (SubnetInfo, bool) {
	g := s.region(w, account, region)
	sn, ok := g.Subnets[id]
	if !ok {
		return SubnetInfo{}, false
	}
	info := SubnetInfo{VPC: sn.VPC, AZ: sn.AZ}
	if t := tableFor(g, sn); t != nil {
		for _, r := range t.Routes {
			if r.Dest == "0.0.0.0/0" && strings.HasPrefix(r.Gateway, "igw-") && g.Gateways[r.Gateway] != nil && g.Gateways[r.Gateway].VPC == sn.VPC {
				info.Internet = true
			}
			if r.Dest == "0.0.0.0/0" && r.NAT != "" {
				info.NAT = true
			}
		}
	}
	return info, true
}

// HasGroup reports whether a security group exists.
func (s *Service) HasGroup(w *world.World, account, region, id string) bool {
	_, ok := s.region(w, account, region).Groups[id]
	return ok
}

// CreateENI makes a task's network interface in a subnet and returns its id.
func (s *Service) CreateENI(w *world.World, account, region, subnet string, groups []string, description string) (string, string, error) {
	g := s.region(w, account, region)
	sn, ok := g.Subnets[subnet]
	if !ok {
		return "", "", notFound("InvalidSubnetID.NotFound", "subnet", subnet)
	}
	parts := strings.Split(strings.Split(sn.CIDR, "/")[0], ".")
	ip := fmt.Sprintf("%s.%s.%s.%d", parts[0], parts[1], parts[2], 4+w.Rand().IntN(200))
	e := &ENI{ID: newID(w, "eni"), Subnet: subnet, VPC: sn.VPC, AZ: sn.AZ, PrivateIP: ip, Groups: groups, Description: description}
	g.ENIs[e.ID] = e
	return e.ID, ip, nil
}

// SetPublicIP sets (or clears) the public address of a network interface.
func (s *Service) SetPublicIP(w *world.World, account, region, eni, ip string) {
	if e, ok := s.region(w, account, region).ENIs[eni]; ok {
		e.PublicIP = ip
	}
}

// DeleteENI removes a network interface (a stopped task's).
func (s *Service) DeleteENI(w *world.World, account, region, eni string) {
	delete(s.region(w, account, region).ENIs, eni)
}
