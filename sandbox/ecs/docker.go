package ecs

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/pkg/authconfig"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/registry"
	"github.com/moby/moby/client"

	"github.com/castle-aws/castle/sandbox/ecr"
	"github.com/castle-aws/castle/sandbox/world"
)

// runtime runs tasks as Docker containers when an engine answers.
type runtime struct {
	cli    *client.Client
	mu     sync.Mutex
	runs   map[string]*run // task ARN → run
	closed bool
}

type run struct {
	cancel    context.CancelFunc
	container string
	port      int // published host port, 0 until started
	cport     int
}

// ContainerPrefix names the containers the sandbox starts.
const ContainerPrefix = "castle-ecs-"

func newRuntime(host string) *runtime {
	rt := &runtime{runs: map[string]*run{}}
	opts := []client.Opt{client.FromEnv}
	if host != "" {
		opts = append(opts, client.WithHost(host))
	}
	cli, err := client.New(opts...)
	if err != nil {
		return rt
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := cli.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		cli.Close()
		return rt
	}
	rt.cli = cli
	return rt
}

func (rt *runtime) enabled() bool { return rt != nil && rt.cli != nil }

func (rt *runtime) has(arn string) bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	_, ok := rt.runs[arn]
	return ok
}

// address returns the published port of a task's container.
func (rt *runtime) address(arn string) (port, cport int) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if r := rt.runs[arn]; r != nil {
		return r.port, r.cport
	}
	return 0, 0
}

// stop removes a task's container, in the background.
func (rt *runtime) stop(arn string) {
	if !rt.enabled() {
		return
	}
	rt.mu.Lock()
	r := rt.runs[arn]
	delete(rt.runs, arn)
	rt.mu.Unlock()
	if r == nil {
		return
	}
	r.cancel()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		rt.cli.ContainerRemove(ctx, r.container, client.ContainerRemoveOptions{Force: true})
	}()
}

func (rt *runtime) close() {
	if !rt.enabled() {
		return
	}
	rt.mu.Lock()
	rt.closed = true
	runs := rt.runs
	rt.runs = map[string]*run{}
	rt.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, r := range runs {
		r.cancel()
		rt.cli.ContainerRemove(ctx, r.container, client.ContainerRemoveOptions{Force: true})
	}
}

var dockerArch = map[string]string{"X86_64": "amd64", "ARM64": "arm64"}

// startContainer pulls and runs a task's first container in a goroutine.
// World locked by the caller; the goroutine locks it to report back.
func (s *Service) startContainer(w *world.World, g *Region, t *Task) {
	td := g.taskDef(t.TaskDef)
	if td == nil || len(td.Containers) == 0 {
		return
	}
	c := td.Containers[0]
	cport := 80
	if len(c.Ports) > 0 {
		cport = c.Ports[0]
	}
	auth := ""
	if r := ecr.From(w); r != nil && r.RegistryHost() != "" && strings.HasPrefix(c.Image, r.RegistryHost()+"/") {
		user, pw := r.IssueToken(w, g.Account)
		auth, _ = authconfig.Encode(registry.AuthConfig{Username: user, Password: pw, ServerAddress: r.RegistryHost()})
	}
	rt := s.rt
	rt.mu.Lock()
	if rt.closed {
		rt.mu.Unlock()
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &run{cancel: cancel, container: ContainerPrefix + taskID(t.ARN), cport: cport}
	rt.runs[t.ARN] = r
	rt.mu.Unlock()
	arn, key, want := t.ARN, g.Account+"/"+g.Region, dockerArch[td.Arch]
	go func() {
		fail := func(code, reason, creason string, exit *int) {
			w.Lock()
			defer w.Unlock()
			if g := s.Regions[key]; g != nil && g.Tasks[arn] != nil {
				s.stopTask(w, g, g.Tasks[arn], code, reason, creason, exit, true)
			}
		}
		port, err := rt.run(ctx, r, c.Image, auth, want, cport)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			var ae *archError
			if asArch(err, &ae) {
				one := 1
				fail("EssentialContainerExited", "Essential container in task exited", "CannotStartContainerError: exec format error: the image is built for linux/"+ae.have+" and this task runs on linux/"+ae.want, &one)
				return
			}
			msg := fmt.Sprintf("CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref %s: %v", c.Image, err)
			if !strings.Contains(err.Error(), "pull") {
				msg = "CannotStartContainerError: " + err.Error()
			}
			fail("TaskFailedToStart", msg, msg, nil)
			return
		}
		if port > 0 {
			rt.mu.Lock()
			r.port = port
			rt.mu.Unlock()
			w.Lock()
			if g := s.Regions[key]; g != nil && g.Tasks[arn] != nil {
				g.Tasks[arn].ready = true
			}
			w.Unlock()
		}
		wait := rt.cli.ContainerWait(ctx, r.container, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
		select {
		case res := <-wait.Result:
			code := int(res.StatusCode)
			fail("EssentialContainerExited", "Essential container in task exited", "", &code)
		case <-wait.Error:
		case <-ctx.Done():
		}
	}()
}

type archError struct{ have, want string }

func (e *archError) Error() string { return "exec format error" }

func asArch(err error, target **archError) bool {
	a, ok := err.(*archError)
	if ok {
		*target = a
	}
	return ok
}

// run pulls the image, checks its architecture, and starts the container
// with the container port published on 127.0.0.1; it returns the host port.
func (rt *runtime) run(ctx context.Context, r *run, image, auth, arch string, cport int) (int, error) {
	pull, err := rt.cli.ImagePull(ctx, image, client.ImagePullOptions{RegistryAuth: auth})
	if err != nil {
		return 0, fmt.Errorf("pull: %w", err)
	}
	if err := pull.Wait(ctx); err != nil {
		return 0, fmt.Errorf("pull: %w", err)
	}
	info, err := rt.cli.ImageInspect(ctx, image)
	if err != nil {
		return 0, fmt.Errorf("pull: %w", err)
	}
	if arch != "" && info.Architecture != "" && info.Architecture != arch {
		return 0, &archError{have: info.Architecture, want: arch}
	}
	rt.cli.ContainerRemove(ctx, r.container, client.ContainerRemoveOptions{Force: true}) // left by a killed sandbox
	p, err := network.ParsePort(strconv.Itoa(cport) + "/tcp")
	if err != nil {
		return 0, err
	}
	created, err := rt.cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name:       r.container,
		Config:     &container.Config{Image: image, ExposedPorts: network.PortSet{p: {}}, Labels: map[string]string{"castle.sandbox": "ecs"}},
		HostConfig: &container.HostConfig{PortBindings: network.PortMap{p: {{HostIP: netip.MustParseAddr("127.0.0.1")}}}},
	})
	if err != nil {
		return 0, err
	}
	if _, err := rt.cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		return 0, err
	}
	got, err := rt.cli.ContainerInspect(ctx, created.ID, client.ContainerInspectOptions{})
	if err != nil {
		return 0, err
	}
	if got.Container.State != nil && !got.Container.State.Running {
		return 0, nil // exited already: ContainerWait reports how
	}
	if got.Container.NetworkSettings != nil {
		for _, b := range got.Container.NetworkSettings.Ports[p] {
			if n, err := strconv.Atoi(b.HostPort); err == nil {
				return n, nil
			}
		}
	}
	return 0, fmt.Errorf("the container's port %d was not published", cport)
}
