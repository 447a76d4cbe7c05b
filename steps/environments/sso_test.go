package environments_test

import (
	"context"
	"testing"
	"time"

	"github.com/castle-aws/castle/sandbox"
	sbiam "github.com/castle-aws/castle/sandbox/iam"
	"github.com/castle-aws/castle/sandbox/servicecatalog"
	"github.com/castle-aws/castle/sandbox/world"
	"github.com/castle-aws/castle/steps/castlefile"
	"github.com/castle-aws/castle/steps/environments"
)

// Signed in through IAM Identity Center, castle gives every AWSReservedSSO
// role access to Account Factory (the pattern), not one session's role.
func TestIdentityCenterSignInGetsThePattern(t *testing.T) {
	sb, _, _ := start(t, sandbox.Options{})
	sb.World.Lock()
	role := sbiam.From(sb.World).PutRole(sb.World, world.ManagementAccount, "/aws-reserved/sso.amazonaws.com/eu-west-1/",
		"AWSReservedSSO_AWSAdministratorAccess_0a1b2c3d4e5f6a7b", "{}")
	k := sb.World.IssueKey(world.ManagementAccount, "arn:aws:sts::"+world.ManagementAccount+":assumed-role/"+role.Name+"/ana", role.ID+":ana", 12*time.Hour)
	sb.World.Unlock()
	env := sb.EnvWith(sb.Config(k.AccessKeyID, k.Secret, k.SessionToken))
	defer func() {
		if env.Journal != nil {
			env.Journal.Close()
		}
	}()
	env.Answers.Environments = []castlefile.Account{acct("sso.dev", "sso@example.com")}
	if err := environments.New().Apply(context.Background(), env, (&recorder{}).emit); err != nil {
		t.Fatal(err)
	}
	sb.World.Lock()
	principals := append([]servicecatalog.Principal(nil), servicecatalog.From(sb.World).Product.Principals...)
	sb.World.Unlock()
	if len(principals) != 1 || principals[0].Type != "IAM_PATTERN" || principals[0].ARN != environments.SSOPattern {
		t.Fatalf("principals %+v", principals)
	}
	if len(vended(sb)) != 1 {
		t.Fatal("no account")
	}
}
