package environments

import (
	"fmt"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/castle-aws/castle/assets"
)

// Costs is assets/environments/costs.yaml.
type Costs struct {
	Account  float64 `yaml:"account"`
	Baseline Range   `yaml:"baseline"`
}

// Range is a monthly cost range in USD.
type Range struct {
	Low  float64 `yaml:"low"`
	High float64 `yaml:"high"`
	What string  `yaml:"what"`
}

func (r Range) String() string {
	if r.Low == r.High {
		return fmt.Sprintf("about $%g a month", r.High)
	}
	return fmt.Sprintf("about $%g to $%g a month", r.Low, r.High)
}

// Times is the range for n accounts.
func (r Range) Times(n int) Range {
	return Range{Low: r.Low * float64(n), High: r.High * float64(n), What: r.What}
}

var (
	costsOnce sync.Once
	costs     Costs
)

func loadCosts() Costs {
	costsOnce.Do(func() {
		if err := yaml.Unmarshal(assets.MustRead("environments/costs.yaml"), &costs); err != nil {
			panic("assets/environments/costs.yaml: " + err.Error())
		}
	})
	return costs
}

// plural is "1 account" or "3 accounts".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
