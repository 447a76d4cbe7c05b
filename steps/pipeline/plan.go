package pipeline

import (
	"context"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/castle-aws/castle/assets"
	"github.com/castle-aws/castle/steps"
)

// ConsoleConnectionsURL is where a person approves a pending connection.
func ConsoleConnectionsURL(region string) string {
	return "https://console.aws.amazon.com/codesuite/settings/connections?region=" + region
}

// consolePipelineURL is a pipeline execution's page in the console.
func consolePipelineURL(region, pipeline, execution string) string {
	u := "https://console.aws.amazon.com/codesuite/codepipeline/pipelines/" + url.PathEscape(pipeline)
	if execution != "" {
		return u + "/executions/" + execution + "/timeline?region=" + region
	}
	return u + "/view?region=" + region
}

// Plan lists what Apply would do.
func (sec) Plan(ctx context.Context, env *steps.Env) (steps.Plan, error) {
	p := steps.Plan{Section: steps.Pipeline}
	in, wl, err := loadInputs(ctx, env)
	if err != nil {
		return p, err
	}
	c := newClients(env, wl.Config)
	f, err := discover(ctx, env, c, &in)
	if err != nil {
		return p, explain(err, env, in)
	}
	return planFor(env, in, f)
}

func planFor(env *steps.Env, in inputs, f found) (steps.Plan, error) {
	p := steps.Plan{
		Section:     steps.Pipeline,
		Summary:     "Build and deploy " + in.GitHubRepository + " (branch " + in.Branch + ") to " + in.Service + " on every push.",
		MonthlyCost: "pennies per run: CodeBuild $0.005 per build minute, CodePipeline $0.002 per action minute after 100 free minutes a month, a few cents of S3",
		SpendsMoney: true,
		Duration:    12 * time.Minute,
	}
	add := func(a steps.Action) { p.Actions = append(p.Actions, a) }

	conn := steps.Action{Key: "connection", Title: "Connect AWS to GitHub",
		Why:      "The pipeline reads " + in.GitHubRepository + " through a GitHub connection. AWS creates it as pending; an owner of the GitHub account or organization approves it once in the AWS console.",
		Commands: []string{env.AWSCommand("codeconnections create-connection --provider-type GitHub --connection-name %s", in.ConnectionName)}}
	switch {
	case f.connAvailable():
		conn.Skip, conn.SkipReason = true, "connection "+aws.ToString(f.conn.ConnectionName)+" is available"
		if f.connReused {
			conn.SkipReason += " (already in the account; castle reuses it)"
		}
	case f.conn != nil:
		conn.Title = "Wait for the GitHub connection to be approved"
		conn.Commands = []string{env.AWSCommand("codeconnections get-connection --connection-arn %s", aws.ToString(f.conn.ConnectionArn))}
	}
	add(conn)

	bucket := steps.Action{Key: "bucket", Title: "Create the artifact bucket " + in.Bucket,
		Why:  "CodePipeline passes the source and the build's output between steps through a private, encrypted bucket.",
		Cost: "a few cents a month",
		Commands: []string{
			env.AWSCommand("s3api create-bucket --bucket %s --create-bucket-configuration LocationConstraint=%s", in.Bucket, in.Region),
			env.AWSCommand("s3api put-bucket-encryption --bucket %s --server-side-encryption-configuration '{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"AES256\"}}]}'", in.Bucket),
			env.AWSCommand("s3api put-public-access-block --bucket %s --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true", in.Bucket),
		}}
	if in.Region == "us-east-1" {
		bucket.Commands[0] = env.AWSCommand("s3api create-bucket --bucket %s", in.Bucket)
	}
	if f.bucket && f.encrypted && f.blocked {
		bucket.Skip, bucket.SkipReason = true, "exists, encrypted and private"
	}
	add(bucket)

	for _, r := range in.roles() {
		doc, err := policy(r.policy, in)
		if err != nil {
			return p, err
		}
		trust, err := policy(r.trust, in)
		if err != nil {
			return p, err
		}
		a := steps.Action{Key: "role-" + r.policyName, Title: "Create the role " + r.name, Why: r.why,
			Commands: []string{
				env.AWSCommand("iam create-role --role-name %s --assume-role-policy-document '%s'", r.name, trust),
				env.AWSCommand("iam put-role-policy --role-name %s --policy-name %s --policy-document '%s'", r.name, r.policyName, doc),
			}}
		if rf := f.roles[r.name]; rf.exists && rf.policyOK {
			a.Skip, a.SkipReason = true, "exists with castle's policy"
		} else if rf.exists {
			a.Title = "Update the policy of the role " + r.name
			a.Commands = a.Commands[1:]
		}
		add(a)
	}

	proj := steps.Action{Key: "project", Title: "Create the build project " + in.Project,
		Why:      "CodeBuild builds the image for " + in.Platform() + ", tags it with the commit and pushes it to " + in.RepositoryName + ".",
		Cost:     "$0.005 per build minute",
		Commands: []string{env.AWSCommand("codebuild create-project --cli-input-json '%s'", projectJSON(in))}}
	if f.project && f.projectOK {
		proj.Skip, proj.SkipReason = true, "exists"
	} else if f.project {
		proj.Title = "Update the build project " + in.Project
		proj.Why = "It exists but builds something else than the current answers; " + proj.Why
		proj.Commands = []string{env.AWSCommand("codebuild update-project --cli-input-json '%s'", projectJSON(in))}
	}
	add(proj)

	pipe := steps.Action{Key: "pipeline", Title: "Create the pipeline " + in.Pipeline,
		Why:      "Source (GitHub " + in.Branch + ") → Build (" + in.Project + ") → Deploy (" + in.Cluster + "/" + in.Service + "). It starts its first run at once.",
		Cost:     "$0.002 per action minute after 100 free minutes a month",
		Commands: []string{env.AWSCommand("codepipeline create-pipeline --cli-input-json '%s'", pipelineJSON(in))}}
	if f.pipeline && f.pipelineOK {
		pipe.Skip, pipe.SkipReason = true, "exists"
	} else if f.pipeline {
		pipe.Title = "Update the pipeline " + in.Pipeline
		pipe.Why = "It exists but reads another repository or branch, or deploys elsewhere: " + pipe.Why
		pipe.Commands = []string{env.AWSCommand("codepipeline update-pipeline --cli-input-json '%s'", pipelineJSON(in))}
	}
	add(pipe)

	run := steps.Action{Key: "run", Title: "Follow the first run", Why: "castle shows each step of the run until the new image is deployed."}
	switch {
	case f.pipeline && env.Answers.Pipeline.RunNow:
		run.Title, run.Why = "Start a run now", "castle.yaml asks for a run (runNow): the latest commit of "+in.Branch+" is built and deployed."
		run.Commands = []string{env.AWSCommand("codepipeline start-pipeline-execution --name %s", in.Pipeline)}
	case f.pipeline:
		run.Skip, run.SkipReason = true, "the pipeline runs on every push to "+in.Branch
	}
	add(run)

	if !f.connAvailable() {
		p.Notes = append(p.Notes, "The GitHub connection needs one approval in the AWS console by an owner of the GitHub account or organization "+ownerOf(in.GitHubRepository)+"; castle shows the link and waits.")
	}
	p.Notes = append(p.Notes,
		"Base images: use FROM public.ecr.aws/docker/library/... in your Dockerfile; CodeBuild pulling from Docker Hub hits its pull limits.",
		"What it costs:\n"+string(assets.MustRead("pipeline/costs.md")),
		"Buildspec CodeBuild runs:\n"+Buildspec())
	for _, r := range in.roles() {
		doc, _ := render(r.policy, in)
		p.Notes = append(p.Notes, "Policy of "+r.name+":\n"+doc)
	}
	if !f.service {
		p.Notes = append(p.Notes, "The service "+in.Cluster+"/"+in.Service+" was not found; castle creates the pipeline only once it exists.")
	}
	return p, nil
}

func ownerOf(repo string) string {
	for i := range repo {
		if repo[i] == '/' {
			return repo[:i]
		}
	}
	return repo
}
