package pipeline

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	cbtypes "github.com/aws/aws-sdk-go-v2/service/codebuild/types"
	cptypes "github.com/aws/aws-sdk-go-v2/service/codepipeline/types"
)

// projectMatches reports whether an existing project builds what the
// answers and earlier sections say.
func projectMatches(p cbtypes.Project, in inputs) bool {
	want := projectInput(in)
	env := p.Environment
	if env == nil || aws.ToString(p.ServiceRole) != aws.ToString(want.ServiceRole) ||
		env.Type != want.Environment.Type || aws.ToString(env.Image) != aws.ToString(want.Environment.Image) || !aws.ToBool(env.PrivilegedMode) {
		return false
	}
	got := map[string]string{}
	for _, v := range env.EnvironmentVariables {
		got[aws.ToString(v.Name)] = aws.ToString(v.Value)
	}
	for k, v := range buildVars(in) {
		if got[k] != v {
			return false
		}
	}
	return p.Source == nil || aws.ToString(p.Source.Buildspec) == Buildspec()
}

// pipelineMatches reports whether an existing pipeline reads the answered
// repository and branch through the connection and deploys to the service.
func pipelineMatches(p *cptypes.PipelineDeclaration, in inputs) bool {
	if p == nil || aws.ToString(p.RoleArn) != in.roleArn(in.PipelineRole) || p.ArtifactStore == nil || aws.ToString(p.ArtifactStore.Location) != in.Bucket {
		return false
	}
	want := map[string]map[string]string{}
	for _, a := range actionSpecs(in) {
		want[a.provider] = a.config
	}
	seen := 0
	for _, st := range p.Stages {
		for _, a := range st.Actions {
			if a.ActionTypeId == nil {
				continue
			}
			cfg, ok := want[aws.ToString(a.ActionTypeId.Provider)]
			if !ok {
				continue
			}
			seen++
			for _, k := range []string{"ConnectionArn", "FullRepositoryId", "BranchName", "ProjectName", "ClusterName", "ServiceName"} {
				if v, ok := cfg[k]; ok && a.Configuration[k] != v {
					return false
				}
			}
		}
	}
	return seen == len(want)
}
