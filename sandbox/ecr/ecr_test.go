package ecr_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/castle-aws/castle/sandbox"
	sbecr "github.com/castle-aws/castle/sandbox/ecr"
	"github.com/castle-aws/castle/sandbox/iam"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/sandbox/sts"
	"github.com/castle-aws/castle/sandbox/world"
)

func start(t *testing.T, dir string) (*sandboxtest.Sandbox, *ecr.Client) {
	sb := sandboxtest.Start(t, sandbox.Options{StateDir: dir, Services: []world.Service{sts.New(), iam.New(), sbecr.New()}})
	return sb, ecr.NewFromConfig(sb.Admin())
}

func password(t *testing.T, c *ecr.Client) (host, pw string) {
	t.Helper()
	out, err := c.GetAuthorizationToken(context.Background(), &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	d := out.AuthorizationData[0]
	raw, err := base64.StdEncoding.DecodeString(aws.ToString(d.AuthorizationToken))
	if err != nil || !strings.HasPrefix(string(raw), "AWS:") {
		t.Fatalf("token %q does not decode to AWS:<password> (%v)", raw, err)
	}
	if left := time.Until(aws.ToTime(d.ExpiresAt)); left < 11*time.Hour || left > 13*time.Hour {
		t.Errorf("token expires in %v, want about 12h", left)
	}
	return strings.TrimPrefix(aws.ToString(d.ProxyEndpoint), "http://"), strings.TrimPrefix(string(raw), "AWS:")
}

func TestRepositoryLifecycleErrors(t *testing.T) {
	_, c := start(t, "")
	ctx := context.Background()
	out, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("hello-world-repo"),
		ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: true}})
	if err != nil {
		t.Fatal(err)
	}
	repo := out.Repository
	if !strings.HasSuffix(aws.ToString(repo.RepositoryUri), "/hello-world-repo") || repo.ImageTagMutability != ecrtypes.ImageTagMutabilityMutable ||
		!repo.ImageScanningConfiguration.ScanOnPush || aws.ToString(repo.RegistryId) != world.ManagementAccount {
		t.Errorf("repository = %+v", repo)
	}
	_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("hello-world-repo")})
	var exists *ecrtypes.RepositoryAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Errorf("second create: %v, want RepositoryAlreadyExistsException", err)
	}
	for _, bad := range []string{"Hello", "a", "-x", "a//b", "x_"} {
		_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(bad)})
		var inv *ecrtypes.InvalidParameterException
		if !errors.As(err, &inv) {
			t.Errorf("create %q: %v, want InvalidParameterException", bad, err)
		}
	}
	_, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"nope"}})
	var nf *ecrtypes.RepositoryNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("describe missing: %v, want RepositoryNotFoundException", err)
	}
	_, err = c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("nope")})
	if !errors.As(err, &nf) {
		t.Errorf("describe images of missing: %v, want RepositoryNotFoundException", err)
	}
}

func TestPushIsVisibleAndAuthIsChecked(t *testing.T) {
	dir := t.TempDir()
	sb, c := start(t, dir)
	ctx := context.Background()
	if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("team/app")}); err != nil {
		t.Fatal(err)
	}
	host, pw := password(t, c)

	// The daemon only sends credentials after a Basic challenge on /v2/.
	res, err := http.Get("http://" + host + "/v2/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 401 || !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Basic ") {
		t.Errorf("GET /v2/ without auth = %d %q, want 401 with a Basic challenge", res.StatusCode, res.Header.Get("WWW-Authenticate"))
	}

	img := randomImage(4096)
	if err := push(t, host+"/team/app:v1", "not-the-token", img); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("push with a wrong password: %v, want 401", err)
	}
	if err := push(t, host+"/other:v1", pw, img); err == nil || !strings.Contains(err.Error(), "NAME_UNKNOWN") {
		t.Errorf("push to a repository that does not exist: %v, want NAME_UNKNOWN", err)
	}
	for i := 0; i < 3; i++ {
		img := randomImage(1024)
		if err := push(t, host+"/team/app:filler", pw, img); err != nil {
			t.Fatal(err)
		}
	}
	if err := push(t, host+"/team/app:v1", pw, img); err != nil {
		t.Fatalf("push: %v", err)
	}
	want := img.Digest()

	p := ecr.NewDescribeImagesPaginator(c, &ecr.DescribeImagesInput{RepositoryName: aws.String("team/app"), MaxResults: aws.Int32(1)})
	var found *ecrtypes.ImageDetail
	pages, total := 0, 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for i, d := range out.ImageDetails {
			total++
			if aws.ToString(d.ImageDigest) == want {
				found = &out.ImageDetails[i]
			}
		}
	}
	if found == nil || pages != 4 || total != 4 {
		t.Fatalf("DescribeImages: found=%v pages=%d images=%d, want the pushed digest %s among 4 images on 4 pages", found, pages, total, want)
	}
	if len(found.ImageTags) != 1 || found.ImageTags[0] != "v1" || aws.ToInt64(found.ImageSizeInBytes) < 4096 || found.ImagePushedAt == nil {
		t.Errorf("image detail = %+v", found)
	}

	// A tag that moves leaves the old image untagged.
	out, _ := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("team/app"), Filter: &ecrtypes.DescribeImagesFilter{TagStatus: ecrtypes.TagStatusTagged}})
	if len(out.ImageDetails) != 2 {
		t.Errorf("tagged images = %d, want 2 (filler and v1)", len(out.ImageDetails))
	}

	// The manifest survives a restart of the sandbox with its state folder.
	sb.Close()
	sb2, c2 := start(t, dir)
	_ = sb2
	host2, pw2 := password(t, c2)
	got, err := manifest(host2+"/team/app:v1", pw2)
	if err != nil || got != want {
		t.Fatalf("read back after restart: %s %v, want %s", got, err, want)
	}
	if b, err := blob(host2+"/team/app:v1", pw2, digestOf(img.layer)); err != nil || !bytes.Equal(b, img.layer) {
		t.Errorf("layer blob after restart: %d bytes, %v", len(b), err)
	}
	// The old password died with the old sandbox.
	if _, err := manifest(host2+"/team/app:v1", pw); err == nil {
		t.Error("a password from before the restart still works")
	}
}

func TestTokenExpiresAndAccountsAreApart(t *testing.T) {
	sb, c := start(t, "")
	ctx := context.Background()
	if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("app"), ImageTagMutability: ecrtypes.ImageTagMutabilityImmutable}); err != nil {
		t.Fatal(err)
	}
	host, pw := password(t, c)
	img := randomImage(512)
	if err := push(t, host+"/app:v1", pw, img); err != nil {
		t.Fatal(err)
	}
	other := randomImage(512)
	if err := push(t, host+"/app:v1", pw, other); err == nil || !strings.Contains(err.Error(), "TAG_INVALID") {
		t.Errorf("moving a tag in an immutable repository: %v, want TAG_INVALID", err)
	}

	w := sb.World
	w.Lock()
	svc := sbecr.From(w)
	_, otherPw := svc.IssueToken(w, "999988887777")
	has := svc.HasImage(world.ManagementAccount, sandboxtest.Region, "app", "v1")
	hasOther := svc.HasImage("999988887777", sandboxtest.Region, "app", "v1")
	d := img.Digest()
	tagErr := svc.TagImage(w, world.ManagementAccount, sandboxtest.Region, "app", d, "abc1234")
	w.Unlock()
	if !has || hasOther {
		t.Errorf("HasImage own=%v other=%v, want true false", has, hasOther)
	}
	if tagErr != nil {
		t.Fatalf("TagImage: %v", tagErr)
	}
	ref := host + "/app:abc1234"
	if got, err := manifest(ref, pw); err != nil || got != d {
		t.Errorf("tag from TagImage: %v %v, want %s", got, err, d)
	}
	if _, err := manifest(ref, otherPw); err == nil || !strings.Contains(err.Error(), "NAME_UNKNOWN") {
		t.Errorf("another account reading this account's repository: %v, want NAME_UNKNOWN", err)
	}

	sb.Clock().Advance(13 * time.Hour)
	if _, err := manifest(ref, pw); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("a 13-hour-old token: %v, want refused as expired", err)
	}
}

func TestPushToAnEmptyRepositoryAfterRestart(t *testing.T) {
	dir := t.TempDir()
	sb, c := start(t, dir)
	if _, err := c.CreateRepository(context.Background(), &ecr.CreateRepositoryInput{RepositoryName: aws.String("empty")}); err != nil {
		t.Fatal(err)
	}
	sb.Close()
	_, c2 := start(t, dir)
	host, pw := password(t, c2)
	img := randomImage(256)
	if err := push(t, host+"/empty:v1", pw, img); err != nil {
		t.Fatalf("push after restart: %v", err)
	}
	if got, err := manifest(host+"/empty:v1", pw); err != nil || got != img.Digest() {
		t.Errorf("manifest = %s %v", got, err)
	}
}
