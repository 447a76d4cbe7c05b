package sandbox

import (
	"github.com/castle-aws/castle/sandbox/codebuild"
	"github.com/castle-aws/castle/sandbox/codeconnections"
	"github.com/castle-aws/castle/sandbox/codepipeline"
	"github.com/castle-aws/castle/sandbox/controltower"
	"github.com/castle-aws/castle/sandbox/ec2"
	"github.com/castle-aws/castle/sandbox/ecr"
	"github.com/castle-aws/castle/sandbox/ecs"
	"github.com/castle-aws/castle/sandbox/iam"
	"github.com/castle-aws/castle/sandbox/identitystore"
	"github.com/castle-aws/castle/sandbox/logs"
	"github.com/castle-aws/castle/sandbox/organizations"
	"github.com/castle-aws/castle/sandbox/s3"
	"github.com/castle-aws/castle/sandbox/servicecatalog"
	"github.com/castle-aws/castle/sandbox/ssoadmin"
	"github.com/castle-aws/castle/sandbox/sts"
	"github.com/castle-aws/castle/sandbox/world"
)

// services lists every simulated service. A package whose service is not
// built yet returns nil, which the world skips.
func services(o Options) []world.Service {
	return []world.Service{
		sts.New(),
		iam.New(),
		organizations.New(),
		controltower.New(),
		ssoadmin.New(),
		identitystore.New(),
		servicecatalog.New(),
		ecr.New(),
		ec2.New(),
		ecs.New(o.DockerHost),
		logs.New(),
		s3.New(),
		codebuild.New(),
		codepipeline.New(),
		codeconnections.New(o.AutoApproveConnections),
	}
}
