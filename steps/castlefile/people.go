package castlefile

// User is one IAM Identity Center user to add (People section).
type User struct {
	UserName    string `yaml:"userName"`
	DisplayName string `yaml:"displayName,omitempty"`
	GivenName   string `yaml:"givenName"`
	FamilyName  string `yaml:"familyName"`
	Email       string `yaml:"email"`
}
