package codebuild

import (
	"fmt"
	"strings"
	"time"

	"github.com/castle-aws/castle/sandbox/ecr"
	"github.com/castle-aws/castle/sandbox/iam"
	"github.com/castle-aws/castle/sandbox/world"
)

// RoleAssumable reports whether a service could assume the role: it is in
// the account, exists, and is older than settle (IAM is eventually
// consistent: a role just created is not yet assumable).
func RoleAssumable(w *world.World, account, roleArn string, settle time.Duration) bool {
	if !strings.HasPrefix(roleArn, "arn:aws:iam::"+account+":role/") {
		return false
	}
	svc, ok := w.Service("iam").(*iam.Service)
	if !ok {
		return false
	}
	role, found := svc.Role(account, roleArn[strings.LastIndexByte(roleArn, '/')+1:])
	return found && w.Now().Sub(role.Created) >= settle
}

// latestDigest is the digest of the image pushed last to a repository, ""
// when it has none.
func latestDigest(reg *ecr.Service, account, region, repo string) string {
	var latest *ecr.Image
	for _, r := range reg.Repos {
		if r.Account != account || r.Region != region || r.Name != repo {
			continue
		}
		for _, img := range r.Images {
			if latest == nil || img.PushedAt.After(latest.PushedAt) || img.PushedAt.Equal(latest.PushedAt) && img.Digest > latest.Digest {
				latest = img
			}
		}
	}
	if latest == nil {
		return ""
	}
	return latest.Digest
}

// StartBuild starts a build of a project for a source revision (the
// pipeline's Build action). The build ends with FinishBuild.
func (s *Service) StartBuild(w *world.World, account, region, project, revision string) (*Build, error) {
	p, ok := s.Project(account, region, project)
	if !ok {
		return nil, fmt.Errorf("Project cannot be found: arn:aws:codebuild:%s:%s:project/%s", region, account, project)
	}
	b := &Build{ID: p.Name + ":" + w.UUID(), Project: p.Name, Account: account, Region: region,
		Status: "IN_PROGRESS", Phase: "BUILD", Start: w.Now(), Source: revision}
	s.Builds[b.ID] = b
	return b, nil
}

// FinishBuild ends a build: it fails when the sandbox was told to fail the
// project's next build, else the repository's latest image gets the commit
// tag and the build reports the image for imagedefinitions.json.
func (s *Service) FinishBuild(w *world.World, id string) *Build {
	b, ok := s.Builds[id]
	if !ok || b.Status != "IN_PROGRESS" {
		return b
	}
	b.End = w.Now()
	b.Phase = "COMPLETED"
	p, _ := s.Project(b.Account, b.Region, b.Project)
	fail := func(code, phase, text string) *Build {
		b.Status, b.FailCode, b.FailPhase, b.FailText = "FAILED", code, phase, text
		return b
	}
	for _, k := range []string{key(b.Account, b.Region, b.Project), b.Project, "*"} {
		if msg, ok := s.FailNext[k]; ok {
			delete(s.FailNext, k)
			return fail("COMMAND_EXECUTION_ERROR", "BUILD", msg)
		}
	}
	if p == nil {
		return fail("CLIENT_ERROR", "PROVISIONING", "project deleted during the build")
	}
	repoURI := p.Environment.Var("REPOSITORY_URI")
	tag := b.Source
	if len(tag) > 7 {
		tag = tag[:7]
	}
	if repoURI == "" {
		return fail("COMMAND_EXECUTION_ERROR", "POST_BUILD", "Error while executing command: docker push $REPOSITORY_URI:$IMAGE_TAG. Reason: REPOSITORY_URI is not set")
	}
	if reg := ecr.From(w); reg != nil {
		repo := repoURI
		if i := strings.IndexByte(repo, '/'); i >= 0 {
			repo = repo[i+1:]
		}
		from := latestDigest(reg, b.Account, b.Region, repo)
		if from == "" {
			return fail("COMMAND_EXECUTION_ERROR", "BUILD", "Error while executing command: docker build -t "+repoURI+":"+tag+" .. Reason: the sandbox builds by re-tagging the repository's latest image, and "+repo+" has none")
		}
		if err := reg.TagImage(w, b.Account, b.Region, repo, from, tag); err != nil {
			return fail("COMMAND_EXECUTION_ERROR", "POST_BUILD", "Error while executing command: docker push "+repoURI+":"+tag+". Reason: "+err.Error())
		}
	}
	b.Status = "SUCCEEDED"
	b.Image = repoURI + ":" + tag
	return b
}

// ImageDefinitions is what the buildspec writes to imagedefinitions.json:
// container name → image.
func (s *Service) ImageDefinitions(b *Build) map[string]string {
	p, ok := s.Project(b.Account, b.Region, b.Project)
	if !ok || b.Image == "" {
		return nil
	}
	name := p.Environment.Var("CONTAINER_NAME")
	if name == "" {
		return nil
	}
	return map[string]string{name: b.Image}
}
