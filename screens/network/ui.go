// Package network is the Network section's screen: which VPC the service
// uses (the default VPC, recreated when missing, or one the account has),
// with what each costs a month.
package network

import (
	"fmt"

	"charm.land/huh/v2"

	"github.com/castle-aws/castle/screens"
	sn "github.com/castle-aws/castle/steps/network"
)

// UI is the Network section's contribution to the wizard.
type UI struct{}

// New returns the Network section's UI.
func New() screens.SectionUI { return UI{} }

// Form asks which VPC to use, bound to ctx.Answers.Network.VPC.
func (UI) Form(ctx screens.FormContext) *huh.Form {
	a := &ctx.Answers.Network
	choices := sn.Choices(ctx.Status)
	if a.VPC == "" {
		a.VPC = "default"
	}
	known := false
	var opts []huh.Option[string]
	for _, c := range choices {
		opts = append(opts, huh.NewOption(c.Label, c.Value))
		known = known || c.Value == a.VPC
	}
	if !known { // an answer from castle.yaml this account does not have
		opts = append(opts, huh.NewOption(a.VPC+" (not found in this account)", a.VPC))
	}
	port := 80
	if ctx.Env != nil {
		port = sn.ContainerPort(ctx.Env)
	}
	return huh.NewForm(huh.NewGroup(
		huh.NewSelect[string]().Key("vpc").
			Title("Which network should the service use?").
			Description("Where it lacks them, castle adds an internet gateway and the route to it. Both are free.").
			Options(opts...).
			Validate(func(v string) error {
				for _, c := range choices {
					if c.Value == v {
						return nil
					}
				}
				return fmt.Errorf("%s is not in this account; pick one of the listed networks", v)
			}).
			Value(&a.VPC),
		huh.NewNote().Title("Firewall").
			Description(fmt.Sprintf("castle opens TCP port %d to the internet for your container, and no other port.", port)),
	)).WithShowHelp(false)
}
