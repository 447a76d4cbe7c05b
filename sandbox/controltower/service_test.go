package controltower_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/controltower"
	"github.com/aws/aws-sdk-go-v2/service/controltower/document"
	cttypes "github.com/aws/aws-sdk-go-v2/service/controltower/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/castle-aws/castle/sandbox"
	sbct "github.com/castle-aws/castle/sandbox/controltower"
	sbiam "github.com/castle-aws/castle/sandbox/iam"
	"github.com/castle-aws/castle/sandbox/identitystore"
	sborg "github.com/castle-aws/castle/sandbox/organizations"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/sandbox/ssoadmin"
	"github.com/castle-aws/castle/sandbox/sts"
	"github.com/castle-aws/castle/sandbox/world"
)

type fixture struct {
	sb              *sandboxtest.Sandbox
	ct              *controltower.Client
	org             *organizations.Client
	log, audit      string
	securityOU      string
	sandboxOUArn    string
	securityOUArn   string
	rootID          string
	ctx             context.Context
	managementEmail string
}

func setup(t *testing.T) *fixture {
	ctx := context.Background()
	sb := sandboxtest.Start(t, sandbox.Options{Speed: 1, Services: []world.Service{sts.New(), sbiam.New(), sborg.New(), sbct.New(), ssoadmin.New(), identitystore.New()}})
	f := &fixture{sb: sb, ct: controltower.NewFromConfig(sb.Admin()), org: organizations.NewFromConfig(sb.Admin()), ctx: ctx}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	must(err)
	roots, err := f.org.ListRoots(ctx, &organizations.ListRootsInput{})
	must(err)
	f.rootID = aws.ToString(roots.Roots[0].Id)
	sec, err := f.org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(f.rootID), Name: aws.String("Security")})
	must(err)
	sbx, err := f.org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(f.rootID), Name: aws.String("Sandbox")})
	must(err)
	f.securityOU, f.securityOUArn, f.sandboxOUArn = aws.ToString(sec.OrganizationalUnit.Id), aws.ToString(sec.OrganizationalUnit.Arn), aws.ToString(sbx.OrganizationalUnit.Arn)
	var ids []string
	for _, e := range []string{"me+log@example.com", "me+audit@example.com"} {
		ca, err := f.org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(e), Email: aws.String(e)})
		must(err)
		ids = append(ids, aws.ToString(ca.CreateAccountStatus.Id))
	}
	sb.Clock().Advance(sborg.CreateDuration + time.Second)
	var accts []string
	for _, id := range ids {
		st, err := f.org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String(id)})
		must(err)
		accts = append(accts, aws.ToString(st.CreateAccountStatus.AccountId))
	}
	f.log, f.audit = accts[0], accts[1]
	return f
}

func (f *fixture) moveShared(t *testing.T) {
	for _, a := range []string{f.log, f.audit} {
		if _, err := f.org.MoveAccount(f.ctx, &organizations.MoveAccountInput{AccountId: aws.String(a), SourceParentId: aws.String(f.rootID), DestinationParentId: aws.String(f.securityOU)}); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) roles(t *testing.T) {
	c := iam.NewFromConfig(f.sb.Admin())
	for _, r := range sbct.RequiredRoles {
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + r.Service + `"},"Action":"sts:AssumeRole"}]}`
		if _, err := c.CreateRole(f.ctx, &iam.CreateRoleInput{RoleName: aws.String(r.Name), Path: aws.String("/service-role/"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) manifest() document.Interface {
	logs := map[string]any{"loggingBucket": map[string]any{"retentionDays": 365}, "accessLoggingBucket": map[string]any{"retentionDays": 365}}
	return document.NewLazyDocument(map[string]any{
		"governedRegions":    []string{"eu-west-1"},
		"accessManagement":   map[string]any{"enabled": true},
		"centralizedLogging": map[string]any{"enabled": true, "accountId": f.log, "configurations": logs},
		"config":             map[string]any{"enabled": true, "accountId": f.audit, "configurations": logs},
		"securityRoles":      map[string]any{"enabled": true, "accountId": f.audit},
	})
}

func TestLandingZoneChecksThenRunsAnHour(t *testing.T) {
	f := setup(t)
	ctx := f.ctx
	create := func(version string, m document.Interface) (*controltower.CreateLandingZoneOutput, error) {
		return f.ct.CreateLandingZone(ctx, &controltower.CreateLandingZoneInput{Version: aws.String(version), Manifest: m})
	}
	var ve *cttypes.ValidationException
	// Accounts still at the root.
	if _, err := create("4.0", f.manifest()); !errors.As(err, &ve) || !strings.Contains(ve.ErrorMessage(), "organizational unit") {
		t.Fatalf("shared accounts at the root: want ValidationException, got %v", err)
	}
	f.moveShared(t)
	var denied *cttypes.AccessDeniedException
	if _, err := create("4.0", f.manifest()); !errors.As(err, &denied) || !strings.Contains(denied.ErrorMessage(), "service-role/AWSControlTowerAdmin") {
		t.Fatalf("missing roles: want AccessDeniedException naming the role, got %v", err)
	}
	f.roles(t)
	if _, err := create("3.3", f.manifest()); !errors.As(err, &ve) || !strings.Contains(ve.ErrorMessage(), "latest available version, 4.0") {
		t.Fatalf("old version: want ValidationException, got %v", err)
	}
	bad := document.NewLazyDocument(map[string]any{"organizationStructure": map[string]any{}, "securityRoles": map[string]any{"enabled": true, "accountId": f.audit}})
	if _, err := create("4.0", bad); !errors.As(err, &ve) {
		t.Fatalf("3.x manifest on 4.0: want ValidationException, got %v", err)
	}
	stranger := document.NewLazyDocument(map[string]any{"securityRoles": map[string]any{"enabled": true, "accountId": "123456789012"}})
	if _, err := create("4.0", stranger); !errors.As(err, &ve) || !strings.Contains(ve.ErrorMessage(), "not a member") {
		t.Fatalf("unknown account: want ValidationException, got %v", err)
	}
	out, err := create("4.0", f.manifest())
	if err != nil {
		t.Fatal(err)
	}
	var conflict *cttypes.ConflictException
	if _, err := create("4.0", f.manifest()); !errors.As(err, &conflict) {
		t.Fatalf("second landing zone: want ConflictException, got %v", err)
	}
	op, err := f.ct.GetLandingZoneOperation(ctx, &controltower.GetLandingZoneOperationInput{OperationIdentifier: out.OperationIdentifier})
	if err != nil || op.OperationDetails.Status != cttypes.LandingZoneOperationStatusInProgress || op.OperationDetails.StartTime == nil {
		t.Fatalf("operation %+v %v", op, err)
	}
	f.sb.Clock().Advance(30 * time.Minute)
	lz, err := f.ct.GetLandingZone(ctx, &controltower.GetLandingZoneInput{LandingZoneIdentifier: out.Arn})
	if err != nil || lz.LandingZone.Status != cttypes.LandingZoneStatusProcessing {
		t.Fatalf("half-way: %+v %v", lz, err)
	}
	_, err = f.ct.EnableBaseline(ctx, &controltower.EnableBaselineInput{BaselineIdentifier: aws.String("arn:aws:controltower:eu-west-1::baseline/" + sbct.ControlTowerBaselineID), BaselineVersion: aws.String("5.0"), TargetIdentifier: aws.String(f.sandboxOUArn)})
	if !errors.As(err, &ve) {
		t.Fatalf("baseline before the landing zone is active: want ValidationException, got %v", err)
	}
	f.sb.Clock().Advance(31 * time.Minute)
	op, err = f.ct.GetLandingZoneOperation(ctx, &controltower.GetLandingZoneOperationInput{OperationIdentifier: out.OperationIdentifier})
	if err != nil || op.OperationDetails.Status != cttypes.LandingZoneOperationStatusSucceeded || op.OperationDetails.EndTime == nil {
		t.Fatalf("operation after an hour %+v %v", op.OperationDetails, err)
	}
	lz, err = f.ct.GetLandingZone(ctx, &controltower.GetLandingZoneInput{LandingZoneIdentifier: out.Arn})
	if err != nil || lz.LandingZone.Status != cttypes.LandingZoneStatusActive || aws.ToString(lz.LandingZone.LatestAvailableVersion) != "4.0" {
		t.Fatalf("landing zone %+v %v", lz, err)
	}
	f.sb.World.Lock()
	_, _, idc := ssoadmin.From(f.sb.World).Instance()
	f.sb.World.Unlock()
	if !idc {
		t.Fatal("Identity Center was not enabled with the landing zone")
	}

	// Register the Sandbox OU: the Identity Center baseline must be passed.
	bl, err := f.ct.ListBaselines(ctx, &controltower.ListBaselinesInput{})
	if err != nil || len(bl.Baselines) < 2 {
		t.Fatalf("baselines %v %v", bl, err)
	}
	ctb := "arn:aws:controltower:eu-west-1::baseline/" + sbct.ControlTowerBaselineID
	enabled, err := f.ct.ListEnabledBaselines(ctx, &controltower.ListEnabledBaselinesInput{Filter: &cttypes.EnabledBaselineFilter{BaselineIdentifiers: []string{"arn:aws:controltower:eu-west-1::baseline/" + sbct.IdentityCenterBaselineID}}})
	if err != nil || len(enabled.EnabledBaselines) != 1 {
		t.Fatalf("identity center baseline %v %v", enabled, err)
	}
	enable := func(params []cttypes.EnabledBaselineParameter) (*controltower.EnableBaselineOutput, error) {
		return f.ct.EnableBaseline(ctx, &controltower.EnableBaselineInput{BaselineIdentifier: aws.String(ctb), BaselineVersion: aws.String("5.0"), TargetIdentifier: aws.String(f.sandboxOUArn), Parameters: params})
	}
	if _, err := enable(nil); !errors.As(err, &ve) {
		t.Fatalf("without the Identity Center parameter: want ValidationException, got %v", err)
	}
	eo, err := enable([]cttypes.EnabledBaselineParameter{{Key: aws.String("IdentityCenterEnabledBaselineArn"), Value: document.NewLazyDocument(aws.ToString(enabled.EnabledBaselines[0].Arn))}})
	if err != nil {
		t.Fatal(err)
	}
	f.sb.Clock().Advance(sbct.BaselineDuration + time.Second)
	bo, err := f.ct.GetBaselineOperation(ctx, &controltower.GetBaselineOperationInput{OperationIdentifier: eo.OperationIdentifier})
	if err != nil || bo.BaselineOperation.Status != cttypes.BaselineOperationStatusSucceeded {
		t.Fatalf("baseline operation %+v %v", bo, err)
	}
	f.sb.World.Lock()
	registered := sbct.From(f.sb.World).OURegistered(f.sandboxOUArn[strings.LastIndexByte(f.sandboxOUArn, '/')+1:])
	f.sb.World.Unlock()
	if !registered {
		t.Fatal("Sandbox OU not registered")
	}
}
