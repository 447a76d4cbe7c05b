package registry

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/castle-aws/castle/sandbox/world"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
)

// childApply is the child half of TestKilledPushIsFinishedByTheNextApply: a
// castle that applies the section and gets killed with SIGKILL mid-upload.
func childApply() {
	cfg, err := steps.LoadConfig(context.Background(), steps.ConnectOptions{
		Region: "eu-west-1", EndpointURL: os.Getenv("REG6_URL"), Isolated: true,
		Credentials: steps.StaticCredentials(world.AdminKeyID, world.AdminSecret, ""),
	})
	if err != nil {
		os.Exit(3)
	}
	env := &steps.Env{Config: cfg, Region: "eu-west-1", Sandbox: true, EndpointURL: os.Getenv("REG6_URL"),
		StateDir: os.Getenv("REG6_STATE"), Answers: &castlefile.File{}}
	env.Answers.Registry.Repository = os.Getenv("REG6_REPO")
	env.Answers.Registry.Source = os.Getenv("REG6_SOURCE")
	if err := New().Apply(context.Background(), env, func(steps.Event) {}); err != nil {
		os.Exit(4)
	}
	os.Exit(0)
}

func TestKilledPushIsFinishedByTheNextApply(t *testing.T) {
	if os.Getenv("REG6_CHILD") == "1" {
		childApply()
		return
	}
	dc := needDocker(t)
	f := newFixture(t)
	state := t.TempDir()
	f.env.StateDir = state
	src := folder(t, map[string]string{"Dockerfile": "FROM scratch\nCOPY big.bin /\nCOPY small.txt /\n", "small.txt": "hi\n"})
	// 40 MB of hex that compresses only by half, so the upload takes a moment.
	os.WriteFile(filepath.Join(src, "big.bin"), []byte(randHex(20<<20)), 0o644)
	f.env.Answers.Registry.Source = src

	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledPushIsFinishedByTheNextApply$")
	cmd.Env = append(os.Environ(), "REG6_CHILD=1", "REG6_URL="+f.sb.URL, "REG6_STATE="+state,
		"REG6_REPO="+f.env.Answers.Registry.Repository, "REG6_SOURCE="+src)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it as soon as the journal says the upload started.
	deadline := time.Now().Add(3 * time.Minute)
	killed := false
	for time.Now().Before(deadline) {
		files, _ := filepath.Glob(filepath.Join(state, "journal-*.json"))
		if len(files) == 1 {
			if b, _ := os.ReadFile(files[0]); strings.Contains(string(b), `"docker:push"`) {
				time.Sleep(300 * time.Millisecond) // into the upload
				cmd.Process.Kill()
				killed = true
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	err := cmd.Wait()
	if !killed {
		t.Fatalf("the child never started its upload (exit %v)", err)
	}
	if err == nil {
		t.Log("the child finished its upload before the kill; the retry must then find it done")
	}

	if err := New().Apply(context.Background(), f.env, f.emit); err != nil {
		t.Fatalf("apply after kill -9: %v\n%s", err, f.eventText())
	}
	image, _ := f.env.Journal.Resource(section, ResImage)
	digest, _ := f.env.Journal.Resource(section, ResDigest)
	removeImages(t, dc, image, image[:strings.LastIndex(image, ":")]+":latest", f.env.Answers.Registry.Repository+image[strings.LastIndex(image, ":"):])
	if op, _ := f.env.Journal.Operation(section, opPush); !op.Done || op.ID != image {
		t.Errorf("journal push = %+v, want done for %s", op, image)
	}
	if got := readManifest(t, f, image); got != digest {
		t.Errorf("registry has %s, journal says %s", got, digest)
	}
	if k := f.kinds(); k[actBuild] != steps.EventSkipped {
		t.Errorf("build after the kill: %q, want skipped (the image the killed castle built is reused)", k[actBuild])
	}
	out, err := ecr.NewFromConfig(f.sb.Admin()).DescribeImages(context.Background(), &ecr.DescribeImagesInput{RepositoryName: aws.String(f.env.Answers.Registry.Repository)})
	if err != nil || len(out.ImageDetails) != 1 || aws.ToString(out.ImageDetails[0].ImageDigest) != digest {
		t.Errorf("images after the kill and the retry = %+v %v, want exactly %s", out, err, digest)
	}
}
