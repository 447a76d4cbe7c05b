package network

import (
	"regexp"

	"github.com/castle-aws/castle/steps"
)

// Choice is one network the form offers.
type Choice struct {
	Value string // "default" or a vpc id
	Label string // with its monthly cost
}

var vpcID = regexp.MustCompile(`\bvpc-[0-9a-f]+\b`)

// Choices lists the networks to offer from a Discover result: the default
// VPC (recreated when missing; free) first, then each other VPC it found.
func Choices(st steps.Status) []Choice {
	out := []Choice{{Value: "default", Label: "The default VPC: public subnets and an internet gateway, no NAT gateway (free)"}}
	for _, line := range st.Details {
		id := vpcID.FindString(line)
		if id == "" || regexp.MustCompile(`^default VPC`).MatchString(line) {
			continue
		}
		out = append(out, Choice{Value: id, Label: line})
	}
	return out
}
