package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sync"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/world"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
)

// commonFlags are the flags every command takes.
type commonFlags struct {
	profile, region, endpoint, stateDir, debug, file, faults string
	sandbox, accessible, version, autoApprove                bool
	speed                                                    float64
}

func addCommon(fs *flag.FlagSet) *commonFlags {
	c := &commonFlags{}
	fs.StringVar(&c.profile, "profile", "", "AWS profile (default: the standard credential chain)")
	fs.StringVar(&c.region, "region", "", "the region castle works in")
	fs.StringVar(&c.endpoint, "endpoint-url", "", "send every AWS call to this URL")
	fs.StringVar(&c.stateDir, "state-dir", "", "where castle keeps its progress journal")
	fs.StringVar(&c.debug, "debug", "", "write the AWS SDK request log to this file, secrets removed")
	fs.StringVar(&c.file, "f", "", "castle.yaml with your answers")
	fs.BoolVar(&c.sandbox, "sandbox", false, "use castle's AWS simulator instead of AWS")
	fs.BoolVar(&c.accessible, "accessible", os.Getenv("ACCESSIBLE") != "", "plain prompts, no animation")
	fs.BoolVar(&c.version, "version", false, "print the version")
	fs.Float64Var(&c.speed, "speed", sandbox.DefaultSpeed, "with --sandbox: how much faster the simulator's clock runs")
	fs.StringVar(&c.faults, "faults", "", "with --sandbox: inject faults, e.g. throttle=0.1,5xx=0.02,latency=20ms")
	// In a rehearsal nobody can click "approve" in a real GitHub; the
	// simulator plays that part a few virtual minutes after the hand-off.
	fs.BoolVar(&c.autoApprove, "auto-approve-connections", true, "with --sandbox: approve GitHub connections a few virtual minutes after they are created")
	return c
}

func parseFlags(name string) (*flag.FlagSet, *commonFlags) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// The flag package's own messages and usage dump are replaced by
	// helpError: one sentence and where to look, or the manual for --help.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs, addCommon(fs)
}

// helpError turns a flag-parsing error into what the user sees: --help
// prints the manual (and is not an error), anything else one sentence.
func helpError(err error, stdout io.Writer) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, flag.ErrHelp) {
		usage(stdout)
		return err
	}
	return &steps.UserError{Message: err.Error() + ".", Next: "Run `castle --help` to see every flag.", Err: err}
}

func printVersion(w io.Writer) {
	fmt.Fprintf(w, "castle %s (commit %s, built %s)\n", version, commit, date)
}

// session is everything a command needs: the env and what to close after.
type session struct {
	env     *steps.Env
	sb      *sandbox.Sandbox
	answers string // path castle.yaml is saved to
	closers []func()
}

func (s *session) Close() {
	if s.env != nil && s.env.Journal != nil {
		s.env.Journal.Close()
	}
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
}

// open builds the env from the flags and castle.yaml.
func open(ctx context.Context, c *commonFlags) (*session, error) {
	s := &session{}
	answers := &castlefile.File{}
	path := c.file
	if path == "" {
		if _, err := os.Stat("castle.yaml"); err == nil {
			path = "castle.yaml"
		}
	}
	if path != "" {
		a, err := castlefile.Load(path)
		if err != nil {
			return nil, &steps.UserError{Message: fmt.Sprintf("castle could not read %s: %v.", path, err), Next: "Fix the file (`castle init --example` shows every key), or leave out -f."}
		}
		answers = a
	}
	s.answers = path
	if s.answers == "" {
		s.answers = "castle.yaml"
	}
	profile := firstOf(c.profile, answers.Profile)
	region := firstOf(c.region, answers.Region, answers.LandingZone.HomeRegion)
	stateDir := firstOf(c.stateDir, defaultStateDir())

	var debugLog io.Writer
	if c.debug != "" {
		f, err := os.OpenFile(c.debug, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return nil, fmt.Errorf("debug log: %w", err)
		}
		s.closers = append(s.closers, func() { f.Close() })
		debugLog = &redactor{w: f}
	}
	env := &steps.Env{Answers: answers, StateDir: stateDir, Profile: profile}
	o := steps.ConnectOptions{Profile: profile, Region: region, DebugLog: debugLog}
	switch {
	case c.sandbox:
		faults, err := sandbox.ParseFaults(c.faults)
		if err != nil {
			return nil, err
		}
		sb, err := sandbox.Start(sandbox.Options{StateDir: filepath.Join(stateDir, "sandbox"), Speed: c.speed, Faults: faults, AutoApproveConnections: c.autoApprove})
		if err != nil {
			return nil, err
		}
		s.sb = sb
		s.closers = append(s.closers, func() { sb.Close() })
		env.Sandbox, env.EndpointURL, env.Clock = true, sb.URL, sb.Clock()
		env.StateDir = filepath.Join(stateDir, "sandbox")
		env.Profile = ""
		o.Profile, o.EndpointURL, o.Isolated = "", sb.URL, true
		o.Credentials = steps.StaticCredentials(world.AdminKeyID, world.AdminSecret, "")
		if o.Region == "" {
			o.Region = "eu-west-1"
		}
	case c.endpoint != "":
		o.EndpointURL = c.endpoint
		env.EndpointURL = c.endpoint
		if clk, err := sandbox.DialClock(ctx, c.endpoint); err == nil {
			env.Clock = clk
		}
	}
	cfg, err := steps.LoadConfig(ctx, o)
	if err != nil {
		return nil, steps.Explain(err, env)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	env.Config, env.Region = cfg, cfg.Region
	if answers.Region == "" {
		answers.Region = env.Region
	}
	env.Workload = workloadResolver()
	s.env = env
	return s, nil
}

// reconnect returns the wizard's Reconnect: switch profile and region.
func (s *session) reconnect() func(ctx context.Context, profile, region string) error {
	return func(ctx context.Context, profile, region string) error {
		o := steps.ConnectOptions{Profile: profile, Region: region, EndpointURL: s.env.EndpointURL}
		if s.sb != nil {
			o.Profile, o.Isolated = "", true
			o.Credentials = steps.StaticCredentials(world.AdminKeyID, world.AdminSecret, "")
		}
		if err := s.env.Reconnect(ctx, o); err != nil {
			return err
		}
		s.env.Answers.Profile, s.env.Answers.Region = o.Profile, s.env.Region
		return nil
	}
}

// hasCredentials reports whether the standard chain finds any credentials.
func hasCredentials(ctx context.Context, env *steps.Env) error {
	_, err := env.Config.Credentials.Retrieve(ctx)
	return err
}

// noCredentials reports whether err means "there are none at all", as
// opposed to expired ones (which Preflight explains with the login command).
func noCredentials(err error) bool { return errors.Is(err, steps.ErrNoCredentials) }

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// redactor removes signatures, session tokens and secret fields from the
// SDK's request log before it reaches the --debug file.
type redactor struct {
	mu sync.Mutex
	w  io.Writer
}

var secretPatterns = []*regexp.Regexp{
	regexp.MustCompile(`(?i)(Authorization:\s*)[^\r\n]*`),
	regexp.MustCompile(`(?i)(X-Amz-Security-Token:\s*)[^\r\n]*`),
	regexp.MustCompile(`(?i)(X-Registry-Auth:\s*)[^\r\n]*`),
	regexp.MustCompile(`(?i)("(?:SecretAccessKey|SessionToken|authorizationToken|password)"\s*:\s*)"[^"]*"`),
	regexp.MustCompile(`(?i)(<(?:SecretAccessKey|SessionToken)>)[^<]*`),
}

func (r *redactor) Write(p []byte) (int, error) {
	out := p
	for _, re := range secretPatterns {
		out = re.ReplaceAll(out, []byte(`${1}[redacted]`))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := r.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
