package environments_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/castle-aws/castle/sandbox"
	sbiam "github.com/castle-aws/castle/sandbox/iam"
	"github.com/castle-aws/castle/sandbox/world"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
	"github.com/castle-aws/castle/steps/environments"
)

func TestWorkloadAssumeRoleLandsInTheNewAccount(t *testing.T) {
	sb, env, _ := start(t, sandbox.Options{})
	env.Answers.Environments = []castlefile.Account{acct("wl.dev", "wl@example.com")}
	if err := apply(t, env, &recorder{}); err != nil {
		t.Fatal(err)
	}
	id, _ := env.Journal.Resource(environments.Section, "account:wl.dev")
	env.Answers.Workload = castlefile.Workload{Account: "wl.dev", Via: environments.ViaAssumeRole}
	ctx := context.Background()
	wa, err := environments.Workload(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if wa.AccountID != id || wa.Name != "wl.dev" {
		t.Fatalf("workload %s %s, want %s", wa.AccountID, wa.Name, id)
	}
	if again, err := environments.Workload(ctx, env); err != nil || again.Config.Credentials != wa.Config.Credentials {
		t.Fatalf("a second call made new credentials (%v): castle would assume the role on every call", err)
	}
	who, err := sts.NewFromConfig(wa.Config).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if arn := aws.ToString(who.Arn); !strings.HasSuffix(arn, ":assumed-role/AWSControlTowerExecution/castle-castle-admin") {
		t.Fatalf("identity %s", arn)
	}
	// A call made with the workload credentials lands in that account.
	if _, err := iam.NewFromConfig(wa.Config).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ecsTaskExecutionRole"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[]}`)}); err != nil {
		t.Fatal(err)
	}
	sb.World.Lock()
	_, inWorkload := sbiam.From(sb.World).Role(id, "ecsTaskExecutionRole")
	_, inManagement := sbiam.From(sb.World).Role(world.ManagementAccount, "ecsTaskExecutionRole")
	sb.World.Unlock()
	if !inWorkload || inManagement {
		t.Fatalf("role in workload: %v, in management: %v", inWorkload, inManagement)
	}
	for k, want := range map[string]string{"workloadAccount": id, "workloadVia": "assume-role"} {
		if got, _ := env.Journal.Resource(environments.Section, k); got != want {
			t.Fatalf("journal %s = %q, want %q", k, got, want)
		}
	}
	// A returning user without castle.yaml keeps the same workload account.
	env.Answers.Workload = castlefile.Workload{}
	again, err := environments.Workload(ctx, env)
	if err != nil || again.AccountID != id || env.Answers.Workload.Account != id {
		t.Fatalf("remembered workload: %v %+v (answers %+v)", err, again, env.Answers.Workload)
	}
	// Choosing the signed-in account explicitly is remembered too.
	env.Answers.Workload = castlefile.Workload{Account: world.ManagementAccount}
	self, err := environments.Workload(ctx, env)
	if err != nil || self.AccountID != world.ManagementAccount || self.Config.Credentials != env.Config.Credentials {
		t.Fatalf("signed-in workload: %v %+v", err, self)
	}
	env.Answers.Workload = castlefile.Workload{}
	if w, err := environments.Workload(ctx, env); err != nil || w.AccountID != world.ManagementAccount {
		t.Fatalf("after choosing the signed-in account: %v %+v", err, w)
	}
	// The credentials refresh: an hour later they still work.
	sb.Clock().Advance(2 * time.Hour)
	// (The cache holds them for the wall-clock time matching one virtual hour.)
	time.Sleep(time.Duration(float64(time.Hour)/fast) + 100*time.Millisecond)
	if _, err := sts.NewFromConfig(wa.Config).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("after the session expired: %v", err)
	}
}

func TestWorkloadWithoutTheRoleIsExplained(t *testing.T) {
	sb, env, _ := start(t, sandbox.Options{})
	sb.World.Lock()
	other := sb.World.NewAccount("outside", "outside@example.com", false)
	sb.World.Unlock()
	env.Answers.Workload = castlefile.Workload{Account: other.ID}
	_, err := environments.Workload(context.Background(), env)
	var ue *steps.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "AWSControlTowerExecution") || ue.Next == "" {
		t.Fatalf("got %v", err)
	}
}

func TestWorkloadWithAProfile(t *testing.T) {
	sb, env, _ := start(t, sandbox.Options{})
	sb.World.Lock()
	member := sb.World.NewAccount("member", "member@example.com", true)
	other := sb.World.NewAccount("other", "other@example.com", true)
	k := sb.World.IssueKey(member.ID, "arn:aws:sts::"+member.ID+":assumed-role/AWSReservedSSO_AWSAdministratorAccess_0123/ana", "AROAX:ana", 24*time.Hour)
	sb.World.Unlock()
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	os.WriteFile(creds, []byte("[member]\naws_access_key_id = "+k.AccessKeyID+"\naws_secret_access_key = "+k.Secret+"\naws_session_token = "+k.SessionToken+"\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "config"), []byte("[profile member]\nregion = eu-west-1\n"), 0o600)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	env.Answers.Workload = castlefile.Workload{Account: member.ID, Via: environments.ViaProfile, Profile: "member"}
	wa, err := environments.Workload(context.Background(), env)
	if err != nil || wa.AccountID != member.ID {
		t.Fatalf("%v %+v", err, wa)
	}
	// A profile of another account is refused.
	env.Answers.Workload.Account = other.ID
	_, err = environments.Workload(context.Background(), env)
	var ue *steps.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "not to") {
		t.Fatalf("mismatch: %v", err)
	}
}
