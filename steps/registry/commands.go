package registry

import (
	"context"
	"fmt"
	"strings"

	"github.com/castle-aws/castle/steps"
)

// cliProfile is the aws CLI profile the equivalent commands use, so that they
// run in the workload account and not in the signed-in one; setup are the
// commands that create that profile when castle reaches the account by
// assuming the Control Tower execution role.
func (t target) cliProfile(ctx context.Context, env *steps.Env) (profile string, setup []string) {
	id, err := env.Caller(ctx)
	if err != nil || id.Account == t.wa.AccountID {
		return env.Profile, nil
	}
	if env.Journal != nil {
		if p, ok := env.Journal.Resource("environments", "workloadProfile"); ok && p != "" {
			return p, nil
		}
	}
	profile = "castle-" + t.wa.AccountID
	source := env.Profile
	if source == "" {
		source = "default"
	}
	return profile, []string{
		fmt.Sprintf("aws configure set profile.%s.role_arn arn:aws:iam::%s:role/AWSControlTowerExecution", profile, t.wa.AccountID),
		fmt.Sprintf("aws configure set profile.%s.source_profile %s", profile, source),
	}
}

// awsCmd is env.AWSCommand in the workload account's profile.
func awsCmd(env *steps.Env, profile, format string, args ...any) string {
	cmd := env.AWSCommand(format, args...)
	if profile == env.Profile {
		return cmd
	}
	if env.Profile != "" {
		return strings.Replace(cmd, " --profile "+env.Profile, " --profile "+profile, 1)
	}
	if i := strings.Index(cmd, " --endpoint-url "); i >= 0 {
		return cmd[:i] + " --profile " + profile + cmd[i:]
	}
	return cmd + " --profile " + profile
}
