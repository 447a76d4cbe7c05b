package main

import (
	"context"

	"github.com/castle-aws/castle/screens"
	accessui "github.com/castle-aws/castle/screens/access"
	environmentsui "github.com/castle-aws/castle/screens/environments"
	landingzoneui "github.com/castle-aws/castle/screens/landingzone"
	networkui "github.com/castle-aws/castle/screens/network"
	peopleui "github.com/castle-aws/castle/screens/people"
	pipelineui "github.com/castle-aws/castle/screens/pipeline"
	preflightui "github.com/castle-aws/castle/screens/preflight"
	registryui "github.com/castle-aws/castle/screens/registry"
	serviceui "github.com/castle-aws/castle/screens/service"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/access"
	"github.com/castle-aws/castle/steps/environments"
	"github.com/castle-aws/castle/steps/landingzone"
	"github.com/castle-aws/castle/steps/network"
	"github.com/castle-aws/castle/steps/people"
	"github.com/castle-aws/castle/steps/pipeline"
	"github.com/castle-aws/castle/steps/preflight"
	"github.com/castle-aws/castle/steps/registry"
	"github.com/castle-aws/castle/steps/service"
)

// allSections is the journey, in order.
func allSections() []steps.Section {
	return []steps.Section{
		preflight.New(),
		landingzone.New(),
		people.New(),
		environments.New(),
		access.New(),
		registry.New(),
		network.New(),
		service.New(),
		pipeline.New(),
	}
}

// sectionUIs are the sections' forms and custom screens. Sections without
// one go through the generic flow without questions.
func sectionUIs() map[steps.SectionID]screens.SectionUI {
	return map[steps.SectionID]screens.SectionUI{
		steps.Preflight:    preflightui.New(),
		steps.LandingZone:  landingzoneui.UI(),
		steps.People:       peopleui.UI{},
		steps.Environments: environmentsui.UI(),
		steps.Access:       accessui.UI{},
		steps.Registry:     registryui.New(),
		steps.Network:      networkui.New(),
		steps.Service:      serviceui.New(),
		steps.Pipeline:     pipelineui.New(),
	}
}

// workloadResolver says which account the application sections work in:
// the one chosen in the Environments section (castle.yaml's workload).
func workloadResolver() func(ctx context.Context, env *steps.Env) (steps.WorkloadAccount, error) {
	return environments.Workload
}
