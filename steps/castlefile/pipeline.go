package castlefile

// Pipeline answers the Pipeline section's questions.
type Pipeline struct {
	Repository string `yaml:"repository,omitempty"` // GitHub owner/name
	Branch     string `yaml:"branch,omitempty"`     // default main
	// Connection is an existing CodeConnections ARN to reuse.
	Connection string `yaml:"connection,omitempty"`
	// RunNow starts a new run of an existing pipeline on apply (the latest
	// commit of the branch), instead of waiting for the next push.
	RunNow bool `yaml:"runNow,omitempty"`
}
