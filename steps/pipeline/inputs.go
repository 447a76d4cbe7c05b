package pipeline

import (
	"context"
	"strings"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
)

// inputs is everything the section works with: the answers, what earlier
// sections made (from the journal) and the names castle gives its resources.
type inputs struct {
	Account, Region string
	// GitHub
	GitHubRepository, Branch string
	Connection               string // answer: a connection ARN to reuse
	// From the Registry and Service sections.
	RepositoryURI, RepositoryName, Architecture string
	Cluster, Service, Container                 string
	ExecutionRoleArn, TaskFamily                string
	// Names castle gives.
	Bucket, Project, Pipeline, BuildRole, PipelineRole, ConnectionName string
	// Filled in once the connection is known (policy templates).
	ConnectionArn, LegacyConnectionArn string
}

// Platform is docker's --platform for the service's architecture.
func (in inputs) Platform() string {
	if in.Architecture == "ARM64" {
		return "linux/arm64"
	}
	return "linux/amd64"
}

// missingPrereq is the section to do first, "" when none.
func missingPrereq(env *steps.Env) (string, string) {
	if env.Journal == nil {
		return "Service", "castle has no record of the service yet."
	}
	for _, k := range []string{"cluster", "service", "containerName"} {
		if _, ok := env.Journal.Resource(string(steps.Service), k); !ok {
			return "Service", "The pipeline deploys to the service, which is not set up yet."
		}
	}
	if _, ok := env.Journal.Resource(string(steps.Registry), "repositoryUri"); !ok {
		return "Registry", "The pipeline pushes to the image repository, which is not set up yet."
	}
	return "", ""
}

// loadInputs reads answers and the journal, applying defaults to the
// answers (so castle.yaml can be saved with them).
func loadInputs(ctx context.Context, env *steps.Env) (inputs, steps.WorkloadAccount, error) {
	if err := env.OpenJournal(ctx); err != nil {
		return inputs{}, steps.WorkloadAccount{}, err
	}
	if sec, why := missingPrereq(env); sec != "" {
		return inputs{}, steps.WorkloadAccount{}, &steps.UserError{
			Message: why,
			Next:    "Finish the " + sec + " section first, then come back to the Pipeline.",
		}
	}
	wl, err := env.WorkloadAccount(ctx)
	if err != nil {
		return inputs{}, wl, err
	}
	a := &env.Answers.Pipeline
	if a.Repository == "" {
		// A resumed castle may not have the answers: use the last applied ones.
		var saved castlefile.Pipeline
		if ok, _ := env.Journal.Answers(section, &saved); ok {
			*a = saved
		}
	}
	if a.Repository == "" {
		a.Repository = GuessRepository(env.Answers.Registry.Source)
	}
	if a.Branch == "" {
		a.Branch = GuessBranch(env.Answers.Registry.Source)
	}
	a.Repository = strings.TrimSpace(a.Repository)
	if err := ValidateRepository(a.Repository); err != nil {
		return inputs{}, wl, &steps.UserError{
			Message: "castle needs the GitHub repository to build from: " + err.Error() + ".",
			Next:    "Answer it in the Pipeline form, or set pipeline.repository in castle.yaml.",
		}
	}
	if err := ValidateBranch(a.Branch); err != nil {
		return inputs{}, wl, &steps.UserError{Message: "The branch " + err.Error() + ".", Next: "Fix pipeline.branch in the form or castle.yaml."}
	}
	res := func(sec steps.SectionID, k string) string { v, _ := env.Journal.Resource(string(sec), k); return v }
	region := wl.Config.Region
	if region == "" {
		region = env.Region
	}
	in := inputs{
		Account: wl.AccountID, Region: region,
		GitHubRepository: a.Repository, Branch: a.Branch, Connection: a.Connection,
		RepositoryURI: res(steps.Registry, "repositoryUri"), Architecture: res(steps.Registry, "architecture"),
		Cluster: res(steps.Service, "cluster"), Service: res(steps.Service, "service"), Container: res(steps.Service, "containerName"),
		ExecutionRoleArn: res(steps.Service, "executionRoleArn"),
	}
	if in.Architecture == "" {
		in.Architecture = "X86_64"
	}
	in.RepositoryName = in.RepositoryURI[strings.IndexByte(in.RepositoryURI, '/')+1:]
	in.TaskFamily = in.Service
	if td := res(steps.Service, "taskDefinitionArn"); td != "" {
		fam := td[strings.LastIndexByte(td, '/')+1:]
		if i := strings.LastIndexByte(fam, ':'); i > 0 {
			fam = fam[:i]
		}
		in.TaskFamily = fam
	}
	if in.ExecutionRoleArn == "" {
		in.ExecutionRoleArn = "arn:aws:iam::" + in.Account + ":role/ecsTaskExecutionRole"
	}
	in.Bucket = strings.ToLower("castle-pipeline-" + in.Account + "-" + in.Region)
	in.Project = in.Service + "-build"
	in.Pipeline = limit(in.Service, 100-len("-pipeline")) + "-pipeline"
	in.BuildRole = limit("castle-codebuild-"+in.Service, 64) // IAM's limit
	in.PipelineRole = limit("castle-codepipeline-"+in.Service, 64)
	in.ConnectionName = "castle-github"
	if v := res(steps.Pipeline, "connectionArn"); v != "" && in.Connection == "" {
		in.ConnectionArn = v
	}
	if in.Connection != "" {
		in.ConnectionArn = in.Connection
	}
	in.setConnection(in.ConnectionArn)
	return in, wl, nil
}

// setConnection records the connection for the policies (both ARN forms:
// codeconnections and the older codestar-connections).
func (in *inputs) setConnection(arn string) {
	in.ConnectionArn = arn
	if arn == "" {
		in.ConnectionArn = "arn:aws:codeconnections:" + in.Region + ":" + in.Account + ":connection/*"
	}
	in.LegacyConnectionArn = strings.Replace(in.ConnectionArn, ":codeconnections:", ":codestar-connections:", 1)
}

func (in inputs) roleArn(name string) string { return "arn:aws:iam::" + in.Account + ":role/" + name }

// limit cuts a name to AWS's length limit.
func limit(name string, n int) string {
	if len(name) > n {
		return name[:n]
	}
	return name
}
