package service_test

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/castle-aws/castle/screens"
	"github.com/castle-aws/castle/screens/service"
	"github.com/castle-aws/castle/steps/castlefile"
)

func TestValidatorsSayWhatToType(t *testing.T) {
	if service.CheckName("Test Cluster") == nil || service.CheckName("TestCluster") != nil {
		t.Fatal("cluster names")
	}
	if err := service.CheckImage(""); err == nil || !strings.Contains(err.Error(), "Registry") {
		t.Fatalf("empty image: %v", err)
	}
	if _, err := service.CheckPort("http"); err == nil || !strings.Contains(err.Error(), "1 to 65535") {
		t.Fatalf("port: %v", err)
	}
	if n, err := service.CheckPort(" 8080 "); err != nil || n != 8080 {
		t.Fatalf("port 8080: %d %v", n, err)
	}
}

func TestFormShowsDefaultsAndBothPrices(t *testing.T) {
	answers := &castlefile.File{}
	f := service.New().Form(screens.FormContext{Answers: answers, Width: 100})
	if answers.Service.Cluster != "TestCluster" || answers.Service.CPU != "256" || answers.Service.Memory != "512" || answers.Service.DesiredCount != 1 {
		t.Fatalf("defaults %+v", answers.Service)
	}
	f.Init()
	m, _ := f.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	f = m.(*huh.Form)
	if v := f.View(); !strings.Contains(v, "Cluster name") || !strings.Contains(v, "TestCluster") {
		t.Fatalf("first page:\n%s", v)
	}
	opts := service.SizeOptions()
	first := opts[0].Key
	if !strings.Contains(first, "0.25 vCPU, 0.5 GB") || !strings.Contains(first, "x86 $9.") || !strings.Contains(first, "ARM $7.") {
		t.Fatalf("smallest size option %q", first)
	}
}
