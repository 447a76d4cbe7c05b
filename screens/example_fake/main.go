// Command example_fake runs the castle wizard shell with fake sections (no
// AWS), to look at the screens in a terminal:
//
//	go run ./screens/example_fake            # or: NO_COLOR=1 / TERM=dumb / -accessible
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/castle-aws/castle/screens"
	"github.com/castle-aws/castle/screens/internal/fake"
	"github.com/castle-aws/castle/screens/preflight"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
	pf "github.com/castle-aws/castle/steps/preflight"
)

func main() {
	accessible := flag.Bool("accessible", false, "accessible mode")
	real := flag.Bool("real", false, "look like real AWS (no SANDBOX badge, profiles in Preflight)")
	flag.Parse()

	clock := fake.NewClock(time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC))
	env := &steps.Env{Clock: clock, Region: "eu-west-1", Sandbox: !*real, Answers: &castlefile.File{}}

	pre := fake.New(steps.Preflight, "Preflight", steps.StateDone, "signed in as alice in account 111122223333")
	pre.Price = "free"
	pre.PlanValue = steps.Plan{Summary: "Look up who you are. This only reads.", MonthlyCost: "free", Actions: []steps.Action{
		{Key: "who-am-i", Title: "Find out who is signed in", Commands: []string{"aws sts get-caller-identity"}},
	}}

	lz := fake.New(steps.LandingZone, "Landing zone", steps.StateInProgress, "Control Tower is setting up the landing zone")
	lz.Price = "about $5 a month (Config, CloudTrail)"
	op := steps.Operation{Key: "landing-zone", Name: "Setting up the landing zone", ID: "op-123", StartedAt: clock.Now().Add(-20 * time.Minute), Expected: time.Hour, Status: "IN_PROGRESS"}
	lz.SetStatus(steps.Status{State: steps.StateInProgress, Summary: "Control Tower is setting up the landing zone", Operations: []steps.Operation{op}}, nil)
	var lzSteps []fake.Step
	for i := 1; i <= 8; i++ {
		o := op
		lzSteps = append(lzSteps, fake.Step{Delay: 2 * time.Second, Advance: 5 * time.Minute, Event: steps.Event{Step: "landing-zone", Kind: steps.EventWaiting, Op: &o, Percent: -1}})
	}
	lzSteps = append(lzSteps, fake.Step{Delay: time.Second, Advance: time.Minute, Event: steps.Event{Step: "landing-zone", Kind: steps.EventDone, Message: "landing zone 4.0 is active"}})
	lz.ResumeFn = lz.ThenStatus(fake.Script(clock, nil, lzSteps...), steps.Status{State: steps.StateDone, Summary: "landing zone 4.0, active"})
	lz.PlanValue = steps.Plan{Summary: "Nothing to do: the landing zone exists.", Actions: []steps.Action{{Key: "landing-zone", Title: "Set up the landing zone", Skip: true, SkipReason: "landing zone 4.0 is active"}}}

	people := fake.New(steps.People, "People", steps.StateNotStarted, "no users yet")
	people.Price = "free"
	people.PlanValue = steps.Plan{
		Summary:     "Add one person to IAM Identity Center so they can sign in without the root user.",
		MonthlyCost: "free",
		Duration:    30 * time.Second,
		Actions: []steps.Action{
			{Key: "enable-identity-center", Title: "Turn on IAM Identity Center", Skip: true, SkipReason: "instance ssoins-123 exists"},
			{Key: "create-user", Title: "Create the user", Why: "Everyone signs in as themselves, so AWS records who did what.",
				Commands: []string{"aws identitystore create-user --identity-store-id d-123 --user-name alice --display-name 'Alice Doe' --name GivenName=Alice,FamilyName=Doe --emails Value=alice@example.com,Primary=true --region eu-west-1"}},
			{Key: "add-to-group", Title: "Add the user to the admins group", Why: "Group membership decides what a person may do.",
				Commands: []string{"aws identitystore create-group-membership --identity-store-id d-123 --group-id g-1 --member-id UserId=u-1 --region eu-west-1"}},
		},
		Notes: []string{"AWS emails the person an invitation; they choose a password and set up MFA."},
	}
	people.ApplyFn = fake.Script(clock, nil,
		fake.Step{Delay: 700 * time.Millisecond, Event: steps.Event{Step: "create-user", Kind: steps.EventStarted, Message: "Creating alice"}},
		fake.Step{Delay: 900 * time.Millisecond, Event: steps.Event{Step: "create-user", Kind: steps.EventDone, Message: "alice created"}},
		fake.Step{Delay: 700 * time.Millisecond, Event: steps.Event{Step: "add-to-group", Kind: steps.EventDone, Message: "added to admins"}},
		fake.Step{Delay: 500 * time.Millisecond, Event: steps.Event{Step: "invite", Kind: steps.EventHandOff, Message: "Ask alice to accept the invitation email, then sign in at the portal:", Detail: "https://d-123.awsapps.com/start"}},
	)
	people.ApplyFn = people.ThenStatus(people.ApplyFn, steps.Status{State: steps.StateDone, Summary: "1 user: alice"})
	var user castlefile.User
	peopleUI := fake.FormUI{Build: func(ctx screens.FormContext) *huh.Form {
		return huh.NewForm(huh.NewGroup(
			huh.NewInput().Title("User name").Description("What they type to sign in.").Validate(huh.ValidateNotEmpty()).Value(&user.UserName),
			huh.NewInput().Title("Email").Description("AWS sends the invitation here.").Validate(huh.ValidateNotEmpty()).Value(&user.Email),
			huh.NewConfirm().Title("Give them administrator access?").Value(new(bool)),
		))
	}}

	envs := fake.New(steps.Environments, "Environments", steps.StateBlocked, "")
	envs.SetStatus(steps.Status{State: steps.StateBlocked, Blocker: "Finish the Landing zone section first."}, nil)
	envs.Price = "free (each account bills what runs in it)"

	access := fake.New(steps.Access, "Access", steps.StateNotStarted, "")
	access.Price = "free"
	access.PlanValue = steps.Plan{
		Summary: "Give alice administrator access to the dev account.", MonthlyCost: "free", ConfirmWord: "grant",
		Actions: []steps.Action{{Key: "assign", Title: "Assign AWSAdministratorAccess to alice in dev", Why: "So alice can work in dev without the root user.",
			Commands: []string{"aws sso-admin create-account-assignment --instance-arn arn:aws:sso:::instance/ssoins-1 --target-id 222233334444 --target-type AWS_ACCOUNT --permission-set-arn arn:aws:sso:::permissionSet/ps-1 --principal-type USER --principal-id u-1"}}},
	}
	access.ApplyFn = fake.Script(clock, &steps.UserError{Message: "AWS refused: you are not allowed to call CreateAccountAssignment.", Next: "Sign in with the AWSAdministratorAccess permission set, then press r."},
		fake.Step{Delay: time.Second, Event: steps.Event{Step: "assign", Kind: steps.EventStarted, Message: "Asking Identity Center"}},
		fake.Step{Delay: time.Second, Event: steps.Event{Step: "assign", Kind: steps.EventFailed, Message: "AccessDeniedException"}},
	)

	reg := fake.New(steps.Registry, "Registry", steps.StateNotStarted, "")
	reg.Price = "about $0.10 a month per GB stored"
	reg.PlanValue = steps.Plan{
		Summary: "Create a private image repository and push the demo app to it.", MonthlyCost: "about $0.10 a month", SpendsMoney: true, Duration: 3 * time.Minute,
		Actions: []steps.Action{
			{Key: "repo", Title: "Create the repository hello-world-repo", Why: "Your images live here, scanned on push.", Cost: "$0.10 per GB-month",
				Commands: []string{"aws ecr create-repository --repository-name hello-world-repo --image-scanning-configuration scanOnPush=true --region eu-west-1"}},
			{Key: "push", Title: "Build and push the demo image", Why: "The service runs this image.",
				Commands: []string{"aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin 222233334444.dkr.ecr.eu-west-1.amazonaws.com", "docker build -t hello-world-repo:demo .", "docker push 222233334444.dkr.ecr.eu-west-1.amazonaws.com/hello-world-repo:demo"}},
		},
	}
	var regSteps []fake.Step
	regSteps = append(regSteps, fake.Step{Delay: 500 * time.Millisecond, Event: steps.Event{Step: "repo", Kind: steps.EventDone, Message: "hello-world-repo created"}})
	for i := 0; i <= 10; i++ {
		regSteps = append(regSteps, fake.Step{Delay: 400 * time.Millisecond, Event: steps.Event{Step: "push", Kind: steps.EventProgress, Message: "pushing layers", Percent: float64(i) / 10}})
	}
	regSteps = append(regSteps, fake.Step{Delay: 300 * time.Millisecond, Event: steps.Event{Step: "push", Kind: steps.EventDone, Message: "sha256:abc123 pushed"}})
	reg.ApplyFn = reg.ThenStatus(fake.Script(clock, nil, regSteps...), steps.Status{State: steps.StateDone, Summary: "hello-world-repo, 1 image"})

	net := fake.New(steps.Network, "Network", steps.StateFailed, "")
	net.SetStatus(steps.Status{}, &steps.UserError{Message: "AWS refused: not authorized to call ec2:DescribeVpcs in the workload account.", Next: "Finish the Access section, then press r on the checklist."})
	net.DiscoverDelay = 1500 * time.Millisecond

	secs := []steps.Section{pre, lz, people, envs, access, reg, net,
		steps.NotBuilt{SectionID: steps.Service, Name: "Service", Text: "Runs your container on Fargate behind a load balancer."},
		steps.NotBuilt{SectionID: steps.Pipeline, Name: "Pipeline", Text: "Builds and deploys on every push to your repository."},
	}
	app := screens.New(screens.Options{
		Env: env, Sections: secs, Version: "v0.0-fake", Sandbox: !*real, Accessible: *accessible,
		NoColor: os.Getenv("NO_COLOR") != "",
		UIs:     map[steps.SectionID]screens.SectionUI{steps.People: peopleUI, steps.Preflight: preflightUI()},
		Reconnect: func(ctx context.Context, profile, region string) error {
			time.Sleep(300 * time.Millisecond)
			env.Profile, env.Region = profile, region
			return nil
		},
		SaveAnswers: func() error {
			return errors.New("the example does not write files")
		},
	})
	if _, err := tea.NewProgram(app).Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// preflightUI is the real Preflight screen with a made-up sign-in: the
// "root" profile is the root user without MFA, "expired" has an expired SSO
// sign-in until you press r once.
func preflightUI() preflight.UI {
	tries := 0
	return preflight.UI{
		ListProfiles: func() ([]pf.Profile, error) {
			return []pf.Profile{{Name: ""}, {Name: "admin", SSO: true, Region: "eu-west-1"}, {Name: "root", Region: "us-east-1"}, {Name: "expired", SSO: true, Region: "eu-central-1"}}, nil
		},
		Check: func(ctx context.Context, env *steps.Env) (pf.Result, error) {
			time.Sleep(400 * time.Millisecond)
			on, off := true, false
			switch env.Profile {
			case "root":
				return pf.Result{Identity: steps.Identity{Account: "111122223333", ARN: "arn:aws:iam::111122223333:root"}, Root: true, RootMFA: &off,
					MFAConsoleURL: pf.MFAConsoleURL, Warnings: []string{pf.RootWarning, "The root user of account 111122223333 has no MFA. Anyone with its password owns the account: turn MFA on (sign in as root once to do it)."}}, nil
			case "expired":
				tries++
				if tries%2 == 1 {
					return pf.Result{}, &steps.UserError{Message: `Your AWS sign-in for profile "expired" has expired.`, Next: "Run `aws sso login --profile expired` in another terminal, then retry."}
				}
			}
			return pf.Result{Identity: steps.Identity{Account: "111122223333", ARN: "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_abc/alice"}, RootMFA: &on, MFAConsoleURL: pf.MFAConsoleURL}, nil
		},
	}
}
