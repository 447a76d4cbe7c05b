package journal

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

const acct = "123456789012"

func open(t *testing.T, dir string) *Journal {
	t.Helper()
	j, err := Open(dir, acct)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

type answers struct {
	Region string   `json:"region"`
	OUs    []string `json:"ous"`
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	j := open(t, dir)
	if want := filepath.Join(dir, "journal-"+acct+".json"); j.Path() != want {
		t.Fatalf("Path = %q, want %q", j.Path(), want)
	}
	started := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	op := Operation{Kind: "controltower:CreateLandingZone", ID: "op-1", StartedAt: started, Expected: time.Hour,
		Status: "IN_PROGRESS", Token: "tok-1", Extra: map[string]string{"version": "3.3"}}
	must(t, j.SaveOperation("landing-zone", "lz", op))
	must(t, j.SaveOperation("landing-zone", "old", Operation{Kind: "x", ID: "op-0"}))
	must(t, j.FinishOperation("landing-zone", "old", "SUCCEEDED"))
	must(t, j.SetResource("landing-zone", "arn", "arn:aws:controltower:us-east-1:123456789012:landingzone/ABC"))
	must(t, j.SetAnswers("landing-zone", answers{Region: "eu-west-1", OUs: []string{"Security", "Workloads"}}))
	before := j.Snapshot()
	must(t, j.Close())

	j2 := open(t, dir)
	after := j2.Snapshot()
	if !after.UpdatedAt.Equal(before.UpdatedAt) || after.Version != Version || after.Account != acct {
		t.Fatalf("header changed: before %+v after %+v", before, after)
	}
	got, ok := j2.Operation("landing-zone", "lz")
	if !ok || got.ID != "op-1" || !got.StartedAt.Equal(started) || got.Expected != time.Hour ||
		got.Token != "tok-1" || got.Extra["version"] != "3.3" || got.Status != "IN_PROGRESS" || got.Done {
		t.Fatalf("operation after reopen = %+v, %v", got, ok)
	}
	old, ok := j2.Operation("landing-zone", "old")
	if !ok || !old.Done || old.Status != "SUCCEEDED" {
		t.Fatalf("finished operation after reopen = %+v, %v", old, ok)
	}
	ops := j2.Operations("landing-zone")
	if len(ops) != 1 || ops["lz"].ID != "op-1" {
		t.Fatalf("Operations (not done) = %+v", ops)
	}
	if id, ok := j2.Resource("landing-zone", "arn"); !ok || !strings.HasSuffix(id, "landingzone/ABC") {
		t.Fatalf("Resource = %q, %v", id, ok)
	}
	if _, ok := j2.Resource("landing-zone", "nope"); ok {
		t.Fatal("Resource found a name never set")
	}
	var a answers
	ok, err := j2.Answers("landing-zone", &a)
	if err != nil || !ok || a.Region != "eu-west-1" || len(a.OUs) != 2 {
		t.Fatalf("Answers = %+v, %v, %v", a, ok, err)
	}
	ok, err = j2.Answers("people", &a)
	if ok || err != nil {
		t.Fatalf("Answers of an unknown section = %v, %v", ok, err)
	}
	if err := j2.FinishOperation("people", "nope", "X"); !errors.Is(err, ErrNoOperation) {
		t.Fatalf("FinishOperation of an unknown operation = %v", err)
	}
}

func TestSnapshotIsDeepCopy(t *testing.T) {
	j := open(t, t.TempDir())
	must(t, j.SaveOperation("s", "k", Operation{ID: "a", Extra: map[string]string{"x": "1"}}))
	must(t, j.SetResource("s", "r", "id-1"))
	must(t, j.SetAnswers("s", map[string]string{"a": "b"}))
	snap := j.Snapshot()
	snap.Sections["s"].Operations["k"].ID = "changed"
	snap.Sections["s"].Operations["k"].Extra["x"] = "changed"
	snap.Sections["s"].Resources["r"] = "changed"
	snap.Sections["s"].Answers[2] = 'Z'
	delete(snap.Sections, "s")

	op, _ := j.Operation("s", "k")
	if op.ID != "a" || op.Extra["x"] != "1" {
		t.Fatalf("changing a snapshot changed the journal: %+v", op)
	}
	op.Extra["x"] = "changed"
	if op2, _ := j.Operation("s", "k"); op2.Extra["x"] != "1" {
		t.Fatal("Operation returned a shared Extra map")
	}
	if id, _ := j.Resource("s", "r"); id != "id-1" {
		t.Fatalf("resource = %q", id)
	}
	var m map[string]string
	if _, err := j.Answers("s", &m); err != nil || m["a"] != "b" {
		t.Fatalf("answers = %v, %v", m, err)
	}
}

func TestUpdateErrorChangesNothing(t *testing.T) {
	j := open(t, t.TempDir())
	must(t, j.SetResource("s", "r", "id-1"))
	disk, _ := os.ReadFile(j.Path())
	boom := errors.New("boom")
	err := j.Update(func(d *Data) error {
		d.Sections["s"].Resources["r"] = "id-2"
		d.Sections["t"] = &SectionRecord{}
		return boom
	})
	if err != boom {
		t.Fatalf("Update = %v, want fn's error", err)
	}
	if id, _ := j.Resource("s", "r"); id != "id-1" {
		t.Fatalf("failed Update changed memory: %q", id)
	}
	if _, ok := j.Snapshot().Sections["t"]; ok {
		t.Fatal("failed Update added a section")
	}
	if now, _ := os.ReadFile(j.Path()); string(now) != string(disk) {
		t.Fatal("failed Update changed the file")
	}
}

func TestFileModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix permission bits")
	}
	dir := filepath.Join(t.TempDir(), "state")
	j := open(t, dir)
	var tmpModes []os.FileMode
	beforeRename = func(tmp string) error {
		fi, err := os.Stat(tmp)
		if err != nil {
			return err
		}
		tmpModes = append(tmpModes, fi.Mode().Perm())
		return nil
	}
	t.Cleanup(func() { beforeRename = nil })
	must(t, j.SetResource("s", "r", "id"))
	if len(tmpModes) != 1 || tmpModes[0] != 0o600 {
		t.Fatalf("temp file modes = %v, want [0600]", tmpModes)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, j.Path(): 0o600, j.Path() + ".lock": 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s mode = %o, want %o", path, got, want)
		}
	}
	// A journal someone made readable to everyone is 0600 again after the next write.
	must(t, os.Chmod(j.Path(), 0o644))
	must(t, j.SetResource("s", "r", "id2"))
	if fi, _ := os.Stat(j.Path()); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode after rewrite = %o", fi.Mode().Perm())
	}
}

func TestDefaultDir(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("os.UserConfigDir follows XDG_CONFIG_HOME only on Linux")
	}
	base := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", base)
	dir, err := DefaultDir()
	if err != nil {
		t.Fatal(err)
	}
	if dir != filepath.Join(base, "castle") {
		t.Fatalf("DefaultDir = %q", dir)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Fatalf("DefaultDir folder: %v, %v", fi, err)
	}
	j := open(t, "")
	if filepath.Dir(j.Path()) != dir {
		t.Fatalf(`Open("") put the journal at %s`, j.Path())
	}
}

// A crash after the temp file is written but before it replaces the journal
// leaves the old journal, complete, and no temp file once castle runs again.
func TestCrashBeforeRenameKeepsOldContent(t *testing.T) {
	dir := t.TempDir()
	j := open(t, dir)
	must(t, j.SetResource("s", "r", "old"))
	old, _ := os.ReadFile(j.Path())

	crash := errors.New("simulated crash")
	beforeRename = func(tmp string) error {
		// Leave a copy behind as a killed castle would.
		b, err := os.ReadFile(tmp)
		if err != nil {
			return err
		}
		if err := os.WriteFile(j.Path()+".tmp-killed", b[:len(b)/2], 0o600); err != nil {
			return err
		}
		return crash
	}
	err := j.SetResource("s", "r", "new")
	beforeRename = nil
	if !errors.Is(err, crash) {
		t.Fatalf("SetResource = %v, want the crash", err)
	}
	if now, _ := os.ReadFile(j.Path()); string(now) != string(old) {
		t.Fatalf("journal changed by a failed write:\n%s", now)
	}
	if id, _ := j.Resource("s", "r"); id != "old" {
		t.Fatalf("memory = %q after a failed write, want the old value", id)
	}
	must(t, j.Close())

	j2 := open(t, dir)
	if id, _ := j2.Resource("s", "r"); id != "old" {
		t.Fatalf("after restart resource = %q", id)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*.tmp-*")); len(left) != 0 {
		t.Fatalf("temp files left after reopening: %v", left)
	}
}

// While many goroutines change the journal, a reader sees only complete
// JSON, and no temp file remains at the end.
func TestAtomicUnderLoad(t *testing.T) {
	dir := t.TempDir()
	j := open(t, dir)
	must(t, j.SetResource("s", "n", "0"))
	stop := make(chan struct{})
	var reads, bad int
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		for {
			select {
			case <-stop:
				return
			default:
			}
			raw, err := os.ReadFile(j.Path())
			if err != nil {
				bad++
				continue
			}
			var d Data
			if err := json.Unmarshal(raw, &d); err != nil || d.Account != acct || d.Sections["s"] == nil {
				bad++
			}
			reads++
		}
	}()
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if err := j.SetResource("s", "n", fmt.Sprint(i)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-readerDone
	if bad != 0 {
		t.Fatalf("%d of %d reads saw a missing or partial journal", bad, reads)
	}
	if reads == 0 {
		t.Fatal("the reader never read")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*.tmp-*")); len(left) != 0 {
		t.Fatalf("temp files left: %v", left)
	}
}

func TestConcurrentUpdates(t *testing.T) {
	j := open(t, t.TempDir())
	const n = 40
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			key := fmt.Sprint("op-", i)
			if err := j.SaveOperation("s", key, Operation{ID: key}); err != nil {
				t.Error(err)
			}
			if err := j.Update(func(d *Data) error {
				r := d.record("counter")
				if r.Resources == nil {
					r.Resources = map[string]string{}
				}
				var c int
				fmt.Sscan(r.Resources["c"], &c)
				r.Resources["c"] = fmt.Sprint(c + 1)
				return nil
			}); err != nil {
				t.Error(err)
			}
			_ = j.Snapshot()
			_ = j.Operations("s")
			_, _ = j.Resource("counter", "c")
		}(i)
	}
	wg.Wait()
	if ops := j.Operations("s"); len(ops) != n {
		t.Fatalf("%d operations, want %d", len(ops), n)
	}
	if c, _ := j.Resource("counter", "c"); c != fmt.Sprint(n) {
		t.Fatalf("counter = %s, want %d (a lost update)", c, n)
	}
	must(t, j.Close())
	j2 := open(t, filepath.Dir(j.Path()))
	if ops := j2.Operations("s"); len(ops) != n {
		t.Fatalf("on disk: %d operations, want %d", len(ops), n)
	}
}

func TestLockSameProcess(t *testing.T) {
	dir := t.TempDir()
	j := open(t, dir)
	_, err := Open(dir, acct)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
	msg := err.Error()
	for _, want := range []string{acct, j.Path(), "close it first, or wait for it to finish"} {
		if !strings.Contains(msg, want) {
			t.Errorf("lock error %q does not mention %q", msg, want)
		}
	}
	// Another account is another file, and not locked.
	other, err := Open(dir, "210987654321")
	if err != nil {
		t.Fatalf("Open of another account: %v", err)
	}
	other.Close()
	must(t, j.Close())
	must(t, j.Close()) // twice is fine
	if err := j.SetResource("s", "r", "x"); !errors.Is(err, ErrClosed) {
		t.Fatalf("SetResource after Close = %v", err)
	}
	j2, err := Open(dir, acct)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	j2.Close()
}

const helperEnv = "CASTLE_JOURNAL_LOCK_HELPER"

// TestLockHelperProcess is not a test: TestLockAcrossProcesses runs the test
// binary again with it to hold the lock from another process. It opens the
// journal, says "locked", and holds it until its stdin closes.
func TestLockHelperProcess(t *testing.T) {
	dir := os.Getenv(helperEnv)
	if dir == "" {
		t.Skip("helper for TestLockAcrossProcesses")
	}
	j, err := Open(dir, acct)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("locked")
	io.Copy(io.Discard, os.Stdin)
	j.Close()
	os.Exit(0)
}

func TestLockAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	start := func() (*exec.Cmd, io.WriteCloser) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLockHelperProcess$")
		cmd.Env = append(os.Environ(), helperEnv+"="+dir)
		stdin, err := cmd.StdinPipe()
		must(t, err)
		stdout, err := cmd.StdoutPipe()
		must(t, err)
		cmd.Stderr = os.Stderr
		must(t, cmd.Start())
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil || strings.TrimSpace(line) != "locked" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("helper said %q, %v", line, err)
		}
		return cmd, stdin
	}

	// The child closes the journal and exits.
	cmd, stdin := start()
	if _, err := Open(dir, acct); !errors.Is(err, ErrLocked) {
		stdin.Close()
		cmd.Wait()
		t.Fatalf("Open while another process holds the journal = %v, want ErrLocked", err)
	}
	stdin.Close()
	must(t, cmd.Wait())
	j, err := Open(dir, acct)
	if err != nil {
		t.Fatalf("Open after the other process exited: %v", err)
	}
	must(t, j.Close())

	// The child is killed while holding the lock: the OS releases it.
	cmd, stdin = start()
	if _, err := Open(dir, acct); !errors.Is(err, ErrLocked) {
		t.Fatalf("Open while another process holds the journal = %v, want ErrLocked", err)
	}
	must(t, cmd.Process.Kill())
	cmd.Wait()
	stdin.Close()
	j, err = Open(dir, acct)
	if err != nil {
		t.Fatalf("Open after the other process was killed: %v", err)
	}
	j.Close()
}

func TestNewerVersionRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "journal-"+acct+".json")
	content := fmt.Sprintf(`{"version": %d, "account": %q, "future": true}`, Version+1, acct)
	must(t, os.WriteFile(path, []byte(content), 0o600))
	_, err := Open(dir, acct)
	if !errors.Is(err, ErrNewerVersion) {
		t.Fatalf("Open = %v, want ErrNewerVersion", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "written by a newer castle") || !strings.Contains(msg, "upgrade castle") || !strings.Contains(msg, path) {
		t.Fatalf("message %q does not say what to do", msg)
	}
	if now, _ := os.ReadFile(path); string(now) != content {
		t.Fatal("a refused journal was changed")
	}
	// The refusal released the lock.
	must(t, os.WriteFile(path, []byte(fmt.Sprintf(`{"version": %d, "account": %q}`, Version, acct)), 0o600))
	open(t, dir)
}

func TestCorruptRefused(t *testing.T) {
	for name, content := range map[string]string{
		"truncated":     `{"version": 1, "account": "1234`,
		"empty":         ``,
		"no version":    `{"account": "123456789012"}`,
		"other account": `{"version": 1, "account": "999999999999"}`,
		"wrong types":   `{"version": 1, "account": "123456789012", "sections": []}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "journal-"+acct+".json")
			must(t, os.WriteFile(path, []byte(content), 0o600))
			_, err := Open(dir, acct)
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
				t.Fatalf("Open = %v, want ErrCorrupt naming the file", err)
			}
			if now, _ := os.ReadFile(path); string(now) != content {
				t.Fatal("a damaged journal was changed")
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 2 { // the journal and its lock file
				t.Fatalf("Open left files behind: %v", entries)
			}
		})
	}
}

func TestBadAccount(t *testing.T) {
	for _, a := range []string{"", "../etc", "a/b", `a\b`, "12 34"} {
		if _, err := Open(t.TempDir(), a); err == nil {
			t.Errorf("Open(%q) worked", a)
		}
	}
}

func TestSecretGuard(t *testing.T) {
	ecr := base64.StdEncoding.EncodeToString([]byte("AWS:eyJwYXlsb2FkIjoiQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVoiLCJkYXRha2V5IjoiYWJjIn0="))
	secret := "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	secrets := map[string]string{
		"access key id":        "AKIAIOSFODNN7EXAMPLE",
		"temporary key id":     "key ASIAY34FZKBOKMUTVV7A in text",
		"labelled secret":      "aws_secret_access_key = " + secret,
		"json secret":          `{"SecretAccessKey":"` + secret + `"}`,
		"security token":       "https://x.s3.amazonaws.com/o?X-Amz-Security-Token=abc",
		"session token":        "IQoJb3JpZ2luX2VjEHcaCXVzLWVhc3QtMSJHMEUCIQ",
		"ecr token":            ecr,
		"ecr token in a quote": `{"auth":"` + ecr + `"}`,
	}
	dir := t.TempDir()
	j := open(t, dir)
	disk, _ := os.ReadFile(j.Path())
	for name, s := range secrets {
		t.Run(name, func(t *testing.T) {
			if LooksSecret(s) == "" {
				t.Fatalf("LooksSecret missed %q", s)
			}
			for how, err := range map[string]error{
				"SetResource":       j.SetResource("s", "r", s),
				"resource name":     j.SetResource("s", s, "x"),
				"operation id":      j.SaveOperation("s", "k", Operation{ID: s}),
				"operation token":   j.SaveOperation("s", "k", Operation{ID: "op", Token: s}),
				"operation extra":   j.SaveOperation("s", "k", Operation{ID: "op", Extra: map[string]string{"e": s}}),
				"answers":           j.SetAnswers("s", map[string]string{"k": s}),
				"Update":            j.Update(func(d *Data) error { d.record("s").Resources = map[string]string{"r": s}; return nil }),
				"Update of section": j.Update(func(d *Data) error { d.record(s); return nil }),
			} {
				if !errors.Is(err, ErrSecret) {
					t.Errorf("%s: %v, want ErrSecret", how, err)
				} else if strings.Contains(err.Error(), s) || (len(s) > 20 && strings.Contains(err.Error(), s[:20])) {
					t.Errorf("%s: the error repeats the secret: %v", how, err)
				}
			}
		})
	}
	if now, _ := os.ReadFile(j.Path()); string(now) != string(disk) {
		t.Fatalf("a refused secret reached the file:\n%s", now)
	}

	// Ordinary values castle stores pass.
	fine := []string{
		"arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123456789abcdef",
		"AIDAJQABLZS4A3QDU576Q", "AROA1234567890EXAMPLE", // user and role ids
		"da39a3ee5e6b4b0d3255bfef95601890afd80709", // a commit id is 40 characters too
		"car-1a2b3c4d5e6f7g8h9i0j",
		"123456789012.dkr.ecr.eu-west-1.amazonaws.com/castle-app",
		"sha256:" + strings.Repeat("ab", 32),
		base64.StdEncoding.EncodeToString([]byte("just some long base64 text that is not an ECR token at all")),
		"a3f6c0e2-5e9b-4b2a-9d1c-1f2e3d4c5b6a",
	}
	for _, s := range fine {
		if kind := LooksSecret(s); kind != "" {
			t.Errorf("LooksSecret(%q) = %q", s, kind)
		}
		if err := j.SetResource("s", "r", s); err != nil {
			t.Errorf("SetResource(%q) = %v", s, err)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
