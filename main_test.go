package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/castle-aws/castle/steps/castlefile"
)

// castle runs the command in-process and returns its exit code and output.
func castle(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestStatusListsEverySectionAgainstTheSandbox(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := castle(t, "status", "--sandbox", "--state-dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, title := range []string{"Preflight", "Landing zone", "People", "Environments", "Access", "Registry", "Network", "Service", "Pipeline"} {
		if !strings.Contains(out, title) {
			t.Errorf("status lacks %s:\n%s", title, out)
		}
	}
	if !strings.Contains(out, "account 111122223333") {
		t.Errorf("status does not say who is signed in:\n%s", out)
	}
}

func TestApplyPreflightPrintsOneLinePerEventAndIsRepeatable(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 2; i++ {
		code, out, errOut := castle(t, "apply", "--sandbox", "--state-dir", dir, "--only", "preflight", "--yes")
		if code != 0 {
			t.Fatalf("run %d: exit %d: %s", i, code, errOut)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if last := lines[len(lines)-1]; last != "Nothing changed: everything already exists." {
			t.Errorf("preflight only reads; the run should end by saying nothing changed, not %q", last)
		}
		for _, line := range lines[2 : len(lines)-1] {
			if !strings.Contains(line, "preflight") || !strings.HasPrefix(line, "20") {
				t.Errorf("not a timestamped event line: %q", line)
			}
		}
		if !strings.Contains(out, "Warning: The root user of account 111122223333 has no MFA") {
			t.Errorf("the root-MFA warning is missing:\n%s", out)
		}
		if !strings.Contains(out, "unchanged Checked: you are signed in to account 111122223333") {
			t.Errorf("preflight does not say what it checked:\n%s", out)
		}
	}
	// The journal exists, is private, and names the sandbox's account.
	j := filepath.Join(dir, "sandbox", "journal-111122223333.json")
	st, err := os.Stat(j)
	if err != nil {
		t.Fatalf("no journal: %v", err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("journal mode %v, want 0600", st.Mode().Perm())
	}
}

func TestPlanShowsEquivalentCommandsAndChangesNothing(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := castle(t, "plan", "--sandbox", "--state-dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "$ aws sts get-caller-identity") {
		t.Errorf("plan lacks the equivalent command:\n%s", out)
	}
	// Nothing changed on AWS: the landing zone is still not started.
	_, status, _ := castle(t, "status", "--sandbox", "--state-dir", dir)
	if !regexp.MustCompile(`Landing zone\s+not started`).MatchString(status) {
		t.Errorf("plan changed something:\n%s", status)
	}
}

func TestBadInputIsExplained(t *testing.T) {
	code, _, errOut := castle(t, "apply", "--sandbox", "--only", "landingzone")
	if code == 0 || !strings.Contains(errOut, "landing-zone") {
		t.Fatalf("exit %d, %q: a wrong section name should list the right ones", code, errOut)
	}
	code, _, errOut = castle(t, "frobnicate")
	if code != 2 || !strings.Contains(errOut, "no command") {
		t.Fatalf("exit %d, %q", code, errOut)
	}
	bad := filepath.Join(t.TempDir(), "castle.yaml")
	os.WriteFile(bad, []byte("regoin: eu-west-1\n"), 0o600)
	code, _, errOut = castle(t, "status", "--sandbox", "--state-dir", t.TempDir(), "-f", bad)
	if code == 0 || !strings.Contains(errOut, "regoin") || !strings.Contains(errOut, "castle init --example") {
		t.Fatalf("exit %d, %q: a typo in castle.yaml should be named", code, errOut)
	}
}

func TestInitExampleIsAValidCastleFile(t *testing.T) {
	code, out, _ := castle(t, "init", "--example")
	if code != 0 {
		t.Fatal("init --example failed")
	}
	f, err := castlefile.Parse([]byte(out))
	if err != nil {
		t.Fatalf("the example does not parse: %v", err)
	}
	if f.Region == "" || f.LandingZone.LogArchiveEmail == "" || len(f.People) == 0 || len(f.Environments) == 0 ||
		len(f.Access.Grants) == 0 || f.Registry.Repository == "" || f.Service.Cluster == "" || f.Pipeline.Repository == "" {
		t.Fatalf("the example leaves sections out: %+v", f)
	}
}

func TestDebugLogHasNoSecrets(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "debug.log")
	if code, _, errOut := castle(t, "apply", "--sandbox", "--state-dir", dir, "--only", "preflight", "--yes", "--debug", log); code != 0 {
		t.Fatal(errOut)
	}
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "api/sts") || !strings.Contains(string(data), "Authorization: [redacted]") {
		t.Fatalf("the debug log is empty or lacks requests:\n%.500s", data)
	}
	if strings.Contains(string(data), "Signature=") || strings.Contains(string(data), "sandbox-admin-secret") {
		t.Fatalf("the debug log leaks a signature or secret")
	}
	st, _ := os.Stat(log)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("debug log mode %v", st.Mode().Perm())
	}
}

func TestRedactorRemovesTokens(t *testing.T) {
	var b bytes.Buffer
	r := &redactor{w: &b}
	r.Write([]byte("Authorization: AWS4-HMAC-SHA256 Credential=AKIA/x, Signature=abc\nX-Amz-Security-Token: IQoJb3JpZ2luX2VjEJr\n{\"authorizationToken\":\"QVdTOnNlY3JldA==\"}\n"))
	for _, leak := range []string{"Signature=abc", "IQoJb3JpZ2lu", "QVdTOnNlY3JldA"} {
		if strings.Contains(b.String(), leak) {
			t.Errorf("redactor left %q in %q", leak, b.String())
		}
	}
}

func TestNoCredentialsOffersTheSandbox(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(home, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		t.Setenv(k, "")
	}
	var out, errOut bytes.Buffer
	code := run([]string{"--state-dir", t.TempDir(), "--region", "eu-west-1"}, strings.NewReader("n\n"), &out, &errOut)
	if code != 1 {
		t.Fatalf("exit %d; stdout %q stderr %q", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "castle found no AWS credentials") || !strings.Contains(out.String(), "simulated AWS instead?") {
		t.Fatalf("no one-sentence explanation and offer:\n%s", out.String())
	}
	if !strings.Contains(errOut.String(), "aws configure sso") || !strings.Contains(errOut.String(), "castle --sandbox") {
		t.Fatalf("no next step:\n%s", errOut.String())
	}
}
