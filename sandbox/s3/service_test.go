package s3_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/castle-aws/castle/sandbox"
	sbiam "github.com/castle-aws/castle/sandbox/iam"
	sbs3 "github.com/castle-aws/castle/sandbox/s3"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	sbsts "github.com/castle-aws/castle/sandbox/sts"
	"github.com/castle-aws/castle/sandbox/world"
)

func TestBucketLifecycleBothAddressingStyles(t *testing.T) {
	for _, pathStyle := range []bool{true, false} {
		sb := sandboxtest.Start(t, sandbox.Options{Services: []world.Service{sbsts.New(), sbiam.New(), sbs3.New()}})
		c := s3.NewFromConfig(sb.Admin(), func(o *s3.Options) { o.UsePathStyle = pathStyle })
		ctx := context.Background()
		name := aws.String("castle-artifacts-test")
		_, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: name})
		var nf *s3types.NotFound
		if !errors.As(err, &nf) {
			t.Fatalf("path style %v: HeadBucket of a missing bucket: %v", pathStyle, err)
		}
		_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: name})
		var ae interface{ ErrorCode() string }
		if !errors.As(err, &ae) || ae.ErrorCode() != "IllegalLocationConstraintException" {
			t.Fatalf("CreateBucket without a location outside us-east-1: %v", err)
		}
		in := &s3.CreateBucketInput{Bucket: name, CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(sandboxtest.Region)}}
		if _, err := c.CreateBucket(ctx, in); err != nil {
			t.Fatalf("path style %v: %v", pathStyle, err)
		}
		var owned *s3types.BucketAlreadyOwnedByYou
		if _, err := c.CreateBucket(ctx, in); !errors.As(err, &owned) {
			t.Fatalf("second CreateBucket: %v", err)
		}
		if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: name}); err != nil {
			t.Fatal(err)
		}
		enc, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: name})
		if err != nil || enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != s3types.ServerSideEncryptionAes256 {
			t.Fatalf("default encryption: %v %+v", err, enc)
		}
		_, err = c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: name, ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
			Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms}}}}})
		if err != nil {
			t.Fatal(err)
		}
		enc, err = c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: name})
		if err != nil || enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != s3types.ServerSideEncryptionAwsKms {
			t.Fatalf("encryption after put: %v", err)
		}
		_, err = c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: name, PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
			BlockPublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(false), IgnorePublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}})
		if err != nil {
			t.Fatal(err)
		}
		pab, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: name})
		if err != nil || aws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicPolicy) || !aws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicAcls) {
			t.Fatalf("public access block: %v %+v", err, pab)
		}
		// Another account cannot have the same name.
		sb.World.Lock()
		other := sb.World.NewAccount("other", "o@example.com", false)
		sb.World.Keys["AKIAOTHERACCOUNT0001"] = &world.Key{AccessKeyID: "AKIAOTHERACCOUNT0001", Secret: "s", Account: other.ID, ARN: "arn:aws:iam::" + other.ID + ":user/x"}
		sb.World.Unlock()
		oc := s3.NewFromConfig(sb.Config("AKIAOTHERACCOUNT0001", "s", ""), func(o *s3.Options) { o.UsePathStyle = pathStyle })
		var taken *s3types.BucketAlreadyExists
		if _, err := oc.CreateBucket(ctx, in); !errors.As(err, &taken) {
			t.Fatalf("another account's CreateBucket: %v", err)
		}
	}
}
