// Package registry is castle's Registry section: an ECR repository in the
// workload account, and the image of the user's app (or castle's demo app)
// built, tagged and pushed to it through the Docker Engine API, the way
// `aws ecr get-login-password | docker login`, `docker build`, `docker tag`
// and `docker push` would.
//
// The ECR password from GetAuthorizationToken only ever lives in memory: it
// goes to the engine in the X-Registry-Auth header of the push and nowhere
// else (not the journal, not the events, not the debug log).
package registry

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/castle-aws/castle/steps"
)

// Journal resource names other sections read.
const (
	ResRepositoryURI = "repositoryUri"
	ResImage         = "image"
	ResDigest        = "digest"
	ResArchitecture  = "architecture"
	ResPort          = "port"
)

const section = string(steps.Registry)

type sec struct{}

// New returns the Registry section.
func New() steps.Section { return sec{} }

func (sec) ID() steps.SectionID { return steps.Registry }
func (sec) Title() string       { return "Registry" }
func (sec) About() string {
	return "castle makes a private image repository (Amazon ECR) in your workload account, builds your app " +
		"into a container image with Docker on this computer, and uploads it there. " +
		"The Service section then runs exactly that image."
}
func (sec) Cost() string {
	return "about $0.10 per GB of images a month: cents for a small app"
}

// Resume has nothing to follow on AWS: a build or push runs on this computer
// and an interrupted one is simply done again by Apply.
func (sec) Resume(ctx context.Context, env *steps.Env, emit steps.Emit) error {
	if env.Journal == nil {
		return nil
	}
	if op, ok := env.Journal.Operation(section, opPush); ok && !op.Done {
		emit(steps.Event{Time: env.Now(), Section: steps.Registry, Kind: steps.EventInfo,
			Message: "The upload of " + op.ID + " was interrupted; apply this section again to finish it (layers already uploaded are skipped)."})
	}
	return nil
}

// Pushed returns the image castle last pushed (URI:tag) and its digest, from
// the journal; ok is false when castle has not pushed one.
func Pushed(env *steps.Env) (image, digest string, ok bool) {
	if env == nil || env.Journal == nil {
		return "", "", false
	}
	image, ok = env.Journal.Resource(section, ResImage)
	digest, _ = env.Journal.Resource(section, ResDigest)
	return image, digest, ok && image != ""
}

// FolderSuggestions lists the folders that complete what was typed, for the
// source folder question.
func FolderSuggestions(typed string) []string {
	dir, prefix := filepath.Split(typed)
	base := dir
	if base == "" {
		base = "."
	}
	entries, err := os.ReadDir(expand(base))
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), prefix) && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, dir+e.Name()+string(filepath.Separator))
		}
		if len(out) == 20 {
			break
		}
	}
	return out
}
