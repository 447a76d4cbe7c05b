package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	"github.com/aws/aws-sdk-go-v2/service/codeconnections"
	cctypes "github.com/aws/aws-sdk-go-v2/service/codeconnections/types"
	"github.com/aws/aws-sdk-go-v2/service/codepipeline"
	cptypes "github.com/aws/aws-sdk-go-v2/service/codepipeline/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/castle-aws/castle/steps"
)

// found is what exists on AWS.
type found struct {
	conn       *cctypes.Connection
	connReused bool // an AVAILABLE connection castle did not create
	bucket     bool
	encrypted  bool
	blocked    bool
	roles      map[string]roleFound
	project    bool
	projectOK  bool // builds what the answers say (repository, container, platform, role)
	pipeline   bool
	pipelineOK bool // reads the repository and branch, deploys to the service
	service    bool
	executions []cptypes.PipelineExecutionSummary
}

type roleFound struct{ exists, policyOK bool }

func (f found) connAvailable() bool {
	return f.conn != nil && f.conn.ConnectionStatus == cctypes.ConnectionStatusAvailable
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// discover looks at everything the section makes. It changes nothing on
// AWS; it drops journal entries AWS no longer knows.
func discover(ctx context.Context, env *steps.Env, c clients, in *inputs) (found, error) {
	f := found{roles: map[string]roleFound{}}
	var err error
	if f.conn, f.connReused, err = findConnection(ctx, env, c, in); err != nil {
		return f, err
	}
	if f.conn != nil {
		in.setConnection(aws.ToString(f.conn.ConnectionArn))
	}
	if f.bucket, f.encrypted, f.blocked, err = findBucket(ctx, c, in.Bucket); err != nil {
		return f, err
	}
	for _, r := range in.roles() {
		rf, err := findRole(ctx, c, r, *in)
		if err != nil {
			return f, err
		}
		f.roles[r.name] = rf
	}
	projects, err := c.cb.BatchGetProjects(ctx, &codebuild.BatchGetProjectsInput{Names: []string{in.Project}})
	if err != nil {
		return f, err
	}
	f.project = len(projects.Projects) > 0
	if f.project {
		f.projectOK = projectMatches(projects.Projects[0], *in)
	}
	if got, err := c.cp.GetPipeline(ctx, &codepipeline.GetPipelineInput{Name: &in.Pipeline}); err == nil {
		f.pipeline = true
		f.pipelineOK = pipelineMatches(got.Pipeline, *in)
	} else if apiCode(err) != "PipelineNotFoundException" {
		return f, err
	}
	if f.pipeline {
		out, err := c.cp.ListPipelineExecutions(ctx, &codepipeline.ListPipelineExecutionsInput{PipelineName: &in.Pipeline, MaxResults: aws.Int32(5)})
		if err != nil {
			return f, err
		}
		f.executions = out.PipelineExecutionSummaries
	}
	svc, err := c.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: &in.Cluster, Services: []string{in.Service}})
	if err != nil && apiCode(err) != "ClusterNotFoundException" {
		return f, err
	}
	if err == nil {
		for _, s := range svc.Services {
			if aws.ToString(s.Status) == "ACTIVE" {
				f.service = true
			}
		}
	}
	return f, nil
}

// findConnection picks the GitHub connection: the one in castle.yaml, the
// one castle made before, or any AVAILABLE GitHub connection of the account.
func findConnection(ctx context.Context, env *steps.Env, c clients, in *inputs) (*cctypes.Connection, bool, error) {
	get := func(arn string) (*cctypes.Connection, error) {
		out, err := c.cc.GetConnection(ctx, &codeconnections.GetConnectionInput{ConnectionArn: &arn})
		if err != nil {
			return nil, err
		}
		return out.Connection, nil
	}
	if in.Connection != "" {
		conn, err := get(in.Connection)
		if apiCode(err) == "ResourceNotFoundException" {
			return nil, false, &steps.UserError{
				Message: "The GitHub connection " + in.Connection + " in castle.yaml does not exist in account " + in.Account + " (" + in.Region + ").",
				Next:    "Remove pipeline.connection from castle.yaml to let castle find or create one, or paste the ARN of a connection listed in the console.",
				Err:     err,
			}
		}
		return conn, false, err
	}
	if arn, ok := env.Journal.Resource(section, "connectionArn"); ok {
		conn, err := get(arn)
		switch {
		case err == nil && conn.ConnectionStatus != cctypes.ConnectionStatusError:
			return conn, false, nil
		case err == nil || apiCode(err) == "ResourceNotFoundException":
			_ = env.Journal.ForgetResource(section, "connectionArn")
			_ = env.Journal.Forget(section, opConnection)
		default:
			return nil, false, err
		}
	}
	p := codeconnections.NewListConnectionsPaginator(c.cc, &codeconnections.ListConnectionsInput{ProviderTypeFilter: cctypes.ProviderTypeGithub})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, false, err
		}
		for _, conn := range page.Connections {
			if conn.ConnectionStatus == cctypes.ConnectionStatusAvailable {
				conn := conn
				return &conn, true, nil
			}
		}
	}
	return nil, false, nil
}

func findBucket(ctx context.Context, c clients, name string) (exists, encrypted, blocked bool, err error) {
	_, err = c.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &name})
	var nf *s3types.NotFound
	if errors.As(err, &nf) {
		return false, false, false, nil
	}
	if err != nil {
		if apiCode(err) == "Forbidden" || apiCode(err) == "AccessDenied" {
			return false, false, false, &steps.UserError{
				Message: "The bucket name " + name + " is taken by another AWS account.",
				Next:    "This is unusual, since the name includes your account id; contact castle's maintainers.", Err: err}
		}
		return false, false, false, err
	}
	enc, err := c.s3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: &name})
	if err == nil && enc.ServerSideEncryptionConfiguration != nil && len(enc.ServerSideEncryptionConfiguration.Rules) > 0 {
		encrypted = true
	} else if err != nil && apiCode(err) != "ServerSideEncryptionConfigurationNotFoundError" {
		return true, false, false, err
	}
	pab, err := c.s3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: &name})
	if err == nil {
		b := pab.PublicAccessBlockConfiguration
		blocked = b != nil && aws.ToBool(b.BlockPublicAcls) && aws.ToBool(b.BlockPublicPolicy) && aws.ToBool(b.IgnorePublicAcls) && aws.ToBool(b.RestrictPublicBuckets)
	} else if apiCode(err) != "NoSuchPublicAccessBlockConfiguration" {
		return true, encrypted, false, err
	}
	return true, encrypted, blocked, nil
}

func findRole(ctx context.Context, c clients, r roleSpec, in inputs) (roleFound, error) {
	_, err := c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: &r.name})
	var nse *iamtypes.NoSuchEntityException
	if errors.As(err, &nse) {
		return roleFound{}, nil
	}
	if err != nil {
		return roleFound{}, err
	}
	want, err := policy(r.policy, in)
	if err != nil {
		return roleFound{}, err
	}
	got, err := c.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: &r.name, PolicyName: &r.policyName})
	if errors.As(err, &nse) {
		return roleFound{exists: true}, nil
	}
	if err != nil {
		return roleFound{}, err
	}
	return roleFound{exists: true, policyOK: sameJSON(decodePolicy(aws.ToString(got.PolicyDocument)), want)}, nil
}

// Discover reports what exists.
func (sec) Discover(ctx context.Context, env *steps.Env) (steps.Status, error) {
	st := steps.Status{Section: steps.Pipeline}
	if err := env.OpenJournal(ctx); err != nil {
		return st, err
	}
	if prereq, why := missingPrereq(env); prereq != "" {
		// The checklist line is a short fragment like the other sections';
		// the sentence saying why goes in the details.
		st.State, st.Blocker, st.Summary = steps.StateBlocked, prereq, "needs the "+prereq+" section first"
		st.Details = append(st.Details, why)
		return st, nil
	}
	in, wl, err := loadInputs(ctx, env)
	if err != nil {
		st.State, st.Summary = steps.StateNotStarted, "needs the GitHub repository"
		return st, nil
	}
	c := newClients(env, wl.Config)
	f, err := discover(ctx, env, c, &in)
	if err != nil {
		return st, explain(err, env, in)
	}
	st.Details = details(f, in, env.Now())
	switch {
	case f.pipeline:
		st.State = steps.StateDone
		st.Summary = "pipeline " + in.Pipeline + " deploys " + in.GitHubRepository + "@" + in.Branch
		if len(f.executions) > 0 {
			st.Summary += "; last run " + string(f.executions[0].Status)
		}
	case f.conn != nil && f.conn.ConnectionStatus == cctypes.ConnectionStatusPending:
		st.State, st.Summary = steps.StateNotStarted, "the GitHub connection waits for its approval: open the section for the link"
	default:
		st.State, st.Summary = steps.StateNotStarted, "no pipeline yet"
	}
	// Only the run is AWS working: a connection waiting for a person is
	// not followed by Resume; the section's screen shows the hand-off and
	// Apply waits for it and goes on.
	// A run journaled before a CreatePipeline that failed has no id and no
	// pipeline: nothing is running.
	if op, ok := env.Journal.Operations(section)[opRun]; ok && (op.ID != "" || f.pipeline) {
		st.State = steps.StateInProgress
		st.Operations = append(st.Operations, steps.Operation{Key: opRun, Name: "Following the pipeline's run", ID: op.ID,
			StartedAt: op.StartedAt, Expected: op.Expected, Status: op.Status})
	}
	return st, nil
}

// details are the lines the section screen shows.
func details(f found, in inputs, now time.Time) []string {
	var out []string
	if f.conn != nil {
		out = append(out, fmt.Sprintf("GitHub connection %s: %s", aws.ToString(f.conn.ConnectionName), f.conn.ConnectionStatus))
	}
	if f.pipeline {
		out = append(out, "Pipeline "+in.Pipeline+": "+in.GitHubRepository+" branch "+in.Branch+" → "+in.Project+" → "+in.Cluster+"/"+in.Service)
		out = append(out, "Push a commit to "+in.Branch+" and it deploys. The latest runs:")
	}
	for _, e := range f.executions {
		commit := "-"
		if len(e.SourceRevisions) > 0 {
			commit = short(aws.ToString(e.SourceRevisions[0].RevisionId))
		}
		ago := ""
		if e.StartTime != nil {
			ago = agoText(now.Sub(*e.StartTime))
		}
		line := "Run of " + commit + ": " + string(e.Status)
		if ago != "" {
			line += ", " + ago
		}
		if tr := triggerText(e.Trigger); tr != "" {
			line += " (" + tr + ")"
		}
		out = append(out, line)
	}
	return out
}

func short(commit string) string {
	if len(commit) > 7 {
		return commit[:7]
	}
	return commit
}

// PendingConnection is the connection castle made that still waits for a
// person's approval, from the journal (no AWS call), for the screen.
func PendingConnection(env *steps.Env) (arn string, ok bool) {
	if env == nil || env.Journal == nil {
		return "", false
	}
	op, ok := env.Journal.Operations(section)[opConnection]
	if !ok || op.ID == "" {
		return "", false
	}
	return op.ID, true
}

func agoText(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

func triggerText(t *cptypes.ExecutionTrigger) string {
	if t == nil {
		return ""
	}
	switch t.TriggerType {
	case cptypes.TriggerTypeCreatePipeline:
		return "first run"
	case cptypes.TriggerTypeStartPipelineExecution:
		return "started by hand"
	case cptypes.TriggerTypeWebhookV2, cptypes.TriggerTypeWebhook, cptypes.TriggerTypePollForSourceChanges:
		return "push"
	}
	return string(t.TriggerType)
}
