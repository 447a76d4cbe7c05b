package castlefile

// Network answers the Network section's questions.
type Network struct {
	// VPC is "default" (recreate the default VPC when missing) or a vpc id.
	VPC string `yaml:"vpc,omitempty"`
}

// Service answers the Service section's questions.
type Service struct {
	Cluster      string `yaml:"cluster,omitempty"` // default TestCluster
	Name         string `yaml:"name,omitempty"`    // default TestService
	Image        string `yaml:"image,omitempty"`   // default: the Registry section's image
	Port         int    `yaml:"port,omitempty"`    // default: the image's EXPOSE, else 80
	CPU          string `yaml:"cpu,omitempty"`     // "256" = 0.25 vCPU
	Memory       string `yaml:"memory,omitempty"`  // "512" MiB
	DesiredCount int    `yaml:"desiredCount,omitempty"`
}
