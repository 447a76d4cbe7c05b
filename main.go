// Command castle is a terminal wizard that takes a developer who is not an
// AWS expert from a fresh AWS account to a secure multi-account setup with a
// containerised service that deploys itself from GitHub.
//
//	castle [flags]                         the wizard
//	castle plan   [-f castle.yaml]         what exists and what castle would do
//	castle apply  [-f castle.yaml] [--only SECTION,...] [--yes]
//	castle status                          the checklist as text
//	castle init --example                  a complete, commented castle.yaml
//	castle sandbox serve|approve-connection|advance
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/castle-aws/castle/assets"
	"github.com/castle-aws/castle/steps"
)

// Stamped by the release build (GoReleaser -ldflags).
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := ""
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch cmd {
	case "":
		err = runWizard(ctx, args, stdin, stdout, stderr)
	case "plan", "apply", "status":
		err = runHeadless(ctx, cmd, args, stdin, stdout, stderr)
	case "init":
		err = runInit(args, stdout, stderr)
	case "sandbox":
		err = runSandbox(ctx, args, stdout, stderr)
	case "help":
		usage(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "castle: there is no command %q.\n\n", cmd)
		usage(stderr)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) || errors.Is(err, errVersion) {
		return 0
	}
	if err != nil {
		var ue *steps.UserError
		if errors.As(err, &ue) {
			fmt.Fprintln(stderr, "castle: "+ue.Message)
			if ue.Next != "" {
				fmt.Fprintln(stderr, "Next: "+ue.Next)
			}
		} else {
			fmt.Fprintln(stderr, "castle: "+err.Error())
		}
		return 1
	}
	return 0
}

var errVersion = errors.New("version printed")

func usage(w io.Writer) {
	fmt.Fprint(w, `castle takes you from a fresh AWS account to a secure multi-account setup
with a containerised service that deploys itself from GitHub, one screen at a time.

Usage:
  castle [flags]                 open the wizard
  castle --sandbox               open the wizard on castle's AWS simulator (no account needed)
  castle plan   [-f FILE]        show what exists and the calls each section would make
  castle apply  [-f FILE] [--only SECTIONS] [--yes]
                                 run the sections without the wizard, one line per event
  castle status                  the checklist as text (read-only)
  castle init --example          print a complete, commented castle.yaml
  castle sandbox serve           run the AWS simulator alone (for aws --endpoint-url or a second castle)
  castle sandbox approve-connection ARN
                                 approve a pending GitHub connection in the simulator
  castle sandbox advance DURATION
                                 move the simulator's clock forward

Sections: preflight, landing-zone, people, environments, access, registry, network, service, pipeline

Flags (every command):
  --profile NAME        AWS profile (SSO profiles included); default: the standard credential chain
  --region REGION       the region castle works in (the landing zone's home region)
  --sandbox             use castle's AWS simulator instead of AWS
  --endpoint-url URL    send every AWS call to URL (a castle sandbox or another AWS emulator)
  --state-dir DIR       where castle keeps its progress journal (default: your config folder)
  --accessible          screen-reader friendly: plain prompts, no animation (also ACCESSIBLE=1)
  --debug FILE          write the AWS SDK's request log to FILE, secrets removed
  --version             print the version
  -f FILE               castle.yaml with your answers (default: ./castle.yaml when it exists)

Simulator flags (with --sandbox, or for castle sandbox serve):
  --speed N             how much faster the simulator's clock runs (default 60: an hour in a minute)
  --faults SPEC         inject faults, e.g. throttle=0.1,5xx=0.02,latency=20ms,seed=7
  --auto-approve-connections
                        the simulator approves GitHub connections by itself a few virtual
                        minutes after the hand-off (default true; =false to approve by hand)
  --addr HOST:PORT      where castle sandbox serve listens (default 127.0.0.1:4566)

Examples:
  castle --sandbox                                  rehearse the whole journey, no AWS account needed
  castle --profile studio-admin --region eu-west-1  the real thing
  castle apply --sandbox --only landing-zone -f castle.yaml --yes
  castle init --example > castle.yaml               start your answers from a complete example
  castle plan --sandbox -f castle.yaml              what castle would do there, changing nothing
  castle sandbox serve --speed 600                  a simulator that aws --endpoint-url can share
`)
}

func runInit(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	example := fs.Bool("example", false, "print a complete, commented example")
	if err := fs.Parse(args); err != nil {
		return helpError(err, stdout)
	}
	if !*example {
		return &steps.UserError{Message: "castle init needs --example for now.", Next: "Run `castle init --example > castle.yaml`, then edit it."}
	}
	_, err := stdout.Write(assets.MustRead("example/castle.yaml"))
	return err
}

// defaultStateDir is castle's folder under the user's config directory.
func defaultStateDir() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ".castle"
	}
	return filepath.Join(dir, "castle")
}
