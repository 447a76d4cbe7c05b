package pipeline

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeconnections"
	cctypes "github.com/aws/aws-sdk-go-v2/service/codeconnections/types"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/journal"
	"github.com/castle-aws/castle/steps/poll"
)

const (
	stepConnection = "connection"
	stepApproval   = "approve-connection"
)

// ensureConnection makes sure there is a GitHub connection (creating one
// when none is usable) and hands its approval to a person. It does not wait.
func ensureConnection(ctx context.Context, env *steps.Env, c clients, in *inputs, f *found, em emitter) error {
	if f.connAvailable() {
		msg := aws.ToString(f.conn.ConnectionName) + " is available"
		if f.connReused {
			msg += "; castle reuses it"
		}
		em.skipped(stepConnection, msg)
		return nil
	}
	if f.conn == nil {
		em.started(stepConnection, "Creating the GitHub connection "+in.ConnectionName)
		out, err := c.cc.CreateConnection(ctx, &codeconnections.CreateConnectionInput{
			ConnectionName: aws.String(in.ConnectionName), ProviderType: cctypes.ProviderTypeGithub})
		if err != nil {
			return err
		}
		arn := aws.ToString(out.ConnectionArn)
		if err := env.Journal.SetResource(section, "connectionArn", arn); err != nil {
			return err
		}
		if err := env.Journal.SaveOperation(section, opConnection, journal.Operation{
			Kind: "codeconnections:CreateConnection", ID: arn, StartedAt: env.Now(), Expected: connectionExpected, Status: "PENDING"}); err != nil {
			return err
		}
		f.conn = &cctypes.Connection{ConnectionArn: out.ConnectionArn, ConnectionName: aws.String(in.ConnectionName), ConnectionStatus: cctypes.ConnectionStatusPending}
	} else if _, ok := env.Journal.Operation(section, opConnection); !ok {
		_ = env.Journal.SaveOperation(section, opConnection, journal.Operation{
			Kind: "codeconnections:CreateConnection", ID: aws.ToString(f.conn.ConnectionArn), StartedAt: env.Now(), Expected: connectionExpected, Status: string(f.conn.ConnectionStatus)})
	}
	in.setConnection(aws.ToString(f.conn.ConnectionArn))
	handOff(env, *in, em)
	return nil
}

// HandOff is what a person must do to approve the connection.
func HandOff(region, repo, connectionName string) (message, detail string) {
	owner := ownerOf(repo)
	return "Approve the GitHub connection " + connectionName + " in the AWS console",
		"AWS cannot talk to GitHub until someone who owns " + owner + " on GitHub allows it. " +
			"Open " + ConsoleConnectionsURL(region) + ", pick " + connectionName + " (Pending), choose to update the pending connection, " +
			"and install the AWS Connector for GitHub on " + owner + " (an owner of the organization " + owner + " must do this; " +
			"if that is not you, send them the link). castle waits here and goes on by itself."
}

func handOff(env *steps.Env, in inputs, em emitter) {
	msg, detail := HandOff(in.Region, in.GitHubRepository, in.ConnectionName)
	if env.Sandbox || env.EndpointURL != "" {
		detail += " (On castle's sandbox, approve it with: castle sandbox approve-connection " + in.ConnectionArn
		if env.EndpointURL != "" {
			detail += " --endpoint-url " + env.EndpointURL
		}
		detail += ")"
	}
	// Its own step, so the waiting line below does not replace it.
	em.send(steps.Event{Step: stepApproval, Kind: steps.EventHandOff, Message: msg, Detail: detail})
}

// waitConnection polls until the connection is AVAILABLE.
func waitConnection(ctx context.Context, env *steps.Env, c clients, in inputs, em emitter) error {
	arn := in.ConnectionArn
	op := steps.Operation{Key: opConnection, Name: "Waiting for the GitHub connection to be approved", ID: arn, StartedAt: env.Now(), Expected: connectionExpected}
	if jop, ok := env.Journal.Operation(section, opConnection); ok && jop.ID == arn {
		if jop.Done {
			return nil
		}
		op.StartedAt = jop.StartedAt
	}
	var status cctypes.ConnectionStatus
	err := poll.Until(ctx, env.TheClock(), op, func(ctx context.Context) (bool, error) {
		out, err := c.cc.GetConnection(ctx, &codeconnections.GetConnectionInput{ConnectionArn: &arn})
		if err != nil {
			return false, err
		}
		status = out.Connection.ConnectionStatus
		if status == cctypes.ConnectionStatusPending {
			o := op
			o.Status = string(status)
			em.send(steps.Event{Step: stepConnection, Kind: steps.EventWaiting, Message: "waiting for the approval on GitHub", Op: &o})
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	if status != cctypes.ConnectionStatusAvailable {
		_ = env.Journal.FinishOperation(section, opConnection, string(status))
		_ = env.Journal.ForgetResource(section, "connectionArn")
		return &steps.UserError{
			Message: "The GitHub connection " + arn + " ended in status " + string(status) + " instead of being approved.",
			Next:    "Delete it in " + ConsoleConnectionsURL(in.Region) + ", then apply the Pipeline section again to make a new one.",
		}
	}
	_ = env.Journal.FinishOperation(section, opConnection, string(status))
	em.done(stepApproval, "approved on GitHub, thank you")
	em.done(stepConnection, "GitHub connection approved")
	return nil
}
