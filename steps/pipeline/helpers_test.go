package pipeline_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/castle-aws/castle/sandbox"
	sbcb "github.com/castle-aws/castle/sandbox/codebuild"
	sbcc "github.com/castle-aws/castle/sandbox/codeconnections"
	sbcp "github.com/castle-aws/castle/sandbox/codepipeline"
	sbecr "github.com/castle-aws/castle/sandbox/ecr"
	sbiam "github.com/castle-aws/castle/sandbox/iam"
	sbs3 "github.com/castle-aws/castle/sandbox/s3"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	sbsts "github.com/castle-aws/castle/sandbox/sts"
	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
	"github.com/castle-aws/castle/steps"
)

const (
	cluster   = "TestCluster"
	service   = "TestService"
	container = "web"
	repoName  = "hello-world-repo"
	github    = "octo-org/hello-world"
	speed     = 600
)

// fakeECS stands in for the simulated ECS: DescribeServices over the wire
// and the agreed Deploy for the pipeline's deploy action.
type fakeECS struct {
	mu       sync.Mutex
	services map[string]int // cluster/service → task definition revision
	deploys  []map[string]string
}

func (f *fakeECS) Name() string            { return "ecs" }
func (f *fakeECS) Protocol() wire.Protocol { return wire.JSON11 }
func (f *fakeECS) Handle(w *world.World, r *wire.Request) (any, error) {
	if r.Operation != "DescribeServices" {
		return nil, wire.UnknownOperation(r.Operation)
	}
	var in struct {
		Cluster  string   `json:"cluster"`
		Services []string `json:"services"`
	}
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out, failures []any
	for _, s := range in.Services {
		rev, ok := f.services[in.Cluster+"/"+s]
		if !ok {
			failures = append(failures, map[string]any{"arn": s, "reason": "MISSING"})
			continue
		}
		out = append(out, map[string]any{"serviceName": s, "status": "ACTIVE",
			"serviceArn":     "arn:aws:ecs:" + r.Region + ":" + r.Account + ":service/" + in.Cluster + "/" + s,
			"taskDefinition": fmt.Sprintf("arn:aws:ecs:%s:%s:task-definition/%s:%d", r.Region, r.Account, s, rev)})
	}
	return map[string]any{"services": out, "failures": failures}, nil
}

func (f *fakeECS) Deploy(w *world.World, account, region, cluster, service string, images map[string]string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rev, ok := f.services[cluster+"/"+service]
	if !ok {
		return "", fmt.Errorf("The Amazon ECS service '%s' does not exist.", service)
	}
	f.services[cluster+"/"+service] = rev + 1
	f.deploys = append(f.deploys, images)
	return fmt.Sprintf("arn:aws:ecs:%s:%s:task-definition/%s:%d", region, account, service, rev+1), nil
}

func (f *fakeECS) deployed() []map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]string(nil), f.deploys...)
}

type fixture struct {
	sb      *sandboxtest.Sandbox
	ecs     *fakeECS
	env     *steps.Env
	repoURI string
}

// newFixture starts a sandbox with a running service: an ECR repository
// with a pushed image, the ECS service, and the journal of the Registry
// and Service sections.
func newFixture(t *testing.T, o sandbox.Options) *fixture {
	t.Helper()
	fe := &fakeECS{services: map[string]int{cluster + "/" + service: 1}}
	if o.Speed == 0 {
		o.Speed = speed
	}
	o.Services = []world.Service{sbsts.New(), sbiam.New(), sbecr.New(), fe, sbs3.New(), sbcb.New(), sbcp.New(), sbcc.New(o.AutoApproveConnections)}
	sb := sandboxtest.Start(t, o)
	f := &fixture{sb: sb, ecs: fe, env: sb.Env()}
	f.repoURI = pushImage(t, sb)
	seedJournal(t, f.env, f.repoURI)
	f.env.Answers.Pipeline.Repository = github
	f.env.Answers.Pipeline.Branch = "main"
	return f
}

func seedJournal(t *testing.T, env *steps.Env, repoURI string) {
	t.Helper()
	ctx := context.Background()
	if err := env.OpenJournal(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.Journal.Close() })
	acct := world.ManagementAccount
	for sec, kv := range map[steps.SectionID]map[string]string{
		steps.Registry: {"repositoryUri": repoURI, "architecture": "X86_64"},
		steps.Service: {"cluster": cluster, "service": service, "containerName": container,
			"taskDefinitionArn": "arn:aws:ecs:" + sandboxtest.Region + ":" + acct + ":task-definition/" + service + ":1",
			"executionRoleArn":  "arn:aws:iam::" + acct + ":role/ecsTaskExecutionRole"},
	} {
		for k, v := range kv {
			if err := env.Journal.SetResource(string(sec), k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// pushImage creates the repository and pushes a small image to it through
// the sandbox's registry, as the Registry section would.
func pushImage(t *testing.T, sb *sandboxtest.Sandbox) string {
	t.Helper()
	ctx := context.Background()
	c := ecr.NewFromConfig(sb.Admin())
	out, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(repoName)})
	if err != nil {
		t.Fatal(err)
	}
	uri := aws.ToString(out.Repository.RepositoryUri)
	sb.World.Lock()
	_, pw := sbecr.From(sb.World).IssueToken(sb.World, world.ManagementAccount)
	sb.World.Unlock()
	host, repo, _ := strings.Cut(uri, "/")
	layer := []byte("castle pipeline test layer")
	config := []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["` + digest(layer) + `"]}}`)
	for _, blob := range [][]byte{config, layer} {
		res := call(t, "POST", "http://"+host+"/v2/"+repo+"/blobs/uploads/", pw, nil, "")
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
	manifest := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",`+
		`"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":%d,"digest":"%s"},`+
		`"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":%d,"digest":"%s"}]}`,
		len(config), digest(config), len(layer), digest(layer))
	call(t, "PUT", "http://"+host+"/v2/"+repo+"/manifests/v1", pw, []byte(manifest), "application/vnd.docker.distribution.manifest.v2+json")
	return uri
}

func digest(b []byte) string { return fmt.Sprintf("sha256:%x", sha256.Sum256(b)) }

func call(t *testing.T, method, url, pw string, body []byte, ctype string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("AWS", pw)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode >= 300 {
		t.Fatalf("%s %s: %d", method, url, res.StatusCode)
	}
	return res
}

// control calls a sandbox control action.
func control(t *testing.T, sb *sandboxtest.Sandbox, path string) {
	t.Helper()
	res, err := http.Post(sb.URL+"/_sandbox/"+path, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("control %s: %d", path, res.StatusCode)
	}
}

// events collects what Apply emits.
type events struct {
	mu   sync.Mutex
	list []steps.Event
	ch   chan steps.Event
}

func newEvents() *events { return &events{ch: make(chan steps.Event, 1000)} }

func (e *events) emit(ev steps.Event) {
	e.mu.Lock()
	e.list = append(e.list, ev)
	e.mu.Unlock()
	select {
	case e.ch <- ev:
	default:
	}
}

func (e *events) all() []steps.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]steps.Event(nil), e.list...)
}

func (e *events) find(kind steps.EventKind, step string) *steps.Event {
	for _, ev := range e.all() {
		if ev.Kind == kind && (step == "" || ev.Step == step) {
			ev := ev
			return &ev
		}
	}
	return nil
}

// waitFor waits (real time) for an event.
func (e *events) waitFor(t *testing.T, kind steps.EventKind, step string) steps.Event {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		if ev := e.find(kind, step); ev != nil {
			return *ev
		}
		select {
		case <-e.ch:
		case <-deadline:
			t.Fatalf("no %s event for %q; got %s", kind, step, e.describe())
		}
	}
}

func (e *events) describe() string {
	var b strings.Builder
	for _, ev := range e.all() {
		fmt.Fprintf(&b, "\n  %s %s: %s", ev.Kind, ev.Step, ev.Message)
	}
	return b.String()
}
