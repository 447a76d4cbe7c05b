package castlefile

// Account is one account to create through Account Factory (Environments section).
type Account struct {
	Name  string `yaml:"name"`  // display name, e.g. Discord-Moderation-Bot.prod
	Email string `yaml:"email"` // unique root email of the new account
	OU    string `yaml:"ou"`    // organizational unit name, e.g. Sandbox
	// Owner is the user name (People section) of the Identity Center user who
	// gets administrator access to the account.
	Owner string `yaml:"owner,omitempty"`
}

// Workload says which account the application sections run in.
type Workload struct {
	// Account is the account's name or 12-digit id. Empty: the signed-in account.
	Account string `yaml:"account,omitempty"`
	// Via is "assume-role" (AWSControlTowerExecution from the management
	// account) or "profile".
	Via string `yaml:"via,omitempty"`
	// Profile is the AWS profile to use when Via is "profile".
	Profile string `yaml:"profile,omitempty"`
}
