package registry

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/moby/moby/api/types/jsonstream"

	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/sandbox/world"
	"github.com/castle-aws/castle/steps"
)

func TestNoEngineSaysWhichAndHow(t *testing.T) {
	f := newFixture(t)
	f.env.Answers.Registry.Source = folder(t, scratchApp)
	dir := t.TempDir()
	f.env.DockerHost = "unix://" + filepath.Join(dir, "docker.sock")
	err := New().Apply(context.Background(), f.env, f.emit)
	var ue *steps.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "socket missing") || !strings.Contains(ue.Message, filepath.Join(dir, "docker.sock")) ||
		!strings.Contains(ue.Next, "systemctl start docker") {
		t.Fatalf("apply without an engine = %v, want the missing socket and how to start Docker on Linux", err)
	}
	if k := f.kinds(); k[actBuild] != steps.EventFailed || k[actRepository] == steps.EventFailed {
		t.Errorf("steps = %v, want the repository done and the build failed on Docker", k)
	}

	// A socket file nobody listens on: the daemon is down.
	sock := filepath.Join(dir, "stale.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	f.env.DockerHost = "unix://" + sock
	_, _, err = connect(context.Background(), f.env)
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "daemon down") {
		t.Errorf("stale socket = %v, want daemon down", err)
	}
	st, err := New().Discover(context.Background(), f.env)
	if err != nil || !strings.Contains(strings.Join(st.Details, "\n"), "daemon down") {
		t.Errorf("discover details = %q, %v; want the Docker problem", st.Details, err)
	}
}

func TestDockerAdviceFollowsTheSystem(t *testing.T) {
	defer func(g string) { goos = g }(goos)
	for _, tc := range []struct{ os, want string }{{"linux", "usermod -aG docker"}, {"darwin", "Docker Desktop"}, {"windows", "docker-users"}} {
		goos = tc.os
		err := explainDocker("unix:///var/run/docker.sock", errors.New("permission denied while trying to connect to the docker API at unix:///var/run/docker.sock"))
		var ue *steps.UserError
		if !errors.As(err, &ue) || !strings.Contains(ue.Message, "permission denied") || !strings.Contains(ue.Next, tc.want) {
			t.Errorf("%s: %v, want permission denied and %q", tc.os, err, tc.want)
		}
	}
	err := explainDocker("unix:///var/run/docker.sock", errors.New("API version 1.38 is not supported by this client: the minimum supported API version is 1.40"))
	if !strings.Contains(err.Error(), "too old") {
		t.Errorf("old engine: %v", err)
	}
}

func TestWrongLoginIsRefusedByTheRegistry(t *testing.T) {
	f := newFixture(t)
	tg, err := resolve(context.Background(), f.env)
	if err != nil {
		t.Fatal(err)
	}
	l, err := getLogin(context.Background(), tg.ecr, f.env)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.check(context.Background()); err != nil {
		t.Fatalf("the real login: %v", err)
	}
	if strings.Contains(l.String(), l.password) {
		t.Error("the login prints its password")
	}
	bad := l
	bad.password = "wrong" + l.password[5:]
	err = bad.check(context.Background())
	var ue *steps.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "refused") {
		t.Errorf("wrong password = %v, want refused", err)
	}
	f.sb.Clock().Advance(13 * 60 * 60 * 1e9)
	if err := l.check(context.Background()); err == nil {
		t.Error("a login 13 hours old was accepted")
	}
}

func TestPlanCommandsNameTheRealAccount(t *testing.T) {
	f := newFixture(t)
	f.env.Answers.Registry.Source = folder(t, scratchApp)
	f.env.Answers.Registry.Tag = "v1"
	p, err := New().Plan(context.Background(), f.env)
	if err != nil {
		t.Fatal(err)
	}
	all := ""
	for _, a := range p.Actions {
		all += strings.Join(a.Commands, "\n") + "\n"
	}
	repo := f.env.Answers.Registry.Repository
	for _, want := range []string{
		"aws ecr create-repository --repository-name " + repo + " --image-scanning-configuration scanOnPush=true --image-tag-mutability MUTABLE --region " + sandboxtest.Region,
		"aws ecr get-login-password --region " + sandboxtest.Region,
		"| docker login --username AWS --password-stdin 127.0.0.1:",
		"docker build --platform linux/amd64 -t " + repo + ":v1 ",
		"docker tag " + repo + ":v1 127.0.0.1:",
		"docker push 127.0.0.1:",
		"/" + repo + ":latest",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("commands lack %q:\n%s", want, all)
		}
	}
	if f.env.Answers.Registry.Platform != "linux/amd64" || f.env.Answers.Registry.ScanOnPush == nil || !*f.env.Answers.Registry.ScanOnPush {
		t.Errorf("defaults not written back: %+v", f.env.Answers.Registry)
	}
	// The real ECR host name outside the sandbox.
	f.env.Sandbox = false
	tg, _ := resolve(context.Background(), f.env)
	if h := tg.registryHost(context.Background(), f.env, ""); h != world.ManagementAccount+".dkr.ecr."+sandboxtest.Region+".amazonaws.com" {
		t.Errorf("registry host = %s", h)
	}

	f.env.Answers.Registry.Source = t.TempDir()
	if _, err := New().Plan(context.Background(), f.env); err == nil || !strings.Contains(err.Error(), "no Dockerfile") {
		t.Errorf("plan of a folder without Dockerfile = %v", err)
	}
	f.env.Answers.Registry.Repository = "My_Repo"
	if _, err := New().Plan(context.Background(), f.env); err == nil || !strings.Contains(err.Error(), "lowercase") {
		t.Errorf("plan with a bad name = %v", err)
	}
}

func TestRepositoryNameRules(t *testing.T) {
	for name, ok := range map[string]bool{"hello-world-repo": true, "team/app": true, "a.b_c-d": true, "ab": true,
		"a": false, "Hello": false, "-x": false, "x-": false, "a//b": false, "a__b": false, "/a": false, "": false} {
		if err := CheckRepositoryName(name); (err == nil) != ok {
			t.Errorf("%q: %v, want ok=%v", name, err, ok)
		}
	}
}

func TestDockerignore(t *testing.T) {
	dir := folder(t, map[string]string{
		"Dockerfile": "FROM scratch\n", ".dockerignore": "# comment\nnode_modules\n**/*.log\nsecrets/\n!secrets/public.txt\n/build\n",
		"app.js": "", "node_modules/x/index.js": "", "logs/a.log": "", "b.log": "", "secrets/key": "", "secrets/public.txt": "",
		"build/out": "", "src/build/keep": "",
	})
	got, err := contextFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{".dockerignore", "Dockerfile", "app.js", "secrets/public.txt", "src/build/keep"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("context = %v, want %v", got, want)
	}
}

func TestInstructionLine(t *testing.T) {
	p := filepath.Join(t.TempDir(), "Dockerfile")
	os.WriteFile(p, []byte("# syntax\nFROM scratch\n\nRUN a \\\n  b\n# c\nCOPY x /\n"), 0o644)
	for n, want := range map[int]int{1: 2, 2: 4, 3: 7, 4: 0} {
		if got, _ := instructionLine(p, n); got != want {
			t.Errorf("instruction %d at line %d, want %d", n, got, want)
		}
	}
}

func TestPushProgressClampsAndTotals(t *testing.T) {
	var evs []steps.Event
	tr := newTracker(func(ev steps.Event) { evs = append(evs, ev) })
	msg := func(s string) jsonstream.Message {
		var m jsonstream.Message
		json.Unmarshal([]byte(s), &m)
		return m
	}
	tr.handle(msg(`{"status":"Preparing","id":"aaa"}`))
	tr.handle(msg(`{"status":"Pushing","id":"aaa","progressDetail":{"current":2048,"total":69}}`))
	tr.handle(msg(`{"status":"Pushing","id":"bbb","progressDetail":{"current":50,"total":100}}`))
	d := tr.handle(msg(`{"aux":{"Tag":"v1","Digest":"sha256:abc","Size":524}}`))
	if d != "sha256:abc" {
		t.Errorf("digest = %q", d)
	}
	tr.total(tr.last, true)
	var layerA, total *steps.Event
	for i := range evs {
		if evs[i].Percent > 1 {
			t.Errorf("event over 100%%: %+v", evs[i])
		}
		switch evs[i].Step {
		case "push/layer:aaa":
			layerA = &evs[i]
		case "push":
			total = &evs[i]
		}
	}
	if layerA == nil || layerA.Percent != 1 || !strings.Contains(layerA.Detail, "69 B of 69 B") {
		t.Errorf("layer aaa = %+v, want 100%% of 69 B", layerA)
	}
	if total == nil || total.Percent < 0.7 || total.Percent > 0.72 || !strings.Contains(total.Detail, "2 layers") {
		t.Errorf("total = %+v, want 119/169", total)
	}
}

func TestDemoApp(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	if err := CheckDemoFolder(dir); err != nil {
		t.Fatal(err)
	}
	written, err := writeDemo(dir)
	if err != nil || len(written) < 4 {
		t.Fatalf("writeDemo = %v, %v", written, err)
	}
	for _, name := range []string{"Dockerfile", "app.js", "package.json", ".dockerignore"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("demo lacks %s", name)
		}
	}
	df, _ := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	app, _ := os.ReadFile(filepath.Join(dir, "app.js"))
	if !strings.Contains(string(df), "FROM public.ecr.aws/docker/library/node") || !strings.Contains(string(df), "EXPOSE 3000") || !strings.Contains(string(app), `"/health"`) {
		t.Error("the demo is not a node app with a /health endpoint on port 3000")
	}
	if !isDemo(dir) || CheckDemoFolder(dir) != nil || CheckSource(dir) != nil {
		t.Error("the written demo is not recognised")
	}
	again, _ := writeDemo(dir)
	if len(again) != 0 {
		t.Errorf("rewrote %v", again)
	}
	os.WriteFile(filepath.Join(dir, "app.js"), []byte("changed"), 0o644)
	if CheckDemoFolder(dir) == nil {
		t.Error("a changed folder is accepted for the demo")
	}
	tag := autoTag(context.Background(), &steps.Env{}, filepath.Join(t.TempDir(), "new"), true)
	if !strings.HasPrefix(tag, "demo-") || len(tag) != 12 {
		t.Errorf("demo tag = %q", tag)
	}
}

func TestTagFollowsGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("skipping: git is not installed")
	}
	dir := folder(t, scratchApp)
	run := func(args ...string) string {
		out, err := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	run("init", "-q")
	run("add", ".")
	run("commit", "-q", "-m", "first")
	short := run("rev-parse", "--short", "HEAD")
	env := &steps.Env{}
	if tag := autoTag(context.Background(), env, dir, false); tag != short {
		t.Errorf("clean repo tag = %q, want %q", tag, short)
	}
	os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("changed"), 0o644)
	if tag := autoTag(context.Background(), env, dir, false); !strings.HasPrefix(tag, short+"-") {
		t.Errorf("changed repo tag = %q, want %s-<time>", tag, short)
	}
	plain := folder(t, scratchApp)
	if tag := autoTag(context.Background(), env, plain, false); len(tag) != len("20060102-150405") {
		t.Errorf("plain folder tag = %q, want a time", tag)
	}
}

func TestBaseImagePullFailureIsNotADockerfileMistake(t *testing.T) {
	dir := folder(t, map[string]string{"Dockerfile": "# app\nFROM public.ecr.aws/docker/library/node:20-alpine\nCOPY . /app\n"})
	err := buildFailed(dir, 1, "2", `Get "https://public.ecr.aws/v2/": dial tcp: lookup public.ecr.aws: no such host`, "")
	if !strings.Contains(err.Error(), "could not download the base image") || !strings.Contains(err.Error(), "internet connection") || strings.Contains(err.Error(), "Fix line") {
		t.Errorf("pull failure = %v", err)
	}
	err = buildFailed(dir, 2, "2", "COPY failed: no source files were specified", "")
	if !strings.Contains(err.Error(), "Fix line 3") {
		t.Errorf("copy failure = %v", err)
	}
}

func TestCommandsRunInTheWorkloadAccount(t *testing.T) {
	f := newFixture(t)
	f.env.Answers.Registry.Source = folder(t, scratchApp)
	f.env.Profile = "mgmt"
	f.env.Workload = func(ctx context.Context, env *steps.Env) (steps.WorkloadAccount, error) {
		return steps.WorkloadAccount{AccountID: "222233334444", Name: "dev", Config: f.sb.Admin()}, nil
	}
	p, err := New().Plan(context.Background(), f.env)
	if err != nil {
		t.Fatal(err)
	}
	cmds := strings.Join(p.Actions[0].Commands, "\n") + strings.Join(p.Actions[2].Commands, "\n")
	for _, want := range []string{
		"aws configure set profile.castle-222233334444.role_arn arn:aws:iam::222233334444:role/AWSControlTowerExecution",
		"aws configure set profile.castle-222233334444.source_profile mgmt",
		"ecr create-repository --repository-name " + f.env.Answers.Registry.Repository,
		"--profile castle-222233334444",
	} {
		if !strings.Contains(cmds, want) {
			t.Errorf("commands lack %q:\n%s", want, cmds)
		}
	}
	if strings.Contains(cmds, "--profile mgmt") {
		t.Errorf("a command runs in the management account:\n%s", cmds)
	}
	if err := f.env.OpenJournal(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.env.Journal.SetResource("environments", "workloadProfile", "dev-admin")
	p, _ = New().Plan(context.Background(), f.env)
	if c := p.Actions[0].Commands; len(c) != 1 || !strings.Contains(c[0], "--profile dev-admin") {
		t.Errorf("with the user's own profile: %q", c)
	}
}

func TestExistingRepositorySettingsWin(t *testing.T) {
	f := newFixture(t)
	f.env.Answers.Registry.Source = folder(t, scratchApp)
	f.env.Answers.Registry.Tag = "v1"
	name := f.env.Answers.Registry.Repository
	if _, err := ecr.NewFromConfig(f.sb.Admin()).CreateRepository(context.Background(), &ecr.CreateRepositoryInput{
		RepositoryName: aws.String(name), ImageTagMutability: ecrtypes.ImageTagMutabilityImmutable}); err != nil {
		t.Fatal(err)
	}
	p, err := New().Plan(context.Background(), f.env)
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(p.Notes, "\n")
	if !strings.Contains(notes, "tags locked") || !strings.Contains(notes, "scan on push off") {
		t.Errorf("notes = %s", notes)
	}
	if !p.Actions[0].Skip {
		t.Error("the existing repository is created again")
	}
	if cmds := strings.Join(p.Actions[len(p.Actions)-1].Commands, "\n"); strings.Contains(cmds, ":latest") {
		t.Errorf("latest would be pushed to an immutable repository:\n%s", cmds)
	}
}
