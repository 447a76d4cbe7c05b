// Package network is castle's Network section: it makes sure the workload
// account has a VPC whose subnets reach the internet (recreating the default
// VPC that Control Tower removes from Account Factory accounts, or adding an
// internet gateway and routes to a chosen VPC) and a security group that lets
// the internet reach only the container's port.
package network

import (
	"strconv"

	"github.com/castle-aws/castle/steps"
)

// Journal resource names (docs/SECTION-GUIDE.md).
const (
	KeyVPC           = "vpc"
	KeySubnets       = "subnets" // comma-separated
	KeySecurityGroup = "securityGroup"
	keyPendingIGW    = "pendingInternetGateway"
)

// DefaultService is the service name the security group is named after when
// the Service section has no answer yet.
const DefaultService = "TestService"

// NATMonthly is what a NAT gateway costs a month, roughly (us-east-1,
// $0.045 an hour, before data).
const NATMonthly = 32

type section struct{}

// New returns the Network section.
func New() steps.Section { return section{} }

func (section) ID() steps.SectionID { return steps.Network }
func (section) Title() string       { return "Network" }
func (section) About() string {
	return "Your service needs a network that reaches the internet: a VPC with public subnets, an internet gateway and a route to it. " +
		"Accounts made by Account Factory have none, so castle recreates AWS's free default VPC (or fixes a VPC you pick) " +
		"and adds a firewall rule (a security group) that opens only your container's port."
}
func (section) Cost() string {
	return "free (the default VPC, internet gateway and security groups cost nothing)"
}

// ContainerPort is the port the service listens on: the Service answer, else
// the image's EXPOSE recorded by the Registry section, else 80.
func ContainerPort(env *steps.Env) int {
	if env.Answers != nil && env.Answers.Service.Port > 0 {
		return env.Answers.Service.Port
	}
	if env.Journal != nil {
		if p, ok := env.Journal.Resource(string(steps.Registry), "port"); ok {
			if n, err := strconv.Atoi(p); err == nil && n > 0 && n < 65536 {
				return n
			}
		}
	}
	return DefaultPort
}

// DefaultPort is the container port when neither castle.yaml nor the image's
// EXPOSE names one.
const DefaultPort = 80

func serviceName(env *steps.Env) string {
	if env.Answers != nil && env.Answers.Service.Name != "" {
		return env.Answers.Service.Name
	}
	return DefaultService
}

// GroupName is the security group castle makes for a service.
func GroupName(service string) string { return service + "-web" }
