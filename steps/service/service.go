// Package service is castle's Service section: an ECS cluster, the task
// execution role, a log group, a Fargate task definition for the image from
// the Registry section and a service with a public IP in the Network
// section's subnets; then it follows the rollout until the service answers
// on its public address. A later visit with a new image redeploys.
package service

import (
	"fmt"
	"strings"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
	"github.com/castle-aws/castle/steps/network"
)

// Defaults (the tutorial's names and the smallest Fargate size).
const (
	DefaultCluster  = "TestCluster"
	DefaultName     = network.DefaultService
	DefaultCPU      = "256"
	DefaultMemory   = "512"
	ContainerName   = "app"
	ExecutionRole   = "ecsTaskExecutionRole"
	ExecutionPolicy = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
	LinkedRole      = "AWSServiceRoleForECS"
	// LogRetentionDays keeps container logs a month.
	LogRetentionDays = 30
)

// Journal resource names (docs/SECTION-GUIDE.md).
const (
	KeyCluster        = "cluster"
	KeyService        = "service"
	KeyContainer      = "containerName"
	KeyTaskDefinition = "taskDefinitionArn"
	KeyExecutionRole  = "executionRoleArn"
	KeyURL            = "serviceUrl"
	KeyDeployedImage  = "deployedImage"
	opCreate          = "create-service"
	opRollout         = "rollout"
)

const sec = string(steps.Service)

type section struct{}

// New returns the Service section.
func New() steps.Section { return section{} }

func (section) ID() steps.SectionID { return steps.Service }
func (section) Title() string       { return "Service" }
func (section) About() string {
	return "castle runs your image on AWS Fargate: an ECS cluster, a task definition that says how to run the container, " +
		"and a service that keeps it running with a public address. It then watches the rollout and checks that your app answers."
}
func (section) Cost() string {
	return fmt.Sprintf("about $%.0f a month for one small task (%s) plus $%.2f a month for its public IP", Monthly(DefaultCPU, DefaultMemory, "X86_64"), SizeLabel(DefaultCPU, DefaultMemory), PublicIPMonthly())
}

// Settings are the answers with defaults filled in.
type Settings struct {
	Cluster, Name, Image, CPU, Memory, Arch string
	Port, Desired                           int
}

// LogGroup is where the container's output goes.
func (s Settings) LogGroup() string { return "/ecs/" + s.Name }

// Resolve fills the Service answers' defaults (writing them back, so castle.yaml
// can be saved with them) and returns them with the image's architecture.
func Resolve(env *steps.Env) Settings {
	if env.Answers == nil {
		env.Answers = &castlefile.File{}
	}
	a := &env.Answers.Service
	def := func(v *string, d string) {
		if strings.TrimSpace(*v) == "" {
			*v = d
		}
	}
	def(&a.Cluster, DefaultCluster)
	def(&a.Name, DefaultName)
	def(&a.CPU, DefaultCPU)
	def(&a.Memory, DefaultMemory)
	if a.Image == "" && env.Journal != nil {
		a.Image, _ = env.Journal.Resource(string(steps.Registry), "image")
	}
	if a.DesiredCount <= 0 {
		a.DesiredCount = 1
	}
	port := network.ContainerPort(env)
	// Keep the answer empty while the port is only the fallback 80, so an
	// image pushed later with its own EXPOSE still decides it.
	if a.Port > 0 || port != network.DefaultPort {
		a.Port = port
	}
	return Settings{Cluster: a.Cluster, Name: a.Name, Image: a.Image, CPU: a.CPU, Memory: a.Memory, Arch: Architecture(env), Port: port, Desired: a.DesiredCount}
}

// Architecture is the image's CPU architecture: the Registry section's record,
// else its platform answer, else X86_64.
func Architecture(env *steps.Env) string {
	if env.Journal != nil {
		if a, ok := env.Journal.Resource(string(steps.Registry), "architecture"); ok && (a == "X86_64" || a == "ARM64") {
			return a
		}
	}
	if env.Answers != nil && strings.HasSuffix(env.Answers.Registry.Platform, "arm64") {
		return "ARM64"
	}
	return "X86_64"
}
