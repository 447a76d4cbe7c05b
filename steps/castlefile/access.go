package castlefile

// Access lists permission-set assignments to make and to remove.
type Access struct {
	Grants  []Grant `yaml:"grants,omitempty"`
	Revokes []Grant `yaml:"revokes,omitempty"`
}

// Grant is one user × account × permission set.
type Grant struct {
	User          string `yaml:"user"`          // Identity Center user name
	Account       string `yaml:"account"`       // account name or 12-digit id
	PermissionSet string `yaml:"permissionSet"` // e.g. AWSReadOnlyAccess
}
