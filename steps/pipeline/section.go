// Package pipeline is castle's Pipeline section: from a push on GitHub to a
// new deployment of the service. It connects AWS to GitHub (CodeConnections,
// approved by a person in the console), makes an encrypted private artifact
// bucket, least-privilege roles for CodeBuild and CodePipeline, a CodeBuild
// project that builds and pushes the image, and a V2 pipeline Source → Build
// → Deploy (ECS), then follows its first run. It works in the workload account.
package pipeline

import (
	"time"

	"github.com/castle-aws/castle/steps"
)

// The section's name in the journal.
const section = string(steps.Pipeline)

// Journal keys.
const (
	opConnection = "connection" // pending GitHub connection: ID is its ARN
	opRun        = "run"        // the pipeline execution castle follows: ID is its id
)

// How long things usually take.
const (
	connectionExpected = 5 * time.Minute
	runExpected        = 8 * time.Minute
)

type sec struct{}

// New returns the Pipeline section.
func New() steps.Section { return sec{} }

func (sec) ID() steps.SectionID { return steps.Pipeline }
func (sec) Title() string       { return "Pipeline" }

func (sec) About() string {
	return "Every push to your GitHub branch builds a new image and deploys it to the service, with no clicks. " +
		"castle connects AWS to GitHub (a person approves that once in the AWS console), then sets up the build, " +
		"the pipeline and the least access each needs, and follows the first run."
}

func (sec) Cost() string {
	return "a few cents per deploy (build and pipeline minutes), nothing while idle"
}
