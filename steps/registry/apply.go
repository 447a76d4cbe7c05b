package registry

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/moby/moby/client"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/journal"
)

// run is one Apply.
type run struct {
	env  *steps.Env
	emit steps.Emit
}

// at returns an emitter for one step that fills in time, section and step.
func (r run) at(step string) func(steps.Event) {
	return func(ev steps.Event) {
		ev.Time = r.env.Now()
		ev.Section = steps.Registry
		if ev.Step == "" {
			ev.Step = step
		}
		r.emit(ev)
	}
}

func (r run) event(step string, kind steps.EventKind, msg string) {
	r.at(step)(steps.Event{Kind: kind, Message: msg, Percent: -1})
}

func (r run) fail(step string, err error) error {
	msg := err.Error()
	var ue *steps.UserError
	if errors.As(err, &ue) {
		msg = ue.Message
	}
	r.event(step, steps.EventFailed, msg)
	return err
}

func (sec) Apply(ctx context.Context, env *steps.Env, emit steps.Emit) error {
	if err := env.OpenJournal(ctx); err != nil {
		return err
	}
	r := run{env: env, emit: emit}
	_, d, err := decide(ctx, env)
	if err != nil {
		return err
	}
	a, t, uri, tag, local := d.a, d.t, d.uri, d.tag, d.local

	// 1. The repository.
	r.event(actRepository, steps.EventStarted, "Repository "+a.Repository)
	uri, err = r.ensureRepository(ctx, t, a.Repository, *a.ScanOnPush, a.Immutable)
	if err != nil {
		return r.fail(actRepository, err)
	}
	if err := env.Journal.SetResource(section, ResRepositoryURI, uri); err != nil {
		return err
	}

	// 2. The source folder.
	src := expand(a.Source)
	if a.Demo {
		r.event(actDemo, steps.EventStarted, "Writing the demo app to "+a.Source)
		written, err := writeDemo(src)
		if err != nil {
			return r.fail(actDemo, &steps.UserError{Message: "castle cannot write the demo app to " + a.Source + ": " + err.Error(), Next: "Pick another folder, then retry.", Err: err})
		}
		if len(written) == 0 {
			r.event(actDemo, steps.EventSkipped, "the demo app is already there")
		} else {
			r.event(actDemo, steps.EventDone, fmt.Sprintf("%d files written to %s", len(written), a.Source))
		}
	}
	if err := CheckSource(a.Source); err != nil {
		return r.fail(actBuild, &steps.UserError{Message: "castle cannot build from that folder: " + err.Error() + ".", Next: "Pick another folder, then retry."})
	}

	if d.buildSkip && d.pushSkip {
		r.event(actBuild, steps.EventSkipped, d.buildReason)
		r.event(actPush, steps.EventSkipped, d.pushReason)
		return nil
	}

	// 3. Docker, checked as the first part of the build.
	r.at(actBuild)(steps.Event{Kind: steps.EventStarted, Message: "Checking Docker", Percent: -1})
	dc, ping, err := connect(ctx, env)
	if err != nil {
		return r.fail(actBuild, err)
	}
	defer dc.Close()
	r.at(actBuild)(steps.Event{Kind: steps.EventProgress, Message: "Docker answers", Percent: -1, Detail: "engine API " + ping.APIVersion})

	// 4. Build, unless an interrupted upload left its image behind.
	b, err := r.buildOrReuse(ctx, dc, a.Platform, src, local)
	if err != nil {
		return r.fail(actBuild, err)
	}
	for name, v := range map[string]string{ResArchitecture: b.Architecture, ResPort: b.Port} {
		if v != "" {
			if err := env.Journal.SetResource(section, name, v); err != nil {
				return err
			}
		}
	}

	// 5. Log in, tag, push.
	r.event(actPush, steps.EventStarted, "Uploading "+uri+":"+tag)
	digest, err := r.push(ctx, t, dc, b, uri, tag, local, tags(a, tag))
	if err != nil {
		return r.fail(actPush, err)
	}
	for name, v := range map[string]string{ResImage: uri + ":" + tag, ResDigest: digest} {
		if err := env.Journal.SetResource(section, name, v); err != nil {
			return err
		}
	}
	if err := env.Journal.FinishOperation(section, opPush, "PUSHED"); err != nil {
		return err
	}
	r.event(actPush, steps.EventDone, "uploaded "+uri+":"+tag+" ("+digest+")")
	return nil
}

func (r run) ensureRepository(ctx context.Context, t target, name string, scan, immutable bool) (string, error) {
	repo, err := t.repository(ctx, r.env, name)
	if err != nil {
		return "", err
	}
	if repo != nil {
		r.event(actRepository, steps.EventSkipped, "reusing "+aws.ToString(repo.RepositoryUri))
		return aws.ToString(repo.RepositoryUri), nil
	}
	mut := ecrtypes.ImageTagMutabilityMutable
	if immutable {
		mut = ecrtypes.ImageTagMutabilityImmutable
	}
	out, err := t.ecr.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(name),
		ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: scan}, ImageTagMutability: mut})
	var exists *ecrtypes.RepositoryAlreadyExistsException
	if errors.As(err, &exists) { // made meanwhile: reuse it
		repo, err := t.repository(ctx, r.env, name)
		if err != nil || repo == nil {
			return "", steps.Explain(err, r.env)
		}
		return aws.ToString(repo.RepositoryUri), nil
	}
	if err != nil {
		return "", steps.Explain(err, r.env)
	}
	uri := aws.ToString(out.Repository.RepositoryUri)
	r.event(actRepository, steps.EventDone, "created "+uri)
	return uri, nil
}

// buildOrReuse builds the image, or reuses the one an interrupted upload
// built when the engine still has it.
func (r run) buildOrReuse(ctx context.Context, dc *client.Client, platform, src, local string) (built, error) {
	if op, ok := pendingOp(r.env); ok && op.Extra["imageId"] != "" && op.Extra["local"] == local {
		b := built{ID: op.Extra["imageId"]}
		if err := inspect(ctx, dc, &b); err == nil {
			r.event(actBuild, steps.EventSkipped, "the image built before the interrupted upload is still here")
			return b, nil
		}
	}
	r.event(actBuild, steps.EventStarted, "Building "+local+" for "+platform)
	logPath := ""
	if r.env.Journal != nil {
		logPath = filepath.Join(filepath.Dir(r.env.Journal.Path()), "registry-build.log")
	}
	b, err := build(ctx, dc, src, platform, local, logPath, r.at(actBuild))
	if err != nil {
		return b, err
	}
	if err := inspect(ctx, dc, &b); err != nil {
		return b, err
	}
	r.event(actBuild, steps.EventDone, fmt.Sprintf("built %s for %s", local, b.Architecture))
	r.at("")(steps.Event{Kind: steps.EventInfo, Message: fmt.Sprintf("The image runs on %s processors; the Service section will ask Fargate for %s.", b.Architecture, b.Architecture)})
	return b, nil
}

// push tags the image and pushes every tag, saving the upload in the journal
// first so an interrupted one is done again on the next Apply.
func (r run) push(ctx context.Context, t target, dc *client.Client, b built, uri, tag, local string, tagList []string) (string, error) {
	if err := r.env.Journal.SaveOperation(section, opPush, journal.Operation{Kind: "docker:push", ID: uri + ":" + tag,
		StartedAt: r.env.Now(), Extra: map[string]string{"tag": tag, "imageId": b.ID, "local": local}}); err != nil {
		return "", err
	}
	l, err := getLogin(ctx, t.ecr, r.env)
	if err != nil {
		return "", err
	}
	if err := l.check(ctx); err != nil {
		return "", err
	}
	for _, tg := range tagList {
		if _, err := dc.ImageTag(ctx, client.ImageTagOptions{Source: b.ID, Target: uri + ":" + tg}); err != nil {
			return "", &steps.UserError{Message: "Docker could not tag the image as " + uri + ":" + tg + ": " + err.Error(), Next: "Retry the apply.", Err: err}
		}
	}
	digest := ""
	for _, tg := range tagList {
		emit := r.at(actPush)
		if tg != tag { // the same layers again: only the new tag goes up
			r.at(actPush)(steps.Event{Kind: steps.EventProgress, Message: "Adding the tag " + tg, Percent: -1})
			emit = func(steps.Event) {}
		}
		d, err := push(ctx, dc, uri+":"+tg, l, emit)
		if err != nil {
			return "", err
		}
		if tg == tag {
			digest = d
		}
	}
	return digest, nil
}
