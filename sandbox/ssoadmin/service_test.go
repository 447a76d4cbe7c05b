package ssoadmin_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/identitystore"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	sbsso "github.com/castle-aws/castle/sandbox/ssoadmin"
	"github.com/castle-aws/castle/sandbox/world"
)

func TestNoInstanceBeforeLandingZone(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	out, err := ssoadmin.NewFromConfig(sb.Admin()).ListInstances(context.Background(), &ssoadmin.ListInstancesInput{})
	if err != nil || len(out.Instances) != 0 {
		t.Fatalf("%+v %v", out, err)
	}
}

func TestAssignmentLifecycle(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{Speed: 1})
	ctx := context.Background()
	sb.World.Lock()
	arn, store := sbsso.From(sb.World).EnableInstance(sb.World, world.ManagementAccount, sandboxtest.Region)
	arn2, _ := sbsso.From(sb.World).EnableInstance(sb.World, world.ManagementAccount, sandboxtest.Region)
	user, err := identitystore.From(sb.World).EnsureUser(sb.World, store, "alice", "a@example.com", "A", "D")
	sb.World.Unlock()
	if err != nil || arn != arn2 {
		t.Fatalf("enable not idempotent or user: %v", err)
	}
	c := ssoadmin.NewFromConfig(sb.Admin())
	inst, err := c.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil || len(inst.Instances) != 1 || aws.ToString(inst.Instances[0].IdentityStoreId) != store || inst.Instances[0].Status != types.InstanceStatusActive {
		t.Fatalf("instances %+v %v", inst, err)
	}
	// The six Control Tower sets, over several pages, with descriptions.
	p := ssoadmin.NewListPermissionSetsPaginator(c, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(arn)})
	var setARN string
	pages, n := 0, 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, a := range out.PermissionSets {
			n++
			d, err := c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(arn), PermissionSetArn: aws.String(a)})
			if err != nil || aws.ToString(d.PermissionSet.Description) == "" {
				t.Fatalf("describe %s: %v", a, err)
			}
			if aws.ToString(d.PermissionSet.Name) == "AWSReadOnlyAccess" {
				setARN = a
			}
		}
	}
	if n != 6 || pages < 2 || setARN == "" {
		t.Fatalf("%d sets in %d pages", n, pages)
	}
	in := &ssoadmin.CreateAccountAssignmentInput{InstanceArn: aws.String(arn), PermissionSetArn: aws.String(setARN),
		PrincipalId: aws.String(user), PrincipalType: types.PrincipalTypeUser, TargetId: aws.String(world.ManagementAccount), TargetType: types.TargetTypeAwsAccount}
	created, err := c.CreateAccountAssignment(ctx, in)
	if err != nil || created.AccountAssignmentCreationStatus.Status != types.StatusValuesInProgress {
		t.Fatalf("create %+v %v", created, err)
	}
	id := created.AccountAssignmentCreationStatus.RequestId
	st, _ := c.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: aws.String(arn), AccountAssignmentCreationRequestId: id})
	if st.AccountAssignmentCreationStatus.Status != types.StatusValuesInProgress {
		t.Fatalf("finished at once: %+v", st.AccountAssignmentCreationStatus)
	}
	sb.Clock().Advance(sbsso.AssignDelay)
	st, err = c.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: aws.String(arn), AccountAssignmentCreationRequestId: id})
	if err != nil || st.AccountAssignmentCreationStatus.Status != types.StatusValuesSucceeded {
		t.Fatalf("status %+v %v", st, err)
	}
	// Assigning again succeeds without a duplicate.
	if _, err := c.CreateAccountAssignment(ctx, in); err != nil {
		t.Fatal(err)
	}
	sb.Clock().Advance(time.Minute)
	list, err := c.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: aws.String(arn), AccountId: aws.String(world.ManagementAccount), PermissionSetArn: aws.String(setARN)})
	if err != nil || len(list.AccountAssignments) != 1 {
		t.Fatalf("assignments %+v %v", list, err)
	}
	prov, err := c.ListPermissionSetsProvisionedToAccount(ctx, &ssoadmin.ListPermissionSetsProvisionedToAccountInput{InstanceArn: aws.String(arn), AccountId: aws.String(world.ManagementAccount)})
	if err != nil || len(prov.PermissionSets) != 1 {
		t.Fatalf("provisioned %+v %v", prov, err)
	}
	del, err := c.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{InstanceArn: in.InstanceArn, PermissionSetArn: in.PermissionSetArn,
		PrincipalId: in.PrincipalId, PrincipalType: in.PrincipalType, TargetId: in.TargetId, TargetType: in.TargetType})
	if err != nil {
		t.Fatal(err)
	}
	sb.Clock().Advance(sbsso.AssignDelay)
	ds, err := c.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{InstanceArn: aws.String(arn), AccountAssignmentDeletionRequestId: del.AccountAssignmentDeletionStatus.RequestId})
	if err != nil || ds.AccountAssignmentDeletionStatus.Status != types.StatusValuesSucceeded {
		t.Fatalf("deletion %+v %v", ds, err)
	}
	fp, err := c.ListAccountAssignmentsForPrincipal(ctx, &ssoadmin.ListAccountAssignmentsForPrincipalInput{InstanceArn: aws.String(arn), PrincipalId: aws.String(user), PrincipalType: types.PrincipalTypeUser})
	if err != nil || len(fp.AccountAssignments) != 0 {
		t.Fatalf("after delete %+v %v", fp, err)
	}
	// A creation id is not a deletion id.
	_, err = c.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{InstanceArn: aws.String(arn), AccountAssignmentDeletionRequestId: id})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("want ResourceNotFoundException, got %v", err)
	}
	_, err = c.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: aws.String(arn), PermissionSetArn: aws.String(setARN),
		PrincipalId: aws.String(user), PrincipalType: types.PrincipalTypeUser, TargetId: aws.String("12"), TargetType: types.TargetTypeAwsAccount})
	var invalid *types.ValidationException
	if !errors.As(err, &invalid) {
		t.Fatalf("want ValidationException, got %v", err)
	}
}
