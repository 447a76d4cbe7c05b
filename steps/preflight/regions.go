package preflight

// ControlTowerRegions are the regions where AWS Control Tower runs (from the
// AWS documentation, late 2026). Opt-in regions must be enabled on the account
// before they can be the home region.
var ControlTowerRegions = []string{
	"us-east-1", "us-east-2", "us-west-1", "us-west-2",
	"ca-central-1", "ca-west-1", "sa-east-1",
	"eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-central-2",
	"eu-north-1", "eu-south-1", "eu-south-2",
	"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
	"ap-southeast-4", "ap-southeast-5", "ap-northeast-1", "ap-northeast-2",
	"ap-northeast-3", "ap-east-1",
	"af-south-1", "me-south-1", "me-central-1", "il-central-1",
}

// Regions lists the Control Tower regions with the configured one first.
func Regions(configured string) []string {
	out := make([]string, 0, len(ControlTowerRegions)+1)
	if configured != "" {
		out = append(out, configured)
	}
	for _, r := range ControlTowerRegions {
		if r != configured {
			out = append(out, r)
		}
	}
	return out
}

// SupportsControlTower reports whether Control Tower runs in a region.
func SupportsControlTower(region string) bool {
	for _, r := range ControlTowerRegions {
		if r == region {
			return true
		}
	}
	return false
}
