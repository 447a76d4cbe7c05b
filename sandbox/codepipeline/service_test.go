package codepipeline_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	cbtypes "github.com/aws/aws-sdk-go-v2/service/codebuild/types"
	"github.com/aws/aws-sdk-go-v2/service/codeconnections"
	cctypes "github.com/aws/aws-sdk-go-v2/service/codeconnections/types"
	"github.com/aws/aws-sdk-go-v2/service/codepipeline"
	cptypes "github.com/aws/aws-sdk-go-v2/service/codepipeline/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/castle-aws/castle/sandbox"
	sbcb "github.com/castle-aws/castle/sandbox/codebuild"
	sbcc "github.com/castle-aws/castle/sandbox/codeconnections"
	sbcp "github.com/castle-aws/castle/sandbox/codepipeline"
	sbiam "github.com/castle-aws/castle/sandbox/iam"
	sbs3 "github.com/castle-aws/castle/sandbox/s3"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	sbsts "github.com/castle-aws/castle/sandbox/sts"
	"github.com/castle-aws/castle/sandbox/world"
)

func start(t *testing.T, dir string, autoApprove bool) *sandboxtest.Sandbox {
	return sandboxtest.Start(t, sandbox.Options{StateDir: dir, Speed: 1, Services: []world.Service{
		sbsts.New(), sbiam.New(), sbs3.New(), sbcb.New(), sbcp.New(), sbcc.New(autoApprove)}})
}

func post(t *testing.T, sb *sandboxtest.Sandbox, path string) {
	t.Helper()
	res, err := http.Post(sb.URL+"/_sandbox/"+path, "text/plain", nil)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("control %s: %v %v", path, err, res)
	}
	res.Body.Close()
}

// setup makes what a pipeline needs: an approved connection, a bucket, a
// role and a project, with the role old enough to be assumed.
func setup(t *testing.T, sb *sandboxtest.Sandbox) (connArn, roleArn string) {
	t.Helper()
	ctx := context.Background()
	cfg := sb.Admin()
	conn, err := codeconnections.NewFromConfig(cfg).CreateConnection(ctx, &codeconnections.CreateConnectionInput{ConnectionName: aws.String("gh"), ProviderType: cctypes.ProviderTypeGithub})
	if err != nil {
		t.Fatal(err)
	}
	post(t, sb, "codeconnections/approve?arn="+aws.ToString(conn.ConnectionArn))
	_, err = s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("artifacts-1"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "eu-west-1"}})
	if err != nil {
		t.Fatal(err)
	}
	role, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("svc"), AssumeRolePolicyDocument: aws.String(`{"Statement":[]}`)})
	if err != nil {
		t.Fatal(err)
	}
	roleArn = aws.ToString(role.Role.Arn)
	cb := codebuild.NewFromConfig(cfg)
	in := &codebuild.CreateProjectInput{Name: aws.String("app-build"), ServiceRole: &roleArn,
		Source:    &cbtypes.ProjectSource{Type: cbtypes.SourceTypeCodepipeline},
		Artifacts: &cbtypes.ProjectArtifacts{Type: cbtypes.ArtifactsTypeCodepipeline},
		Environment: &cbtypes.ProjectEnvironment{Type: cbtypes.EnvironmentTypeLinuxContainer, Image: aws.String("aws/codebuild/amazonlinux-x86_64-standard:5.0"),
			ComputeType: cbtypes.ComputeTypeBuildGeneral1Small, PrivilegedMode: aws.Bool(true),
			EnvironmentVariables: []cbtypes.EnvironmentVariable{{Name: aws.String("REPOSITORY_URI"), Value: aws.String("host/app")}, {Name: aws.String("CONTAINER_NAME"), Value: aws.String("web")}}}}
	_, err = cb.CreateProject(ctx, in)
	var invalid *cbtypes.InvalidInputException
	if !errors.As(err, &invalid) || !strings.Contains(invalid.ErrorMessage(), "sts:AssumeRole") {
		t.Fatalf("CreateProject with a brand-new role: %v", err)
	}
	sb.Clock().Advance(sbcb.RoleSettleTime)
	if _, err := cb.CreateProject(ctx, in); err != nil {
		t.Fatal(err)
	}
	var exists *cbtypes.ResourceAlreadyExistsException
	if _, err := cb.CreateProject(ctx, in); !errors.As(err, &exists) {
		t.Fatalf("second CreateProject: %v", err)
	}
	got, err := cb.BatchGetProjects(ctx, &codebuild.BatchGetProjectsInput{Names: []string{"app-build", "nope"}})
	if err != nil || len(got.Projects) != 1 || !aws.ToBool(got.Projects[0].Environment.PrivilegedMode) || len(got.ProjectsNotFound) != 1 {
		t.Fatalf("BatchGetProjects: %v %+v", err, got)
	}
	return aws.ToString(conn.ConnectionArn), roleArn
}

func declaration(connArn, roleArn string) *cptypes.PipelineDeclaration {
	act := func(cat, provider string, cfg map[string]string) []cptypes.ActionDeclaration {
		return []cptypes.ActionDeclaration{{Name: aws.String(cat), Configuration: cfg,
			ActionTypeId: &cptypes.ActionTypeId{Category: cptypes.ActionCategory(cat), Owner: cptypes.ActionOwnerAws, Provider: aws.String(provider), Version: aws.String("1")}}}
	}
	return &cptypes.PipelineDeclaration{Name: aws.String("app"), RoleArn: &roleArn, PipelineType: cptypes.PipelineTypeV2,
		ArtifactStore: &cptypes.ArtifactStore{Type: cptypes.ArtifactStoreTypeS3, Location: aws.String("artifacts-1")},
		Stages: []cptypes.StageDeclaration{
			{Name: aws.String("Source"), Actions: act("Source", "CodeStarSourceConnection", map[string]string{"ConnectionArn": connArn, "FullRepositoryId": "o/r", "BranchName": "main"})},
			{Name: aws.String("Build"), Actions: act("Build", "CodeBuild", map[string]string{"ProjectName": "app-build"})},
		}}
}

func TestExecutionMovesOnTheVirtualClockAndFailsWithDetails(t *testing.T) {
	sb := start(t, "", false)
	ctx := context.Background()
	connArn, roleArn := setup(t, sb)
	cp := codepipeline.NewFromConfig(sb.Admin())
	if _, err := cp.CreatePipeline(ctx, &codepipeline.CreatePipelineInput{Pipeline: declaration(connArn, roleArn)}); err != nil {
		t.Fatal(err)
	}
	var inUse *cptypes.PipelineNameInUseException
	if _, err := cp.CreatePipeline(ctx, &codepipeline.CreatePipelineInput{Pipeline: declaration(connArn, roleArn)}); !errors.As(err, &inUse) {
		t.Fatalf("second CreatePipeline: %v", err)
	}
	list, err := cp.ListPipelineExecutions(ctx, &codepipeline.ListPipelineExecutionsInput{PipelineName: aws.String("app")})
	if err != nil || len(list.PipelineExecutionSummaries) != 1 || list.PipelineExecutionSummaries[0].Trigger.TriggerType != cptypes.TriggerTypeCreatePipeline {
		t.Fatalf("a new pipeline must start running at once: %v %+v", err, list)
	}
	first := list.PipelineExecutionSummaries[0].PipelineExecutionId
	state := func() *codepipeline.GetPipelineStateOutput {
		out, err := cp.GetPipelineState(ctx, &codepipeline.GetPipelineStateInput{Name: aws.String("app")})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if s := state().StageStates[0].ActionStates[0].LatestExecution.Status; s != cptypes.ActionExecutionStatusInProgress {
		t.Fatalf("source at start: %s", s)
	}
	sb.Clock().Advance(30 * time.Second)
	st := state()
	if st.StageStates[0].LatestExecution.Status != cptypes.StageExecutionStatusSucceeded || st.StageStates[1].ActionStates[0].LatestExecution.Status != cptypes.ActionExecutionStatusInProgress {
		t.Fatalf("after 30 s: %+v", st.StageStates)
	}
	sb.Clock().Advance(5 * time.Minute)
	ex, err := cp.GetPipelineExecution(ctx, &codepipeline.GetPipelineExecutionInput{PipelineName: aws.String("app"), PipelineExecutionId: first})
	if err != nil || ex.PipelineExecution.Status != cptypes.PipelineExecutionStatusSucceeded || len(ex.PipelineExecution.ArtifactRevisions) != 1 {
		t.Fatalf("first execution: %v %+v", err, ex)
	}

	post(t, sb, "codebuild/fail-next-build?project=app-build")
	start, err := cp.StartPipelineExecution(ctx, &codepipeline.StartPipelineExecutionInput{Name: aws.String("app"), ClientRequestToken: aws.String("tok-1")})
	if err != nil {
		t.Fatal(err)
	}
	again, err := cp.StartPipelineExecution(ctx, &codepipeline.StartPipelineExecutionInput{Name: aws.String("app"), ClientRequestToken: aws.String("tok-1")})
	if err != nil || aws.ToString(again.PipelineExecutionId) != aws.ToString(start.PipelineExecutionId) {
		t.Fatalf("the same client token must not start a second execution: %v", err)
	}
	sb.Clock().Advance(10 * time.Minute)
	ex, err = cp.GetPipelineExecution(ctx, &codepipeline.GetPipelineExecutionInput{PipelineName: aws.String("app"), PipelineExecutionId: start.PipelineExecutionId})
	if err != nil || ex.PipelineExecution.Status != cptypes.PipelineExecutionStatusFailed {
		t.Fatalf("execution after a failing build: %v %+v", err, ex)
	}
	build := state().StageStates[1].ActionStates[0].LatestExecution
	if build.Status != cptypes.ActionExecutionStatusFailed || build.ErrorDetails == nil || !strings.Contains(aws.ToString(build.ErrorDetails.Message), "COMMAND_EXECUTION_ERROR") ||
		!strings.Contains(aws.ToString(build.ExternalExecutionUrl), "/codebuild/projects/app-build/build/") {
		t.Fatalf("failed build action: %+v %+v", build, build.ErrorDetails)
	}
	// A push starts a new execution, as the git trigger does.
	post(t, sb, "codepipeline/push?pipeline=app")
	list, err = cp.ListPipelineExecutions(ctx, &codepipeline.ListPipelineExecutionsInput{PipelineName: aws.String("app")})
	if err != nil || len(list.PipelineExecutionSummaries) != 3 || list.PipelineExecutionSummaries[0].Trigger.TriggerType != cptypes.TriggerTypeWebhookV2 {
		t.Fatalf("after a push: %v %+v", err, list)
	}
	var nf *cptypes.PipelineNotFoundException
	if _, err := cp.GetPipelineState(ctx, &codepipeline.GetPipelineStateInput{Name: aws.String("nope")}); !errors.As(err, &nf) {
		t.Fatalf("missing pipeline: %v", err)
	}
}

func TestYoungRoleAndBadStructureRefused(t *testing.T) {
	sb := start(t, t.TempDir(), false)
	ctx := context.Background()
	connArn, _ := setup(t, sb)
	role, err := iam.NewFromConfig(sb.Admin()).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("fresh"), AssumeRolePolicyDocument: aws.String(`{"Statement":[]}`)})
	if err != nil {
		t.Fatal(err)
	}
	cp := codepipeline.NewFromConfig(sb.Admin())
	_, err = cp.CreatePipeline(ctx, &codepipeline.CreatePipelineInput{Pipeline: declaration(connArn, aws.ToString(role.Role.Arn))})
	var bad *cptypes.InvalidStructureException
	if !errors.As(err, &bad) || !strings.Contains(bad.ErrorMessage(), "AssumeRole") {
		t.Fatalf("a role just created: %v", err)
	}
	sb.Clock().Advance(sbcp.RoleSettleTime)
	d := declaration(connArn, aws.ToString(role.Role.Arn))
	d.Stages = d.Stages[:1]
	if _, err := cp.CreatePipeline(ctx, &codepipeline.CreatePipelineInput{Pipeline: d}); !errors.As(err, &bad) {
		t.Fatalf("one stage: %v", err)
	}
	if _, err := cp.CreatePipeline(ctx, &codepipeline.CreatePipelineInput{Pipeline: declaration(connArn, aws.ToString(role.Role.Arn))}); err != nil {
		t.Fatal(err)
	}
	// The pipeline and its running execution survive a sandbox restart.
	sb.Close()
	sb2 := start(t, sb.World.Dir(), false)
	sb2.Clock().Advance(10 * time.Minute)
	cp2 := codepipeline.NewFromConfig(sb2.Admin())
	list, err := cp2.ListPipelineExecutions(ctx, &codepipeline.ListPipelineExecutionsInput{PipelineName: aws.String("app")})
	if err != nil || len(list.PipelineExecutionSummaries) != 1 || list.PipelineExecutionSummaries[0].Status != cptypes.PipelineExecutionStatusSucceeded {
		t.Fatalf("after restart: %v %+v", err, list)
	}
}
