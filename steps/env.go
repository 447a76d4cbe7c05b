package steps

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/castle-aws/castle/steps/castlefile"
	"github.com/castle-aws/castle/steps/journal"
)

// Env is what every section works with: the clients' configuration, the
// journal, the clock and the user's answers. It is built once by main and
// shared by the TUI and the headless commands.
type Env struct {
	// Config is the AWS configuration of the signed-in identity (the
	// management account for the organization sections).
	Config aws.Config
	// Profile is the shared-config profile in use ("" for the default chain).
	Profile string
	// Region is the region castle works in (the landing zone's home region).
	Region string
	// Sandbox is true when AWS is castle's simulator.
	Sandbox bool
	// EndpointURL, when set, is where every AWS call goes.
	EndpointURL string
	// Clock measures operations; the sandbox's virtual clock in sandbox mode.
	Clock Clock
	// Answers are the user's answers (castle.yaml, or the wizard's forms).
	Answers *castlefile.File
	// Journal is the progress file of the signed-in account. Open it with
	// OpenJournal once the identity is known.
	Journal *journal.Journal
	// StateDir is where journals live.
	StateDir string
	// DockerHost overrides the Docker engine address (DOCKER_HOST otherwise).
	DockerHost string
	// Workload resolves the account the Registry, Network, Service and
	// Pipeline sections work in. Nil means the signed-in account.
	Workload func(ctx context.Context, env *Env) (WorkloadAccount, error)

	mu       sync.Mutex
	identity *Identity
	// journalMu serialises OpenJournal: sections discover concurrently and
	// each may open the journal first.
	journalMu sync.Mutex
	// origin is the env a Fork was made from.
	origin *Env
}

// Fork returns an env for one of several discoveries running at once. It
// shares the clients' configuration, clock and journal with e, but has its
// own copy of the answers: sections fill in defaults while they look, and
// nine of them doing so at once on one castle.yaml would race. Defaults a
// fork writes are dropped; Plan and Apply, which run one at a time on the
// env itself, write them again.
func (e *Env) Fork() *Env {
	e.mu.Lock()
	id := e.identity
	e.mu.Unlock()
	f := &Env{
		Config: e.Config, Profile: e.Profile, Region: e.Region, Sandbox: e.Sandbox,
		EndpointURL: e.EndpointURL, Clock: e.Clock, Answers: e.Answers.Clone(),
		Journal: e.Journal, StateDir: e.StateDir, DockerHost: e.DockerHost,
		Workload: e.Workload, origin: e.Origin(), identity: id,
	}
	return f
}

// Origin is the env this one was forked from (itself when it is not a
// fork), for caches that should outlive one discovery.
func (e *Env) Origin() *Env {
	if e.origin != nil {
		return e.origin
	}
	return e
}

// WorkloadAccount is the account the application sections run in.
type WorkloadAccount struct {
	AccountID string
	Name      string
	Config    aws.Config
}

// Identity is who the credentials belong to.
type Identity struct {
	Account string
	ARN     string
	UserID  string
}

// IsRoot reports whether the identity is the account's root user.
func (i Identity) IsRoot() bool {
	parts := strings.SplitN(i.ARN, ":", 6)
	return len(parts) == 6 && parts[5] == "root"
}

// Caller returns the signed-in identity, asking STS once and remembering it.
func (e *Env) Caller(ctx context.Context) (Identity, error) {
	e.mu.Lock()
	if e.identity != nil {
		id := *e.identity
		e.mu.Unlock()
		return id, nil
	}
	e.mu.Unlock()
	out, err := sts.NewFromConfig(e.Config).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, Explain(err, e)
	}
	id := Identity{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn), UserID: aws.ToString(out.UserId)}
	e.mu.Lock()
	e.identity = &id
	e.mu.Unlock()
	return id, nil
}

// ForgetCaller drops the remembered identity, after a profile change or a new sign-in.
func (e *Env) ForgetCaller() {
	e.mu.Lock()
	e.identity = nil
	e.mu.Unlock()
}

// RequireNotRoot refuses to go on as the root user. Sections that change the
// organization call it first.
func (e *Env) RequireNotRoot(ctx context.Context) error {
	id, err := e.Caller(ctx)
	if err != nil {
		return err
	}
	if id.IsRoot() {
		return &UserError{
			Message: "You are signed in as the root user, and castle will not change your organization as root.",
			Next:    "Sign in as an administrator instead (an IAM Identity Center user or an IAM user with AdministratorAccess), then choose that profile in Preflight.",
		}
	}
	return nil
}

// WorkloadAccount returns the account the application sections work in.
func (e *Env) WorkloadAccount(ctx context.Context) (WorkloadAccount, error) {
	if e.Workload != nil {
		return e.Workload(ctx, e)
	}
	id, err := e.Caller(ctx)
	if err != nil {
		return WorkloadAccount{}, err
	}
	return WorkloadAccount{AccountID: id.Account, Name: "the signed-in account", Config: e.Config}, nil
}

// OpenJournal opens (and locks) the journal of the signed-in account.
func (e *Env) OpenJournal(ctx context.Context) error {
	if e.origin != nil {
		// One journal, one lock: a fork opens its origin's.
		if err := e.origin.OpenJournal(ctx); err != nil {
			return err
		}
		e.journalMu.Lock()
		e.Journal = e.origin.Journal
		e.journalMu.Unlock()
		return nil
	}
	e.journalMu.Lock()
	defer e.journalMu.Unlock()
	if e.Journal != nil {
		return nil
	}
	id, err := e.Caller(ctx)
	if err != nil {
		return err
	}
	j, err := journal.Open(e.StateDir, id.Account)
	if err != nil {
		return err
	}
	e.Journal = j
	return nil
}

// Now is the env's clock, defaulting to the wall clock.
func (e *Env) Now() time.Time { return e.TheClock().Now() }

// TheClock returns the env's clock, defaulting to the wall clock.
func (e *Env) TheClock() Clock {
	if e.Clock == nil {
		return WallClock{}
	}
	return e.Clock
}

// ProfileFlag is " --profile NAME" for equivalent commands, or "".
func (e *Env) ProfileFlag() string {
	if e.Profile == "" {
		return ""
	}
	return " --profile " + e.Profile
}

// AWSCommand formats an equivalent aws CLI command with the env's region,
// profile and endpoint, so it can be copied and run as is.
func (e *Env) AWSCommand(format string, args ...any) string {
	cmd := "aws " + fmt.Sprintf(format, args...)
	if e.Region != "" {
		cmd += " --region " + e.Region
	}
	cmd += e.ProfileFlag()
	if e.EndpointURL != "" {
		cmd += " --endpoint-url " + e.EndpointURL
	}
	return cmd
}
