package network

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/castle-aws/castle/steps"
)

func (section) Plan(ctx context.Context, env *steps.Env) (steps.Plan, error) {
	st, err := look(ctx, env)
	if err != nil {
		return steps.Plan{Section: steps.Network}, err
	}
	if env.Answers != nil && env.Answers.Network.VPC == "" {
		env.Answers.Network.VPC = "default"
	}
	return st.plan(env), nil
}

func (st *state) plan(env *steps.Env) steps.Plan {
	p := steps.Plan{Section: steps.Network, MonthlyCost: "free", Duration: 30 * time.Second}
	v := st.target
	if st.answer == "default" {
		a := steps.Action{Key: "default-vpc", Title: "Recreate the default VPC",
			Why:      "A default VPC comes with a public subnet in each zone, an internet gateway and the route to it, and costs nothing.",
			Commands: []string{env.AWSCommand("ec2 create-default-vpc")}, Cost: "free"}
		if st.found {
			a.Skip, a.SkipReason = true, "the default VPC "+v.ID+" exists"
		}
		p.Actions = append(p.Actions, a)
	} else if !st.found {
		p.Notes = append(p.Notes, "VPC "+st.answer+" is not in this account; choose another one in the form.")
	}
	gw := steps.Action{Key: "internet-gateway", Title: "Attach an internet gateway",
		Why: "Without one nothing in the VPC can reach the internet or be reached from it.", Cost: "free",
		Commands: []string{env.AWSCommand("ec2 create-internet-gateway"), env.AWSCommand("ec2 attach-internet-gateway --internet-gateway-id IGW_ID --vpc-id %s", orWord(v.ID, "VPC_ID"))}}
	routes := steps.Action{Key: "routes", Title: "Send internet traffic (0.0.0.0/0) to the internet gateway",
		Why: "The route tells the public subnets to send internet traffic through the gateway.", Cost: "free"}
	switch {
	case !st.found && st.answer == "default":
		gw.Skip, gw.SkipReason = true, "comes with the default VPC"
		routes.Skip, routes.SkipReason = true, "comes with the default VPC"
	case v.Gateway != "":
		gw.Skip, gw.SkipReason = true, v.Gateway+" is attached"
	}
	if st.found {
		missing := v.MissingRoutes()
		if len(missing) == 0 {
			routes.Skip, routes.SkipReason = true, fmt.Sprintf("%d public subnets already route to the internet", len(v.PublicSubnets()))
		}
		for _, t := range missing {
			routes.Commands = append(routes.Commands, env.AWSCommand("ec2 create-route --route-table-id %s --destination-cidr-block 0.0.0.0/0 --gateway-id %s", t, orWord(v.Gateway, "IGW_ID")))
		}
	}
	sg := steps.Action{Key: "security-group", Title: fmt.Sprintf("Open port %d to the internet, and nothing else", st.port),
		Why:  fmt.Sprintf("A security group %s that lets anyone reach your container on TCP port %d; every other port stays closed.", st.gname, st.port),
		Cost: "free",
		Commands: []string{
			env.AWSCommand("ec2 create-security-group --group-name %s --description %q --vpc-id %s", st.gname, groupDescription(st.port), orWord(v.ID, "VPC_ID")),
			env.AWSCommand("ec2 authorize-security-group-ingress --group-id SG_ID --protocol tcp --port %d --cidr 0.0.0.0/0", st.port),
		}}
	if st.group != "" && st.open {
		sg.Skip, sg.SkipReason = true, fmt.Sprintf("%s already lets in port %d", st.group, st.port)
	}
	p.Actions = append(p.Actions, gw, routes, sg)
	others := false
	for _, o := range st.vpcs {
		if o.Default {
			continue
		}
		if !others {
			others = true
			p.Notes = append(p.Notes, "Besides the default VPC (free: public subnets, internet gateway, no NAT gateway), the form offers:")
		}
		cost := "free"
		if o.NAT {
			cost = fmt.Sprintf("its NAT gateway costs about $%d a month", NATMonthly)
		}
		p.Notes = append(p.Notes, fmt.Sprintf("  or use %s (%s)", o.Describe(), cost))
	}
	if st.found && v.NAT {
		p.MonthlyCost = fmt.Sprintf("about $%d a month for the NAT gateway already in %s (the service does not need it)", NATMonthly, v.ID)
	}
	if p.Pending() {
		p.Summary = fmt.Sprintf("Give the service a network that reaches the internet, with only port %d open.", st.port)
	} else {
		p.Summary = "Nothing to do: the network is ready."
	}
	return p
}

func groupDescription(port int) string {
	return fmt.Sprintf("castle: lets the internet reach the service on TCP port %d only", port)
}

func orWord(s, w string) string {
	if strings.TrimSpace(s) == "" {
		return w
	}
	return s
}
