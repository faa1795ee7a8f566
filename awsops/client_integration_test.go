package awsops_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
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

func TestCreateBucketUSEast1(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const name = "s3link-media-use1"

	got, err := e.c.CreateBucket(ctx, name, "us-east-1")
	if err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if got.Reused || got.Name != name || got.Region != "us-east-1" {
		t.Fatalf("CreateBucket = %+v, want a new bucket %s in us-east-1", got, name)
	}
	loc, err := e.s3.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(name)})
	if err != nil {
		t.Fatalf("GetBucketLocation: %v", err)
	}
	if loc.LocationConstraint != "" {
		t.Fatalf("LocationConstraint = %q, want empty (us-east-1)", loc.LocationConstraint)
	}

	// us-east-1 answers 200 to the owner re-creating a bucket; the client
	// must still see that it already existed.
	again, err := e.c.CreateBucket(ctx, name, "us-east-1")
	if err != nil {
		t.Fatalf("second CreateBucket: %v", err)
	}
	if !again.Reused || again.Region != "us-east-1" {
		t.Fatalf("second CreateBucket = %+v, want Reused in us-east-1", again)
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

	got, err := e.c.CreateBucket(ctx, name, "eu-west-1")
	if err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if got.Reused || got.Region != "eu-west-1" {
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

	again, err := e.c.CreateBucket(ctx, name, "eu-west-1")
	if err != nil {
		t.Fatalf("second CreateBucket: %v", err)
	}
	if !again.Reused || again.Region != "eu-west-1" {
		t.Fatalf("second CreateBucket = %+v, want Reused in eu-west-1", again)
	}

	// Asking for the bucket in another region reuses it where it is.
	elsewhere, err := e.c.CreateBucket(ctx, name, "us-east-1")
	if err != nil {
		t.Fatalf("CreateBucket in us-east-1 of an eu-west-1 bucket: %v", err)
	}
	if !elsewhere.Reused || elsewhere.Region != "eu-west-1" {
		t.Fatalf("CreateBucket in us-east-1 = %+v, want Reused with region eu-west-1", elsewhere)
	}
}

func TestCreateBucketTakenByAnotherAccount(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const name = "s3link-someone-elses"

	// moto keeps one bucket namespace across accounts and picks the
	// account from the x-moto-account-id header.
	_, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)},
		func(o *s3.Options) {
			o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue("x-moto-account-id", "111111111111"))
		})
	if err != nil {
		t.Fatalf("create bucket in the other account: %v", err)
	}

	for _, region := range []string{"us-east-1", "eu-west-1"} {
		_, err = e.c.CreateBucket(ctx, name, region)
		if !errors.Is(err, awsops.ErrBucketTaken) {
			t.Fatalf("CreateBucket in %s of another account's bucket: err = %v, want ErrBucketTaken", region, err)
		}
		var taken *s3types.BucketAlreadyExists
		if !errors.As(err, &taken) {
			t.Fatalf("CreateBucket error %v does not keep *s3types.BucketAlreadyExists", err)
		}
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
	if _, err := e.c.CreateBucket(ctx, "s3link-summary-eu", "eu-west-1"); err != nil {
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

	info, err := e.c.LookupPolicy(ctx, name, doc)
	if err != nil {
		t.Fatalf("LookupPolicy before create: %v", err)
	}
	if info.Exists || info.ARN != wantARN {
		t.Fatalf("LookupPolicy before create = %+v, want not existing with ARN %s", info, wantARN)
	}

	p, err := e.c.CreatePolicy(ctx, name, doc)
	if err != nil {
		t.Fatalf("CreatePolicy: %v", err)
	}
	if p.ARN != wantARN || p.Reused || p.NewVersion || p.VersionID != "v1" {
		t.Fatalf("CreatePolicy = %+v, want a new policy %s at v1", p, wantARN)
	}

	// Layout differences must not count as a different document.
	indented := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": " + doc[len(`{"Version":"2012-10-17","Statement":`):]
	info, err = e.c.LookupPolicy(ctx, name, indented)
	if err != nil {
		t.Fatalf("LookupPolicy: %v", err)
	}
	if !info.Exists || !info.SameDocument || info.Versions != 1 || info.ARN != wantARN {
		t.Fatalf("LookupPolicy = %+v, want existing, same document, 1 version", info)
	}

	again, err := e.c.CreatePolicy(ctx, name, indented)
	if err != nil {
		t.Fatalf("second CreatePolicy: %v", err)
	}
	if !again.Reused || again.NewVersion || again.VersionID != "v1" {
		t.Fatalf("second CreatePolicy = %+v, want Reused at v1", again)
	}

	other := policyDoc("s3link-media", "media/set2")
	info, err = e.c.LookupPolicy(ctx, name, other)
	if err != nil || !info.Exists || info.SameDocument {
		t.Fatalf("LookupPolicy with another document = %+v, %v; want existing, not same", info, err)
	}
	v2, err := e.c.CreatePolicy(ctx, name, other)
	if err != nil {
		t.Fatalf("CreatePolicy with another document: %v", err)
	}
	if v2.Reused || !v2.NewVersion || v2.VersionID != "v2" || v2.DeletedVersionID != "" {
		t.Fatalf("CreatePolicy with another document = %+v, want NewVersion v2", v2)
	}
	assertDefaultVersion(t, e, wantARN, "v2", other)

	for i, prefix := range []string{"media/set3", "media/set4", "media/set5"} {
		p, err := e.c.CreatePolicy(ctx, name, policyDoc("s3link-media", prefix))
		if err != nil {
			t.Fatalf("CreatePolicy %s: %v", prefix, err)
		}
		if want := "v" + string(rune('3'+i)); p.VersionID != want || p.DeletedVersionID != "" {
			t.Fatalf("CreatePolicy %s = %+v, want %s and nothing deleted", prefix, p, want)
		}
	}

	// Five versions: the next change must make room by deleting v1, the
	// oldest non-default one.
	sixth := policyDoc("s3link-media", "media/set6")
	p6, err := e.c.CreatePolicy(ctx, name, sixth)
	if err != nil {
		t.Fatalf("CreatePolicy at the version limit: %v", err)
	}
	if !p6.NewVersion || p6.DeletedVersionID != "v1" || p6.VersionID != "v6" {
		t.Fatalf("CreatePolicy at the version limit = %+v, want v6 with v1 deleted", p6)
	}
	assertDefaultVersion(t, e, wantARN, "v6", sixth)
	vs, err := e.iam.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(wantARN)})
	if err != nil {
		t.Fatalf("ListPolicyVersions: %v", err)
	}
	var ids []string
	for _, v := range vs.Versions {
		ids = append(ids, aws.ToString(v.VersionId))
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"v2", "v3", "v4", "v5", "v6"}) {
		t.Fatalf("versions after the limit = %v, want v2..v6", ids)
	}
	info, err = e.c.LookupPolicy(ctx, name, sixth)
	if err != nil || !info.SameDocument || info.Versions != 5 {
		t.Fatalf("LookupPolicy after the limit = %+v, %v; want same document, 5 versions", info, err)
	}
}

func assertDefaultVersion(t *testing.T, e *env, arn, version, doc string) {
	t.Helper()
	got, err := e.iam.GetPolicy(t.Context(), &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil {
		t.Fatalf("GetPolicy: %v", err)
	}
	if v := aws.ToString(got.Policy.DefaultVersionId); v != version {
		t.Fatalf("default version = %s, want %s", v, version)
	}
	info, err := e.c.LookupPolicy(t.Context(), arn[len(arn)-len("s3link-platform-access"):], doc)
	if err != nil || !info.SameDocument {
		t.Fatalf("default version's document differs from the one just set (%+v, %v)", info, err)
	}
}

func TestUserAndAccessKeys(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const user = "crowdai-platform-access"
	tags := map[string]string{"purpose": "media-import", "created-by": "s3link"}

	u, err := e.c.CreateUser(ctx, user, tags)
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if u.Reused || u.Name != user || u.ARN != "arn:aws:iam::"+motoAccount+":user/"+user {
		t.Fatalf("CreateUser = %+v", u)
	}
	gotTags, err := e.iam.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatalf("ListUserTags: %v", err)
	}
	tagMap := map[string]string{}
	for _, tg := range gotTags.Tags {
		tagMap[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	if len(tagMap) != 2 || tagMap["purpose"] != "media-import" || tagMap["created-by"] != "s3link" {
		t.Fatalf("user tags = %v, want %v", tagMap, tags)
	}
	again, err := e.c.CreateUser(ctx, user, tags)
	if err != nil || !again.Reused || again.ARN != u.ARN {
		t.Fatalf("second CreateUser = %+v, %v; want Reused with the same ARN", again, err)
	}

	p, err := e.c.CreatePolicy(ctx, "s3link-access", policyDoc("s3link-media", "media"))
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
	p, err := e.c.CreatePolicy(ctx, "s3link-teardown-policy", policyDoc(bucket, "media"))
	if err != nil {
		t.Fatalf("CreatePolicy: %v", err)
	}
	if _, err := e.c.CreatePolicy(ctx, "s3link-teardown-policy", policyDoc(bucket, "other")); err != nil {
		t.Fatalf("CreatePolicy v2: %v", err)
	}
	if _, err := e.c.CreateUser(ctx, user, nil); err != nil {
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
	// Things s3link does not create but that would block DeleteUser and
	// DeletePolicy if someone added them.
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
	group, err := e.iam.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("media-readers")})
	if err != nil {
		t.Fatalf("ListAttachedGroupPolicies: %v", err)
	}
	if len(group.AttachedPolicies) != 0 {
		t.Fatalf("group still has policies: %+v", group.AttachedPolicies)
	}
	buckets, err := e.c.ListBuckets(ctx)
	if err != nil {
		t.Fatalf("ListBuckets: %v", err)
	}
	if len(buckets) != 0 {
		t.Fatalf("buckets left after teardown: %+v", buckets)
	}
}

// TestCreationTimes: the lookups teardown uses to settle an interrupted
// create find each resource with the time AWS created it, report a missing
// one as absent, and a re-created (reused) resource carries the same time,
// which is what tells a resource a killed run made from an older one.
func TestCreationTimes(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	// IAM and S3 date resources to the second.
	before := time.Now().Add(-time.Second)

	for _, miss := range []func() (bool, error){
		func() (bool, error) { _, ok, err := e.c.FindBucket(ctx, "ct-media"); return ok, err },
		func() (bool, error) { _, ok, err := e.c.FindPolicy(ctx, "ct-policy"); return ok, err },
		func() (bool, error) { _, ok, err := e.c.FindUser(ctx, "ct-user"); return ok, err },
	} {
		if ok, err := miss(); ok || err != nil {
			t.Fatalf("lookup before creation = %v, %v; want absent", ok, err)
		}
	}

	if _, err := e.c.CreateBucket(ctx, "ct-media", "us-east-1"); err != nil {
		t.Fatal(err)
	}
	pol, err := e.c.CreatePolicy(ctx, "ct-policy", policyDoc("ct-media", "p"))
	if err != nil {
		t.Fatal(err)
	}
	u, err := e.c.CreateUser(ctx, "ct-user", nil)
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now().Add(time.Second)
	inRange := func(what string, ts time.Time) {
		t.Helper()
		if ts.Before(before) || ts.After(after) {
			t.Errorf("%s created %v, want between %v and %v", what, ts, before, after)
		}
	}
	inRange("new policy", pol.Created)
	inRange("new user", u.Created)

	b, ok, err := e.c.FindBucket(ctx, "ct-media")
	if err != nil || !ok {
		t.Fatalf("FindBucket = %v, %v", ok, err)
	}
	inRange("bucket", b.Created)
	p, ok, err := e.c.FindPolicy(ctx, "ct-policy")
	if err != nil || !ok || p.ARN != pol.ARN {
		t.Fatalf("FindPolicy = %+v, %v, %v", p, ok, err)
	}
	inRange("policy", p.Created)
	fu, ok, err := e.c.FindUser(ctx, "ct-user")
	if err != nil || !ok {
		t.Fatalf("FindUser = %v, %v", ok, err)
	}
	inRange("user", fu.Created)

	rb, err := e.c.CreateBucket(ctx, "ct-media", "us-east-1")
	if err != nil || !rb.Reused || !rb.Created.Equal(b.Created) {
		t.Errorf("re-created bucket = %+v, %v; want reused, created %v", rb, err, b.Created)
	}
	rp, err := e.c.CreatePolicy(ctx, "ct-policy", policyDoc("ct-media", "p"))
	if err != nil || !rp.Reused || !rp.Created.Equal(p.Created) {
		t.Errorf("re-created policy = %+v, %v; want reused, created %v", rp, err, p.Created)
	}
	ru, err := e.c.CreateUser(ctx, "ct-user", nil)
	if err != nil || !ru.Reused || !ru.Created.Equal(fu.Created) {
		t.Errorf("re-created user = %+v, %v; want reused, created %v", ru, err, fu.Created)
	}
}
