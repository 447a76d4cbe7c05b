package pipeline_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/world"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/pipeline"
)

// The roles' inline policies name only this pipeline's resources: every
// resource is one of them, and "*" only for the two actions AWS cannot scope.
func TestRolePoliciesNameOnlyThisPipelinesResources(t *testing.T) {
	f := newFixture(t, sandbox.Options{AutoApproveConnections: true})
	ctx := context.Background()
	ev := newEvents()
	if err := pipeline.New().Apply(ctx, f.env, ev.emit); err != nil {
		t.Fatal(err)
	}
	connArn, _ := f.env.Journal.Resource("pipeline", "connectionArn")
	acct, region := world.ManagementAccount, "eu-west-1"
	bucket := "castle-pipeline-" + acct + "-" + region
	allowed := []string{
		"arn:aws:s3:::" + bucket, "arn:aws:s3:::" + bucket + "/*",
		"arn:aws:logs:" + region + ":" + acct + ":log-group:/aws/codebuild/" + service + "-build",
		"arn:aws:logs:" + region + ":" + acct + ":log-group:/aws/codebuild/" + service + "-build:*",
		"arn:aws:ecr:" + region + ":" + acct + ":repository/" + repoName,
		connArn, strings.Replace(connArn, ":codeconnections:", ":codestar-connections:", 1),
		"arn:aws:codebuild:" + region + ":" + acct + ":project/" + service + "-build",
		"arn:aws:ecs:" + region + ":" + acct + ":service/" + cluster + "/" + service,
		"arn:aws:ecs:" + region + ":" + acct + ":task-definition/" + service + ":*",
		"arn:aws:ecs:" + region + ":" + acct + ":task/" + cluster + "/*",
		"arn:aws:ecs:" + region + ":" + acct + ":container-instance/" + cluster + "/*",
		"arn:aws:iam::" + acct + ":role/ecsTaskExecutionRole",
	}
	unscopable := map[string]bool{"ecr:GetAuthorizationToken": true, "ecs:DescribeTaskDefinition": true}
	c := iam.NewFromConfig(f.sb.Admin())
	for role, name := range map[string]string{"castle-codebuild-" + service: "castle-build", "castle-codepipeline-" + service: "castle-pipeline"} {
		out, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name)})
		if err != nil {
			t.Fatalf("%s: %v", role, err)
		}
		doc, _ := url.QueryUnescape(aws.ToString(out.PolicyDocument))
		var p struct {
			Statement []struct {
				Effect   string
				Action   any
				Resource any
			}
		}
		if err := json.Unmarshal([]byte(doc), &p); err != nil || len(p.Statement) == 0 {
			t.Fatalf("%s policy %q: %v", role, doc, err)
		}
		for _, s := range p.Statement {
			actions, resources := list(s.Action), list(s.Resource)
			for _, a := range actions {
				if strings.Contains(a, "*") {
					t.Errorf("%s allows a wildcard action %s", role, a)
				}
			}
			for _, r := range resources {
				switch {
				case r == "*":
					for _, a := range actions {
						if !unscopable[a] {
							t.Errorf("%s allows %s on every resource", role, a)
						}
					}
				case !contains(allowed, r):
					t.Errorf("%s names %s, which is not this pipeline's", role, r)
				}
			}
		}
		attached, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(role)})
		if err != nil || len(attached.AttachedPolicies) != 0 {
			t.Errorf("%s has managed policies attached: %v %v", role, err, attached)
		}
	}
}

func list(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, e.(string))
		}
		return out
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// CodeBuild refuses a role created a moment ago; castle retries quietly.
func TestFreshRoleRetriedQuietly(t *testing.T) {
	f := newFixture(t, sandbox.Options{Speed: 30}) // roles settle in a third of a second
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ev := newEvents()
	done := make(chan error, 1)
	go func() { done <- pipeline.New().Apply(ctx, f.env, ev.emit) }()
	ev.waitFor(t, steps.EventDone, "project")
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("apply: %v", err)
	}
	if ev.find(steps.EventInfo, "project") == nil {
		t.Fatalf("CreateProject was not refused for the fresh role, so the retry went untested:%s", ev.describe())
	}
	if ev.find(steps.EventFailed, "") != nil {
		t.Fatal("the refusal reached the user")
	}
}
