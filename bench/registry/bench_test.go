// Package registrybench compares castle's image upload with `docker push`
// of a same-sized image to the same sandbox registry. It runs only with
// CASTLE_BENCH=1 (see README.md).
package registrybench

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/castle-aws/castle/sandbox"
	sbecr "github.com/castle-aws/castle/sandbox/ecr"
	"github.com/castle-aws/castle/sandbox/iam"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/sandbox/sts"
	"github.com/castle-aws/castle/sandbox/world"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/registry"
)

const (
	layers    = 4
	layerSize = 25 << 20 // 4 x 25 MiB of random bytes: about 100 MB
)

// app writes a FROM-scratch app with fresh random layers, so every push
// uploads every byte (the registry skips blobs it already has).
func app(t *testing.T) string {
	dir := t.TempDir()
	df := "FROM scratch\n"
	for i := 0; i < layers; i++ {
		b := make([]byte, layerSize)
		rand.Read(b)
		name := fmt.Sprintf("layer%d.bin", i)
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
		df += "COPY " + name + " /" + name + "\n"
	}
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644)
	return dir
}

func sh(t *testing.T, stdin string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "DOCKER_BUILDKIT=0")
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func TestPushBench(t *testing.T) {
	if os.Getenv("CASTLE_BENCH") != "1" {
		t.Skip("skipping: set CASTLE_BENCH=1 to run the push benchmark (about 100 MB per push)")
	}
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("skipping: no docker command")
	}
	rounds := 5
	if n, err := strconv.Atoi(os.Getenv("CASTLE_BENCH_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	// Blobs on disk, as in `castle sandbox` with a state folder.
	sb := sandboxtest.Start(t, sandbox.Options{StateDir: t.TempDir(), Services: []world.Service{sts.New(), iam.New(), sbecr.New()}})
	env := sb.Env()
	repo := "castle-bench-" + fmt.Sprint(time.Now().Unix())
	env.Answers.Registry.Repository = repo
	ctx := context.Background()
	ecrc := ecr.NewFromConfig(sb.Admin())
	dockerConfig := t.TempDir() // docker login writes the password here, never to ~/.docker
	if err := env.OpenJournal(ctx); err != nil {
		t.Fatal(err)
	}

	var castle, docker []time.Duration
	for i := 0; i < rounds; i++ {
		castle = append(castle, 0)
		docker = append(docker, 0)
		// Who goes first alternates, so a busy moment on the machine does
		// not always fall on the same side.
		if i%2 == 0 {
			castle[i] = castlePush(t, ctx, env, repo, i)
			docker[i] = dockerPush(t, ctx, ecrc, env, dockerConfig, i)
		} else {
			docker[i] = dockerPush(t, ctx, ecrc, env, dockerConfig, i)
			castle[i] = castlePush(t, ctx, env, repo, i)
		}
		t.Logf("round %d: castle %v, docker %v", i+1, castle[i].Round(time.Millisecond), docker[i].Round(time.Millisecond))
	}
	c, d := median(castle), median(docker)
	// Rounds are paired (same minute of a shared machine): the median of the
	// per-round ratios is steadier than the ratio of the medians.
	ratios := make([]time.Duration, rounds)
	for i := range ratios {
		ratios[i] = time.Duration(1e6 * float64(castle[i]) / float64(docker[i]))
	}
	t.Logf("median of %d rounds, %d MiB per image: castle %v, docker push %v, ratio of medians %.3f, median of per-round ratios %.3f",
		rounds, layers*layerSize>>20, c.Round(time.Millisecond), d.Round(time.Millisecond), float64(c)/float64(d), float64(median(ratios))/1e6)
}

// castlePush runs castle's Apply (build, then log in, tag and push) and
// times the upload part: from the push step's start to the end.
func castlePush(t *testing.T, ctx context.Context, env *steps.Env, repo string, i int) time.Duration {
	env.Answers.Registry.Source = app(t)
	env.Answers.Registry.Tag = fmt.Sprintf("c%d", i)
	var started time.Time
	err := registry.New().Apply(ctx, env, func(ev steps.Event) {
		if ev.Step == "push" && ev.Kind == steps.EventStarted {
			started = time.Now()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(started)
	uri, _ := env.Journal.Resource("registry", "repositoryUri")
	refs := []string{repo + ":" + env.Answers.Registry.Tag, uri + ":" + env.Answers.Registry.Tag, uri + ":latest"}
	t.Cleanup(func() { exec.Command("docker", append([]string{"rmi", "-f"}, refs...)...).Run() })
	return took
}

// dockerPush does the same by hand on a same-sized image: get the token,
// docker login, docker tag, docker push both tags.
func dockerPush(t *testing.T, ctx context.Context, ecrc *ecr.Client, env *steps.Env, dockerConfig string, i int) time.Duration {
	uri, ok := env.Journal.Resource("registry", "repositoryUri")
	if !ok {
		out, err := ecrc.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(env.Answers.Registry.Repository)})
		if err != nil {
			t.Fatal(err)
		}
		uri = aws.ToString(out.Repository.RepositoryUri)
	}
	dir := app(t)
	ref := fmt.Sprintf("%s:d%d", uri, i)
	sh(t, "", "docker", "build", "-q", "--platform", "linux/amd64", "-t", ref, dir)
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", ref, uri+":latest").Run() })
	start := time.Now()
	out, err := ecrc.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(aws.ToString(out.AuthorizationData[0].AuthorizationToken))
	host := strings.TrimPrefix(aws.ToString(out.AuthorizationData[0].ProxyEndpoint), "http://")
	sh(t, strings.TrimPrefix(string(raw), "AWS:"), "docker", "--config", dockerConfig, "login", "--username", "AWS", "--password-stdin", host)
	sh(t, "", "docker", "tag", ref, uri+":latest")
	sh(t, "", "docker", "--config", dockerConfig, "push", "-q", ref)
	sh(t, "", "docker", "--config", dockerConfig, "push", "-q", uri+":latest")
	return time.Since(start)
}
