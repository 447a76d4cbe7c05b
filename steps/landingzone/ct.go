package landingzone

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/controltower"
	cttypes "github.com/aws/aws-sdk-go-v2/service/controltower/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/castle-aws/castle/steps"
)

// homeConfig is the configuration for calls that go to the home region.
func homeConfig(env *steps.Env) aws.Config {
	cfg := env.Config.Copy()
	if r := env.Answers.LandingZone.HomeRegion; r != "" {
		cfg.Region = r
	}
	return cfg
}

func ctClient(env *steps.Env) *controltower.Client {
	return controltower.NewFromConfig(homeConfig(env))
}

// readRoles notes which of the Control Tower roles exist.
func readRoles(ctx context.Context, env *steps.Env, f *Facts) error {
	c := iam.NewFromConfig(env.Config)
	for _, r := range loadRoles() {
		out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(r.Name)})
		var nse *iamtypes.NoSuchEntityException
		switch {
		case err == nil && aws.ToString(out.Role.Path) != RolePath:
			f.BadRoles = append(f.BadRoles, r.Name+" (path "+aws.ToString(out.Role.Path)+")")
			f.Roles[r.Name] = true
		case err == nil:
			f.Roles[r.Name] = true
		case errors.As(err, &nse):
		default:
			return explain(err, env)
		}
	}
	return nil
}

// readLandingZone fills the landing zone, its operation in flight and the
// Sandbox OU's registration.
func readLandingZone(ctx context.Context, env *steps.Env, f *Facts) error {
	c := ctClient(env)
	list, err := c.ListLandingZones(ctx, &controltower.ListLandingZonesInput{})
	if err != nil {
		return explain(err, env)
	}
	if len(list.LandingZones) == 0 {
		return nil
	}
	arn := aws.ToString(list.LandingZones[0].Arn)
	out, err := c.GetLandingZone(ctx, &controltower.GetLandingZoneInput{LandingZoneIdentifier: aws.String(arn)})
	if err != nil {
		return explain(err, env)
	}
	d := out.LandingZone
	lz := &LandingZone{ARN: arn, Status: string(d.Status), Version: aws.ToString(d.Version), Latest: aws.ToString(d.LatestAvailableVersion)}
	if d.DriftStatus != nil {
		lz.Drift = string(d.DriftStatus.Status)
	}
	if parts := strings.SplitN(arn, ":", 6); len(parts) == 6 {
		lz.HomeRegion = parts[3]
	}
	if d.Manifest != nil {
		var m struct {
			GovernedRegions    []string `json:"governedRegions"`
			CentralizedLogging struct {
				AccountID string `json:"accountId"`
			} `json:"centralizedLogging"`
			SecurityRoles struct {
				AccountID string `json:"accountId"`
			} `json:"securityRoles"`
		}
		if err := d.Manifest.UnmarshalSmithyDocument(&m); err == nil {
			lz.Governed, lz.LogAccount, lz.AuditAccount = m.GovernedRegions, m.CentralizedLogging.AccountID, m.SecurityRoles.AccountID
		}
	}
	f.LZ = lz
	if lz.Status == string(cttypes.LandingZoneStatusProcessing) {
		ops, err := c.ListLandingZoneOperations(ctx, &controltower.ListLandingZoneOperationsInput{
			Filter: &cttypes.LandingZoneOperationFilter{Statuses: []cttypes.LandingZoneOperationStatus{cttypes.LandingZoneOperationStatusInProgress}}})
		if err != nil {
			return explain(err, env)
		}
		for _, o := range ops.LandingZoneOperations {
			if op, err := lzOperation(ctx, env, aws.ToString(o.OperationIdentifier)); err == nil && op.Status == string(cttypes.LandingZoneOperationStatusInProgress) {
				f.LZOp = &op
			}
		}
	}
	return nil
}

// lzOperation reads a landing-zone operation as a steps.Operation.
func lzOperation(ctx context.Context, env *steps.Env, id string) (steps.Operation, error) {
	out, err := ctClient(env).GetLandingZoneOperation(ctx, &controltower.GetLandingZoneOperationInput{OperationIdentifier: aws.String(id)})
	if err != nil {
		return steps.Operation{}, err
	}
	d := out.OperationDetails
	op := steps.Operation{Key: stepLandingZone, Name: "Setting up the landing zone", ID: id, Expected: LandingZoneExpected, Status: string(d.Status)}
	if d.StartTime != nil {
		op.StartedAt = *d.StartTime
	}
	return op, nil
}

// readRegistration checks AWSControlTowerBaseline on the Sandbox OU.
func readRegistration(ctx context.Context, env *steps.Env, f *Facts, sandboxOU string) error {
	ou, ok := f.OUs[sandboxOU]
	if !ok || f.LZ == nil || f.LZ.Status != string(cttypes.LandingZoneStatusActive) {
		return nil
	}
	out, err := ctClient(env).ListEnabledBaselines(ctx, &controltower.ListEnabledBaselinesInput{
		Filter: &cttypes.EnabledBaselineFilter{TargetIdentifiers: []string{ou.ARN}}})
	if err != nil {
		return explain(err, env)
	}
	for _, eb := range out.EnabledBaselines {
		if !strings.HasSuffix(aws.ToString(eb.BaselineIdentifier), "/"+ControlTowerBaselineID) || eb.StatusSummary == nil {
			continue
		}
		switch eb.StatusSummary.Status {
		case cttypes.EnablementStatusSucceeded:
			f.SandboxRegistered = true
		case cttypes.EnablementStatusUnderChange:
			id := aws.ToString(eb.StatusSummary.LastOperationIdentifier)
			if op, err := baselineOperation(ctx, env, id); err == nil {
				f.RegisterOp = &op
			}
		}
	}
	return nil
}

// ControlTowerBaselineID is the id of AWSControlTowerBaseline (the end of its ARN).
const ControlTowerBaselineID = "17BSJV3IGJ2QSGA2"

func baselineOperation(ctx context.Context, env *steps.Env, id string) (steps.Operation, error) {
	out, err := ctClient(env).GetBaselineOperation(ctx, &controltower.GetBaselineOperationInput{OperationIdentifier: aws.String(id)})
	if err != nil {
		return steps.Operation{}, err
	}
	d := out.BaselineOperation
	op := steps.Operation{Key: stepRegister, Name: "Registering the Sandbox OU", ID: id, Expected: BaselineExpected, Status: string(d.Status)}
	if d.StartTime != nil {
		op.StartedAt = *d.StartTime
	}
	return op, nil
}

// readPortal finds the access portal of Identity Center.
func readPortal(ctx context.Context, env *steps.Env, f *Facts) {
	out, err := ssoadmin.NewFromConfig(homeConfig(env)).ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil || len(out.Instances) == 0 {
		return
	}
	if id := aws.ToString(out.Instances[0].IdentityStoreId); id != "" {
		f.PortalURL = "https://" + id + ".awsapps.com/start"
	}
}
