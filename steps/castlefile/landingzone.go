package castlefile

// LandingZone answers the Landing zone section's questions.
type LandingZone struct {
	// HomeRegion is where Control Tower lives; it cannot be changed later.
	// Empty means the top-level region.
	HomeRegion      string   `yaml:"homeRegion,omitempty"`
	GovernedRegions []string `yaml:"governedRegions,omitempty"`
	SecurityOU      string   `yaml:"securityOU,omitempty"` // default "Security"
	SandboxOU       string   `yaml:"sandboxOU,omitempty"`  // default "Sandbox"
	LogArchiveEmail string   `yaml:"logArchiveEmail,omitempty"`
	AuditEmail      string   `yaml:"auditEmail,omitempty"`
	// Version overrides the landing-zone version castle knows as newest.
	Version string `yaml:"version,omitempty"`
}
