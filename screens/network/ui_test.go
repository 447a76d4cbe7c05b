package network_test

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/castle-aws/castle/screens"
	"github.com/castle-aws/castle/screens/network"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
)

func TestFormOffersDefaultAndExistingVPCsWithCost(t *testing.T) {
	answers := &castlefile.File{}
	st := steps.Status{Details: []string{"VPC aws-controltower-VPC vpc-0abc123 (172.31.0.0/16): 6 subnets, 3 public, a NAT gateway (about $32 a month)"}}
	f := network.New().Form(screens.FormContext{Answers: answers, Status: st, Width: 120})
	if answers.Network.VPC != "default" {
		t.Fatalf("default answer %q", answers.Network.VPC)
	}
	f.Init()
	m, _ := f.Update(tea.WindowSizeMsg{Width: 160, Height: 40})
	f = m.(*huh.Form)
	v := f.View()
	for _, want := range []string{"default VPC", "free", "vpc-0abc123", "$32 a month", "port 80"} {
		if !strings.Contains(v, want) {
			t.Fatalf("form lacks %q:\n%s", want, v)
		}
	}
	// Down picks the Control Tower VPC.
	m, _ = f.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	f = m.(*huh.Form)
	m, _ = f.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if answers.Network.VPC != "vpc-0abc123" {
		t.Fatalf("after choosing: %q", answers.Network.VPC)
	}
}
