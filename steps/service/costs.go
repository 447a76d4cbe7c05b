package service

import (
	"fmt"
	"strconv"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/castle-aws/castle/assets"
)

// Costs is the cost table in assets/service/costs.yaml.
type Costs struct {
	HoursPerMonth float64 `yaml:"hoursPerMonth"`
	Fargate       map[string]struct {
		VCPUHour float64 `yaml:"vcpuHour"`
		GBHour   float64 `yaml:"gbHour"`
	} `yaml:"fargate"`
	PublicIPv4Hour    float64 `yaml:"publicIPv4Hour"`
	ContainerInsights string  `yaml:"containerInsights"`
	LogsIngestGB      float64 `yaml:"logsIngestGB"`
	Sizes             []Size  `yaml:"sizes"`
}

// Size is a Fargate CPU with the memory sizes it allows.
type Size struct {
	CPU    string   `yaml:"cpu"`
	Memory []string `yaml:"memory"`
}

var (
	costsOnce sync.Once
	costs     Costs
)

// Table returns the embedded cost table.
func Table() Costs {
	costsOnce.Do(func() {
		if err := yaml.Unmarshal(assets.MustRead("service/costs.yaml"), &costs); err != nil {
			panic("assets/service/costs.yaml: " + err.Error())
		}
	})
	return costs
}

// Monthly is what one task of cpu units and memory MiB costs a month on an
// architecture (X86_64 or ARM64), running all the time.
func Monthly(cpu, memory, arch string) float64 {
	t := Table()
	c, _ := strconv.ParseFloat(cpu, 64)
	m, _ := strconv.ParseFloat(memory, 64)
	p := t.Fargate[arch]
	return t.HoursPerMonth * (c/1024*p.VCPUHour + m/1024*p.GBHour)
}

// ValidSize reports whether Fargate offers this CPU and memory pair.
func ValidSize(cpu, memory string) bool {
	for _, s := range Table().Sizes {
		if s.CPU == cpu {
			for _, m := range s.Memory {
				if m == memory {
					return true
				}
			}
		}
	}
	return false
}

// SizeLabel is "0.25 vCPU, 0.5 GB".
func SizeLabel(cpu, memory string) string {
	c, _ := strconv.ParseFloat(cpu, 64)
	m, _ := strconv.ParseFloat(memory, 64)
	return fmt.Sprintf("%g vCPU, %g GB", c/1024, m/1024)
}

// CostLine shows a size's monthly cost on x86 and ARM side by side.
func CostLine(cpu, memory string) string {
	return fmt.Sprintf("%s: x86 $%.2f a month, ARM $%.2f a month", SizeLabel(cpu, memory), Monthly(cpu, memory, "X86_64"), Monthly(cpu, memory, "ARM64"))
}

// PublicIPMonthly is a task's public IPv4 address a month.
func PublicIPMonthly() float64 { return Table().HoursPerMonth * Table().PublicIPv4Hour }
