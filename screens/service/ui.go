// Package service is the Service section's screen: cluster and service
// names, the image, the container port, the task size with its monthly cost
// on x86 and ARM side by side, and how many copies to run.
package service

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"charm.land/huh/v2"

	"github.com/castle-aws/castle/screens"
	ss "github.com/castle-aws/castle/steps/service"
)

// UI is the Service section's contribution to the wizard.
type UI struct{}

// New returns the Service section's UI.
func New() screens.SectionUI { return UI{} }

var ecsName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)

// CheckName says what to type instead of an invalid cluster or service name.
func CheckName(s string) error {
	if !ecsName.MatchString(strings.TrimSpace(s)) {
		return fmt.Errorf("use letters, digits, - and _ only (no spaces), up to 255 characters")
	}
	return nil
}

// CheckImage says what to type instead of an unusable image reference.
func CheckImage(s string) error {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return fmt.Errorf("type an image URI such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/hello-world-repo:v1, or push one in the Registry section")
	case strings.ContainsAny(s, " \t"):
		return fmt.Errorf("an image URI has no spaces")
	case strings.ToLower(s) != s && !strings.Contains(s, ":"):
		return fmt.Errorf("repository names are lowercase")
	}
	return nil
}

// CheckPort parses a container port.
func CheckPort(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("type the port your app listens on, a number from 1 to 65535 (for example 80 or 8080)")
	}
	return n, nil
}

// SizeOptions are the Fargate sizes with their monthly cost, "cpu/memory" values.
func SizeOptions() []huh.Option[string] {
	var out []huh.Option[string]
	for _, s := range ss.Table().Sizes {
		for _, m := range s.Memory {
			out = append(out, huh.NewOption(ss.CostLine(s.CPU, m), s.CPU+"/"+m))
		}
	}
	return out
}

// Form asks the Service questions, bound to ctx.Answers.Service.
func (UI) Form(ctx screens.FormContext) *huh.Form {
	a := &ctx.Answers.Service
	arch := "X86_64"
	defaultPort := a.Port
	if ctx.Env != nil {
		set := ss.Resolve(ctx.Env) // fills the defaults: names, image from Registry, size
		arch, defaultPort = ss.Architecture(ctx.Env), set.Port
	} else {
		if a.Cluster == "" {
			a.Cluster = ss.DefaultCluster
		}
		if a.Name == "" {
			a.Name = ss.DefaultName
		}
		if a.CPU == "" {
			a.CPU, a.Memory = ss.DefaultCPU, ss.DefaultMemory
		}
		if defaultPort == 0 {
			defaultPort = 80
		}
		if a.DesiredCount == 0 {
			a.DesiredCount = 1
		}
	}
	port := strconv.Itoa(defaultPort)
	size := a.CPU + "/" + a.Memory
	archNote := "Your image is built for x86, so it runs on x86; the ARM price is for comparison."
	if arch == "ARM64" {
		archNote = "Your image is built for ARM (Graviton), so it runs on ARM, the cheaper one."
	}
	return huh.NewForm(
		huh.NewGroup(
			huh.NewInput().Key("cluster").Title("Cluster name").
				Description("The home of your services; any name you will recognise.").
				Validate(CheckName).Value(&a.Cluster),
			huh.NewInput().Key("service").Title("Service name").
				Description("The service keeps your container running and replaces it if it stops.").
				Validate(CheckName).Value(&a.Name),
			huh.NewInput().Key("image").Title("Image").
				Description("The image to run. castle fills in the one the Registry section pushed; without it, type an image you have, such as public.ecr.aws/nginx/nginx:latest.").
				Validate(CheckImage).Value(&a.Image),
			huh.NewInput().Key("port").Title("Container port").
				Description("The port your app listens on inside the container (from the image's EXPOSE when it has one).").
				Validate(func(s string) error {
					n, err := CheckPort(s)
					// Only a port the user changed becomes an answer: the
					// default follows the image's EXPOSE.
					if err == nil && (n != defaultPort || a.Port != 0) {
						a.Port = n
					}
					return err
				}).Value(&port),
		),
		huh.NewGroup(
			huh.NewSelect[string]().Key("size").Title("Task size (one task, all month)").
				Description(archNote).
				Options(SizeOptions()...).
				Validate(func(v string) error {
					cpu, mem, _ := strings.Cut(v, "/")
					if !ss.ValidSize(cpu, mem) {
						return fmt.Errorf("pick one of the listed sizes")
					}
					a.CPU, a.Memory = cpu, mem
					return nil
				}).Value(&size),
			huh.NewSelect[int]().Key("count").Title("How many copies").
				Description(fmt.Sprintf("One is enough to try it; each copy costs the size's price plus $%.2f a month for its public IP.", ss.PublicIPMonthly())).
				Options(huh.NewOption("1", 1), huh.NewOption("2", 2), huh.NewOption("3", 3)).
				Value(&a.DesiredCount),
		),
	).WithShowHelp(false)
}
