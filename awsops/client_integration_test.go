//go:build e2e

package awsops_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/s3link/s3link/awsops"
)

func TestWhoAmI(t *testing.T) {
	e := newEnv(t)
	id, err := e.c.WhoAmI(t.Context())
	if err != nil {
		t.Fatalf("WhoAmI: %v", err)
	}
	if id.Account != motoAccount || id.ARN == "" || id.Region != "us-east-1" {
		t.Fatalf("WhoAmI = %+v, want account %s, an ARN and region us-east-1", id, motoAccount)
	}
}

// bucketTags reads a bucket's tags with the raw SDK; no tag set is empty.
func (e *env) bucketTags(t *testing.T, bucket string) map[string]string {
	t.Helper()
	out, err := e.s3.GetBucketTagging(t.Context(), &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() == "NoSuchTagSet" {
		return map[string]string{}
	}
	if err != nil {
		t.Fatalf("GetBucketTagging(%s): %v", bucket, err)
	}
	tags := map[string]string{}
	for _, tg := range out.TagSet {
		tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return tags
}

// userTags reads a user's tags with the raw SDK.
func (e *env) userTags(t *testing.T, user string) map[string]string {
	t.Helper()
	out, err := e.iam.ListUserTags(t.Context(), &iam.ListUserTagsInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatalf("ListUserTags(%s): %v", user, err)
	}
	tags := map[string]string{}
	for _, tg := range out.Tags {
		tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return tags
}

// policyTags reads a policy's tags with the raw SDK.
func (e *env) policyTags(t *testing.T, arn string) map[string]string {
	t.Helper()
	out, err := e.iam.ListPolicyTags(t.Context(), &iam.ListPolicyTagsInput{PolicyArn: aws.String(arn)})
	if err != nil {
		t.Fatalf("ListPolicyTags(%s): %v", arn, err)
	}
	tags := map[string]string{}
	for _, tg := range out.Tags {
		tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return tags
}

// otherAccount sends a raw S3 call as another moto account: moto keeps
// one bucket namespace across accounts and picks the account from the
// x-moto-account-id header.
func otherAccount(o *s3.Options) {
	o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue("x-moto-account-id", "111111111111"))
}

func TestCreateBucketUSEast1(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const name = "s3link-media-use1"

	got, err := e.c.CreateBucket(ctx, name, "us-east-1", "setup-a")
	if err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if got.Name != name || got.Region != "us-east-1" || got.Created.IsZero() {
		t.Fatalf("CreateBucket = %+v, want bucket %s in us-east-1 with a creation time", got, name)
	}
	loc, err := e.s3.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(name)})
	if err != nil {
		t.Fatalf("GetBucketLocation: %v", err)
	}
	if loc.LocationConstraint != "" {
		t.Fatalf("LocationConstraint = %q, want empty (us-east-1)", loc.LocationConstraint)
	}
	if tags := e.bucketTags(t, name); !maps.Equal(tags, map[string]string{awsops.SetupTagKey: "setup-a"}) {
		t.Fatalf("bucket tags = %v, want only %s=setup-a", tags, awsops.SetupTagKey)
	}

	// us-east-1 answers 200 to the owner re-creating a bucket; the client
	// must still refuse it, and neither adopt nor re-tag it.
	again, err := e.c.CreateBucket(ctx, name, "us-east-1", "setup-b")
	if !errors.Is(err, awsops.ErrBucketOwned) || errors.Is(err, awsops.ErrBucketTaken) {
		t.Fatalf("second CreateBucket: err = %v, want ErrBucketOwned only", err)
	}
	if again != (awsops.Bucket{}) {
		t.Errorf("second CreateBucket returned %+v with its error", again)
	}
	if tags := e.bucketTags(t, name); !maps.Equal(tags, map[string]string{awsops.SetupTagKey: "setup-a"}) {
		t.Fatalf("bucket tags after a refused create = %v, want setup-a kept", tags)
	}

	region, err := e.c.BucketRegion(ctx, name)
	if err != nil || region != "us-east-1" {
		t.Fatalf("BucketRegion = %q, %v; want us-east-1", region, err)
	}
}

func TestCreateBucketEUWest1(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const name = "s3link-media-euw1"

	got, err := e.c.CreateBucket(ctx, name, "eu-west-1", "setup-a")
	if err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if got.Name != name || got.Region != "eu-west-1" {
		t.Fatalf("CreateBucket = %+v, want a new bucket in eu-west-1", got)
	}
	loc, err := e.s3.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(name)})
	if err != nil {
		t.Fatalf("GetBucketLocation: %v", err)
	}
	if loc.LocationConstraint != "eu-west-1" {
		t.Fatalf("LocationConstraint = %q, want eu-west-1", loc.LocationConstraint)
	}
	region, err := e.c.BucketRegion(ctx, name)
	if err != nil || region != "eu-west-1" {
		t.Fatalf("BucketRegion = %q, %v; want eu-west-1", region, err)
	}
	if tags := e.bucketTags(t, name); !maps.Equal(tags, map[string]string{awsops.SetupTagKey: "setup-a"}) {
		t.Fatalf("bucket tags = %v, want only %s=setup-a", tags, awsops.SetupTagKey)
	}

	// Re-creating the bucket is refused in its own region and in
	// us-east-1 alike; neither moves or re-tags it.
	for _, region := range []string{"eu-west-1", "us-east-1"} {
		_, err := e.c.CreateBucket(ctx, name, region, "setup-b")
		if !errors.Is(err, awsops.ErrBucketOwned) || errors.Is(err, awsops.ErrBucketTaken) {
			t.Fatalf("CreateBucket in %s of our eu-west-1 bucket: err = %v, want ErrBucketOwned only", region, err)
		}
	}
	if tags := e.bucketTags(t, name); tags[awsops.SetupTagKey] != "setup-a" {
		t.Fatalf("bucket tags after refused creates = %v, want setup-a kept", tags)
	}
	if r, err := e.c.BucketRegion(ctx, name); err != nil || r != "eu-west-1" {
		t.Fatalf("BucketRegion after refused creates = %q, %v; want eu-west-1", r, err)
	}

	if _, err := e.c.CreateBucket(ctx, "s3link-no-region", "", "setup-a"); err == nil {
		t.Fatal("CreateBucket without a region succeeded")
	}
}

func TestCreateBucketTakenByAnotherAccount(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const name = "s3link-someone-elses"

	if _, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}, otherAccount); err != nil {
		t.Fatalf("create bucket in the other account: %v", err)
	}

	for _, region := range []string{"us-east-1", "eu-west-1"} {
		_, err := e.c.CreateBucket(ctx, name, region, "setup-a")
		if !errors.Is(err, awsops.ErrBucketTaken) || errors.Is(err, awsops.ErrBucketOwned) {
			t.Fatalf("CreateBucket in %s of another account's bucket: err = %v, want ErrBucketTaken only", region, err)
		}
		var taken *s3types.BucketAlreadyExists
		if !errors.As(err, &taken) {
			t.Fatalf("CreateBucket error %v does not keep *s3types.BucketAlreadyExists", err)
		}
	}
	buckets, err := e.c.ListBuckets(ctx)
	if err != nil || len(buckets) != 0 {
		t.Fatalf("ListBuckets = %+v, %v; want none of ours", buckets, err)
	}
}

func TestInspectBucket(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	rawCreate := func(name string, opts ...func(*s3.Options)) {
		t.Helper()
		if _, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}, opts...); err != nil {
			t.Fatalf("raw CreateBucket(%s): %v", name, err)
		}
	}

	if _, err := e.c.CreateBucket(ctx, "s3link-tagged-eu", "eu-west-1", "setup-a"); err != nil {
		t.Fatal(err)
	}
	if err := e.c.BlockPublicAccess(ctx, "s3link-tagged-eu"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.CreateBucket(ctx, "s3link-no-setup-id", "us-east-1", ""); err != nil {
		t.Fatal(err)
	}
	rawCreate("s3link-untagged")
	rawCreate("s3link-other-tags")
	if _, err := e.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{
		Bucket:  aws.String("s3link-other-tags"),
		Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("team"), Value: aws.String("media")}}},
	}); err != nil {
		t.Fatal(err)
	}
	rawCreate("s3link-foreign", otherAccount)
	if _, err := e.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{
		Bucket:  aws.String("s3link-foreign"),
		Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String(awsops.SetupTagKey), Value: aws.String("setup-a")}}},
	}, otherAccount); err != nil {
		t.Fatal(err)
	}

	allBlocked := awsops.PublicAccess{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}
	tests := []struct {
		name   string
		bucket string
		want   awsops.BucketFacts
	}{
		{"missing", "s3link-nobody", awsops.BucketFacts{Name: "s3link-nobody"}},
		{"ours, tagged, blocked, in eu-west-1", "s3link-tagged-eu",
			awsops.BucketFacts{Name: "s3link-tagged-eu", Exists: true, Owned: true, Region: "eu-west-1", SetupID: "setup-a", PublicAccess: allBlocked}},
		{"ours, created without a setup id", "s3link-no-setup-id",
			awsops.BucketFacts{Name: "s3link-no-setup-id", Exists: true, Owned: true, Region: "us-east-1"}},
		{"ours, made outside s3link", "s3link-untagged",
			awsops.BucketFacts{Name: "s3link-untagged", Exists: true, Owned: true, Region: "us-east-1"}},
		{"ours, other tags only", "s3link-other-tags",
			awsops.BucketFacts{Name: "s3link-other-tags", Exists: true, Owned: true, Region: "us-east-1"}},
		// Another account's bucket is never ours, whatever its tags say.
		{"another account's, carrying our tag", "s3link-foreign",
			awsops.BucketFacts{Name: "s3link-foreign", Exists: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.c.InspectBucket(ctx, tt.bucket)
			if err != nil {
				t.Fatalf("InspectBucket: %v", err)
			}
			if got != tt.want {
				t.Errorf("InspectBucket = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestBucketSettings(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const name = "s3link-settings"
	e.createBucket(t, name)

	before, err := e.c.BucketPublicAccess(ctx, name)
	if err != nil {
		t.Fatalf("BucketPublicAccess before: %v", err)
	}
	if before != (awsops.PublicAccess{}) {
		t.Fatalf("BucketPublicAccess of a fresh bucket = %+v, want all off", before)
	}

	if err := e.c.BlockPublicAccess(ctx, name); err != nil {
		t.Fatalf("BlockPublicAccess: %v", err)
	}
	pab, err := e.s3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(name)})
	if err != nil {
		t.Fatalf("GetPublicAccessBlock: %v", err)
	}
	c := pab.PublicAccessBlockConfiguration
	if !aws.ToBool(c.BlockPublicAcls) || !aws.ToBool(c.IgnorePublicAcls) || !aws.ToBool(c.BlockPublicPolicy) || !aws.ToBool(c.RestrictPublicBuckets) {
		t.Fatalf("public access block = %+v, want all four on", c)
	}
	after, err := e.c.BucketPublicAccess(ctx, name)
	if err != nil || !after.AllBlocked() {
		t.Fatalf("BucketPublicAccess after = %+v, %v; want all blocked", after, err)
	}

	if err := e.c.EnableDefaultEncryption(ctx, name); err != nil {
		t.Fatalf("EnableDefaultEncryption: %v", err)
	}
	enc, err := e.s3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(name)})
	if err != nil {
		t.Fatalf("GetBucketEncryption: %v", err)
	}
	rules := enc.ServerSideEncryptionConfiguration.Rules
	if len(rules) != 1 || rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != s3types.ServerSideEncryptionAes256 {
		t.Fatalf("encryption rules = %+v, want one SSE-S3 (AES256) rule", rules)
	}

	_, err = e.c.BucketPublicAccess(ctx, "s3link-no-such-bucket")
	if !errors.Is(err, awsops.ErrNoSuchBucket) {
		t.Fatalf("BucketPublicAccess of a missing bucket: err = %v, want ErrNoSuchBucket", err)
	}
	_, err = e.c.BucketRegion(ctx, "s3link-no-such-bucket")
	if !errors.Is(err, awsops.ErrNoSuchBucket) {
		t.Fatalf("BucketRegion of a missing bucket: err = %v, want ErrNoSuchBucket", err)
	}
}

func TestListBucketsAndSummarizePrefix(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const name = "s3link-summary"
	e.createBucket(t, name)
	if _, err := e.c.CreateBucket(ctx, "s3link-summary-eu", "eu-west-1", testSetupID); err != nil {
		t.Fatalf("CreateBucket eu-west-1: %v", err)
	}
	e.putObject(t, name, "media/set1/a.jpg", "aaaa")
	e.putObject(t, name, "media/set1/sub/b.jpg", "bb")
	e.putObject(t, name, "media/set1-other/x.jpg", "xxxxxxxx")
	e.putObject(t, name, "root.jpg", "r")

	buckets, err := e.c.ListBuckets(ctx)
	if err != nil {
		t.Fatalf("ListBuckets: %v", err)
	}
	names := make([]string, 0, len(buckets))
	for _, b := range buckets {
		names = append(names, b.Name)
		if b.Created.IsZero() {
			t.Errorf("bucket %s has no creation time", b.Name)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"s3link-summary", "s3link-summary-eu"}) {
		t.Fatalf("ListBuckets names = %v", names)
	}

	tests := []struct {
		prefix string
		want   awsops.PrefixSummary
	}{
		// The sibling media/set1-other must not count: the prefix is
		// listed with its trailing slash.
		{"media/set1", awsops.PrefixSummary{Objects: 2, Bytes: 6}},
		{"media/set1/", awsops.PrefixSummary{Objects: 2, Bytes: 6}},
		{"", awsops.PrefixSummary{Objects: 4, Bytes: 15}},
		{"nothing/here", awsops.PrefixSummary{}},
	}
	for _, tt := range tests {
		got, err := e.c.SummarizePrefix(ctx, name, tt.prefix)
		if err != nil {
			t.Fatalf("SummarizePrefix(%q): %v", tt.prefix, err)
		}
		if got != tt.want {
			t.Errorf("SummarizePrefix(%q) = %+v, want %+v", tt.prefix, got, tt.want)
		}
	}
}

func TestPolicyLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const name = "s3link-platform-access"
	doc := policyDoc("s3link-media", "media/set1")
	wantARN := "arn:aws:iam::" + motoAccount + ":policy/" + name

	info, err := e.c.InspectPolicy(ctx, name, doc)
	if err != nil {
		t.Fatalf("InspectPolicy before create: %v", err)
	}
	if info.Exists || info.ARN != wantARN || info.SetupID != "" || info.Versions != 0 {
		t.Fatalf("InspectPolicy before create = %+v, want not existing with ARN %s", info, wantARN)
	}

	p, err := e.c.CreatePolicy(ctx, name, doc, "setup-a")
	if err != nil {
		t.Fatalf("CreatePolicy: %v", err)
	}
	if p != (awsops.Policy{Name: name, ARN: wantARN, VersionID: "v1"}) {
		t.Fatalf("CreatePolicy = %+v, want a new policy %s at v1", p, wantARN)
	}
	if tags := e.policyTags(t, wantARN); !maps.Equal(tags, map[string]string{awsops.SetupTagKey: "setup-a"}) {
		t.Fatalf("policy tags = %v, want only %s=setup-a", tags, awsops.SetupTagKey)
	}
	got, err := e.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(wantARN)})
	if err != nil || aws.ToString(got.Policy.Description) != awsops.PolicyDescription {
		t.Fatalf("GetPolicy = %+v, %v; want description %q", got, err, awsops.PolicyDescription)
	}

	// Layout differences must not count as a different document.
	indented := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": " + doc[len(`{"Version":"2012-10-17","Statement":`):]
	info, err = e.c.InspectPolicy(ctx, name, indented)
	if err != nil {
		t.Fatalf("InspectPolicy: %v", err)
	}
	if !info.Exists || !info.SameDocument || info.Versions != 1 || info.ARN != wantARN || info.SetupID != "setup-a" || !jsonEqual(info.Document, doc) {
		t.Fatalf("InspectPolicy = %+v, want existing, tagged setup-a, same document, 1 version", info)
	}
	if len(info.Users)+len(info.Groups)+len(info.Roles)+len(info.Boundaries) != 0 {
		t.Fatalf("InspectPolicy of an unattached policy = %+v, want no entities", info)
	}

	// Creating it again is refused: no adoption, no new version, no re-tag.
	other := policyDoc("s3link-media", "media/set2")
	_, err = e.c.CreatePolicy(ctx, name, other, "setup-b")
	if !errors.Is(err, awsops.ErrAlreadyExists) {
		t.Fatalf("second CreatePolicy: err = %v, want ErrAlreadyExists", err)
	}
	var exists *iamtypes.EntityAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Fatalf("second CreatePolicy error %v does not keep *iamtypes.EntityAlreadyExistsException", err)
	}
	assertDefaultVersion(t, e, name, wantARN, "v1", doc)
	if tags := e.policyTags(t, wantARN); tags[awsops.SetupTagKey] != "setup-a" {
		t.Fatalf("policy tags after a refused create = %v, want setup-a kept", tags)
	}

	info, err = e.c.InspectPolicy(ctx, name, other)
	if err != nil || !info.Exists || info.SameDocument {
		t.Fatalf("InspectPolicy with another document = %+v, %v; want existing, not same", info, err)
	}
	v2, err := e.c.AddPolicyVersion(ctx, wantARN, other)
	if err != nil {
		t.Fatalf("AddPolicyVersion: %v", err)
	}
	if v2 != (awsops.Policy{Name: name, ARN: wantARN, VersionID: "v2"}) {
		t.Fatalf("AddPolicyVersion = %+v, want v2 with nothing deleted", v2)
	}
	assertDefaultVersion(t, e, name, wantARN, "v2", other)

	for i, prefix := range []string{"media/set3", "media/set4", "media/set5"} {
		p, err := e.c.AddPolicyVersion(ctx, wantARN, policyDoc("s3link-media", prefix))
		if err != nil {
			t.Fatalf("AddPolicyVersion %s: %v", prefix, err)
		}
		if want := fmt.Sprintf("v%d", 3+i); p.VersionID != want || p.DeletedVersionID != "" {
			t.Fatalf("AddPolicyVersion %s = %+v, want %s and nothing deleted", prefix, p, want)
		}
	}

	// Five versions: the next one must make room by deleting v1, the
	// oldest non-default one.
	sixth := policyDoc("s3link-media", "media/set6")
	p6, err := e.c.AddPolicyVersion(ctx, wantARN, sixth)
	if err != nil {
		t.Fatalf("AddPolicyVersion at the version limit: %v", err)
	}
	if p6.DeletedVersionID != "v1" || p6.VersionID != "v6" {
		t.Fatalf("AddPolicyVersion at the version limit = %+v, want v6 with v1 deleted", p6)
	}
	assertDefaultVersion(t, e, name, wantARN, "v6", sixth)
	if ids := versionIDs(t, e, wantARN); !slices.Equal(ids, []string{"v2", "v3", "v4", "v5", "v6"}) {
		t.Fatalf("versions after the limit = %v, want v2..v6", ids)
	}
	info, err = e.c.InspectPolicy(ctx, name, sixth)
	if err != nil || !info.SameDocument || info.Versions != 5 || info.SetupID != "setup-a" {
		t.Fatalf("InspectPolicy after the limit = %+v, %v; want same document, 5 versions, tag kept", info, err)
	}

	// The default is never the one given up, even when it is the oldest.
	if _, err := e.iam.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{
		PolicyArn: aws.String(wantARN), VersionId: aws.String("v2"),
	}); err != nil {
		t.Fatalf("SetDefaultPolicyVersion v2: %v", err)
	}
	seventh := policyDoc("s3link-media", "media/set7")
	p7, err := e.c.AddPolicyVersion(ctx, wantARN, seventh)
	if err != nil {
		t.Fatalf("AddPolicyVersion with v2 as default: %v", err)
	}
	if p7.DeletedVersionID != "v3" || p7.VersionID != "v7" {
		t.Fatalf("AddPolicyVersion with v2 as default = %+v, want v7 with v3 deleted", p7)
	}
	assertDefaultVersion(t, e, name, wantARN, "v7", seventh)
	if ids := versionIDs(t, e, wantARN); !slices.Equal(ids, []string{"v2", "v4", "v5", "v6", "v7"}) {
		t.Fatalf("versions = %v, want v2 and v4..v7", ids)
	}

	_, err = e.c.AddPolicyVersion(ctx, "arn:aws:iam::"+motoAccount+":policy/s3link-no-such-policy", doc)
	if !errors.Is(err, awsops.ErrNotFound) {
		t.Fatalf("AddPolicyVersion of a missing policy: err = %v, want ErrNotFound", err)
	}
}

func jsonEqual(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

func versionIDs(t *testing.T, e *env, arn string) []string {
	t.Helper()
	vs, err := e.iam.ListPolicyVersions(t.Context(), &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	if err != nil {
		t.Fatalf("ListPolicyVersions: %v", err)
	}
	var ids []string
	for _, v := range vs.Versions {
		ids = append(ids, aws.ToString(v.VersionId))
	}
	slices.SortFunc(ids, cmpVersion)
	return ids
}

// cmpVersion orders "v2" before "v10".
func cmpVersion(a, b string) int {
	x, _ := strconv.Atoi(strings.TrimPrefix(a, "v"))
	y, _ := strconv.Atoi(strings.TrimPrefix(b, "v"))
	return x - y
}

func assertDefaultVersion(t *testing.T, e *env, name, arn, version, doc string) {
	t.Helper()
	got, err := e.iam.GetPolicy(t.Context(), &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil {
		t.Fatalf("GetPolicy: %v", err)
	}
	if v := aws.ToString(got.Policy.DefaultVersionId); v != version {
		t.Fatalf("default version = %s, want %s", v, version)
	}
	info, err := e.c.InspectPolicy(t.Context(), name, doc)
	if err != nil || !info.SameDocument || !jsonEqual(info.Document, doc) {
		t.Fatalf("default version's document differs from %s (%+v, %v)", version, info, err)
	}
}

// createRole makes a role that anyone in the account may assume.
func (e *env) createRole(t *testing.T, name, boundary string) {
	t.Helper()
	in := &iam.CreateRoleInput{
		RoleName:                 aws.String(name),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + motoAccount + `:root"},"Action":"sts:AssumeRole"}]}`),
	}
	if boundary != "" {
		in.PermissionsBoundary = aws.String(boundary)
	}
	if _, err := e.iam.CreateRole(t.Context(), in); err != nil {
		t.Fatalf("CreateRole(%s): %v", name, err)
	}
}

func TestInspectPolicyAttachments(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const name = "s3link-attached"
	doc := policyDoc("s3link-media", "media")
	p, err := e.c.CreatePolicy(ctx, name, doc, "setup-a")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.CreateUser(ctx, "s3link-platform", nil, "", "setup-a"); err != nil {
		t.Fatal(err)
	}
	if err := e.c.AttachUserPolicy(ctx, "s3link-platform", p.ARN); err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("analyst")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("analyst"), PolicyArn: aws.String(p.ARN)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("media-readers")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("media-readers"), PolicyArn: aws.String(p.ARN)}); err != nil {
		t.Fatal(err)
	}
	e.createRole(t, "ci", "")
	if _, err := e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ci"), PolicyArn: aws.String(p.ARN)}); err != nil {
		t.Fatal(err)
	}

	info, err := e.c.InspectPolicy(ctx, name, doc)
	if err != nil {
		t.Fatalf("InspectPolicy: %v", err)
	}
	users := slices.Sorted(slices.Values(info.Users))
	if !slices.Equal(users, []string{"analyst", "s3link-platform"}) || !slices.Equal(info.Groups, []string{"media-readers"}) || !slices.Equal(info.Roles, []string{"ci"}) {
		t.Fatalf("InspectPolicy entities = users %v, groups %v, roles %v; want analyst and s3link-platform, media-readers, ci", info.Users, info.Groups, info.Roles)
	}
	// moto ignores PolicyUsageFilter and lists the attachments again for
	// the boundary query: those must not be taken for boundaries.
	if len(info.Boundaries) != 0 {
		t.Fatalf("InspectPolicy Boundaries = %v, want none (nothing uses the policy as a boundary)", info.Boundaries)
	}
	elsewhere := info.AttachedElsewhere("s3link-platform")
	slices.Sort(elsewhere)
	if want := []string{"group media-readers", "role ci", "user analyst"}; !slices.Equal(elsewhere, want) {
		t.Fatalf("AttachedElsewhere = %v, want %v", elsewhere, want)
	}

	uf, err := e.c.InspectUser(ctx, "s3link-platform")
	if err != nil || !uf.HasPolicy(p.ARN) || len(uf.Policies) != 1 {
		t.Fatalf("InspectUser = %+v, %v; want the policy attached", uf, err)
	}
}

// debugClient is a client on the env's moto that logs each AWS operation
// it calls to the returned buffer.
func (e *env) debugClient(t *testing.T) (*awsops.Client, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	cfg := e.cfg
	cfg.Debug = &buf
	c, err := awsops.New(t.Context(), cfg)
	if err != nil {
		t.Fatalf("awsops.New: %v", err)
	}
	return c, &buf
}

// operations lists the "Service.Operation" of each line a debug log holds.
func operations(log string) []string {
	var ops []string
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		if f := strings.Fields(line); len(f) > 1 {
			ops = append(ops, f[1])
		}
	}
	return ops
}

// TestDeletePolicyLeavesAttachments: DeletePolicy never detaches a
// policy from anything. AWS refuses to delete an attached policy with
// DeleteConflict, which the client reports as ErrInUse (see
// TestDeletePolicyDetachesNothing); moto 5.2.1 does not check and deletes
// it, so here the proof is in the calls made and the attachments left.
func TestDeletePolicyLeavesAttachments(t *testing.T) {
	tests := []struct {
		name string
		// attach makes the policy in use; attached lists what uses it now.
		attach   func(t *testing.T, e *env, arn string)
		attached func(t *testing.T, e *env) []string
	}{
		{
			name: "attached to a user",
			attach: func(t *testing.T, e *env, arn string) {
				if _, err := e.c.CreateUser(t.Context(), "u", nil, "", testSetupID); err != nil {
					t.Fatal(err)
				}
				if err := e.c.AttachUserPolicy(t.Context(), "u", arn); err != nil {
					t.Fatal(err)
				}
			},
			attached: func(t *testing.T, e *env) []string {
				out, err := e.iam.ListAttachedUserPolicies(t.Context(), &iam.ListAttachedUserPoliciesInput{UserName: aws.String("u")})
				if err != nil {
					t.Fatal(err)
				}
				var arns []string
				for _, p := range out.AttachedPolicies {
					arns = append(arns, aws.ToString(p.PolicyArn))
				}
				return arns
			},
		},
		{
			name: "attached to a group",
			attach: func(t *testing.T, e *env, arn string) {
				if _, err := e.iam.CreateGroup(t.Context(), &iam.CreateGroupInput{GroupName: aws.String("g")}); err != nil {
					t.Fatal(err)
				}
				if _, err := e.iam.AttachGroupPolicy(t.Context(), &iam.AttachGroupPolicyInput{GroupName: aws.String("g"), PolicyArn: aws.String(arn)}); err != nil {
					t.Fatal(err)
				}
			},
			attached: func(t *testing.T, e *env) []string {
				out, err := e.iam.ListAttachedGroupPolicies(t.Context(), &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("g")})
				if err != nil {
					t.Fatal(err)
				}
				var arns []string
				for _, p := range out.AttachedPolicies {
					arns = append(arns, aws.ToString(p.PolicyArn))
				}
				return arns
			},
		},
		{
			name: "attached to a role",
			attach: func(t *testing.T, e *env, arn string) {
				e.createRole(t, "r", "")
				if _, err := e.iam.AttachRolePolicy(t.Context(), &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(arn)}); err != nil {
					t.Fatal(err)
				}
			},
			attached: func(t *testing.T, e *env) []string {
				out, err := e.iam.ListAttachedRolePolicies(t.Context(), &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("r")})
				if err != nil {
					t.Fatal(err)
				}
				var arns []string
				for _, p := range out.AttachedPolicies {
					arns = append(arns, aws.ToString(p.PolicyArn))
				}
				return arns
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := t.Context()
			p, err := e.c.CreatePolicy(ctx, "s3link-in-use", policyDoc("s3link-media", "media"), testSetupID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.c.AddPolicyVersion(ctx, p.ARN, policyDoc("s3link-media", "other")); err != nil {
				t.Fatal(err)
			}
			tt.attach(t, e, p.ARN)

			c, log := e.debugClient(t)
			err = c.DeletePolicy(ctx, p.ARN)
			// moto itself would delete an attached policy; s3link looks
			// first and refuses, before touching any version.
			if !errors.Is(err, awsops.ErrInUse) {
				t.Fatalf("DeletePolicy of an attached policy: err = %v, want ErrInUse", err)
			}
			ops := operations(log.String())
			for _, op := range ops {
				if op != "IAM.ListEntitiesForPolicy" {
					t.Errorf("DeletePolicy of an attached policy called %s (all calls: %v)", op, ops)
				}
			}
			if n, _ := e.versionCount(t, p.ARN); n != 2 {
				t.Errorf("versions after a refused DeletePolicy = %d, want both kept", n)
			}
			if got := tt.attached(t, e); !slices.Equal(got, []string{p.ARN}) {
				t.Fatalf("attachments after DeletePolicy = %v, want %s left alone", got, p.ARN)
			}
		})
	}
}

func TestUserAndAccessKeys(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const user = "crowdai-platform-access"
	tags := map[string]string{"purpose": "media-import", "created-by": "s3link"}

	if uf, err := e.c.InspectUser(ctx, user); err != nil || uf.Exists || uf.Name != user {
		t.Fatalf("InspectUser before create = %+v, %v; want absent", uf, err)
	}

	u, err := e.c.CreateUser(ctx, user, tags, "", "setup-a")
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if u.Name != user || u.ARN != "arn:aws:iam::"+motoAccount+":user/"+user {
		t.Fatalf("CreateUser = %+v", u)
	}
	want := map[string]string{"purpose": "media-import", "created-by": "s3link", awsops.SetupTagKey: "setup-a"}
	if got := e.userTags(t, user); !maps.Equal(got, want) {
		t.Fatalf("user tags = %v, want %v", got, want)
	}
	_, err = e.c.CreateUser(ctx, user, map[string]string{"purpose": "other"}, "", "setup-b")
	if !errors.Is(err, awsops.ErrAlreadyExists) {
		t.Fatalf("second CreateUser: err = %v, want ErrAlreadyExists", err)
	}
	if got := e.userTags(t, user); !maps.Equal(got, want) {
		t.Fatalf("user tags after a refused create = %v, want %v unchanged", got, want)
	}

	p, err := e.c.CreatePolicy(ctx, "s3link-access", policyDoc("s3link-media", "media"), "setup-a")
	if err != nil {
		t.Fatalf("CreatePolicy: %v", err)
	}
	for i := range 2 {
		if err := e.c.AttachUserPolicy(ctx, user, p.ARN); err != nil {
			t.Fatalf("AttachUserPolicy #%d: %v", i+1, err)
		}
	}
	attached, err := e.iam.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatalf("ListAttachedUserPolicies: %v", err)
	}
	if len(attached.AttachedPolicies) != 1 || aws.ToString(attached.AttachedPolicies[0].PolicyArn) != p.ARN {
		t.Fatalf("attached policies = %+v, want exactly %s", attached.AttachedPolicies, p.ARN)
	}

	if err := e.c.AttachUserPolicy(ctx, "no-such-user", p.ARN); !errors.Is(err, awsops.ErrNotFound) {
		t.Fatalf("AttachUserPolicy to a missing user: err = %v, want ErrNotFound", err)
	}

	k1, err := e.c.CreateAccessKey(ctx, user)
	if err != nil {
		t.Fatalf("CreateAccessKey #1: %v", err)
	}
	k2, err := e.c.CreateAccessKey(ctx, user)
	if err != nil {
		t.Fatalf("CreateAccessKey #2: %v", err)
	}
	for _, k := range []awsops.AccessKey{k1, k2} {
		if k.ID == "" || k.Secret.IsZero() || k.User != user || k.Created.IsZero() {
			t.Fatalf("CreateAccessKey returned an incomplete key (id %q, user %q, secret set %v)", k.ID, k.User, !k.Secret.IsZero())
		}
	}
	if k1.ID == k2.ID || k1.Secret.Reveal() == k2.Secret.Reveal() {
		t.Fatalf("two CreateAccessKey calls returned the same key or secret")
	}

	uf, err := e.c.InspectUser(ctx, user)
	if err != nil {
		t.Fatalf("InspectUser: %v", err)
	}
	if !uf.Exists || uf.ARN != u.ARN || uf.SetupID != "setup-a" || !slices.Equal(uf.Policies, []string{p.ARN}) ||
		!slices.Equal(keyIDs(uf.Keys), sorted(k1.ID, k2.ID)) {
		t.Fatalf("InspectUser = %+v, want tag setup-a, policy %s, keys %s and %s", uf, p.ARN, k1.ID, k2.ID)
	}

	keys, err := e.c.ListAccessKeys(ctx, user)
	if err != nil {
		t.Fatalf("ListAccessKeys: %v", err)
	}
	if ids := keyIDs(keys); !slices.Equal(ids, sorted(k1.ID, k2.ID)) {
		t.Fatalf("ListAccessKeys = %v, want %s and %s", ids, k1.ID, k2.ID)
	}
	for _, k := range keys {
		if k.Status != "Active" || k.Created.IsZero() {
			t.Fatalf("ListAccessKeys key %+v, want Active with a creation time", k)
		}
	}

	_, err = e.c.CreateAccessKey(ctx, user)
	if !errors.Is(err, awsops.ErrKeyLimit) {
		t.Fatalf("third CreateAccessKey: err = %v, want ErrKeyLimit", err)
	}
	var limit *awsops.KeyLimitError
	if !errors.As(err, &limit) {
		t.Fatalf("third CreateAccessKey: err %T is not a *KeyLimitError", err)
	}
	if limit.User != user || !slices.Equal(keyIDs(limit.Keys), sorted(k1.ID, k2.ID)) {
		t.Fatalf("KeyLimitError = %+v, want user %s with keys %s and %s", limit, user, k1.ID, k2.ID)
	}

	if err := e.c.DeleteAccessKey(ctx, user, k1.ID); err != nil {
		t.Fatalf("DeleteAccessKey: %v", err)
	}
	if err := e.c.DeleteAccessKey(ctx, user, k1.ID); err != nil {
		t.Fatalf("DeleteAccessKey of a deleted key: %v, want success", err)
	}
	k3, err := e.c.CreateAccessKey(ctx, user)
	if err != nil {
		t.Fatalf("CreateAccessKey after deleting one: %v", err)
	}
	keys, err = e.c.ListAccessKeys(ctx, user)
	if err != nil {
		t.Fatalf("ListAccessKeys: %v", err)
	}
	if ids := keyIDs(keys); !slices.Equal(ids, sorted(k2.ID, k3.ID)) {
		t.Fatalf("ListAccessKeys after rotation = %v, want %s and %s", ids, k2.ID, k3.ID)
	}
}

// TestCreateUserSetupTag: the setup tag comes from the setup id alone; a
// tag of the same name among the other tags can neither forge nor
// override it. (moto 5.2.1 drops a user's PermissionsBoundary, so the
// boundary is passed but not checked here.)
func TestCreateUserSetupTag(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	boundary := "arn:aws:iam::" + motoAccount + ":policy/s3link-boundary"
	if _, err := e.c.CreatePolicy(ctx, "s3link-boundary", policyDoc("s3link-media", "media"), "setup-a"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, user, setupID string
		tags                map[string]string
		want                map[string]string
	}{
		{"tags and setup id", "u-plain", "setup-a", map[string]string{"purpose": "media-import"},
			map[string]string{"purpose": "media-import", awsops.SetupTagKey: "setup-a"}},
		{"no tags", "u-no-tags", "setup-a", nil, map[string]string{awsops.SetupTagKey: "setup-a"}},
		{"setup id wins over a forged tag", "u-forged", "setup-a", map[string]string{awsops.SetupTagKey: "forged", "k": "v"},
			map[string]string{"k": "v", awsops.SetupTagKey: "setup-a"}},
		{"no setup id drops a forged tag", "u-untagged", "", map[string]string{awsops.SetupTagKey: "forged", "k": "v"},
			map[string]string{"k": "v"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := e.c.CreateUser(ctx, tt.user, tt.tags, boundary, tt.setupID)
			if err != nil {
				t.Fatalf("CreateUser: %v", err)
			}
			if got := e.userTags(t, tt.user); !maps.Equal(got, tt.want) {
				t.Errorf("user tags = %v, want %v", got, tt.want)
			}
			uf, err := e.c.InspectUser(ctx, tt.user)
			if err != nil || !uf.Exists || uf.ARN != u.ARN || uf.SetupID != tt.want[awsops.SetupTagKey] {
				t.Errorf("InspectUser = %+v, %v; want SetupID %q", uf, err, tt.want[awsops.SetupTagKey])
			}
		})
	}
}

func keyIDs(keys []awsops.KeyInfo) []string {
	ids := make([]string, 0, len(keys))
	for _, k := range keys {
		ids = append(ids, k.ID)
	}
	slices.Sort(ids)
	return ids
}

func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}

func TestTeardownLeavesNothing(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const (
		bucket = "s3link-teardown"
		user   = "s3link-teardown-user"
	)
	e.createBucket(t, bucket)
	e.putObject(t, bucket, "media/a.jpg", "a")
	p, err := e.c.CreatePolicy(ctx, "s3link-teardown-policy", policyDoc(bucket, "media"), testSetupID)
	if err != nil {
		t.Fatalf("CreatePolicy: %v", err)
	}
	if _, err := e.c.AddPolicyVersion(ctx, p.ARN, policyDoc(bucket, "other")); err != nil {
		t.Fatalf("AddPolicyVersion: %v", err)
	}
	if _, err := e.c.CreateUser(ctx, user, nil, p.ARN, testSetupID); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if err := e.c.AttachUserPolicy(ctx, user, p.ARN); err != nil {
		t.Fatalf("AttachUserPolicy: %v", err)
	}
	for range 2 {
		if _, err := e.c.CreateAccessKey(ctx, user); err != nil {
			t.Fatalf("CreateAccessKey: %v", err)
		}
	}
	// Things s3link does not create but that would block DeleteUser if
	// someone added them.
	if _, err := e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{
		UserName: aws.String(user), PolicyName: aws.String("inline"), PolicyDocument: aws.String(policyDoc(bucket, "x")),
	}); err != nil {
		t.Fatalf("PutUserPolicy: %v", err)
	}
	if _, err := e.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{
		UserName: aws.String(user), Password: aws.String("Correct-Horse-9"),
	}); err != nil {
		t.Fatalf("CreateLoginProfile: %v", err)
	}
	// Someone else's use of the policy, which teardown must not undo.
	if _, err := e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("media-readers")}); err != nil {
		t.Fatalf("CreateGroup: %v", err)
	}
	if _, err := e.iam.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{
		GroupName: aws.String("media-readers"), PolicyArn: aws.String(p.ARN),
	}); err != nil {
		t.Fatalf("AttachGroupPolicy: %v", err)
	}

	err = e.c.DeleteBucket(ctx, bucket)
	if !errors.Is(err, awsops.ErrBucketNotEmpty) {
		t.Fatalf("DeleteBucket of a non-empty bucket: err = %v, want ErrBucketNotEmpty", err)
	}
	if _, err := e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("media/a.jpg")}); err != nil {
		t.Fatalf("object gone after a refused DeleteBucket: %v", err)
	}
	if _, err := e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("media/a.jpg")}); err != nil {
		t.Fatalf("DeleteObject: %v", err)
	}

	// DeleteUser clears what blocks it: keys, the attached policy, the
	// inline policy and the login profile.
	if err := e.c.DeleteUser(ctx, user); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if uf, err := e.c.InspectUser(ctx, user); err != nil || uf.Exists {
		t.Fatalf("InspectUser after DeleteUser = %+v, %v; want gone", uf, err)
	}

	// DeleteUser detached the policy from the user only: the group's
	// attachment is not s3link's, and stays until its owner removes it.
	group, err := e.iam.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("media-readers")})
	if err != nil {
		t.Fatalf("ListAttachedGroupPolicies: %v", err)
	}
	if len(group.AttachedPolicies) != 1 || aws.ToString(group.AttachedPolicies[0].PolicyArn) != p.ARN {
		t.Fatalf("group policies after DeleteUser = %+v, want %s still attached", group.AttachedPolicies, p.ARN)
	}
	info, err := e.c.InspectPolicy(ctx, "s3link-teardown-policy", policyDoc(bucket, "other"))
	if err != nil || !slices.Equal(info.Groups, []string{"media-readers"}) || len(info.Users) != 0 {
		t.Fatalf("InspectPolicy after DeleteUser = %+v, %v; want only the group attached", info, err)
	}
	if _, err := e.iam.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{
		GroupName: aws.String("media-readers"), PolicyArn: aws.String(p.ARN),
	}); err != nil {
		t.Fatalf("DetachGroupPolicy: %v", err)
	}

	for i := range 2 {
		if err := e.c.DeleteUser(ctx, user); err != nil {
			t.Fatalf("DeleteUser #%d: %v", i+1, err)
		}
		if err := e.c.DeletePolicy(ctx, p.ARN); err != nil {
			t.Fatalf("DeletePolicy #%d: %v", i+1, err)
		}
		if err := e.c.DeleteBucket(ctx, bucket); err != nil {
			t.Fatalf("DeleteBucket #%d: %v", i+1, err)
		}
		if err := e.c.DetachUserPolicy(ctx, user, p.ARN); err != nil {
			t.Fatalf("DetachUserPolicy #%d after teardown: %v", i+1, err)
		}
		if err := e.c.DeleteAccessKey(ctx, user, "AKIAIOSFODNN7EXAMPLE"); err != nil {
			t.Fatalf("DeleteAccessKey #%d after teardown: %v", i+1, err)
		}
	}

	users, err := e.iam.ListUsers(ctx, &iam.ListUsersInput{})
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	if len(users.Users) != 0 {
		t.Fatalf("users left after teardown: %+v", users.Users)
	}
	policies, err := e.iam.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal})
	if err != nil {
		t.Fatalf("ListPolicies: %v", err)
	}
	if len(policies.Policies) != 0 {
		t.Fatalf("policies left after teardown: %+v", policies.Policies)
	}
	buckets, err := e.c.ListBuckets(ctx)
	if err != nil {
		t.Fatalf("ListBuckets: %v", err)
	}
	if len(buckets) != 0 {
		t.Fatalf("buckets left after teardown: %+v", buckets)
	}
}

func (e *env) versionCount(t *testing.T, arn string) (int, error) {
	t.Helper()
	out, err := e.iam.ListPolicyVersions(t.Context(), &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	if err != nil {
		return 0, err
	}
	return len(out.Versions), nil
}
