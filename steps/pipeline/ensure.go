package pipeline

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	cbtypes "github.com/aws/aws-sdk-go-v2/service/codebuild/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/castle-aws/castle/steps"
)

// settleFor is how long castle quietly retries calls AWS refuses because a
// new role cannot be assumed yet.
const settleFor = 2 * time.Minute

func ensureBucket(ctx context.Context, c clients, in inputs, f found, em emitter) error {
	const step = "bucket"
	if f.bucket && f.encrypted && f.blocked {
		em.skipped(step, in.Bucket+" exists, encrypted and private")
		return nil
	}
	em.started(step, "Creating the artifact bucket "+in.Bucket)
	if !f.bucket {
		input := &s3.CreateBucketInput{Bucket: &in.Bucket}
		if in.Region != "us-east-1" {
			input.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(in.Region)}
		}
		_, err := c.s3.CreateBucket(ctx, input)
		var owned *s3types.BucketAlreadyOwnedByYou
		if err != nil && !errors.As(err, &owned) {
			return err
		}
	}
	if !f.encrypted || !f.bucket {
		_, err := c.s3.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: &in.Bucket,
			ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
				ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAes256}}}}})
		if err != nil {
			return err
		}
	}
	if !f.blocked || !f.bucket {
		_, err := c.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: &in.Bucket,
			PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true),
				IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}})
		if err != nil {
			return err
		}
	}
	em.done(step, in.Bucket+": encrypted, no public access")
	return nil
}

func ensureRoles(ctx context.Context, c clients, in inputs, f found, em emitter) error {
	for _, r := range in.roles() {
		step := "role-" + r.policyName
		rf := f.roles[r.name]
		if rf.exists && rf.policyOK {
			em.skipped(step, r.name+" exists with castle's policy")
			continue
		}
		em.started(step, "Creating the role "+r.name)
		doc, err := policy(r.policy, in)
		if err != nil {
			return err
		}
		if !rf.exists {
			trust, err := policy(r.trust, in)
			if err != nil {
				return err
			}
			_, err = c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(r.name), AssumeRolePolicyDocument: &trust,
				Description: aws.String("castle: " + r.why)})
			var exists *iamtypes.EntityAlreadyExistsException
			if err != nil && !errors.As(err, &exists) {
				return err
			}
		}
		if _, err := c.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(r.name), PolicyName: aws.String(r.policyName), PolicyDocument: &doc}); err != nil {
			return err
		}
		em.done(step, r.name+": only this pipeline's resources")
	}
	return nil
}

func ensureProject(ctx context.Context, env *steps.Env, c clients, in inputs, f found, em emitter) error {
	const step = "project"
	if f.project && f.projectOK {
		em.skipped(step, in.Project+" exists")
		return nil
	}
	if f.project {
		em.started(step, "Updating the build project "+in.Project+" to the current answers")
		p := projectInput(in)
		err := whileSettling(ctx, env, em, step, func() error {
			_, err := c.cb.UpdateProject(ctx, &codebuild.UpdateProjectInput{Name: p.Name, Description: p.Description, Source: p.Source,
				Artifacts: p.Artifacts, Environment: p.Environment, ServiceRole: p.ServiceRole, TimeoutInMinutes: p.TimeoutInMinutes})
			return err
		})
		if err != nil {
			return err
		}
		em.done(step, in.Project+" updated")
		return nil
	}
	em.started(step, "Creating the build project "+in.Project)
	err := whileSettling(ctx, env, em, step, func() error {
		_, err := c.cb.CreateProject(ctx, projectInput(in))
		return err
	})
	var exists *cbtypes.ResourceAlreadyExistsException
	if err != nil && !errors.As(err, &exists) {
		return err
	}
	em.done(step, in.Project+" builds for "+in.Platform())
	return nil
}

// whileSettling calls fn until AWS stops refusing it because a new role is
// not assumable yet, backing off on the env's clock, for up to settleFor.
func whileSettling(ctx context.Context, env *steps.Env, em emitter, step string, fn func() error) error {
	start := env.Now()
	wait := 2 * time.Second
	for {
		err := fn()
		if err == nil || !notYetAssumable(err) || env.Now().Sub(start) > settleFor {
			return err
		}
		em.info(step, "AWS is still setting up the new role; trying again shortly")
		if err := env.TheClock().Sleep(ctx, wait); err != nil {
			return err
		}
		wait = min(wait*2, 20*time.Second)
	}
}
