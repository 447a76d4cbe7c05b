package sandbox_test

import (
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeconnections"
	cctypes "github.com/aws/aws-sdk-go-v2/service/codeconnections/types"
	"github.com/aws/aws-sdk-go-v2/service/controltower"
	cttypes "github.com/aws/aws-sdk-go-v2/service/controltower/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/castle-aws/castle/sandbox"
	sbiam "github.com/castle-aws/castle/sandbox/iam"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	sbsts "github.com/castle-aws/castle/sandbox/sts"
	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
	"github.com/castle-aws/castle/steps"
)

// fake is a test service: it answers per operation with a fixed result or error.
type fake struct {
	name    string
	proto   wire.Protocol
	answers map[string]func(r *wire.Request) (any, error)
	routes  map[string]string // "POST /list-landingzones" → operation (REST protocols)
}

func (f *fake) Name() string            { return f.name }
func (f *fake) Protocol() wire.Protocol { return f.proto }
func (f *fake) Handle(w *world.World, r *wire.Request) (any, error) {
	if a, ok := f.answers[r.Operation]; ok {
		return a(r)
	}
	return nil, wire.UnknownOperation(r.Operation)
}
func (f *fake) Route(req *http.Request) (string, map[string]string, bool) {
	path := req.URL.Path
	if f.proto == wire.RestXML && path == "/" {
		path = "/"
	} else if f.proto == wire.RestXML {
		path = "/{bucket}"
	}
	op, ok := f.routes[req.Method+" "+path]
	return op, nil, ok
}

func start(t *testing.T, o sandbox.Options, extra ...world.Service) *sandboxtest.Sandbox {
	o.Services = append([]world.Service{sbsts.New(), sbiam.New()}, extra...)
	return sandboxtest.Start(t, o)
}

func TestJSON11RoundTripAndTypedError(t *testing.T) {
	inOrg := false
	org := &fake{name: "organizations", proto: wire.JSON11, answers: map[string]func(*wire.Request) (any, error){
		"DescribeOrganization": func(r *wire.Request) (any, error) {
			if !inOrg {
				return nil, wire.Errorf(400, "AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
			}
			return map[string]any{"Organization": map[string]any{"Id": "o-abc123", "FeatureSet": "ALL", "MasterAccountId": r.Account}}, nil
		},
	}}
	sb := start(t, sandbox.Options{}, org)
	c := organizations.NewFromConfig(sb.Admin())
	_, err := c.DescribeOrganization(context.Background(), &organizations.DescribeOrganizationInput{})
	var notInUse *orgtypes.AWSOrganizationsNotInUseException
	if !errors.As(err, &notInUse) {
		t.Fatalf("want AWSOrganizationsNotInUseException, got %v", err)
	}
	inOrg = true
	out, err := c.DescribeOrganization(context.Background(), &organizations.DescribeOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Organization.Id) != "o-abc123" || out.Organization.FeatureSet != orgtypes.OrganizationFeatureSetAll || aws.ToString(out.Organization.MasterAccountId) != world.ManagementAccount {
		t.Fatalf("unexpected organization %+v", out.Organization)
	}
}

func TestJSON10TimestampsAndTypedError(t *testing.T) {
	created := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	cc := &fake{name: "codeconnections", proto: wire.JSON10, answers: map[string]func(*wire.Request) (any, error){
		"GetConnection": func(r *wire.Request) (any, error) {
			var in struct{ ConnectionArn string }
			if err := r.DecodeJSON(&in); err != nil {
				return nil, err
			}
			if in.ConnectionArn != "arn:ok" {
				return nil, wire.Errorf(400, "ResourceNotFoundException", "Connection %s not found", in.ConnectionArn)
			}
			return map[string]any{"Connection": map[string]any{"ConnectionArn": in.ConnectionArn, "ConnectionStatus": "PENDING", "ProviderType": "GitHub"}}, nil
		},
		"ListConnections": func(r *wire.Request) (any, error) {
			return map[string]any{"Connections": []any{}, "CreatedAt": wire.Epoch(created)}, nil
		},
	}}
	sb := start(t, sandbox.Options{}, cc)
	c := codeconnections.NewFromConfig(sb.Admin())
	out, err := c.GetConnection(context.Background(), &codeconnections.GetConnectionInput{ConnectionArn: aws.String("arn:ok")})
	if err != nil {
		t.Fatal(err)
	}
	if out.Connection.ConnectionStatus != cctypes.ConnectionStatusPending {
		t.Fatalf("status %q", out.Connection.ConnectionStatus)
	}
	_, err = c.GetConnection(context.Background(), &codeconnections.GetConnectionInput{ConnectionArn: aws.String("arn:missing")})
	var nf *cctypes.ResourceNotFoundException
	if !errors.As(err, &nf) || !strings.Contains(nf.ErrorMessage(), "arn:missing") {
		t.Fatalf("want ResourceNotFoundException, got %v", err)
	}
}

func TestRestJSONRoutingAndTypedError(t *testing.T) {
	ct := &fake{name: "controltower", proto: wire.RestJSON,
		routes: map[string]string{"POST /list-landingzones": "ListLandingZones", "POST /get-landingzone": "GetLandingZone"},
		answers: map[string]func(*wire.Request) (any, error){
			"ListLandingZones": func(r *wire.Request) (any, error) {
				return map[string]any{"landingZones": []any{map[string]any{"arn": "arn:aws:controltower:eu-west-1:111122223333:landingzone/1A2B"}}}, nil
			},
			"GetLandingZone": func(r *wire.Request) (any, error) {
				return nil, wire.Errorf(404, "ResourceNotFoundException", "no landing zone")
			},
		}}
	sb := start(t, sandbox.Options{}, ct)
	c := controltower.NewFromConfig(sb.Admin())
	out, err := c.ListLandingZones(context.Background(), &controltower.ListLandingZonesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.LandingZones) != 1 || !strings.HasSuffix(aws.ToString(out.LandingZones[0].Arn), "/1A2B") {
		t.Fatalf("landing zones %+v", out.LandingZones)
	}
	_, err = c.GetLandingZone(context.Background(), &controltower.GetLandingZoneInput{LandingZoneIdentifier: aws.String("x")})
	var nf *cttypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("want ResourceNotFoundException, got %v", err)
	}
}

func TestQueryProtocolWithRealIAMAndSTS(t *testing.T) {
	sb := start(t, sandbox.Options{})
	ctx := context.Background()
	c := iam.NewFromConfig(sb.Admin())
	_, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("ecsTaskExecutionRole")})
	var nse *iamtypes.NoSuchEntityException
	if !errors.As(err, &nse) {
		t.Fatalf("want NoSuchEntityException, got %v", err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ecsTaskExecutionRole"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ecsTaskExecutionRole"), AssumeRolePolicyDocument: aws.String(trust)})
	var exists *iamtypes.EntityAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Fatalf("want EntityAlreadyExistsException, got %v", err)
	}
	got, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("ecsTaskExecutionRole")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.Role.Arn) != "arn:aws:iam::111122223333:role/ecsTaskExecutionRole" || !strings.Contains(aws.ToString(got.Role.AssumeRolePolicyDocument), "ecs-tasks") {
		t.Fatalf("role %+v", got.Role)
	}
	id, err := sts.NewFromConfig(sb.Root()).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Arn) != world.RootARN || aws.ToString(id.Account) != world.ManagementAccount {
		t.Fatalf("identity %+v", id)
	}
}

func TestEC2QueryListsAndErrorCode(t *testing.T) {
	type vpc struct {
		VpcId     string `xml:"vpcId"`
		IsDefault bool   `xml:"isDefault"`
		CidrBlock string `xml:"cidrBlock"`
		State     string `xml:"state"`
	}
	fakeEC2 := &fake{name: "ec2", proto: wire.EC2Query, answers: map[string]func(*wire.Request) (any, error){
		"DescribeVpcs": func(r *wire.Request) (any, error) {
			filters := r.Structs("Filter")
			if len(filters) != 1 || filters[0]["Name"] != "isDefault" || filters[0]["Value.1"] != "true" {
				return nil, wire.Errorf(400, "InvalidParameterValue", "unexpected filters %v", filters)
			}
			return struct {
				XMLName xml.Name `xml:"x"`
				Vpcs    []vpc    `xml:"vpcSet>item"`
			}{Vpcs: []vpc{{"vpc-1", true, "172.31.0.0/16", "available"}}}, nil
		},
		"CreateRoute": func(r *wire.Request) (any, error) {
			return nil, wire.Errorf(400, "RouteAlreadyExists", "The route identified by 0.0.0.0/0 already exists.")
		},
	}}
	sb := start(t, sandbox.Options{}, fakeEC2)
	c := ec2.NewFromConfig(sb.Admin())
	ctx := context.Background()
	out, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: aws.String("isDefault"), Values: []string{"true"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Vpcs) != 1 || aws.ToString(out.Vpcs[0].VpcId) != "vpc-1" || !aws.ToBool(out.Vpcs[0].IsDefault) {
		t.Fatalf("vpcs %+v", out.Vpcs)
	}
	_, err = c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: aws.String("rtb-1"), DestinationCidrBlock: aws.String("0.0.0.0/0")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "RouteAlreadyExists" {
		t.Fatalf("want RouteAlreadyExists, got %v", err)
	}
}

func TestRestXMLTypedError(t *testing.T) {
	fakeS3 := &fake{name: "s3", proto: wire.RestXML,
		routes: map[string]string{"PUT /{bucket}": "CreateBucket"},
		answers: map[string]func(*wire.Request) (any, error){
			"CreateBucket": func(r *wire.Request) (any, error) {
				if strings.Contains(r.HTTP.URL.Path, "taken") {
					return nil, wire.Errorf(409, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.")
				}
				return wire.Raw{Status: 200, Header: http.Header{"Location": {r.HTTP.URL.Path}}}, nil
			},
		}}
	sb := start(t, sandbox.Options{}, fakeS3)
	c := s3.NewFromConfig(sb.Admin(), func(o *s3.Options) { o.UsePathStyle = true })
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("fresh")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("taken")})
	var owned *s3types.BucketAlreadyOwnedByYou
	if !errors.As(err, &owned) {
		t.Fatalf("want BucketAlreadyOwnedByYou, got %v", err)
	}
}

func TestThrottlingIsRetriedByTheSDK(t *testing.T) {
	sb := start(t, sandbox.Options{Faults: sandbox.Faults{Throttle: 0.3, ServerError: 0.1, Seed: 42}})
	c := sts.NewFromConfig(sb.Admin())
	for i := 0; i < 30; i++ {
		if _, err := c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
}

func TestAlwaysThrottledEndsInAThrottlingError(t *testing.T) {
	sb := start(t, sandbox.Options{Faults: sandbox.Faults{Throttle: 1, Seed: 1}})
	_, err := sts.NewFromConfig(sb.Admin()).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "Throttling" {
		t.Fatalf("want Throttling, got %v", err)
	}
	var ue *steps.UserError
	if !errors.As(steps.Explain(err, nil), &ue) || !strings.Contains(ue.Message, "slow down") {
		t.Fatalf("explained as %v", steps.Explain(err, nil))
	}
}

func TestExpiredAndUnknownKeys(t *testing.T) {
	sb := start(t, sandbox.Options{})
	_, err := sts.NewFromConfig(sb.Expired()).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ExpiredToken" {
		t.Fatalf("want ExpiredToken, got %v", err)
	}
	_, err = sts.NewFromConfig(sb.Config("AKIANOBODY0000000000", "x", "")).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidClientTokenId" {
		t.Fatalf("want InvalidClientTokenId, got %v", err)
	}
}

func TestStateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	trust := `{"Version":"2012-10-17","Statement":[]}`
	sb := start(t, sandbox.Options{StateDir: dir})
	before := sb.Clock().Now()
	if _, err := iam.NewFromConfig(sb.Admin()).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("kept"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	sb.Clock().Advance(2 * time.Hour)
	sb.Close()
	again := start(t, sandbox.Options{StateDir: dir})
	if _, err := iam.NewFromConfig(again.Admin()).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("kept")}); err != nil {
		t.Fatalf("role lost across restart: %v", err)
	}
	if again.Clock().Now().Sub(before) < 2*time.Hour {
		t.Fatalf("virtual clock went back: %v then %v", before, again.Clock().Now())
	}
}

func TestAssumeRoleLandsInTheMemberAccount(t *testing.T) {
	sb := start(t, sandbox.Options{})
	ctx := context.Background()
	sb.World.Lock()
	member := sb.World.NewAccount("workload", "dev+wl@example.com", true)
	sbiam.From(sb.World).PutRole(sb.World, member.ID, "/", "AWSControlTowerExecution",
		`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}`)
	sb.World.Unlock()
	out, err := sts.NewFromConfig(sb.Admin()).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + member.ID + ":role/AWSControlTowerExecution"), RoleSessionName: aws.String("castle")})
	if err != nil {
		t.Fatal(err)
	}
	cfg := sb.Config(aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken))
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Account) != member.ID {
		t.Fatalf("assumed identity in %s, want %s", aws.ToString(id.Account), member.ID)
	}
	_, err = sts.NewFromConfig(sb.Admin()).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + member.ID + ":role/NotThere"), RoleSessionName: aws.String("castle")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		t.Fatalf("want AccessDenied, got %v", err)
	}
}

func TestRegistryKeepsItsAddressAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	first := sandboxtest.Start(t, sandbox.Options{StateDir: dir})
	first.World.Lock()
	addr := first.World.SideAddrs["ecr"]
	first.World.Unlock()
	if addr == "" {
		t.Fatal("the registry's address is not recorded")
	}
	first.Close()
	again := sandboxtest.Start(t, sandbox.Options{StateDir: dir})
	again.World.Lock()
	defer again.World.Unlock()
	if got := again.World.SideAddrs["ecr"]; got != addr {
		t.Fatalf("registry moved from %s to %s: image URIs pushed before the restart break", addr, got)
	}
}
