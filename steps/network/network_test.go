package network_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/castle-aws/castle/sandbox"
	sbec2 "github.com/castle-aws/castle/sandbox/ec2"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/network"
)

// accountEnv is an env signed in to a fresh member account (vended or not).
func accountEnv(t *testing.T, sb *sandboxtest.Sandbox, vended bool) (*steps.Env, string) {
	t.Helper()
	sb.World.Lock()
	a := sb.World.NewAccount("workload", "wl@example.com", vended)
	k := sb.World.IssueKey(a.ID, "arn:aws:sts::"+a.ID+":assumed-role/AWSControlTowerExecution/castle", "AROAWORKLOAD:castle", 24*time.Hour)
	sb.World.Unlock()
	return sb.EnvWith(sb.Config(k.AccessKeyID, k.Secret, k.SessionToken)), a.ID
}

func apply(t *testing.T, env *steps.Env) []steps.Event {
	t.Helper()
	var events []steps.Event
	if err := network.New().Apply(context.Background(), env, func(e steps.Event) { events = append(events, e) }); err != nil {
		t.Fatalf("apply: %v", err)
	}
	return events
}

func kinds(events []steps.Event) map[string]steps.EventKind {
	out := map[string]steps.EventKind{}
	for _, e := range events {
		if e.Kind == steps.EventSkipped || e.Kind == steps.EventDone {
			out[e.Step] = e.Kind
		}
	}
	return out
}

func TestVendedAccountGetsDefaultVPCAndOnlyThePort(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	env, _ := accountEnv(t, sb, true)
	ctx := context.Background()
	sec := network.New()
	st, err := sec.Discover(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != steps.StateNotStarted || !strings.Contains(st.Summary, "no default VPC") {
		t.Fatalf("discover on a vended account: %+v", st)
	}
	env.Journal.SetResource("registry", "port", "8080")
	plan, err := sec.Plan(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Actions[0].Key != "default-vpc" || plan.Actions[0].Skip || plan.MonthlyCost != "free" {
		t.Fatalf("plan: %+v", plan)
	}
	got := kinds(apply(t, env))
	if got["default-vpc"] != steps.EventDone || got["security-group"] != steps.EventDone || got["internet-gateway"] != steps.EventSkipped {
		t.Fatalf("events %v", got)
	}
	vpc, _ := env.Journal.Resource("network", network.KeyVPC)
	subnets, _ := env.Journal.Resource("network", network.KeySubnets)
	sg, _ := env.Journal.Resource("network", network.KeySecurityGroup)
	if !strings.HasPrefix(vpc, "vpc-") || len(strings.Split(subnets, ",")) != 3 || !strings.HasPrefix(sg, "sg-") {
		t.Fatalf("journal vpc=%q subnets=%q sg=%q", vpc, subnets, sg)
	}
	out, err := ec2.NewFromConfig(env.Config).DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{sg}})
	if err != nil {
		t.Fatal(err)
	}
	perms := out.SecurityGroups[0].IpPermissions
	if len(perms) != 1 || aws.ToInt32(perms[0].FromPort) != 8080 || aws.ToInt32(perms[0].ToPort) != 8080 || aws.ToString(perms[0].IpProtocol) != "tcp" {
		t.Fatalf("security group rules %+v", perms)
	}
	// A rerun changes nothing.
	st, _ = sec.Discover(ctx, env)
	if st.State != steps.StateDone {
		t.Fatalf("after apply: %+v", st)
	}
	plan, _ = sec.Plan(ctx, env)
	if plan.Pending() {
		t.Fatalf("rerun plan still has work: %+v", plan.Actions)
	}
	for step, k := range kinds(apply(t, env)) {
		if k != steps.EventSkipped {
			t.Fatalf("rerun did %s: %s", step, k)
		}
	}
	vpcs, _ := ec2.NewFromConfig(env.Config).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if len(vpcs.Vpcs) != 1 {
		t.Fatalf("%d VPCs after two applies", len(vpcs.Vpcs))
	}
}

func TestRegularAccountKeepsItsGatewayAndRoutes(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	env, _ := accountEnv(t, sb, false)
	got := kinds(apply(t, env))
	if got["default-vpc"] != steps.EventSkipped || got["internet-gateway"] != steps.EventSkipped || got["routes"] != steps.EventSkipped || got["security-group"] != steps.EventDone {
		t.Fatalf("events %v", got)
	}
	igws, _ := ec2.NewFromConfig(env.Config).DescribeInternetGateways(context.Background(), &ec2.DescribeInternetGatewaysInput{})
	if len(igws.InternetGateways) != 1 {
		t.Fatalf("%d gateways", len(igws.InternetGateways))
	}
}

func TestChosenVPCWithoutInternetGetsGatewayAndRoutes(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{Faults: sandbox.Faults{Throttle: 0.25, Seed: 3}})
	env, acct := accountEnv(t, sb, true)
	sb.World.Lock()
	vpc := sbec2.From(sb.World).AddVPC(sb.World, acct, sandboxtest.Region, sbec2.VPCOptions{Name: "isolated", PublicSubnets: 2})
	sb.World.Unlock()
	env.Answers.Network.VPC = vpc
	ctx := context.Background()
	plan, err := network.New().Plan(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Actions) != 3 || plan.Actions[0].Skip || plan.Actions[1].Skip {
		t.Fatalf("plan %+v", plan.Actions)
	}
	got := kinds(apply(t, env))
	if got["internet-gateway"] != steps.EventDone || got["routes"] != steps.EventDone {
		t.Fatalf("events %v", got)
	}
	c := ec2.NewFromConfig(env.Config)
	rts, err := c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpc}}}})
	if err != nil {
		t.Fatal(err)
	}
	routed := 0
	for _, rt := range rts.RouteTables {
		for _, r := range rt.Routes {
			if aws.ToString(r.DestinationCidrBlock) == "0.0.0.0/0" && strings.HasPrefix(aws.ToString(r.GatewayId), "igw-") {
				routed++
			}
		}
	}
	if routed != 1 {
		t.Fatalf("%d tables route to the gateway, want the one public table", routed)
	}
	subnets, _ := env.Journal.Resource("network", network.KeySubnets)
	if len(strings.Split(subnets, ",")) != 2 {
		t.Fatalf("subnets %q", subnets)
	}
	// Rerun: the gateway and routes now exist.
	for step, k := range kinds(apply(t, env)) {
		if k != steps.EventSkipped {
			t.Fatalf("rerun did %s", step)
		}
	}
}

func TestControlTowerVPCShowsNATCost(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	env, acct := accountEnv(t, sb, true)
	sb.World.Lock()
	vpc := sbec2.From(sb.World).AddVPC(sb.World, acct, sandboxtest.Region, sbec2.VPCOptions{Name: "aws-controltower-VPC", PublicSubnets: 3, PrivateSubnets: 3, InternetGateway: true})
	sb.World.Unlock()
	plan, err := network.New().Plan(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(plan.Notes, "\n")
	if !strings.Contains(notes, vpc) || !strings.Contains(notes, "$32 a month") || plan.MonthlyCost != "free" {
		t.Fatalf("notes %q cost %q", notes, plan.MonthlyCost)
	}
	env.Answers.Network.VPC = vpc
	plan, _ = network.New().Plan(context.Background(), env)
	if !strings.Contains(plan.MonthlyCost, "$32") || plan.Actions[0].Key != "internet-gateway" || !plan.Actions[0].Skip || !plan.Actions[1].Skip {
		t.Fatalf("plan for the Control Tower VPC: %q %+v", plan.MonthlyCost, plan.Actions)
	}
}
