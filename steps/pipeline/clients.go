package pipeline

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	"github.com/aws/aws-sdk-go-v2/service/codeconnections"
	"github.com/aws/aws-sdk-go-v2/service/codepipeline"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/castle-aws/castle/steps"
)

type clients struct {
	cc  *codeconnections.Client
	s3  *s3.Client
	iam *iam.Client
	cb  *codebuild.Client
	cp  *codepipeline.Client
	ecs *ecs.Client
}

func newClients(env *steps.Env, cfg aws.Config) clients {
	return clients{
		cc: codeconnections.NewFromConfig(cfg),
		s3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			// A custom endpoint (the sandbox, an emulator) has no
			// bucket-name host names.
			o.UsePathStyle = env.EndpointURL != ""
		}),
		iam: iam.NewFromConfig(cfg),
		cb:  codebuild.NewFromConfig(cfg),
		cp:  codepipeline.NewFromConfig(cfg),
		ecs: ecs.NewFromConfig(cfg),
	}
}
