package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/world"
	"github.com/castle-aws/castle/screens"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/headless"
	"github.com/castle-aws/castle/steps/preflight"
)

func runWizard(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs, c := parseFlags("castle")
	if err := fs.Parse(args); err != nil {
		return helpError(err, stdout)
	}
	if c.version {
		printVersion(stdout)
		return errVersion
	}
	s, err := open(ctx, c)
	if err != nil {
		return err
	}
	defer s.Close()
	if !c.sandbox && c.endpoint == "" {
		if err := hasCredentials(ctx, s.env); err != nil && noCredentials(steps.Explain(err, s.env)) {
			fmt.Fprintln(stdout, "castle found no AWS credentials on this machine (no profile, no environment keys).")
			if !askYesNo(stdin, stdout, "Rehearse on castle's simulated AWS instead? [Y/n] ", true) {
				return &steps.UserError{Message: "castle needs AWS credentials.", Next: "Run `aws configure sso` (or set AWS_PROFILE), then start castle again; or run `castle --sandbox`."}
			}
			s.Close()
			c.sandbox = true
			if s, err = open(ctx, c); err != nil {
				return err
			}
			defer s.Close()
		}
	}
	app := screens.New(screens.Options{
		Env:        s.env,
		Sections:   allSections(),
		UIs:        sectionUIs(),
		Accessible: c.accessible,
		NoColor:    os.Getenv("NO_COLOR") != "",
		Version:    version,
		Sandbox:    s.env.Sandbox,
		Reconnect:  s.reconnect(),
		SaveAnswers: func() error {
			return s.env.Answers.Save(s.answers)
		},
	})
	// Bubble Tea handles ctrl+c itself (the wizard asks before leaving);
	// the signal context only serves the headless commands.
	p := tea.NewProgram(app, tea.WithContext(context.WithoutCancel(ctx)))
	_, err = p.Run()
	return err
}

func runHeadless(ctx context.Context, cmd string, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs, c := parseFlags(cmd)
	only := fs.String("only", "", "comma-separated sections to run (apply, plan)")
	yes := fs.Bool("yes", false, "do not ask before spending money (apply)")
	if err := fs.Parse(args); err != nil {
		return helpError(err, stdout)
	}
	if c.version {
		printVersion(stdout)
		return errVersion
	}
	ids, err := headless.ParseOnly(*only)
	if err != nil {
		return err
	}
	s, err := open(ctx, c)
	if err != nil {
		return err
	}
	defer s.Close()
	r := &headless.Runner{Env: s.env, Sections: allSections(), Out: stdout, Only: ids}
	switch cmd {
	case "status":
		return r.Status(ctx)
	case "plan":
		if _, err := preflight.Check(ctx, s.env); err != nil {
			return err
		}
		return r.Plan(ctx)
	}
	// apply: who are we, and the journal, before anything else.
	res, err := preflight.Check(ctx, s.env)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Signed in to account %s as %s, region %s%s\n", res.Identity.Account, res.Identity.ARN, s.env.Region, sandboxNote(s.env))
	for _, w := range res.Warnings {
		fmt.Fprintln(stdout, "Warning: "+w)
	}
	if err := s.env.OpenJournal(ctx); err != nil {
		return err
	}
	switch {
	case *yes:
		r.Confirm = func(string) bool { return true }
	case isTerminal(os.Stdin) && os.Getenv("CI") == "":
		r.Confirm = func(q string) bool { return askYesNo(stdin, stdout, q+" [y/N] ", false) }
	}
	return r.Apply(ctx)
}

func sandboxNote(env *steps.Env) string {
	if env.Sandbox {
		return " (sandbox: simulated AWS)"
	}
	return ""
}

func runSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return &steps.UserError{Message: "castle sandbox needs a command.", Next: "Use `castle sandbox serve`, `castle sandbox approve-connection ARN` or `castle sandbox advance 1h`."}
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return flag.ErrHelp
	}
	fs, c := parseFlags("sandbox " + sub)
	addr := fs.String("addr", "127.0.0.1:4566", "address to listen on (serve)")
	positional, err := parseInterspersed(fs, args, stdout)
	if err != nil {
		return err
	}
	endpoint := firstOf(c.endpoint, "http://127.0.0.1:4566")
	switch sub {
	case "serve":
		faults, err := sandbox.ParseFaults(c.faults)
		if err != nil {
			return err
		}
		dir := firstOf(c.stateDir, defaultStateDir())
		sb, err := sandbox.Start(sandbox.Options{Addr: *addr, Speed: c.speed, Faults: faults, StateDir: dir + "/sandbox-server", AutoApproveConnections: c.autoApprove})
		if err != nil {
			return err
		}
		defer sb.Close()
		fmt.Fprintf(stdout, "castle sandbox listening on %s (clock speed %gx, state in %s)\n", sb.URL, c.speed, dir+"/sandbox-server")
		fmt.Fprintf(stdout, "Use it with:\n  export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_REGION=eu-west-1\n  aws --endpoint-url %s sts get-caller-identity\n  castle --endpoint-url %s\n", world.AdminKeyID, world.AdminSecret, sb.URL, sb.URL)
		fmt.Fprintln(stdout, "These are the sandbox's own made-up keys; they work nowhere else. Press ctrl+c to stop.")
		<-ctx.Done()
		return nil
	case "approve-connection":
		if len(positional) != 1 {
			return &steps.UserError{Message: "approve-connection needs the connection's ARN.", Next: "Run `castle sandbox approve-connection arn:aws:codeconnections:...`."}
		}
		return control(ctx, endpoint, "codeconnections/approve", url.Values{"arn": {positional[0]}}, stdout)
	case "advance":
		if len(positional) != 1 {
			return &steps.UserError{Message: "advance needs a duration.", Next: "Run `castle sandbox advance 1h`."}
		}
		if _, err := time.ParseDuration(positional[0]); err != nil {
			return &steps.UserError{Message: fmt.Sprintf("%q is not a duration.", positional[0]), Next: "Write it like 90s, 20m or 1h."}
		}
		return control(ctx, endpoint, "advance", url.Values{"by": {positional[0]}}, stdout)
	}
	return &steps.UserError{Message: fmt.Sprintf("castle sandbox has no command %q.", sub), Next: "Use serve, approve-connection or advance."}
}

func control(ctx context.Context, endpoint, path string, params url.Values, stdout io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, "POST", strings.TrimRight(endpoint, "/")+"/_sandbox/"+path+"?"+params.Encode(), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return &steps.UserError{Message: "No castle sandbox answers at " + endpoint + ".", Next: "Start one with `castle sandbox serve`, or pass --endpoint-url.", Err: err}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return &steps.UserError{Message: "The sandbox refused: " + strings.TrimSpace(string(body))}
	}
	fmt.Fprintln(stdout, strings.TrimSpace(string(body)))
	return nil
}

// parseInterspersed parses flags wherever they stand among the positional
// arguments (`advance 1h --endpoint-url URL`), which Go's flag package alone
// does not: it stops at the first positional one.
func parseInterspersed(fs *flag.FlagSet, args []string, stdout io.Writer) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, helpError(err, stdout)
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func askYesNo(in io.Reader, out io.Writer, q string, def bool) bool {
	fmt.Fprint(out, q)
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && line == "" {
		return def
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "":
		return def
	case "y", "yes":
		return true
	}
	return false
}

// isTerminal reports whether f is a terminal (a character device).
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
