package ec2

import (
	"strconv"
	"strings"

	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

type xVPC struct {
	VpcID           string `xml:"vpcId"`
	OwnerID         string `xml:"ownerId"`
	State           string `xml:"state"`
	CidrBlock       string `xml:"cidrBlock"`
	IsDefault       bool   `xml:"isDefault"`
	InstanceTenancy string `xml:"instanceTenancy"`
	Tags            []xTag `xml:"tagSet>item,omitempty"`
}

type xTag struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

func toVPC(account string, v *VPC) xVPC {
	x := xVPC{VpcID: v.ID, OwnerID: account, State: "available", CidrBlock: v.CIDR, IsDefault: v.IsDefault, InstanceTenancy: "default"}
	if v.Name != "" {
		x.Tags = []xTag{{"Name", v.Name}}
	}
	return x
}

func describeVpcs(s *Service, w *world.World, g *Region, r *wire.Request) (any, error) {
	fs, want := filters(r), ids(r, "VpcId")
	var out []xVPC
	for id := range want {
		if g.VPCs[id] == nil {
			return nil, wire.Errorf(400, "InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", id)
		}
	}
	for _, id := range sortedKeys(g.VPCs) {
		v := g.VPCs[id]
		if want != nil && !want[id] {
			continue
		}
		if match(fs, map[string][]string{"isDefault": {boolStr(v.IsDefault)}, "vpc-id": {v.ID}, "cidr": {v.CIDR}, "state": {"available"}, "tag:Name": {v.Name}}) {
			out = append(out, toVPC(r.Account, v))
		}
	}
	return struct {
		Vpcs []xVPC `xml:"vpcSet>item"`
	}{out}, nil
}

func createDefaultVpc(s *Service, w *world.World, g *Region, r *wire.Request) (any, error) {
	for _, v := range g.VPCs {
		if v.IsDefault {
			return nil, wire.Errorf(400, "DefaultVpcAlreadyExists", "A Default VPC already exists for this account in this region.")
		}
	}
	v := s.makeDefaultVPC(w, g, r.Region)
	return struct {
		Vpc xVPC `xml:"vpc"`
	}{toVPC(r.Account, v)}, nil
}

type xSubnet struct {
	SubnetID                string `xml:"subnetId"`
	SubnetArn               string `xml:"subnetArn"`
	VpcID                   string `xml:"vpcId"`
	OwnerID                 string `xml:"ownerId"`
	State                   string `xml:"state"`
	CidrBlock               string `xml:"cidrBlock"`
	AvailabilityZone        string `xml:"availabilityZone"`
	AvailableIPAddressCount int    `xml:"availableIpAddressCount"`
	DefaultForAz            bool   `xml:"defaultForAz"`
	MapPublicIPOnLaunch     bool   `xml:"mapPublicIpOnLaunch"`
}

func describeSubnets(s *Service, w *world.World, g *Region, r *wire.Request) (any, error) {
	fs, want := filters(r), ids(r, "SubnetId")
	for id := range want {
		if g.Subnets[id] == nil {
			return nil, notFound("InvalidSubnetID.NotFound", "subnet", id)
		}
	}
	var out []xSubnet
	for _, id := range sortedKeys(g.Subnets) {
		sn := g.Subnets[id]
		if want != nil && !want[id] {
			continue
		}
		if !match(fs, map[string][]string{"vpc-id": {sn.VPC}, "subnet-id": {sn.ID}, "default-for-az": {boolStr(sn.DefaultForAZ)},
			"availability-zone": {sn.AZ}, "map-public-ip-on-launch": {boolStr(sn.MapPublicIP)}, "state": {"available"}}) {
			continue
		}
		out = append(out, xSubnet{sn.ID, "arn:aws:ec2:" + r.Region + ":" + r.Account + ":subnet/" + sn.ID, sn.VPC, r.Account, "available", sn.CIDR, sn.AZ, 4091, sn.DefaultForAZ, sn.MapPublicIP})
	}
	return struct {
		Subnets []xSubnet `xml:"subnetSet>item"`
	}{out}, nil
}

type xRoute struct {
	DestinationCidrBlock string `xml:"destinationCidrBlock"`
	GatewayID            string `xml:"gatewayId,omitempty"`
	NatGatewayID         string `xml:"natGatewayId,omitempty"`
	State                string `xml:"state"`
	Origin               string `xml:"origin"`
}

type xAssoc struct {
	ID           string `xml:"routeTableAssociationId"`
	RouteTableID string `xml:"routeTableId"`
	SubnetID     string `xml:"subnetId,omitempty"`
	Main         bool   `xml:"main"`
	State        string `xml:"associationState>state"`
}

type xTable struct {
	RouteTableID string   `xml:"routeTableId"`
	VpcID        string   `xml:"vpcId"`
	OwnerID      string   `xml:"ownerId"`
	Routes       []xRoute `xml:"routeSet>item"`
	Associations []xAssoc `xml:"associationSet>item"`
}

func describeRouteTables(s *Service, w *world.World, g *Region, r *wire.Request) (any, error) {
	fs, want := filters(r), ids(r, "RouteTableId")
	var out []xTable
	for _, id := range sortedKeys(g.Tables) {
		t := g.Tables[id]
		if want != nil && !want[id] {
			continue
		}
		attrs := map[string][]string{"vpc-id": {t.VPC}, "route-table-id": {t.ID}, "association.main": {boolStr(t.Main)}, "association.subnet-id": t.Subnets}
		if !match(fs, attrs) {
			continue
		}
		x := xTable{RouteTableID: t.ID, VpcID: t.VPC, OwnerID: r.Account}
		for _, rt := range t.Routes {
			origin := "CreateRoute"
			if rt.Gateway == "local" {
				origin = "CreateRouteTable"
			}
			state := "active"
			if strings.HasPrefix(rt.Gateway, "igw-") && (g.Gateways[rt.Gateway] == nil || g.Gateways[rt.Gateway].VPC != t.VPC) {
				state = "blackhole"
			}
			x.Routes = append(x.Routes, xRoute{rt.Dest, rt.Gateway, rt.NAT, state, origin})
		}
		if t.Main {
			x.Associations = append(x.Associations, xAssoc{"rtbassoc-" + t.ID[4:], t.ID, "", true, "associated"})
		}
		for _, sn := range t.Subnets {
			x.Associations = append(x.Associations, xAssoc{"rtbassoc-" + sn[7:], t.ID, sn, false, "associated"})
		}
		out = append(out, x)
	}
	return struct {
		Tables []xTable `xml:"routeTableSet>item"`
	}{out}, nil
}

type xAttachment struct {
	VpcID string `xml:"vpcId"`
	State string `xml:"state"`
}

type xGateway struct {
	InternetGatewayID string        `xml:"internetGatewayId"`
	OwnerID           string        `xml:"ownerId"`
	Attachments       []xAttachment `xml:"attachmentSet>item"`
}

func toGateway(account string, gw *Gateway) xGateway {
	x := xGateway{InternetGatewayID: gw.ID, OwnerID: account}
	if gw.VPC != "" {
		x.Attachments = []xAttachment{{gw.VPC, "available"}}
	}
	return x
}

func createInternetGateway(s *Service, w *world.World, g *Region, r *wire.Request) (any, error) {
	gw := &Gateway{ID: newID(w, "igw")}
	g.Gateways[gw.ID] = gw
	return struct {
		Gateway xGateway `xml:"internetGateway"`
	}{toGateway(r.Account, gw)}, nil
}

func attachInternetGateway(s *Service, w *world.World, g *Region, r *wire.Request) (any, error) {
	id, vpc := r.Param("InternetGatewayId"), r.Param("VpcId")
	gw := g.Gateways[id]
	if gw == nil {
		return nil, wire.Errorf(400, "InvalidInternetGatewayID.NotFound", "The internetGateway ID '%s' does not exist", id)
	}
	if g.VPCs[vpc] == nil {
		return nil, wire.Errorf(400, "InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", vpc)
	}
	if gw.VPC != "" {
		return nil, wire.Errorf(400, "Resource.AlreadyAssociated", "resource %s is already attached to network %s", id, gw.VPC)
	}
	for _, other := range g.Gateways {
		if other.VPC == vpc {
			return nil, wire.Errorf(400, "InvalidParameterValue", "Network %s already has an internet gateway attached", vpc)
		}
	}
	gw.VPC = vpc
	return struct {
		Return bool `xml:"return"`
	}{true}, nil
}

func describeInternetGateways(s *Service, w *world.World, g *Region, r *wire.Request) (any, error) {
	fs, want := filters(r), ids(r, "InternetGatewayId")
	var out []xGateway
	for _, id := range sortedKeys(g.Gateways) {
		gw := g.Gateways[id]
		if want != nil && !want[id] {
			continue
		}
		attrs := map[string][]string{"internet-gateway-id": {gw.ID}, "attachment.vpc-id": {}, "attachment.state": {}}
		if gw.VPC != "" {
			attrs["attachment.vpc-id"] = []string{gw.VPC}
			attrs["attachment.state"] = []string{"available"}
		}
		if match(fs, attrs) {
			out = append(out, toGateway(r.Account, gw))
		}
	}
	return struct {
		Gateways []xGateway `xml:"internetGatewaySet>item"`
	}{out}, nil
}

func createRoute(s *Service, w *world.World, g *Region, r *wire.Request) (any, error) {
	id, dest, gwID := r.Param("RouteTableId"), r.Param("DestinationCidrBlock"), r.Param("GatewayId")
	t := g.Tables[id]
	if t == nil {
		return nil, wire.Errorf(400, "InvalidRouteTableID.NotFound", "The routeTable ID '%s' does not exist", id)
	}
	if dest == "" {
		return nil, wire.Errorf(400, "MissingParameter", "The request must contain the parameter destinationCidrBlock or destinationIpv6CidrBlock or destinationPrefixListId")
	}
	gw := g.Gateways[gwID]
	if gw == nil {
		return nil, wire.Errorf(400, "InvalidGatewayID.NotFound", "The gateway ID '%s' does not exist", gwID)
	}
	if gw.VPC != t.VPC {
		return nil, wire.Errorf(400, "InvalidParameterValue", "route table %s and network gateway %s belong to different networks", id, gwID)
	}
	for _, rt := range t.Routes {
		if rt.Dest == dest {
			return nil, wire.Errorf(400, "RouteAlreadyExists", "The route identified by %s already exists.", dest)
		}
	}
	t.Routes = append(t.Routes, Route{Dest: dest, Gateway: gwID})
	return struct {
		Return bool `xml:"return"`
	}{true}, nil
}

func createSecurityGroup(s *Service, w *world.World, g *Region, r *wire.Request) (any, error) {
	name, desc, vpc := r.Param("GroupName"), r.Param("GroupDescription"), r.Param("VpcId")
	if name == "" || desc == "" {
		return nil, wire.Errorf(400, "MissingParameter", "The request must contain the parameter groupName and groupDescription")
	}
	if strings.HasPrefix(strings.ToLower(name), "sg-") || name == "default" {
		return nil, wire.Errorf(400, "InvalidParameterValue", "Group names may not be in the format sg-* or default")
	}
	if vpc == "" {
		for _, v := range g.VPCs {
			if v.IsDefault {
				vpc = v.ID
			}
		}
		if vpc == "" {
			return nil, wire.Errorf(400, "VPCIdNotSpecified", "No default VPC for this user")
		}
	}
	if g.VPCs[vpc] == nil {
		return nil, wire.Errorf(400, "InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", vpc)
	}
	for _, sg := range g.Groups {
		if sg.VPC == vpc && sg.Name == name {
			return nil, wire.Errorf(400, "InvalidGroup.Duplicate", "The security group '%s' already exists for VPC '%s'", name, vpc)
		}
	}
	sg := &SecurityGroup{ID: newID(w, "sg"), Name: name, Description: desc, VPC: vpc}
	g.Groups[sg.ID] = sg
	return struct {
		GroupID string `xml:"groupId"`
		Arn     string `xml:"securityGroupArn"`
	}{sg.ID, "arn:aws:ec2:" + r.Region + ":" + r.Account + ":security-group/" + sg.ID}, nil
}

func authorizeIngress(s *Service, w *world.World, g *Region, r *wire.Request) (any, error) {
	id := r.Param("GroupId")
	sg := g.Groups[id]
	if sg == nil {
		return nil, wire.Errorf(400, "InvalidGroup.NotFound", "The security group '%s' does not exist", id)
	}
	var add []Permission
	for i := 1; ; i++ {
		p := "IpPermissions." + itoa(i) + "."
		proto := r.Param(p + "IpProtocol")
		if proto == "" {
			break
		}
		from, _ := strconv.Atoi(r.Param(p + "FromPort"))
		to, _ := strconv.Atoi(r.Param(p + "ToPort"))
		perm := Permission{Protocol: proto, From: from, To: to}
		for j := 1; ; j++ {
			c := r.Param(p + "IpRanges." + itoa(j) + ".CidrIp")
			if c == "" {
				break
			}
			perm.CIDRs = append(perm.CIDRs, c)
		}
		add = append(add, perm)
	}
	if len(add) == 0 {
		return nil, wire.Errorf(400, "MissingParameter", "No IpPermissions given")
	}
	for _, p := range add {
		for _, have := range sg.Ingress {
			if have.Protocol == p.Protocol && have.From == p.From && have.To == p.To {
				for _, c := range p.CIDRs {
					for _, hc := range have.CIDRs {
						if c == hc {
							return nil, wire.Errorf(400, "InvalidPermission.Duplicate", "the specified rule \"peer: %s, %s, from port: %d, to port: %d, ALLOW\" already exists", c, strings.ToUpper(p.Protocol), p.From, p.To)
						}
					}
				}
			}
		}
	}
	sg.Ingress = append(sg.Ingress, add...)
	return struct {
		Return bool `xml:"return"`
	}{true}, nil
}

type xRange struct {
	CidrIP string `xml:"cidrIp"`
}

type xPair struct {
	GroupID string `xml:"groupId"`
}

type xPerm struct {
	IPProtocol string   `xml:"ipProtocol"`
	FromPort   *int     `xml:"fromPort,omitempty"`
	ToPort     *int     `xml:"toPort,omitempty"`
	Ranges     []xRange `xml:"ipRanges>item"`
	Groups     []xPair  `xml:"groups>item,omitempty"`
}

type xGroup struct {
	OwnerID     string  `xml:"ownerId"`
	GroupID     string  `xml:"groupId"`
	GroupName   string  `xml:"groupName"`
	Description string  `xml:"groupDescription"`
	VpcID       string  `xml:"vpcId"`
	Ingress     []xPerm `xml:"ipPermissions>item"`
	Egress      []xPerm `xml:"ipPermissionsEgress>item"`
}

func describeSecurityGroups(s *Service, w *world.World, g *Region, r *wire.Request) (any, error) {
	fs, want, names := filters(r), ids(r, "GroupId"), ids(r, "GroupName")
	for id := range want {
		if g.Groups[id] == nil {
			return nil, wire.Errorf(400, "InvalidGroup.NotFound", "The security group '%s' does not exist", id)
		}
	}
	var out []xGroup
	for _, id := range sortedKeys(g.Groups) {
		sg := g.Groups[id]
		if (want != nil && !want[id]) || (names != nil && !names[sg.Name]) {
			continue
		}
		if !match(fs, map[string][]string{"vpc-id": {sg.VPC}, "group-name": {sg.Name}, "group-id": {sg.ID}}) {
			continue
		}
		x := xGroup{OwnerID: r.Account, GroupID: sg.ID, GroupName: sg.Name, Description: sg.Description, VpcID: sg.VPC,
			Egress: []xPerm{{IPProtocol: "-1", Ranges: []xRange{{"0.0.0.0/0"}}}}}
		if sg.SelfIngress {
			x.Ingress = append(x.Ingress, xPerm{IPProtocol: "-1", Groups: []xPair{{sg.ID}}})
		}
		for _, p := range sg.Ingress {
			from, to := p.From, p.To
			xp := xPerm{IPProtocol: p.Protocol, FromPort: &from, ToPort: &to}
			for _, c := range p.CIDRs {
				xp.Ranges = append(xp.Ranges, xRange{c})
			}
			x.Ingress = append(x.Ingress, xp)
		}
		out = append(out, x)
	}
	return struct {
		Groups []xGroup `xml:"securityGroupInfo>item"`
	}{out}, nil
}

type xENI struct {
	NetworkInterfaceID string  `xml:"networkInterfaceId"`
	SubnetID           string  `xml:"subnetId"`
	VpcID              string  `xml:"vpcId"`
	AvailabilityZone   string  `xml:"availabilityZone"`
	Description        string  `xml:"description"`
	OwnerID            string  `xml:"ownerId"`
	RequesterManaged   bool    `xml:"requesterManaged"`
	Status             string  `xml:"status"`
	PrivateIPAddress   string  `xml:"privateIpAddress"`
	InterfaceType      string  `xml:"interfaceType"`
	Groups             []xGSet `xml:"groupSet>item"`
	Association        *xAssn  `xml:"association,omitempty"`
}

type xGSet struct {
	GroupID   string `xml:"groupId"`
	GroupName string `xml:"groupName"`
}

type xAssn struct {
	PublicIP  string `xml:"publicIp"`
	IPOwnerID string `xml:"ipOwnerId"`
	PublicDNS string `xml:"publicDnsName"`
}

func describeNetworkInterfaces(s *Service, w *world.World, g *Region, r *wire.Request) (any, error) {
	fs, want := filters(r), ids(r, "NetworkInterfaceId")
	for id := range want {
		if g.ENIs[id] == nil {
			return nil, wire.Errorf(400, "InvalidNetworkInterfaceID.NotFound", "The networkInterface ID '%s' does not exist", id)
		}
	}
	var out []xENI
	for _, id := range sortedKeys(g.ENIs) {
		e := g.ENIs[id]
		if want != nil && !want[id] {
			continue
		}
		if !match(fs, map[string][]string{"vpc-id": {e.VPC}, "subnet-id": {e.Subnet}, "network-interface-id": {e.ID}}) {
			continue
		}
		x := xENI{NetworkInterfaceID: e.ID, SubnetID: e.Subnet, VpcID: e.VPC, AvailabilityZone: e.AZ, Description: e.Description,
			OwnerID: r.Account, RequesterManaged: true, Status: "in-use", PrivateIPAddress: e.PrivateIP, InterfaceType: "interface"}
		for _, gid := range e.Groups {
			name := ""
			if sg := g.Groups[gid]; sg != nil {
				name = sg.Name
			}
			x.Groups = append(x.Groups, xGSet{gid, name})
		}
		if e.PublicIP != "" {
			x.Association = &xAssn{PublicIP: e.PublicIP, IPOwnerID: "amazon"}
		}
		out = append(out, x)
	}
	return struct {
		ENIs []xENI `xml:"networkInterfaceSet>item"`
	}{out}, nil
}
