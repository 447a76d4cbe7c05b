package registry

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/moby/moby/client"

	"github.com/castle-aws/castle/steps"
)

var scratchApp = map[string]string{
	"Dockerfile":    "FROM scratch\n# the app\nCOPY . /app/\nEXPOSE 8080\n",
	"hello.txt":     "hello from a castle test\n",
	"big.bin":       randHex(512 << 10), // incompressible enough to show in the size
	".dockerignore": "*.bin\n",
}

// readManifest reads a manifest from the sandbox registry with a fresh
// token and returns the sha256 digest of its bytes.
func readManifest(t *testing.T, f *fixture, ref string) string {
	t.Helper()
	out, err := ecr.NewFromConfig(f.sb.Admin()).GetAuthorizationToken(context.Background(), &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(aws.ToString(out.AuthorizationData[0].AuthorizationToken))
	pw := strings.TrimPrefix(string(raw), "AWS:")
	host, rest, _ := strings.Cut(ref, "/")
	i := strings.LastIndex(rest, ":")
	req, _ := http.NewRequest("GET", "http://"+host+"/v2/"+rest[:i]+"/manifests/"+rest[i+1:], nil)
	req.SetBasicAuth("AWS", pw)
	req.Header.Set("Accept", "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("GET manifest %s: %d %s", ref, res.StatusCode, body)
	}
	sum := sha256.Sum256(body)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func TestApplyBuildsTagsAndPushes(t *testing.T) {
	dc := needDocker(t)
	f := newFixture(t)
	f.env.Answers.Registry.Source = folder(t, scratchApp)
	ctx := context.Background()

	plan, err := New().Plan(ctx, f.env)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Pending() || len(plan.Actions) != 3 {
		t.Fatalf("plan = %+v, want repository, build and push", plan.Actions)
	}
	cmds := strings.Join(plan.Actions[2].Commands, "\n")
	if !strings.Contains(cmds, "get-login-password") || !strings.Contains(cmds, "docker push "+f.sb.URL[len("http://"):]) && !strings.Contains(cmds, "docker push 127.0.0.1:") {
		t.Errorf("push commands = %s", cmds)
	}
	if err := New().Apply(ctx, f.env, f.emit); err != nil {
		t.Fatalf("apply: %v\nevents:\n%s", err, f.eventText())
	}
	j := f.env.Journal
	uri, _ := j.Resource(section, ResRepositoryURI)
	image, _ := j.Resource(section, ResImage)
	digest, _ := j.Resource(section, ResDigest)
	arch, _ := j.Resource(section, ResArchitecture)
	port, _ := j.Resource(section, ResPort)
	tag := image[strings.LastIndex(image, ":")+1:]
	removeImages(t, dc, image, uri+":latest", f.env.Answers.Registry.Repository+":"+tag)
	if !strings.HasPrefix(image, uri+":") || !strings.HasPrefix(digest, "sha256:") || arch != "X86_64" || port != "8080" {
		t.Fatalf("journal: uri=%q image=%q digest=%q arch=%q port=%q", uri, image, digest, arch, port)
	}

	// The registry holds exactly that manifest, under both tags.
	if got := readManifest(t, f, image); got != digest {
		t.Errorf("registry manifest of %s = %s, journal says %s", image, got, digest)
	}
	if got := readManifest(t, f, uri+":latest"); got != digest {
		t.Errorf("latest = %s, want %s", got, digest)
	}
	out, err := ecr.NewFromConfig(f.sb.Admin()).DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String(f.env.Answers.Registry.Repository)})
	if err != nil || len(out.ImageDetails) != 1 || aws.ToString(out.ImageDetails[0].ImageDigest) != digest || len(out.ImageDetails[0].ImageTags) != 2 {
		t.Fatalf("DescribeImages = %+v, %v; want one image %s tagged %s and latest", out, err, digest, tag)
	}
	// .dockerignore kept the big file out of the image.
	if size := aws.ToInt64(out.ImageDetails[0].ImageSizeInBytes); size > 100<<10 {
		t.Errorf("image size %d: the ignored big.bin went into the build context", size)
	}

	// Progress: build lines, per-layer bars and a total.
	text := f.eventText()
	for _, want := range []string{"Step 2/3 : COPY . /app/", "Step:push/layer:", "Step:push Kind:progress", "X86_64"} {
		if !strings.Contains(text, want) {
			t.Errorf("events lack %q", want)
		}
	}
	for step, kind := range f.kinds() {
		if strings.HasPrefix(step, "push/layer:") && kind != steps.EventDone {
			t.Errorf("layer %s ended %q, want done", step, kind)
		}
	}
	for _, ev := range f.events {
		if ev.Percent > 1 {
			t.Errorf("event %+v has a percentage over 100", ev)
		}
	}

	// The ECR password is nowhere: journal, SDK debug log, events, build log.
	journalFile, _ := os.ReadFile(j.Path())
	buildLog, _ := os.ReadFile(strings.TrimSuffix(j.Path(), "/"+lastElem(j.Path())) + "/registry-build.log")
	if len(buildLog) == 0 {
		t.Error("no build log was kept")
	}
	pws := f.passwords()
	if len(pws) == 0 {
		t.Fatal("the sandbox issued no password")
	}
	if !strings.Contains(f.debug.String(), "GetAuthorizationToken") {
		t.Error("the debug log did not record the SDK calls, so it proves nothing")
	}
	for _, pw := range pws {
		b64 := base64.StdEncoding.EncodeToString([]byte("AWS:" + pw))
		for where, s := range map[string]string{"journal": string(journalFile), "debug log": f.debug.String(), "events": text, "build log": string(buildLog)} {
			if strings.Contains(s, pw) || strings.Contains(s, b64) || strings.Contains(s, pw[:40]) {
				t.Errorf("the ECR password is in the %s", where)
			}
		}
	}

	// Apply again: the image is there, nothing is built or pushed.
	f.events = nil
	if err := New().Apply(ctx, f.env, f.emit); err != nil {
		t.Fatal(err)
	}
	k := f.kinds()
	if k[actRepository] != steps.EventSkipped || k[actBuild] != steps.EventSkipped || k[actPush] != steps.EventSkipped {
		t.Errorf("second apply: %v, want repository, build and push skipped", k)
	}
	st, err := New().Discover(ctx, f.env)
	if err != nil || st.State != steps.StateDone || !strings.Contains(st.Summary, tag) {
		t.Errorf("discover after push = %+v, %v", st, err)
	}
}

func lastElem(p string) string { return p[strings.LastIndex(p, "/")+1:] }

func TestBuildErrorNamesTheFailingStep(t *testing.T) {
	needDocker(t)
	f := newFixture(t)
	f.env.Answers.Registry.Source = folder(t, map[string]string{
		"Dockerfile": "FROM scratch\nCOPY hello.txt /\n\n# this file is not there\nCOPY missing.txt /\n",
		"hello.txt":  "hi\n",
	})
	err := New().Apply(context.Background(), f.env, f.emit)
	var ue *steps.UserError
	if !errors.As(err, &ue) {
		t.Fatalf("apply = %v, want a UserError", err)
	}
	if !strings.Contains(ue.Message, "step 3 of 3") || !strings.Contains(ue.Message, "line 5") || !strings.Contains(ue.Message, "COPY missing.txt") || !strings.Contains(ue.Next, "line 5") {
		t.Errorf("error = %q / %q, want step 3 of 3 at line 5 (COPY missing.txt)", ue.Message, ue.Next)
	}
	if !strings.Contains(ue.Next, "registry-build.log") {
		t.Errorf("next = %q, want the path of the kept build output", ue.Next)
	}
	if k := f.kinds(); k[actBuild] != steps.EventFailed {
		t.Errorf("build step ended %q, want failed", k[actBuild])
	}
	if !strings.Contains(f.eventText(), "Step 3/3 : COPY missing.txt /") {
		t.Error("the build output was not streamed")
	}
}

func TestInterruptedPushIsDoneAgain(t *testing.T) {
	dc := needDocker(t)
	f := newFixture(t)
	f.env.Answers.Registry.Source = folder(t, scratchApp)
	f.env.Answers.Registry.Immutable = true
	ctx, cancel := context.WithCancel(context.Background())
	err := New().Apply(ctx, f.env, func(ev steps.Event) {
		f.emit(ev)
		if strings.HasPrefix(ev.Step, "push/layer:") {
			cancel() // quit in the middle of the upload
		}
	})
	cancel()
	if err == nil {
		t.Fatal("apply went on after its context ended")
	}
	op, ok := f.env.Journal.Operation(section, opPush)
	if !ok || op.Done || op.Extra["tag"] == "" {
		t.Fatalf("journal after the interruption: %+v %v, want an unfinished push", op, ok)
	}
	removeImages(t, dc, op.ID, op.Extra["local"])
	st, _ := New().Discover(context.Background(), f.env)
	if !strings.Contains(st.Summary, "interrupted") {
		t.Errorf("discover = %q, want it to mention the interrupted upload", st.Summary)
	}

	f.events = nil
	if err := New().Apply(context.Background(), f.env, f.emit); err != nil {
		t.Fatalf("second apply: %v\n%s", err, f.eventText())
	}
	k := f.kinds()
	if k[actBuild] != steps.EventSkipped || k[actPush] != steps.EventDone {
		t.Errorf("second apply: %v, want the build reused and the push done", k)
	}
	image, _ := f.env.Journal.Resource(section, ResImage)
	digest, _ := f.env.Journal.Resource(section, ResDigest)
	if image != op.ID {
		t.Errorf("pushed %s, the interrupted upload was %s", image, op.ID)
	}
	if got := readManifest(t, f, image); got != digest {
		t.Errorf("registry has %s, journal says %s", got, digest)
	}
	out, _ := ecr.NewFromConfig(f.sb.Admin()).DescribeImages(context.Background(), &ecr.DescribeImagesInput{RepositoryName: aws.String(f.env.Answers.Registry.Repository)})
	if len(out.ImageDetails) != 1 || len(out.ImageDetails[0].ImageTags) != 1 {
		t.Errorf("images = %+v, want one image with one tag (immutable: no latest)", out.ImageDetails)
	}
	_ = ecrtypes.TagStatusAny
}

func TestDockerPushWithAWrongTokenIsRefused(t *testing.T) {
	dc := needDocker(t)
	f := newFixture(t)
	ctx := context.Background()
	tg, _ := resolve(ctx, f.env)
	uri, err := run{env: f.env, emit: f.emit}.ensureRepository(ctx, tg, f.env.Answers.Registry.Repository, true, false)
	if err != nil {
		t.Fatal(err)
	}
	dir := folder(t, map[string]string{"Dockerfile": "FROM scratch\nCOPY a.txt /\n", "a.txt": randHex(64)})
	b, err := build(ctx, dc, dir, "linux/amd64", f.env.Answers.Registry.Repository+":wrong", "", func(steps.Event) {})
	if err != nil {
		t.Fatal(err)
	}
	ref := uri + ":wrong"
	removeImages(t, dc, ref, f.env.Answers.Registry.Repository+":wrong")
	if _, err := dc.ImageTag(ctx, client.ImageTagOptions{Source: b.ID, Target: ref}); err != nil {
		t.Fatal(err)
	}
	l, err := getLogin(ctx, tg.ecr, f.env)
	if err != nil {
		t.Fatal(err)
	}
	l.password = "not" + l.password[3:]
	// The engine retries a refused login for about a minute; a few seconds
	// of it are enough to see the registry refuse.
	pctx, cancel := context.WithTimeout(ctx, 12*time.Second)
	defer cancel()
	var seen []string
	_, err = push(pctx, dc, ref, l, func(ev steps.Event) { seen = append(seen, ev.Detail) })
	var ue *steps.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "Not Authorized") || !strings.Contains(ue.Next, "may push to ECR") {
		t.Fatalf("push with a wrong password = %v, want the registry's refusal and what to check", err)
	}
	out, _ := ecr.NewFromConfig(f.sb.Admin()).DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String(f.env.Answers.Registry.Repository)})
	if len(out.ImageDetails) != 0 {
		t.Errorf("the registry took an image from a wrong password: %+v", out.ImageDetails)
	}
	t.Logf("refused: %v (stream: %q)", err, seen)
}
