package main

import (
	"context"

	"github.com/castle-aws/castle/screens"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/preflight"
)

// allSections is the journey, in order. A section whose issue has not landed
// is a steps.NotBuilt placeholder, shown as "not built yet".
func allSections() []steps.Section {
	return []steps.Section{
		preflight.New(),
		steps.NotBuilt{SectionID: steps.LandingZone, Name: "Landing zone", Text: "AWS Organizations and a Control Tower landing zone, with log-archive and audit accounts."},
		steps.NotBuilt{SectionID: steps.People, Name: "People", Text: "IAM Identity Center users and the access portal."},
		steps.NotBuilt{SectionID: steps.Environments, Name: "Environments", Text: "New accounts through Control Tower's Account Factory."},
		steps.NotBuilt{SectionID: steps.Access, Name: "Access", Text: "Grant and revoke a user's access to an account."},
		steps.NotBuilt{SectionID: steps.Registry, Name: "Registry", Text: "An ECR repository and a guided docker build and push."},
		steps.NotBuilt{SectionID: steps.Network, Name: "Network", Text: "Internet access for the VPC and ingress for the service."},
		steps.NotBuilt{SectionID: steps.Service, Name: "Service", Text: "An ECS Fargate service that answers on its URL."},
		steps.NotBuilt{SectionID: steps.Pipeline, Name: "Pipeline", Text: "From a push on GitHub to a new deployment."},
	}
}

// sectionUIs are the sections' forms and custom screens.
func sectionUIs() map[steps.SectionID]screens.SectionUI {
	return map[steps.SectionID]screens.SectionUI{}
}

// workloadResolver says which account the application sections work in.
// Nil: the signed-in account.
func workloadResolver() func(ctx context.Context, env *steps.Env) (steps.WorkloadAccount, error) {
	return nil
}
