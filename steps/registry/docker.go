package registry

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/moby/moby/client"

	"github.com/castle-aws/castle/steps"
)

// goos is runtime.GOOS; tests change it to check each system's advice.
var goos = runtime.GOOS

// dockerHost is the engine address castle uses: env.DockerHost, then
// DOCKER_HOST, then the system's default.
func dockerHost(env *steps.Env) string {
	if env.DockerHost != "" {
		return env.DockerHost
	}
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		return h
	}
	return client.DefaultDockerHost
}

// connect opens a client and pings the engine, negotiating the API version
// (so old and new engines both work). Failures are UserErrors that say what
// is wrong and how to fix it on this system.
func connect(ctx context.Context, env *steps.Env) (*client.Client, client.PingResult, error) {
	host := dockerHost(env)
	opts := []client.Opt{client.FromEnv}
	if env.DockerHost != "" {
		opts = append(opts, client.WithHost(env.DockerHost))
	}
	c, err := client.New(opts...)
	if err != nil {
		return nil, client.PingResult{}, &steps.UserError{
			Message: "castle cannot use the Docker address " + host + ".",
			Next:    "Check DOCKER_HOST (for example unix:///var/run/docker.sock), then retry.",
			Err:     err,
		}
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	p, err := c.Ping(pctx, client.PingOptions{NegotiateAPIVersion: true})
	if err != nil {
		c.Close()
		if ctx.Err() != nil {
			return nil, p, ctx.Err()
		}
		return nil, p, explainDocker(host, err)
	}
	return c, p, nil
}

// Problem kinds of an engine that does not answer.
const (
	noSocket   = "socket missing"
	noAccess   = "permission denied"
	daemonDown = "daemon down"
)

// diagnose dials the engine itself to tell the three usual failures apart
// (the client's own error hides the reason).
func diagnose(host string) (kind, where string) {
	u, err := url.Parse(host)
	if err != nil {
		return daemonDown, host
	}
	switch u.Scheme {
	case "unix":
		where = u.Path
		if _, err := os.Stat(where); errors.Is(err, os.ErrNotExist) {
			return noSocket, where
		}
		conn, err := net.DialTimeout("unix", where, 2*time.Second)
		if err == nil {
			conn.Close()
			return daemonDown, where
		}
		if errors.Is(err, syscall.EACCES) || errors.Is(err, os.ErrPermission) {
			return noAccess, where
		}
		return daemonDown, where
	case "npipe":
		return daemonDown, u.Path
	}
	return daemonDown, u.Host
}

func explainDocker(host string, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "is not supported by this client") || strings.Contains(msg, "minimum supported API version") {
		return &steps.UserError{
			Message: "Your Docker engine is too old for castle (it needs Docker Engine 19.03 or newer, API 1.40).",
			Next:    "Update Docker (Docker Desktop or Docker Engine), then retry.",
			Err:     err,
		}
	}
	kind, where := diagnose(host)
	if strings.Contains(msg, "permission denied") {
		kind = noAccess
	}
	ue := &steps.UserError{Err: err}
	switch kind {
	case noSocket:
		ue.Message = "castle found no Docker engine on this computer: there is no Docker socket at " + where + " (" + noSocket + ")."
		ue.Next = byOS(
			"Install Docker Engine (https://docs.docker.com/engine/install/) or start it with `sudo systemctl start docker`, then retry.",
			"Install and open Docker Desktop (or run `colima start`), wait until it says it is running, then retry.",
			"Install and start Docker Desktop, wait until it says it is running, then retry.")
	case noAccess:
		ue.Message = "castle is not allowed to use the Docker engine at " + where + " (" + noAccess + ")."
		ue.Next = byOS(
			"Add yourself to the docker group with `sudo usermod -aG docker $USER`, log out and back in, then retry.",
			"Quit and reopen Docker Desktop so it fixes the socket's owner, then retry.",
			"Run the terminal as a member of the docker-users group (or restart Docker Desktop), then retry.")
	default:
		ue.Message = "The Docker engine at " + where + " is not answering (" + daemonDown + ")."
		ue.Next = byOS(
			"Start it with `sudo systemctl start docker` (check `sudo systemctl status docker` if it stops again), then retry.",
			"Open Docker Desktop and wait until it says it is running, then retry.",
			"Start Docker Desktop and wait until it says it is running, then retry.")
	}
	return ue
}

func byOS(linux, mac, windows string) string {
	switch goos {
	case "darwin":
		return mac
	case "windows":
		return windows
	}
	return linux
}
