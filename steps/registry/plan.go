package registry

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
	"github.com/castle-aws/castle/steps/journal"
)

const (
	actRepository = "repository"
	actDemo       = "demo-app"
	actBuild      = "build"
	actPush       = "push"
	opPush        = "push"
)

// registryHost is the registry's host name: from the repository URI when it
// exists, else from ECR's login endpoint (its password is thrown away), or
// the standard ECR host name.
func (t target) registryHost(ctx context.Context, env *steps.Env, repoURI string) string {
	if repoURI != "" {
		h, _, _ := strings.Cut(repoURI, "/")
		return h
	}
	if env.Sandbox {
		if l, err := getLogin(ctx, t.ecr, env); err == nil {
			return l.host()
		}
	}
	return fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com", t.wa.AccountID, t.region)
}

// tags are the tags castle pushes: the chosen one, and latest unless the
// repository's tags cannot change.
func tags(a castlefile.Registry, tag string) []string {
	if a.Immutable || tag == "latest" {
		return []string{tag}
	}
	return []string{tag, "latest"}
}

// decision is what Plan worked out, for Apply.
type decision struct {
	a                       castlefile.Registry
	t                       target
	uri, tag, local         string
	buildSkip, pushSkip     bool
	buildReason, pushReason string
}

func (sec) Plan(ctx context.Context, env *steps.Env) (steps.Plan, error) {
	p, _, err := decide(ctx, env)
	return p, err
}

func decide(ctx context.Context, env *steps.Env) (steps.Plan, decision, error) {
	a := withDefaults(env)
	d := decision{a: a}
	p := steps.Plan{Section: steps.Registry, MonthlyCost: "about $0.10 per GB of images a month (a few cents for a small app)",
		SpendsMoney: true, Duration: 3 * time.Minute}
	if err := CheckRepositoryName(a.Repository); err != nil {
		return p, d, &steps.UserError{Message: "The repository name " + a.Repository + " is not allowed: " + err.Error() + ".", Next: "Change it in the form or in castle.yaml (registry.repository)."}
	}
	if a.Platform != "linux/amd64" && a.Platform != "linux/arm64" {
		return p, d, &steps.UserError{Message: "Fargate runs linux/amd64 or linux/arm64 images, not " + a.Platform + ".", Next: "Set registry.platform to linux/amd64 (the default) or linux/arm64."}
	}
	src := expand(a.Source)
	if !a.Demo {
		if err := CheckSource(a.Source); err != nil {
			return p, d, &steps.UserError{Message: "castle cannot build from that folder: " + err.Error() + ".", Next: "Pick another folder in the form (registry.source in castle.yaml), or choose the demo app."}
		}
	} else if err := CheckDemoFolder(a.Source); err != nil {
		return p, d, &steps.UserError{Message: "castle cannot write the demo app there: " + err.Error() + ".", Next: "Pick another folder for the demo app."}
	}
	t, err := resolve(ctx, env)
	if err != nil {
		return p, d, err
	}
	d.t = t
	repo, err := t.repository(ctx, env, a.Repository)
	if err != nil {
		return p, d, err
	}
	uri := ""
	if repo != nil {
		uri = aws.ToString(repo.RepositoryUri)
		// The repository is reused as it is: its settings win over the answers.
		immutable := repo.ImageTagMutability == ecrtypes.ImageTagMutabilityImmutable
		scan := repo.ImageScanningConfiguration != nil && repo.ImageScanningConfiguration.ScanOnPush
		if immutable != a.Immutable {
			p.Notes = append(p.Notes, fmt.Sprintf("The repository %s already exists with tags %s; castle keeps it that way.", a.Repository, map[bool]string{true: "locked", false: "changeable"}[immutable]))
		}
		if scan != *a.ScanOnPush {
			p.Notes = append(p.Notes, fmt.Sprintf("The repository %s already exists with scan on push %s; castle keeps it that way.", a.Repository, map[bool]string{true: "on", false: "off"}[scan]))
		}
		a.Immutable = immutable
		d.a = a
	}
	host := t.registryHost(ctx, env, uri)
	if uri == "" {
		uri = host + "/" + a.Repository
	}
	tag := a.Tag
	if tag == "" {
		tag = autoTag(ctx, env, src, a.Demo)
		if op, ok := pendingOp(env); ok && op.Extra["tag"] != "" {
			tag = op.Extra["tag"]
		}
	}
	mutability := "MUTABLE"
	if a.Immutable {
		mutability = "IMMUTABLE"
	}
	p.Summary = fmt.Sprintf("Build %s for %s and upload it to the ECR repository %s in %s.", sourceWords(a), a.Platform, a.Repository, t.wa.Name)

	profile, setup := t.cliProfile(ctx, env)
	create := steps.Action{Key: actRepository, Title: "Create the repository " + a.Repository,
		Why: "ECR keeps your images private to your account; scanning checks them for known vulnerabilities.",
		Commands: append(setup, awsCmd(env, profile, "ecr create-repository --repository-name %s --image-scanning-configuration scanOnPush=%t --image-tag-mutability %s",
			a.Repository, *a.ScanOnPush, mutability))}
	if repo != nil {
		create.Skip, create.SkipReason = true, "it exists: "+uri
		create.Commands = create.Commands[len(setup):]
	}
	p.Actions = append(p.Actions, create)
	if a.Demo {
		act := steps.Action{Key: actDemo, Title: "Write castle's demo app to " + a.Source,
			Why: "A tiny web server with a /health page, to try the whole path before using your own app."}
		if isDemo(src) {
			act.Skip, act.SkipReason = true, "it is already there"
		}
		p.Actions = append(p.Actions, act)
	}
	local := a.Repository + ":" + tag
	d.uri, d.tag, d.local = uri, tag, local
	buildAct := steps.Action{Key: actBuild, Title: "Build the image for " + a.Platform,
		Why:      "Fargate runs " + a.Platform + " here; an image built for another processor would not start.",
		Commands: []string{fmt.Sprintf("docker build --platform %s -t %s %s", a.Platform, local, shellQuote(a.Source))}}
	pushAct := steps.Action{Key: actPush, Title: "Upload the image as " + uri + ":" + tag,
		Why:      "castle logs in to ECR with a short-lived password that it never stores, tags the image and uploads it.",
		Commands: []string{awsCmd(env, profile, "ecr get-login-password") + " | docker login --username AWS --password-stdin " + host}}
	if repo != nil {
		pushAct.Commands = append(setup, pushAct.Commands...)
	}
	for _, tg := range tags(a, tag) {
		pushAct.Commands = append(pushAct.Commands, fmt.Sprintf("docker tag %s %s:%s", local, uri, tg))
	}
	for _, tg := range tags(a, tag) {
		pushAct.Commands = append(pushAct.Commands, fmt.Sprintf("docker push %s:%s", uri, tg))
	}
	if repo != nil {
		imgs, err := t.images(ctx, env, a.Repository)
		if err != nil {
			return p, d, err
		}
		if digest, ok := hasTag(imgs, tag); ok && !pending(env) {
			buildAct.Skip, buildAct.SkipReason = true, "the image "+tag+" is already in the repository"
			pushAct.Skip, pushAct.SkipReason = true, "already uploaded ("+digest+")"
		}
	}
	d.buildSkip, d.buildReason = buildAct.Skip, buildAct.SkipReason
	d.pushSkip, d.pushReason = pushAct.Skip, pushAct.SkipReason
	p.Actions = append(p.Actions, buildAct, pushAct)
	p.Notes = append(p.Notes, fmt.Sprintf("The image is built for %s; castle tells the Service section, which runs it on the matching processor.", a.Platform))
	if len(setup) > 0 {
		p.Notes = append(p.Notes, "The aws commands run in the workload account "+t.wa.AccountID+" through the profile "+profile+", which the first two commands create.")
	}
	if a.Immutable {
		p.Notes = append(p.Notes, "Tags cannot change in this repository, so castle pushes only "+tag+" (not latest).")
	}
	switch {
	case a.Tag != "":
	case strings.HasPrefix(tag, "demo-"):
		p.Notes = append(p.Notes, "The tag "+tag+" names this version of castle's demo app.")
	default:
		p.Notes = append(p.Notes, "The tag "+tag+" follows the folder's git commit when it is a git repository, else the time of its newest file.")
	}
	return p, d, nil
}

// pendingOp is the upload that was interrupted, if any.
func pendingOp(env *steps.Env) (journal.Operation, bool) {
	if env.Journal == nil {
		return journal.Operation{}, false
	}
	op, ok := env.Journal.Operation(section, opPush)
	return op, ok && !op.Done
}

// pending reports whether an upload was interrupted.
func pending(env *steps.Env) bool {
	_, ok := pendingOp(env)
	return ok
}

func sourceWords(a castlefile.Registry) string {
	if a.Demo {
		return "castle's demo app"
	}
	return "the app in " + filepath.Base(expand(a.Source))
}

func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " '\"$`\\!*?&;|<>()") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
