package registry

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/castle-aws/castle/steps"
)

// built is what castle learns from a build.
type built struct {
	ID           string // sha256:…
	Architecture string // X86_64 or ARM64
	Port         string // first EXPOSEd port, "" when none
}

var stepLine = regexp.MustCompile(`^Step (\d+)/(\d+) : (.*)$`)

// build builds dir for platform and tags it localRef, streaming every output
// line as a progress event. The whole output is also written to logPath, so
// a failure can be read in full.
func build(ctx context.Context, c *client.Client, dir, platform, localRef, logPath string, emit func(steps.Event)) (built, error) {
	files, err := contextFiles(dir)
	if err != nil {
		return built{}, &steps.UserError{Message: "castle cannot read the folder " + dir + ".", Next: "Check its permissions, then retry.", Err: err}
	}
	osName, arch, _ := strings.Cut(platform, "/")
	ctxTar := tarContext(dir, files)
	defer ctxTar.Close()
	res, err := c.ImageBuild(ctx, ctxTar, client.ImageBuildOptions{
		Tags: []string{localRef}, Dockerfile: "Dockerfile", Remove: true, ForceRemove: true,
		Platforms: []ocispec.Platform{{OS: osName, Architecture: arch}},
	})
	if err != nil {
		return built{}, &steps.UserError{Message: "Docker refused to start the build: " + err.Error(), Next: "Check that the engine is running and supports " + platform + ", then retry.", Err: err}
	}
	defer res.Body.Close()

	var logw io.Writer = io.Discard
	if logPath != "" {
		if f, err := os.OpenFile(logPath, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600); err == nil {
			defer f.Close()
			logw = f
		}
	}
	var b built
	step, total := "", ""
	var stepNo int
	var lastStatus time.Time
	dec := json.NewDecoder(res.Body)
	for {
		var m jsonstream.Message
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			if ctx.Err() != nil {
				return b, ctx.Err()
			}
			return b, &steps.UserError{Message: "The Docker build stopped unexpectedly: " + err.Error(), Next: "Retry; if it keeps failing, run the docker build command from the plan to see more.", Err: err}
		}
		if m.Aux != nil {
			var aux struct{ ID string }
			if json.Unmarshal(*m.Aux, &aux) == nil && aux.ID != "" {
				b.ID = aux.ID
			}
		}
		// Base image downloads come as status messages: show them, at most
		// four a second, so a long pull does not look like a hang.
		if m.Status != "" && m.Stream == "" && time.Since(lastStatus) > 250*time.Millisecond {
			lastStatus = time.Now()
			detail := strings.TrimSpace(m.ID + " " + m.Status)
			if m.Progress != nil && m.Progress.Total > 0 {
				detail += fmt.Sprintf(" %s of %s", humanize.Bytes(uint64(min(m.Progress.Current, m.Progress.Total))), humanize.Bytes(uint64(m.Progress.Total)))
			}
			emit(steps.Event{Kind: steps.EventProgress, Message: "Building: downloading the base image", Percent: -1, Detail: detail})
		}
		for _, line := range strings.Split(strings.TrimRight(m.Stream, "\n"), "\n") {
			line = strings.TrimRight(line, "\r")
			if strings.TrimSpace(line) == "" {
				continue
			}
			fmt.Fprintln(logw, line)
			msg := "Building"
			if s := stepLine.FindStringSubmatch(line); s != nil {
				stepNo, _ = strconv.Atoi(s[1])
				step, total = s[1], s[2]
			}
			if step != "" {
				msg = "Building: step " + step + " of " + total
			}
			emit(steps.Event{Kind: steps.EventProgress, Message: msg, Percent: -1, Detail: line})
		}
		if m.Error != nil {
			fmt.Fprintln(logw, m.Error.Message)
			return b, buildFailed(dir, stepNo, total, m.Error.Message, logPath)
		}
	}
	if b.ID == "" {
		return b, &steps.UserError{Message: "The Docker build ended without an image.", Next: "Run the docker build command from the plan to see what happened.", Err: fmt.Errorf("no image id in the build output")}
	}
	return b, nil
}

// buildFailed names the failing step and its line in the Dockerfile.
func buildFailed(dir string, stepNo int, total, why, logPath string) error {
	df := filepath.Join(dir, "Dockerfile")
	ue := &steps.UserError{Err: fmt.Errorf("build: %s", why)}
	line, text := instructionLine(df, stepNo)
	switch {
	case stepNo > 0 && line > 0 && strings.HasPrefix(strings.ToUpper(text), "FROM") && pullProblem(why):
		ue.Message = fmt.Sprintf("Docker could not download the base image of %s (line %d: %s): %s", df, line, text, strings.TrimSpace(why))
		ue.Next = "Check this computer's internet connection (and proxy settings of Docker), or that the image name is right, then apply again."
	case stepNo > 0 && line > 0:
		ue.Message = fmt.Sprintf("The Docker build failed at step %d of %s, line %d of %s (%s): %s", stepNo, total, line, df, text, strings.TrimSpace(why))
		ue.Next = fmt.Sprintf("Fix line %d of the Dockerfile, then apply again.", line)
	default:
		ue.Message = "The Docker build failed: " + strings.TrimSpace(why)
		ue.Next = "Fix the Dockerfile in " + dir + ", then apply again."
	}
	if logPath != "" {
		ue.Next += " The whole build output is in " + logPath + "."
	}
	return ue
}

// pullProblem reports whether a build error is about fetching an image.
func pullProblem(why string) bool {
	low := strings.ToLower(why)
	for _, s := range []string{"dial tcp", "no such host", "i/o timeout", "tls handshake", "pull access denied", "manifest unknown", "not found: manifest", "connection refused", "toomanyrequests"} {
		if strings.Contains(low, s) {
			return true
		}
	}
	return false
}

// instructionLine returns the line number and text of the n-th instruction
// (1-based, as the classic builder counts steps) of a Dockerfile.
func instructionLine(path string, n int) (int, string) {
	f, err := os.Open(path)
	if err != nil || n < 1 {
		return 0, ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	count, lineNo, cont := 0, 0, false
	for sc.Scan() {
		lineNo++
		t := strings.TrimSpace(sc.Text())
		if !cont && (t == "" || strings.HasPrefix(t, "#")) {
			continue
		}
		if !cont {
			count++
			if count == n {
				return lineNo, t
			}
		}
		cont = strings.HasSuffix(t, `\`)
	}
	return 0, ""
}

// inspect reads the built image's architecture and first exposed port.
func inspect(ctx context.Context, c *client.Client, b *built) error {
	res, err := c.ImageInspect(ctx, b.ID)
	if err != nil {
		return &steps.UserError{Message: "castle cannot read the image it just built: " + err.Error(), Next: "Retry the apply.", Err: err}
	}
	b.Architecture = awsArch(res.Architecture)
	if res.Config != nil {
		var ports []string
		for p := range res.Config.ExposedPorts {
			ports = append(ports, p)
		}
		sort.Strings(ports)
		if len(ports) > 0 {
			b.Port, _, _ = strings.Cut(ports[0], "/")
		}
	}
	return nil
}

// awsArch maps Docker's architecture names to ECS's CPU architectures.
func awsArch(a string) string {
	switch a {
	case "arm64", "aarch64":
		return "ARM64"
	case "amd64", "x86_64":
		return "X86_64"
	}
	return strings.ToUpper(a)
}
