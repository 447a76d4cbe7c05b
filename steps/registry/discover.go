package registry

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/dustin/go-humanize"

	"github.com/castle-aws/castle/steps"
)

// target is where the section works: the workload account's ECR.
type target struct {
	wa     steps.WorkloadAccount
	ecr    *ecr.Client
	region string
}

func resolve(ctx context.Context, env *steps.Env) (target, error) {
	wa, err := env.WorkloadAccount(ctx)
	if err != nil {
		return target{}, err
	}
	return target{wa: wa, ecr: ecr.NewFromConfig(wa.Config), region: wa.Config.Region}, nil
}

// repository returns the repository, or nil when it does not exist.
func (t target) repository(ctx context.Context, env *steps.Env, name string) (*ecrtypes.Repository, error) {
	out, err := t.ecr.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{name}})
	var nf *ecrtypes.RepositoryNotFoundException
	if errors.As(err, &nf) {
		return nil, nil
	}
	if err != nil {
		return nil, steps.Explain(err, env)
	}
	if len(out.Repositories) == 0 {
		return nil, nil
	}
	return &out.Repositories[0], nil
}

// images lists a repository's images, newest push first.
func (t target) images(ctx context.Context, env *steps.Env, name string) ([]ecrtypes.ImageDetail, error) {
	var all []ecrtypes.ImageDetail
	p := ecr.NewDescribeImagesPaginator(t.ecr, &ecr.DescribeImagesInput{RepositoryName: aws.String(name)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, steps.Explain(err, env)
		}
		all = append(all, out.ImageDetails...)
	}
	sort.SliceStable(all, func(i, j int) bool { return aws.ToTime(all[i].ImagePushedAt).After(aws.ToTime(all[j].ImagePushedAt)) })
	return all, nil
}

// hasTag reports whether the repository has an image with this tag, and its digest.
func hasTag(imgs []ecrtypes.ImageDetail, tag string) (string, bool) {
	for _, img := range imgs {
		for _, t := range img.ImageTags {
			if t == tag {
				return aws.ToString(img.ImageDigest), true
			}
		}
	}
	return "", false
}

func describeImage(img ecrtypes.ImageDetail) string {
	tags := strings.Join(img.ImageTags, ", ")
	if tags == "" {
		tags = "untagged"
	}
	d := aws.ToString(img.ImageDigest)
	if len(d) > 19 {
		d = d[:19]
	}
	return fmt.Sprintf("%s (%s, %s, pushed %s)", tags, d, humanize.Bytes(uint64(aws.ToInt64(img.ImageSizeInBytes))),
		aws.ToTime(img.ImagePushedAt).UTC().Format("2006-01-02 15:04 UTC"))
}

func (sec) Discover(ctx context.Context, env *steps.Env) (steps.Status, error) {
	st := steps.Status{Section: steps.Registry, State: steps.StateNotStarted}
	name := DefaultRepository
	if env.Answers != nil && env.Answers.Registry.Repository != "" {
		name = env.Answers.Registry.Repository
	}
	t, err := resolve(ctx, env)
	if err != nil {
		return st, err
	}
	repo, err := t.repository(ctx, env, name)
	if err != nil {
		return st, err
	}
	if repo == nil {
		st.Summary = "no repository yet"
		st.Details = append(st.Details, fmt.Sprintf("There is no repository called %s in %s (%s) yet.", name, t.wa.Name, t.wa.AccountID))
	} else {
		imgs, err := t.images(ctx, env, name)
		if err != nil {
			return st, err
		}
		st.Details = append(st.Details, "Repository: "+aws.ToString(repo.RepositoryUri))
		if len(imgs) == 0 {
			st.Summary = name + " exists, no image yet"
		} else {
			st.State = steps.StateDone
			st.Summary = name + ": " + describeImage(imgs[0])
			for i, img := range imgs[:min(3, len(imgs))] {
				label := "Image: "
				if i == 0 {
					label = "Latest image: "
				}
				st.Details = append(st.Details, label+describeImage(img))
			}
		}
	}
	if env.Journal != nil {
		if op, ok := env.Journal.Operation(section, opPush); ok && !op.Done {
			st.State = steps.StateNotStarted
			st.Summary = "the upload of " + op.ID + " was interrupted; apply to finish it"
		}
		if img, ok := env.Journal.Resource(section, ResImage); ok {
			st.Details = append(st.Details, "Image castle pushed: "+img)
		}
	}
	// A quick look only: the checklist must not wait on a slow engine.
	dctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if c, p, err := connect(dctx, env); err != nil {
		var ue *steps.UserError
		switch {
		case errors.As(err, &ue):
			st.Details = append(st.Details, "Docker: "+ue.Message+" "+ue.Next)
		case ctx.Err() == nil:
			st.Details = append(st.Details, "Docker: the engine at "+dockerHost(env)+" did not answer within 3 seconds.")
		}
	} else {
		st.Details = append(st.Details, fmt.Sprintf("Docker: the engine at %s answers (API %s).", dockerHost(env), p.APIVersion))
		c.Close()
	}
	return st, nil
}
