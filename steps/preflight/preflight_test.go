package preflight_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/castle-aws/castle/sandbox"
	sbiam "github.com/castle-aws/castle/sandbox/iam"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/sandbox/world"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/preflight"
)

func events() (*[]steps.Event, steps.Emit) {
	var got []steps.Event
	return &got, func(e steps.Event) { got = append(got, e) }
}

func TestAdministratorPassesAndSeesTheMFAWarning(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	env := sb.Env()
	st, err := preflight.New().Discover(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != steps.StateDone || !strings.Contains(st.Summary, world.ManagementAccount) || !strings.Contains(st.Summary, "root MFA is off") {
		t.Fatalf("status %+v", st)
	}
	got, emit := events()
	if err := preflight.New().Apply(context.Background(), env, emit); err != nil {
		t.Fatal(err)
	}
	var handOff *steps.Event
	for i, e := range *got {
		if e.Kind == steps.EventHandOff {
			handOff = &(*got)[i]
		}
	}
	if handOff == nil || !strings.Contains(handOff.Message, preflight.MFAConsoleURL) {
		t.Fatalf("no MFA hand-off with the console link in %+v", *got)
	}
	if env.Journal == nil {
		t.Fatal("preflight should open the account's journal")
	}
	env.Journal.Close()
}

func TestMFAOnHasNoWarning(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	sb.World.Lock()
	sbiam.From(sb.World).SetRootMFA(world.ManagementAccount, true)
	sb.World.Unlock()
	r, err := preflight.Check(context.Background(), sb.Env())
	if err != nil {
		t.Fatal(err)
	}
	if r.RootMFA == nil || !*r.RootMFA || len(r.Warnings) != 0 {
		t.Fatalf("result %+v", r)
	}
}

func TestRootUserIsRefusedWithAnExplanation(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	env := sb.EnvWith(sb.Root())
	st, _ := preflight.New().Discover(context.Background(), env)
	if st.State != steps.StateFailed || !strings.Contains(st.Summary, "root user") {
		t.Fatalf("status %+v", st)
	}
	_, emit := events()
	err := preflight.New().Apply(context.Background(), env, emit)
	var ue *steps.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "ROOT USER") || ue.Next == "" {
		t.Fatalf("want a root refusal with a next step, got %v", err)
	}
	if err := env.RequireNotRoot(context.Background()); err == nil {
		t.Fatal("sections that change the organization must refuse the root user")
	}
}

func TestExpiredCredentialsSayWhatToDo(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	_, err := preflight.Check(context.Background(), sb.EnvWith(sb.Expired()))
	var ue *steps.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "expired") || !strings.Contains(ue.Next, "aws sso login") {
		t.Fatalf("want an expired-credentials explanation, got %v", err)
	}
}

// An SSO profile whose cached token has expired fails before any request;
// castle must name the exact login command for that profile.
func TestExpiredSSOTokenNamesTheLoginCommand(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(home, ".aws", "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, ".aws", "credentials"))
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"} {
		t.Setenv(k, "")
	}
	writeFile(t, filepath.Join(home, ".aws", "config"), `[profile studio-admin]
sso_session = studio
sso_account_id = 111122223333
sso_role_name = AWSAdministratorAccess
region = eu-west-1

[sso-session studio]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access
`)
	sum := sha1.Sum([]byte("studio"))
	writeFile(t, filepath.Join(home, ".aws", "sso", "cache", hex.EncodeToString(sum[:])+".json"),
		`{"accessToken":"expired-token","expiresAt":"`+time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)+`","region":"eu-west-1","startUrl":"https://d-1234567890.awsapps.com/start"}`)

	sb := sandboxtest.Start(t, sandbox.Options{})
	env := sb.Env()
	if err := env.Reconnect(context.Background(), steps.ConnectOptions{Profile: "studio-admin", Region: "eu-west-1", EndpointURL: sb.URL}); err != nil {
		t.Fatal(err)
	}
	_, err := preflight.Check(context.Background(), env)
	var ue *steps.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Next, "aws sso login --profile studio-admin") {
		t.Fatalf("want the exact login command, got %v", err)
	}

	profiles, err := preflight.ListProfiles()
	if err != nil {
		t.Fatal(err)
	}
	if len(profiles) != 2 || profiles[0].Name != "" || profiles[1].Name != "studio-admin" || !profiles[1].SSO || profiles[1].Region != "eu-west-1" {
		t.Fatalf("profiles %+v", profiles)
	}
}

func TestRegionsPutTheConfiguredOneFirst(t *testing.T) {
	r := preflight.Regions("ap-northeast-2")
	if r[0] != "ap-northeast-2" || len(r) != len(preflight.ControlTowerRegions) {
		t.Fatalf("regions %v", r)
	}
	if preflight.SupportsControlTower("mars-north-1") {
		t.Fatal("unknown region accepted")
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
