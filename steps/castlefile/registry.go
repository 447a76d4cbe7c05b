package castlefile

// Registry answers the Registry section's questions.
type Registry struct {
	Repository string `yaml:"repository,omitempty"` // default hello-world-repo
	// Source is a folder with a Dockerfile; with Demo, where to write the demo app.
	Source string `yaml:"source,omitempty"`
	Demo   bool   `yaml:"demo,omitempty"`
	// Tag defaults to the source's git short commit, else a timestamp.
	Tag        string `yaml:"tag,omitempty"`
	ScanOnPush *bool  `yaml:"scanOnPush,omitempty"` // default true
	Immutable  bool   `yaml:"immutableTags,omitempty"`
	Platform   string `yaml:"platform,omitempty"` // linux/amd64 (default) or linux/arm64
}
