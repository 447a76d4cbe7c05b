package codeconnections_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeconnections"
	cctypes "github.com/aws/aws-sdk-go-v2/service/codeconnections/types"

	"github.com/castle-aws/castle/sandbox"
	sbcc "github.com/castle-aws/castle/sandbox/codeconnections"
	sbiam "github.com/castle-aws/castle/sandbox/iam"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	sbsts "github.com/castle-aws/castle/sandbox/sts"
	"github.com/castle-aws/castle/sandbox/world"
)

func start(t *testing.T, dir string, autoApprove bool) *sandboxtest.Sandbox {
	return sandboxtest.Start(t, sandbox.Options{StateDir: dir, Speed: 1, Services: []world.Service{sbsts.New(), sbiam.New(), sbcc.New(autoApprove)}})
}

func TestConnectionPendingUntilApproved(t *testing.T) {
	sb := start(t, "", true)
	ctx := context.Background()
	c := codeconnections.NewFromConfig(sb.Admin())
	a, err := c.CreateConnection(ctx, &codeconnections.CreateConnectionInput{ConnectionName: aws.String("a"), ProviderType: cctypes.ProviderTypeGithub})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateConnection(ctx, &codeconnections.CreateConnectionInput{ConnectionName: aws.String("b"), ProviderType: cctypes.ProviderTypeBitbucket}); err != nil {
		t.Fatal(err)
	}
	status := func(arn *string) cctypes.ConnectionStatus {
		out, err := c.GetConnection(ctx, &codeconnections.GetConnectionInput{ConnectionArn: arn})
		if err != nil {
			t.Fatal(err)
		}
		return out.Connection.ConnectionStatus
	}
	if s := status(a.ConnectionArn); s != cctypes.ConnectionStatusPending {
		t.Fatalf("new connection %s", s)
	}
	if !strings.HasPrefix(aws.ToString(a.ConnectionArn), "arn:aws:codeconnections:eu-west-1:111122223333:connection/") {
		t.Fatalf("arn %s", aws.ToString(a.ConnectionArn))
	}
	list, err := c.ListConnections(ctx, &codeconnections.ListConnectionsInput{ProviderTypeFilter: cctypes.ProviderTypeGithub})
	if err != nil || len(list.Connections) != 1 {
		t.Fatalf("GitHub connections: %v %+v", err, list)
	}
	sb.Clock().Advance(sbcc.AutoApproveAfter - time.Minute)
	if s := status(a.ConnectionArn); s != cctypes.ConnectionStatusPending {
		t.Fatalf("approved too early: %s", s)
	}
	sb.Clock().Advance(time.Minute)
	if s := status(a.ConnectionArn); s != cctypes.ConnectionStatusAvailable {
		t.Fatalf("auto-approve: %s", s)
	}
	_, err = c.GetConnection(ctx, &codeconnections.GetConnectionInput{ConnectionArn: aws.String("arn:aws:codeconnections:eu-west-1:111122223333:connection/nope")})
	var nf *cctypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("missing connection: %v", err)
	}
}

func TestApproveControlAndRestart(t *testing.T) {
	dir := t.TempDir()
	sb := start(t, dir, false)
	ctx := context.Background()
	c := codeconnections.NewFromConfig(sb.Admin())
	out, err := c.CreateConnection(ctx, &codeconnections.CreateConnectionInput{ConnectionName: aws.String("gh"), ProviderType: cctypes.ProviderTypeGithub})
	if err != nil {
		t.Fatal(err)
	}
	sb.Clock().Advance(24 * time.Hour)
	got, err := c.GetConnection(ctx, &codeconnections.GetConnectionInput{ConnectionArn: out.ConnectionArn})
	if err != nil || got.Connection.ConnectionStatus != cctypes.ConnectionStatusPending {
		t.Fatalf("without auto-approve a connection waits for a person: %v %+v", err, got)
	}
	res, err := http.Post(sb.URL+"/_sandbox/codeconnections/approve?arn="+aws.ToString(out.ConnectionArn), "", nil)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("approve: %v %v", err, res)
	}
	res.Body.Close()
	sb.Close()
	again := start(t, dir, false)
	got, err = codeconnections.NewFromConfig(again.Admin()).GetConnection(ctx, &codeconnections.GetConnectionInput{ConnectionArn: out.ConnectionArn})
	if err != nil || got.Connection.ConnectionStatus != cctypes.ConnectionStatusAvailable {
		t.Fatalf("after approval and a restart: %v %+v", err, got)
	}
	if _, err := codeconnections.NewFromConfig(again.Admin()).CreateConnection(ctx, &codeconnections.CreateConnectionInput{
		ConnectionName: aws.String(strings.Repeat("x", 33)), ProviderType: cctypes.ProviderTypeGithub}); err == nil {
		t.Fatal("a 33-character name was accepted")
	}
	res, err = http.Post(again.URL+"/_sandbox/codeconnections/approve?arn=nope", "", nil)
	if err != nil || res.StatusCode == 200 {
		t.Fatal("approving an unknown connection succeeded")
	}
	res.Body.Close()
}
