package pipeline

import (
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	cbtypes "github.com/aws/aws-sdk-go-v2/service/codebuild/types"
	"github.com/aws/aws-sdk-go-v2/service/codepipeline"
	cptypes "github.com/aws/aws-sdk-go-v2/service/codepipeline/types"
)

// buildEnv is the build machine for the service's architecture.
func buildEnv(in inputs) (cbtypes.EnvironmentType, string) {
	if in.Architecture == "ARM64" {
		return cbtypes.EnvironmentTypeArmContainer, "aws/codebuild/amazonlinux-aarch64-standard:3.0"
	}
	return cbtypes.EnvironmentTypeLinuxContainer, "aws/codebuild/amazonlinux-x86_64-standard:5.0"
}

func buildVars(in inputs) map[string]string {
	return map[string]string{"REPOSITORY_URI": in.RepositoryURI, "CONTAINER_NAME": in.Container, "PLATFORM": in.Platform()}
}

func projectInput(in inputs) *codebuild.CreateProjectInput {
	typ, image := buildEnv(in)
	var vars []cbtypes.EnvironmentVariable
	for _, k := range []string{"REPOSITORY_URI", "CONTAINER_NAME", "PLATFORM"} {
		vars = append(vars, cbtypes.EnvironmentVariable{Name: aws.String(k), Value: aws.String(buildVars(in)[k]), Type: cbtypes.EnvironmentVariableTypePlaintext})
	}
	return &codebuild.CreateProjectInput{
		Name:        aws.String(in.Project),
		Description: aws.String("Builds " + in.GitHubRepository + " into " + in.RepositoryName + " (made by castle)"),
		Source:      &cbtypes.ProjectSource{Type: cbtypes.SourceTypeCodepipeline, Buildspec: aws.String(Buildspec())},
		Artifacts:   &cbtypes.ProjectArtifacts{Type: cbtypes.ArtifactsTypeCodepipeline},
		Environment: &cbtypes.ProjectEnvironment{
			Type: typ, Image: aws.String(image), ComputeType: cbtypes.ComputeTypeBuildGeneral1Small,
			PrivilegedMode: aws.Bool(true), EnvironmentVariables: vars,
		},
		ServiceRole:      aws.String(in.roleArn(in.BuildRole)),
		TimeoutInMinutes: aws.Int32(30),
	}
}

func projectJSON(in inputs) string {
	typ, image := buildEnv(in)
	var vars []map[string]string
	for _, k := range []string{"REPOSITORY_URI", "CONTAINER_NAME", "PLATFORM"} {
		vars = append(vars, map[string]string{"name": k, "value": buildVars(in)[k], "type": "PLAINTEXT"})
	}
	return compact(map[string]any{
		"name": in.Project, "source": map[string]any{"type": "CODEPIPELINE", "buildspec": "(the buildspec below)"},
		"artifacts": map[string]any{"type": "CODEPIPELINE"},
		"environment": map[string]any{"type": typ, "image": image, "computeType": "BUILD_GENERAL1_SMALL",
			"privilegedMode": true, "environmentVariables": vars},
		"serviceRole": in.roleArn(in.BuildRole), "timeoutInMinutes": 30,
	})
}

type actionSpec struct {
	stage, name, category, provider string
	config                          map[string]string
	input, output                   string
}

func actionSpecs(in inputs) []actionSpec {
	return []actionSpec{
		{"Source", "GitHub", "Source", "CodeStarSourceConnection", map[string]string{
			"ConnectionArn": in.ConnectionArn, "FullRepositoryId": in.GitHubRepository,
			"BranchName": in.Branch, "OutputArtifactFormat": "CODE_ZIP", "DetectChanges": "true"}, "", "SourceOutput"},
		{"Build", "Build", "Build", "CodeBuild", map[string]string{"ProjectName": in.Project}, "SourceOutput", "BuildOutput"},
		{"Deploy", "Deploy", "Deploy", "ECS", map[string]string{
			"ClusterName": in.Cluster, "ServiceName": in.Service, "FileName": "imagedefinitions.json", "DeploymentTimeout": "15"}, "BuildOutput", ""},
	}
}

func pipelineDecl(in inputs) *cptypes.PipelineDeclaration {
	d := &cptypes.PipelineDeclaration{
		Name:          aws.String(in.Pipeline),
		RoleArn:       aws.String(in.roleArn(in.PipelineRole)),
		PipelineType:  cptypes.PipelineTypeV2,
		ExecutionMode: cptypes.ExecutionModeSuperseded,
		ArtifactStore: &cptypes.ArtifactStore{Type: cptypes.ArtifactStoreTypeS3, Location: aws.String(in.Bucket)},
		Triggers: []cptypes.PipelineTriggerDeclaration{{
			ProviderType: cptypes.PipelineTriggerProviderTypeCodeStarSourceConnection,
			GitConfiguration: &cptypes.GitConfiguration{SourceActionName: aws.String("GitHub"),
				Push: []cptypes.GitPushFilter{{Branches: &cptypes.GitBranchFilterCriteria{Includes: []string{in.Branch}}}}},
		}},
	}
	for _, a := range actionSpecs(in) {
		act := cptypes.ActionDeclaration{
			Name: aws.String(a.name), RunOrder: aws.Int32(1), Configuration: a.config,
			ActionTypeId: &cptypes.ActionTypeId{Category: cptypes.ActionCategory(a.category), Owner: cptypes.ActionOwnerAws, Provider: aws.String(a.provider), Version: aws.String("1")},
		}
		if a.input != "" {
			act.InputArtifacts = []cptypes.InputArtifact{{Name: aws.String(a.input)}}
		}
		if a.output != "" {
			act.OutputArtifacts = []cptypes.OutputArtifact{{Name: aws.String(a.output)}}
		}
		d.Stages = append(d.Stages, cptypes.StageDeclaration{Name: aws.String(a.stage), Actions: []cptypes.ActionDeclaration{act}})
	}
	return d
}

func pipelineInput(in inputs) *codepipeline.CreatePipelineInput {
	return &codepipeline.CreatePipelineInput{Pipeline: pipelineDecl(in)}
}

func pipelineJSON(in inputs) string {
	var stages []any
	for _, a := range actionSpecs(in) {
		act := map[string]any{"name": a.name, "runOrder": 1, "configuration": a.config,
			"actionTypeId": map[string]string{"category": a.category, "owner": "AWS", "provider": a.provider, "version": "1"}}
		if a.input != "" {
			act["inputArtifacts"] = []any{map[string]string{"name": a.input}}
		}
		if a.output != "" {
			act["outputArtifacts"] = []any{map[string]string{"name": a.output}}
		}
		stages = append(stages, map[string]any{"name": a.stage, "actions": []any{act}})
	}
	return compact(map[string]any{"pipeline": map[string]any{
		"name": in.Pipeline, "roleArn": in.roleArn(in.PipelineRole), "pipelineType": "V2", "executionMode": "SUPERSEDED",
		"artifactStore": map[string]string{"type": "S3", "location": in.Bucket}, "stages": stages,
		"triggers": []any{map[string]any{"providerType": "CodeStarSourceConnection", "gitConfiguration": map[string]any{
			"sourceActionName": "GitHub", "push": []any{map[string]any{"branches": map[string]any{"includes": []string{in.Branch}}}}}}},
	}})
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
