package service_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/moby/moby/client"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/steps"
)

// needDocker skips (or fails with CASTLE_REQUIRE_DOCKER=1) without an engine.
func needDocker(t *testing.T) {
	t.Helper()
	cli, err := client.New(client.FromEnv)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_, err = cli.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true})
		cli.Close()
	}
	if err != nil {
		if os.Getenv("CASTLE_REQUIRE_DOCKER") == "1" {
			t.Fatalf("CASTLE_REQUIRE_DOCKER=1 but no Docker engine answers: %v", err)
		}
		t.Skipf("no Docker engine answers (%v); set DOCKER_HOST or start dockerd to run this test", err)
	}
}

const serverSource = `package main

import (
	"fmt"
	"net/http"
	"os"
)

func main() {
	version := "v0"
	if len(os.Args) > 1 {
		version = os.Args[1]
	}
	if version == "exit" {
		fmt.Println("this app gives up at once")
		os.Exit(3)
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, "hello from %s\n", version) })
	if err := http.ListenAndServe(":8080", nil); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
}
`

var (
	serverOnce sync.Once
	serverBin  []byte
	serverErr  error
)

// server builds the static test server (linux/amd64, CGO off) once.
func server(t *testing.T) []byte {
	t.Helper()
	serverOnce.Do(func() {
		dir, err := os.MkdirTemp("", "castle-server-")
		if err != nil {
			serverErr = err
			return
		}
		defer os.RemoveAll(dir)
		os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module server\n\ngo 1.22\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "main.go"), []byte(serverSource), 0o644)
		cmd := exec.Command("go", "build", "-o", "server", ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64", "GOFLAGS=", "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			serverErr = errors.New(string(out))
			return
		}
		serverBin, serverErr = os.ReadFile(filepath.Join(dir, "server"))
	})
	if serverErr != nil {
		t.Fatalf("build the test server: %v", serverErr)
	}
	return serverBin
}

// pushImage pushes a FROM-scratch image with the server to the sandbox ECR
// repository of env's account and returns its URI.
func pushImage(t *testing.T, env *steps.Env, repo, tag, arch string, args ...string) string {
	t.Helper()
	ctx := context.Background()
	c := ecr.NewFromConfig(env.Config)
	var uri string
	out, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(repo)})
	if err == nil {
		uri = aws.ToString(out.Repository.RepositoryUri)
	} else {
		got, err2 := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{repo}})
		if err2 != nil {
			t.Fatalf("repository: %v / %v", err, err2)
		}
		uri = aws.ToString(got.Repositories[0].RepositoryUri)
	}
	tok, err := c.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(aws.ToString(tok.AuthorizationData[0].AuthorizationToken))
	_, pw, _ := strings.Cut(string(raw), ":")

	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	bin := server(t)
	tw.WriteHeader(&tar.Header{Name: "server", Mode: 0o755, Size: int64(len(bin)), Typeflag: tar.TypeReg})
	tw.Write(bin)
	tw.Close()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(buf.Bytes())
	zw.Close()
	config, _ := json.Marshal(map[string]any{"architecture": arch, "os": "linux",
		"config": map[string]any{"Entrypoint": []string{"/server"}, "Cmd": args, "ExposedPorts": map[string]any{"8080/tcp": map[string]any{}}},
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{digest(buf.Bytes())}}})
	manifest, _ := json.Marshal(map[string]any{"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
		"config": map[string]any{"mediaType": "application/vnd.docker.container.image.v1+json", "size": len(config), "digest": digest(config)},
		"layers": []map[string]any{{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": gz.Len(), "digest": digest(gz.Bytes())}}})
	host, name, _ := strings.Cut(uri, "/")
	for _, blob := range [][]byte{config, gz.Bytes()} {
		res := call(t, "POST", "http://"+host+"/v2/"+name+"/blobs/uploads/", pw, nil, "")
		loc := res.Header.Get("Location")
		sep := "?"
		if strings.Contains(loc, "?") {
			sep = "&"
		}
		if !strings.HasPrefix(loc, "http") {
			loc = "http://" + host + loc
		}
		call(t, "PUT", loc+sep+"digest="+digest(blob), pw, blob, "application/octet-stream")
	}
	call(t, "PUT", "http://"+host+"/v2/"+name+"/manifests/"+tag, pw, manifest, "application/vnd.docker.distribution.manifest.v2+json")
	return uri + ":" + tag
}

func get(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.Status + " " + strings.TrimSpace(string(b))
}

func TestDockerServiceAnswersRedeploysAndRollsBackAWrongArchitecture(t *testing.T) {
	needDocker(t)
	sb := sandboxtest.Start(t, sandbox.Options{})
	env := readyEnv(t, sb, "placeholder")
	repo := "castle-svc-" + strings.ToLower(sb.World.AlnumID(6))
	v1img := pushImage(t, env, repo, "v1", "amd64", "v1")
	env.Answers.Service.Image = v1img

	r, err := applyService(t, env)
	if err != nil {
		t.Fatalf("apply: %v\n%s", err, r.text())
	}
	if !strings.Contains(r.text(), "answered 200 OK") {
		t.Fatalf("no HTTP check:\n%s", r.text())
	}
	url, _ := env.Journal.Resource("service", "serviceUrl")
	if got := get(t, url); got != "200 OK hello from v1" {
		t.Fatalf("GET %s: %q", url, got)
	}

	// A rerun changes nothing and still answers.
	r, err = applyService(t, env)
	if err != nil || r.kind("service") != steps.EventSkipped || r.kind("task-definition") != steps.EventSkipped {
		t.Fatalf("rerun: %v\n%s", err, r.text())
	}

	// Redeploy a new image.
	env.Answers.Service.Image = pushImage(t, env, repo, "v2", "amd64", "v2")
	r, err = applyService(t, env)
	if err != nil {
		t.Fatalf("redeploy: %v\n%s", err, r.text())
	}
	url, _ = env.Journal.Resource("service", "serviceUrl")
	if got := get(t, url); got != "200 OK hello from v2" {
		t.Fatalf("after redeploy GET %s: %q", url, got)
	}

	// An ARM image on an x86 task: exec format error, rolled back to v2.
	env.Answers.Service.Image = pushImage(t, env, repo, "arm", "arm64", "v3")
	r, err = applyService(t, env)
	var ue *steps.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "exec format error") || !strings.Contains(ue.Next, "linux/amd64") || !strings.Contains(ue.Message, "rolled the service back") {
		t.Fatalf("want an exec format error, got %v\n%s", err, r.text())
	}
	svc := describe(t, env).Services[0]
	if !strings.HasSuffix(aws.ToString(svc.TaskDefinition), ":2") {
		t.Fatalf("service on %s, want the v2 revision", aws.ToString(svc.TaskDefinition))
	}
}

func TestDockerContainerThatExitsSaysSo(t *testing.T) {
	needDocker(t)
	sb := sandboxtest.Start(t, sandbox.Options{})
	env := readyEnv(t, sb, "placeholder")
	env.Answers.Service.Image = pushImage(t, env, "castle-exit-"+strings.ToLower(sb.World.AlnumID(6)), "v1", "amd64", "exit")
	r, err := applyService(t, env)
	var ue *steps.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "stopped by itself") || !strings.Contains(ue.Message, "exit code 3") || !strings.Contains(ue.Next, "logs tail /ecs/TestService") {
		t.Fatalf("want a container-exited explanation, got %v\n%s", err, r.text())
	}
}

func digest(b []byte) string { return fmt.Sprintf("sha256:%x", sha256.Sum256(b)) }

// call is one registry request with the ECR password; a failure ends the test.
func call(t *testing.T, method, url, pw string, body []byte, ctype string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	req.SetBasicAuth("AWS", pw)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, url, res.StatusCode, b)
	}
	return res
}
