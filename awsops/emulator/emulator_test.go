package emulator_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/emulator"
)

var admin = emulator.Key{ID: "S3LINKTESTADMINKEY01", Secret: "admin-secret"}

// env is an emulator with s3link's real client and the raw SDK clients
// for the calls awsops.Client does not make.
type env struct {
	srv    *emulator.Server
	cfg    awsops.Config
	client *awsops.Client
	iam    *iam.Client
	s3     *s3.Client
}

func start(t *testing.T) *env {
	t.Helper()
	srv, err := emulator.Start(emulator.Options{Admin: []emulator.Key{admin}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	cfg := awsops.Config{EndpointURL: srv.URL(), Region: "us-east-1",
		Static: &awsops.StaticCredentials{AccessKeyID: admin.ID, Secret: awsops.NewSecret(admin.Secret)}}
	e := &env{srv: srv, cfg: cfg}
	e.client, e.iam, e.s3 = clients(t, cfg)
	return e
}

func clients(t *testing.T, cfg awsops.Config) (*awsops.Client, *iam.Client, *s3.Client) {
	t.Helper()
	c, err := awsops.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ac, err := awsops.LoadAWSConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, iam.NewFromConfig(ac, awsops.IAMOptions(cfg)), s3.NewFromConfig(ac, awsops.S3Options(cfg))
}

// as is cfg signed with another key.
func (e *env) as(id, secret string) awsops.Config {
	c := e.cfg
	c.Static = &awsops.StaticCredentials{AccessKeyID: id, Secret: awsops.NewSecret(secret)}
	return c
}

func code(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

const doc1 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::b/p/*"]}]}`

func docN(n int) string { return strings.Replace(doc1, "b/p/*", "b/p"+string(rune('0'+n))+"/*", 1) }

func TestCallerIdentity(t *testing.T) {
	e := start(t)
	id, err := e.client.WhoAmI(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if id.Account != emulator.DefaultAccount || !strings.HasPrefix(id.ARN, "arn:aws:iam::123456789012:user/") || id.UserID == "" {
		t.Errorf("WhoAmI = %+v", id)
	}
}

func TestUserWithTagsAndBoundary(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	pol, err := e.client.CreatePolicy(ctx, "Platform-Access", doc1)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.iam.CreateUser(ctx, &iam.CreateUserInput{
		UserName:            aws.String("platform"),
		PermissionsBoundary: aws.String(pol.ARN),
		Tags:                []iamtypes.Tag{{Key: aws.String("s3link:setup"), Value: aws.String("id-1")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("platform")})
	if err != nil {
		t.Fatal(err)
	}
	u := got.User
	if aws.ToString(u.Arn) != "arn:aws:iam::123456789012:user/platform" || u.CreateDate == nil || u.CreateDate.IsZero() ||
		u.PermissionsBoundary == nil || aws.ToString(u.PermissionsBoundary.PermissionsBoundaryArn) != pol.ARN ||
		len(u.Tags) != 1 || aws.ToString(u.Tags[0].Value) != "id-1" {
		t.Errorf("GetUser = %+v", u)
	}

	if _, err := e.iam.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("platform"), Tags: []iamtypes.Tag{
		{Key: aws.String("s3link:setup"), Value: aws.String("id-2")}, {Key: aws.String("team"), Value: aws.String("media")},
	}}); err != nil {
		t.Fatal(err)
	}
	tags, err := e.iam.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("platform")})
	if err != nil || len(tags.Tags) != 2 || aws.ToString(tags.Tags[0].Value) != "id-2" || tags.IsTruncated {
		t.Errorf("ListUserTags = %+v, %v; want the tag replaced and one added", tags, err)
	}

	if _, err := e.iam.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("platform")}); err != nil {
		t.Fatal(err)
	}
	got, _ = e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("platform")})
	if got.User.PermissionsBoundary != nil {
		t.Errorf("boundary still set after DeleteUserPermissionsBoundary: %+v", got.User.PermissionsBoundary)
	}
	if _, err := e.iam.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{
		UserName: aws.String("platform"), PermissionsBoundary: aws.String(pol.ARN + "-missing"),
	}); code(err) != "NoSuchEntity" {
		t.Errorf("a missing boundary policy: %v, want NoSuchEntity", err)
	}

	// Duplicates and missing users map to awsops' sentinels.
	_, err = e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("platform")})
	var exists *iamtypes.EntityAlreadyExistsException
	if !errors.As(err, &exists) || !errors.Is(awsops.Wrap("create user", err), awsops.ErrAlreadyExists) {
		t.Errorf("duplicate CreateUser: %v, want EntityAlreadyExists", err)
	}
	reused, err := e.client.CreateUser(ctx, "platform", nil)
	if err != nil || !reused.Reused {
		t.Errorf("awsops CreateUser of an existing user = %+v, %v; want Reused", reused, err)
	}
	_, err = e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")})
	var missing *iamtypes.NoSuchEntityException
	if !errors.As(err, &missing) || !errors.Is(awsops.Wrap("get user", err), awsops.ErrNotFound) {
		t.Errorf("GetUser of a missing user: %v, want NoSuchEntity", err)
	}
	if _, ok, err := e.client.FindUser(ctx, "nobody"); ok || err != nil {
		t.Errorf("FindUser(nobody) = %v, %v", ok, err)
	}
	if _, err := e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("has space")}); code(err) != "ValidationError" {
		t.Errorf("a user name with a space: %v, want ValidationError", err)
	}
}

func TestPolicyVersions(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	out, err := e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{
		PolicyName: aws.String("Platform-Access"), PolicyDocument: aws.String(doc1),
		Description: aws.String("read access"),
		Tags:        []iamtypes.Tag{{Key: aws.String("s3link:setup"), Value: aws.String("id-1")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.Policy.Arn)
	if arn != "arn:aws:iam::123456789012:policy/Platform-Access" || aws.ToString(out.Policy.DefaultVersionId) != "v1" {
		t.Fatalf("CreatePolicy = %+v", out.Policy)
	}
	got, err := e.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil || aws.ToString(got.Policy.Description) != "read access" || len(got.Policy.Tags) != 1 {
		t.Errorf("GetPolicy = %+v, %v; want the description and tag", got, err)
	}
	if _, err := e.iam.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: aws.String(arn), Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}); err != nil {
		t.Fatal(err)
	}
	ptags, err := e.iam.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: aws.String(arn)})
	if err != nil || len(ptags.Tags) != 2 {
		t.Errorf("ListPolicyTags = %+v, %v", ptags, err)
	}
	local, err := e.iam.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal})
	if err != nil || len(local.Policies) != 1 || aws.ToString(local.Policies[0].Arn) != arn || local.IsTruncated {
		t.Errorf("ListPolicies(Local) = %+v, %v", local, err)
	}

	// s3link's own logic on top: same document reuses, another adds a
	// version, and at IAM's limit of 5 the oldest non-default one goes.
	if p, err := e.client.CreatePolicy(ctx, "Platform-Access", doc1); err != nil || !p.Reused || p.VersionID != "v1" {
		t.Errorf("same document: %+v, %v; want reused v1", p, err)
	}
	for n := 2; n <= 5; n++ {
		p, err := e.client.CreatePolicy(ctx, "Platform-Access", docN(n))
		if err != nil || !p.NewVersion || p.VersionID != "v"+string(rune('0'+n)) || p.DeletedVersionID != "" {
			t.Fatalf("version %d: %+v, %v", n, p, err)
		}
	}
	if _, err := e.iam.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(docN(6))}); code(err) != "LimitExceeded" {
		t.Errorf("a sixth version: %v, want LimitExceeded", err)
	}
	p, err := e.client.CreatePolicy(ctx, "Platform-Access", docN(6))
	if err != nil || p.VersionID != "v6" || p.DeletedVersionID != "v1" {
		t.Errorf("at the limit: %+v, %v; want v6 with v1 deleted", p, err)
	}
	info, err := e.client.LookupPolicy(ctx, "Platform-Access", docN(6))
	if err != nil || !info.SameDocument || info.Versions != 5 {
		t.Errorf("LookupPolicy = %+v, %v; want the new default among 5 versions", info, err)
	}
	vers, _ := e.iam.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	defaults := 0
	for _, v := range vers.Versions {
		if v.IsDefaultVersion {
			defaults++
			if aws.ToString(v.VersionId) != "v6" {
				t.Errorf("default version = %s, want v6", aws.ToString(v.VersionId))
			}
		}
	}
	if defaults != 1 {
		t.Errorf("%d default versions", defaults)
	}
	if _, err := e.iam.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v6")}); code(err) != "DeleteConflict" {
		t.Errorf("deleting the default version: %v, want DeleteConflict", err)
	}
	if _, err := e.iam.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")}); code(err) != "NoSuchEntity" {
		t.Errorf("a deleted version: %v, want NoSuchEntity", err)
	}
	if _, err := e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Bad"), PolicyDocument: aws.String("{not json")}); code(err) != "MalformedPolicyDocument" {
		t.Errorf("a malformed document: %v, want MalformedPolicyDocument", err)
	}
}

func TestAccessKeys(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	if _, err := e.client.CreateUser(ctx, "platform", map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	k1, err := e.client.CreateAccessKey(ctx, "platform")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.CreateAccessKey(ctx, "platform"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.CreateAccessKey(ctx, "platform"); !errors.Is(err, awsops.ErrKeyLimit) {
		t.Errorf("a third key through awsops: %v, want ErrKeyLimit", err)
	}
	if _, err := e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("platform")}); code(err) != "LimitExceeded" {
		t.Errorf("a third key: %v, want LimitExceeded", err)
	}

	// The new key signs requests as the user, and only with its secret.
	keyClient, _, keyS3 := clients(t, e.as(k1.ID, k1.Secret.Reveal()))
	who, err := keyClient.WhoAmI(ctx)
	if err != nil || who.ARN != "arn:aws:iam::123456789012:user/platform" {
		t.Errorf("the new key is %+v, %v; want user platform", who, err)
	}
	if _, err := keyS3.ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Errorf("S3 with the new key: %v", err)
	}
	bad, _, badS3 := clients(t, e.as(k1.ID, "not-the-secret"))
	if _, err := bad.WhoAmI(ctx); !errors.Is(err, awsops.ErrInvalidCredentials) || code(err) != "SignatureDoesNotMatch" {
		t.Errorf("a wrong secret: %v, want SignatureDoesNotMatch", err)
	}
	if _, err := badS3.ListBuckets(ctx, &s3.ListBucketsInput{}); code(err) != "SignatureDoesNotMatch" {
		t.Errorf("a wrong secret on S3: %v, want SignatureDoesNotMatch", err)
	}
	keys, err := e.client.ListAccessKeys(ctx, "platform")
	if err != nil || len(keys) != 2 {
		t.Fatalf("ListAccessKeys = %+v, %v", keys, err)
	}
	for _, k := range keys {
		if used := !k.LastUsed.IsZero(); used != (k.ID == k1.ID) {
			t.Errorf("key %s last used %v; only %s was used", k.ID, k.LastUsed, k1.ID)
		}
	}

	if _, err := e.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("platform"), AccessKeyId: aws.String(k1.ID), Status: iamtypes.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	if _, err := keyClient.WhoAmI(ctx); code(err) != "InvalidClientTokenId" || !errors.Is(err, awsops.ErrInvalidCredentials) {
		t.Errorf("an inactive key: %v, want InvalidClientTokenId", err)
	}
	if err := e.client.DeleteAccessKey(ctx, "platform", k1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("platform"), AccessKeyId: aws.String(k1.ID)}); code(err) != "NoSuchEntity" {
		t.Errorf("deleting a deleted key: %v, want NoSuchEntity", err)
	}
	if _, err := e.iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("nobody")}); !errors.Is(awsops.Wrap("list", err), awsops.ErrNotFound) {
		t.Errorf("keys of a missing user: %v, want NoSuchEntity", err)
	}
}

func TestDeleteConflicts(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	pol, err := e.client.CreatePolicy(ctx, "Platform-Access", doc1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.CreatePolicy(ctx, "Platform-Access", docN(2)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.CreateUser(ctx, "platform", nil); err != nil {
		t.Fatal(err)
	}
	if err := e.client.AttachUserPolicy(ctx, "platform", pol.ARN); err != nil {
		t.Fatal(err)
	}
	if err := e.client.AttachUserPolicy(ctx, "platform", pol.ARN); err != nil {
		t.Errorf("attaching again: %v", err)
	}
	if err := e.client.AttachUserPolicy(ctx, "platform", pol.ARN+"-missing"); !errors.Is(err, awsops.ErrNotFound) {
		t.Errorf("attaching a missing policy: %v, want ErrNotFound", err)
	}
	if _, err := e.client.CreateAccessKey(ctx, "platform"); err != nil {
		t.Fatal(err)
	}

	_, err = e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("platform")})
	var conflict *iamtypes.DeleteConflictException
	if !errors.As(err, &conflict) || !strings.Contains(err.Error(), "access keys") {
		t.Errorf("DeleteUser with a key: %v, want DeleteConflict about keys", err)
	}
	if _, err := e.iam.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(pol.ARN)}); !errors.As(err, &conflict) {
		t.Errorf("DeletePolicy while attached: %v, want DeleteConflict", err)
	}
	ents, err := e.iam.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(pol.ARN)})
	if err != nil || len(ents.PolicyUsers) != 1 || aws.ToString(ents.PolicyUsers[0].UserName) != "platform" {
		t.Errorf("ListEntitiesForPolicy = %+v, %v", ents, err)
	}
	got, _ := e.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(pol.ARN)})
	if aws.ToInt32(got.Policy.AttachmentCount) != 1 {
		t.Errorf("AttachmentCount = %d, want 1", aws.ToInt32(got.Policy.AttachmentCount))
	}

	// Teardown's order: the user with its keys and attachments, then the
	// policy with its versions.
	if err := e.client.DeleteUser(ctx, "platform"); err != nil {
		t.Fatalf("awsops DeleteUser: %v", err)
	}
	if err := e.client.DeletePolicy(ctx, pol.ARN); err != nil {
		t.Fatalf("awsops DeletePolicy: %v", err)
	}
	if _, ok, err := e.client.FindPolicy(ctx, "Platform-Access"); ok || err != nil {
		t.Errorf("the policy survived teardown: %v, %v", ok, err)
	}
	if err := e.client.DeleteUser(ctx, "platform"); err != nil {
		t.Errorf("deleting a deleted user counts as done: %v", err)
	}
}

func TestBuckets(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	b, err := e.client.CreateBucket(ctx, "media-east", "us-east-1")
	if err != nil || b.Reused || b.Region != "us-east-1" {
		t.Fatalf("CreateBucket = %+v, %v", b, err)
	}
	if _, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("media-east")}); err != nil {
		t.Errorf("re-creating an owned bucket in us-east-1 answers 200 on AWS: %v", err)
	}
	if b, err := e.client.CreateBucket(ctx, "media-east", "us-east-1"); err != nil || !b.Reused {
		t.Errorf("CreateBucket again = %+v, %v; want reused", b, err)
	}
	if b, err := e.client.CreateBucket(ctx, "media-eu", "eu-west-1"); err != nil || b.Reused || b.Region != "eu-west-1" {
		t.Fatalf("CreateBucket(eu-west-1) = %+v, %v", b, err)
	}
	_, err = e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("media-eu"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "eu-west-1"}},
		func(o *s3.Options) { o.Region = "eu-west-1" })
	var owned *s3types.BucketAlreadyOwnedByYou
	if !errors.As(err, &owned) {
		t.Errorf("re-creating an owned bucket outside us-east-1: %v, want BucketAlreadyOwnedByYou", err)
	}
	if b, err := e.client.CreateBucket(ctx, "media-eu", "eu-west-1"); err != nil || !b.Reused || b.Region != "eu-west-1" {
		t.Errorf("awsops CreateBucket again = %+v, %v; want reused in eu-west-1", b, err)
	}
	if _, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("media-x"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "us-east-1"}}); code(err) != "InvalidLocationConstraint" {
		t.Errorf("an explicit us-east-1 constraint: %v, want InvalidLocationConstraint", err)
	}
	if r, err := e.client.BucketRegion(ctx, "media-eu"); err != nil || r != "eu-west-1" {
		t.Errorf("BucketRegion = %q, %v", r, err)
	}
	loc, err := e.s3.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("media-eu")})
	if err != nil || loc.LocationConstraint != "eu-west-1" {
		t.Errorf("GetBucketLocation = %+v, %v", loc, err)
	}
	list, err := e.client.ListBuckets(ctx)
	if err != nil || len(list) != 2 || list[1].Name != "media-eu" || list[1].Region != "eu-west-1" {
		t.Errorf("ListBuckets = %+v, %v", list, err)
	}

	// Settings: none, then what was put.
	if pa, err := e.client.BucketPublicAccess(ctx, "media-east"); err != nil || pa.BlockPublicAcls {
		t.Errorf("fresh bucket public access = %+v, %v", pa, err)
	}
	if err := e.client.BlockPublicAccess(ctx, "media-east"); err != nil {
		t.Fatal(err)
	}
	if pa, err := e.client.BucketPublicAccess(ctx, "media-east"); err != nil || !pa.AllBlocked() {
		t.Errorf("public access after blocking = %+v, %v", pa, err)
	}
	if err := e.client.EnableDefaultEncryption(ctx, "media-east"); err != nil {
		t.Fatal(err)
	}
	enc, err := e.s3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("media-east")})
	if err != nil || len(enc.ServerSideEncryptionConfiguration.Rules) != 1 ||
		enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != s3types.ServerSideEncryptionAes256 {
		t.Errorf("GetBucketEncryption = %+v, %v", enc, err)
	}
	if _, err := e.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("media-east")}); code(err) != "NoSuchTagSet" {
		t.Errorf("tags of an untagged bucket: %v, want NoSuchTagSet", err)
	}
	if _, err := e.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("media-east"),
		Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("s3link:setup"), Value: aws.String("id-1")}}}}); err != nil {
		t.Fatal(err)
	}
	tags, err := e.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("media-east")})
	if err != nil || len(tags.TagSet) != 1 || aws.ToString(tags.TagSet[0].Value) != "id-1" {
		t.Errorf("GetBucketTagging = %+v, %v", tags, err)
	}
	if _, err := e.s3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("missing")}); !errors.Is(awsops.Wrap("x", err), awsops.ErrNoSuchBucket) {
		t.Errorf("settings of a missing bucket: %v, want NoSuchBucket", err)
	}

	if err := e.client.DeleteBucket(ctx, "media-east"); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := e.client.FindBucket(ctx, "media-east"); ok || err != nil {
		t.Errorf("the deleted bucket is still listed: %v, %v", ok, err)
	}
}

// TestDownloadWithNewKey is the proof download's path: objects put with
// the administrator's key, listed and read with a key IAM just made.
func TestDownloadWithNewKey(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	if _, err := e.client.CreateBucket(ctx, "media", "us-east-1"); err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("jpeg"), 5000)
	if _, err := e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("media"), Key: aws.String("p/a b+c.jpg"), Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.CreateUser(ctx, "platform", nil); err != nil {
		t.Fatal(err)
	}
	k, err := e.client.CreateAccessKey(ctx, "platform")
	if err != nil {
		t.Fatal(err)
	}
	keyClient, _, keyS3 := clients(t, e.as(k.ID, k.Secret.Reveal()))
	sum, err := keyClient.SummarizePrefix(ctx, "media", "p")
	if err != nil || sum.Objects != 1 || sum.Bytes != int64(len(body)) {
		t.Errorf("SummarizePrefix with the new key = %+v, %v", sum, err)
	}
	got, err := keyS3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("media"), Key: aws.String("p/a b+c.jpg")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if !bytes.Equal(b, body) {
		t.Errorf("downloaded %d bytes, want %d", len(b), len(body))
	}
}

func TestUnsignedAndUnknown(t *testing.T) {
	e := start(t)
	resp, err := http.Post(e.srv.URL()+"/", "application/x-www-form-urlencoded", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("an unsigned request answered %s, want 403", resp.Status)
	}
	stranger, _, _ := clients(t, e.as("S3LINKUNKNOWNKEY0001", "x"))
	if _, err := stranger.WhoAmI(t.Context()); code(err) != "InvalidClientTokenId" {
		t.Errorf("an unknown key: %v, want InvalidClientTokenId", err)
	}
	_, err = e.iam.ListRoles(t.Context(), &iam.ListRolesInput{})
	if code(err) != "InvalidAction" {
		t.Errorf("an action the emulator lacks: %v, want InvalidAction", err)
	}
}
