package awsopstest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/s3link/s3link/awsops"
)

// recorder is a fake testing.TB: it catches Verify's failures so a test
// can assert that they happen, and keeps the Cleanup functions until end
// runs them, as the end of a test would.
type recorder struct {
	testing.TB
	errs     []string
	cleanups []func()
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }

// end runs the Cleanup functions, last registered first.
func (r *recorder) end() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
	r.cleanups = nil
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name     string
		expect   func(f *Fake)
		run      func(f *Fake)
		failures int
	}{
		{
			name:   "met",
			expect: func(f *Fake) { f.Expect("CreateBucket", "media", "eu-west-1") },
			run: func(f *Fake) {
				_, _ = f.CreateBucket(context.Background(), "media", "eu-west-1", "s1")
			},
		},
		{
			name:     "never called",
			expect:   func(f *Fake) { f.Expect("CreateUser") },
			run:      func(f *Fake) { _, _ = f.WhoAmI(context.Background()) },
			failures: 1,
		},
		{
			name:   "other arguments",
			expect: func(f *Fake) { f.Expect("CreateBucket", "media", "us-east-1") },
			run: func(f *Fake) {
				_, _ = f.CreateBucket(context.Background(), "media", "eu-west-1", "s1")
			},
			failures: 1,
		},
		{
			name:   "boundary is recorded",
			expect: func(f *Fake) { f.Expect("CreateUser", "u", "arn:aws:iam::123456789012:policy/B") },
			run: func(f *Fake) {
				_, _ = f.CreateUser(context.Background(), "u", nil, "arn:aws:iam::123456789012:policy/B", "s1")
			},
		},
		{
			name:   "other boundary",
			expect: func(f *Fake) { f.Expect("CreateUser", "u", "arn:aws:iam::123456789012:policy/B") },
			run: func(f *Fake) {
				_, _ = f.CreateUser(context.Background(), "u", nil, "", "s1")
			},
			failures: 1,
		},
		{
			name: "prefix of arguments",
			expect: func(f *Fake) {
				f.Expect("DeleteAccessKey", "u")
			},
			run: func(f *Fake) {
				_ = f.DeleteAccessKey(context.Background(), "u", "AKIA1")
			},
		},
		{
			name:   "expectation after the call",
			expect: func(*Fake) {},
			run: func(f *Fake) {
				_, _ = f.WhoAmI(context.Background())
				f.Expect("WhoAmI")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The test ends without calling Verify: New's Cleanup does.
			r := &recorder{TB: t}
			f := New(r)
			tt.expect(f)
			tt.run(f)
			if len(r.errs) != 0 {
				t.Fatalf("failures before the test ended: %v", r.errs)
			}
			r.end()
			if len(r.errs) != tt.failures {
				t.Errorf("the end of the test reported %d failures, want %d: %v", len(r.errs), tt.failures, r.errs)
			}
		})
	}
}

// TestVerifyExplicitly: Verify called before the end checks at that point.
func TestVerifyExplicitly(t *testing.T) {
	r := &recorder{TB: t}
	f := New(r)
	f.Expect("CreateUser")
	f.Verify(r)
	if len(r.errs) != 1 {
		t.Fatalf("Verify reported %d failures, want 1: %v", len(r.errs), r.errs)
	}
	_, _ = f.CreateUser(context.Background(), "u", nil, "", "s1")
	r.errs = nil
	r.end()
	if len(r.errs) != 0 {
		t.Errorf("the end of the test reported %v after the call was made", r.errs)
	}
}

func TestCannedErrors(t *testing.T) {
	ctx := context.Background()
	f := New(t)
	f.FailOnce("WhoAmI", awsops.ErrExpiredCredentials)
	if _, err := f.WhoAmI(ctx); !errors.Is(err, awsops.ErrExpiredCredentials) {
		t.Fatalf("first WhoAmI = %v, want expired", err)
	}
	if _, err := f.WhoAmI(ctx); err != nil {
		t.Fatalf("second WhoAmI = %v, want success after FailOnce", err)
	}
	f.Fail("ListBuckets", awsops.ErrAccessDenied)
	for i := 0; i < 2; i++ {
		if _, err := f.ListBuckets(ctx); !errors.Is(err, awsops.ErrAccessDenied) {
			t.Fatalf("ListBuckets #%d = %v, want access denied", i, err)
		}
	}
	f.Clear("ListBuckets")
	if _, err := f.ListBuckets(ctx); err != nil {
		t.Fatalf("ListBuckets after Clear = %v", err)
	}
	if got, want := f.Methods(), []string{"WhoAmI", "WhoAmI", "ListBuckets", "ListBuckets", "ListBuckets"}; !slices.Equal(got, want) {
		t.Errorf("Methods() = %v, want %v", got, want)
	}
}

func TestKeysDoNotPrintSecrets(t *testing.T) {
	f := New(t)
	if _, err := f.CreateUser(context.Background(), "u", nil, "", "s1"); err != nil {
		t.Fatal(err)
	}
	k, err := f.CreateAccessKey(context.Background(), "u")
	if err != nil {
		t.Fatal(err)
	}
	if k.Secret.IsZero() {
		t.Fatal("empty secret")
	}
	for _, c := range f.Calls() {
		if strings.Contains(c.String(), k.Secret.Reveal()) {
			t.Error("a recorded call holds the secret")
		}
	}
}

func TestDeleteBucketRefusesNonEmpty(t *testing.T) {
	ctx := context.Background()
	f := New(t)
	f.AddBucket("full", "us-east-1", awsops.PublicAccess{})
	f.PutObjects("full", 3)
	if err := f.DeleteBucket(ctx, "full"); !errors.Is(err, awsops.ErrBucketNotEmpty) {
		t.Errorf("DeleteBucket(full) = %v, want ErrBucketNotEmpty", err)
	}
	if _, _, ok := f.HasBucket("full"); !ok {
		t.Error("non-empty bucket deleted")
	}
}

// doc is a small valid policy document; Fake compares documents as JSON.
func doc(n int) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"S%d","Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::media/%d/*"]}]}`, n, n)
}

const account = "123456789012"

func policyARN(name string) string { return "arn:aws:iam::" + account + ":policy/" + name }

func TestCreateBucketNeverAdopts(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		prepare func(f *Fake)
		want    error
		notWant error
		// facts is what InspectBucket says afterwards.
		facts awsops.BucketFacts
	}{
		{
			name:  "new bucket",
			facts: awsops.BucketFacts{Name: "media", Exists: true, Owned: true, Region: "eu-west-1", SetupID: "s1"},
		},
		{
			name:    "our account's untagged bucket",
			prepare: func(f *Fake) { f.AddBucket("media", "us-east-1", awsops.PublicAccess{}) },
			want:    awsops.ErrBucketOwned,
			notWant: awsops.ErrBucketTaken,
			facts:   awsops.BucketFacts{Name: "media", Exists: true, Owned: true, Region: "us-east-1"},
		},
		{
			name: "our account's bucket of another setup",
			prepare: func(f *Fake) {
				f.AddBucket("media", "eu-west-1", awsops.PublicAccess{})
				f.TagBucket("media", "other-setup")
			},
			want:    awsops.ErrBucketOwned,
			notWant: awsops.ErrBucketTaken,
			facts:   awsops.BucketFacts{Name: "media", Exists: true, Owned: true, Region: "eu-west-1", SetupID: "other-setup"},
		},
		{
			name: "a bucket this very setup created",
			prepare: func(f *Fake) {
				if _, err := f.CreateBucket(ctx, "media", "eu-west-1", "s1"); err != nil {
					panic(err)
				}
			},
			want:    awsops.ErrBucketOwned,
			notWant: awsops.ErrBucketTaken,
			facts:   awsops.BucketFacts{Name: "media", Exists: true, Owned: true, Region: "eu-west-1", SetupID: "s1"},
		},
		{
			name:    "another account's bucket",
			prepare: func(f *Fake) { f.TakeBucketName("media") },
			want:    awsops.ErrBucketTaken,
			notWant: awsops.ErrBucketOwned,
			facts:   awsops.BucketFacts{Name: "media", Exists: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := New(t)
			if tt.prepare != nil {
				tt.prepare(f)
			}
			b, err := f.CreateBucket(ctx, "media", "eu-west-1", "s1")
			switch {
			case tt.want == nil && err != nil:
				t.Fatalf("CreateBucket: %v", err)
			case tt.want == nil:
				if b.Name != "media" || b.Region != "eu-west-1" || !b.Created.Equal(Epoch) {
					t.Errorf("CreateBucket = %+v, want media in eu-west-1 created at Epoch", b)
				}
			case !errors.Is(err, tt.want) || errors.Is(err, tt.notWant):
				t.Fatalf("CreateBucket: err = %v, want %v and not %v", err, tt.want, tt.notWant)
			case b != (awsops.Bucket{}):
				t.Errorf("CreateBucket returned %+v with its error", b)
			}
			got, err := f.InspectBucket(ctx, "media")
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.facts {
				t.Errorf("InspectBucket = %+v, want %+v", got, tt.facts)
			}
		})
	}
}

func TestInspectBucket(t *testing.T) {
	ctx := context.Background()
	f := New(t)
	if got, err := f.InspectBucket(ctx, "nothing"); err != nil || got != (awsops.BucketFacts{Name: "nothing"}) {
		t.Errorf("InspectBucket(missing) = %+v, %v; want nothing known", got, err)
	}
	if _, err := f.CreateBucket(ctx, "media", "eu-west-1", "s1"); err != nil {
		t.Fatal(err)
	}
	before, _ := f.InspectBucket(ctx, "media")
	if before.PublicAccess.AllBlocked() {
		t.Errorf("new bucket reports public access blocked: %+v", before.PublicAccess)
	}
	if err := f.BlockPublicAccess(ctx, "media"); err != nil {
		t.Fatal(err)
	}
	after, _ := f.InspectBucket(ctx, "media")
	if !after.PublicAccess.AllBlocked() || after.SetupID != "s1" {
		t.Errorf("InspectBucket after BlockPublicAccess = %+v, want all blocked and tag s1", after)
	}
	if err := f.BlockPublicAccess(ctx, "nothing"); !errors.Is(err, awsops.ErrNoSuchBucket) {
		t.Errorf("BlockPublicAccess(missing) = %v, want ErrNoSuchBucket", err)
	}
	if got := f.Count("InspectBucket"); got != 3 {
		t.Errorf("InspectBucket recorded %d times, want 3", got)
	}
}

func TestPolicyCreateAndVersions(t *testing.T) {
	ctx := context.Background()
	f := New(t)
	missing, err := f.InspectPolicy(ctx, "P", doc(1))
	if err != nil || missing.Exists || missing.ARN != policyARN("P") || missing.SetupID != "" {
		t.Fatalf("InspectPolicy before create = %+v, %v; want absent with its ARN", missing, err)
	}

	p, err := f.CreatePolicy(ctx, "P", doc(1), "s1")
	if err != nil {
		t.Fatal(err)
	}
	if p != (awsops.Policy{Name: "P", ARN: policyARN("P"), VersionID: "v1"}) {
		t.Errorf("CreatePolicy = %+v", p)
	}
	// Layout does not make another document.
	indented := strings.ReplaceAll(doc(1), ",", ",\n  ")
	info, err := f.InspectPolicy(ctx, "P", indented)
	if err != nil || !info.Exists || !info.SameDocument || info.SetupID != "s1" || info.Versions != 1 || info.Document != doc(1) {
		t.Errorf("InspectPolicy = %+v, %v; want existing, tag s1, same document, 1 version", info, err)
	}
	if info, _ := f.InspectPolicy(ctx, "P", doc(2)); info.SameDocument {
		t.Error("InspectPolicy with another document reports the same document")
	}

	// A second create is refused and changes nothing.
	if _, err := f.CreatePolicy(ctx, "P", doc(9), "s2"); !errors.Is(err, awsops.ErrAlreadyExists) {
		t.Fatalf("second CreatePolicy = %v, want ErrAlreadyExists", err)
	}
	if d, n, _ := f.PolicyDocument("P"); d != doc(1) || n != 1 {
		t.Errorf("after a refused CreatePolicy the policy is %q with %d versions, want doc 1 alone", d, n)
	}
	if info, _ := f.InspectPolicy(ctx, "P", doc(1)); info.SetupID != "s1" {
		t.Errorf("a refused CreatePolicy re-tagged the policy: %q", info.SetupID)
	}

	for i := 2; i <= 5; i++ {
		v, err := f.AddPolicyVersion(ctx, p.ARN, doc(i))
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("v%d", i); v.VersionID != want || v.DeletedVersionID != "" || v.Name != "P" || v.ARN != p.ARN {
			t.Errorf("AddPolicyVersion #%d = %+v, want %s with nothing deleted", i, v, want)
		}
	}
	v6, err := f.AddPolicyVersion(ctx, p.ARN, doc(6))
	if err != nil {
		t.Fatal(err)
	}
	if v6.VersionID != "v6" || v6.DeletedVersionID != "v1" {
		t.Errorf("sixth version = %+v, want v6 replacing v1", v6)
	}
	if d, n, _ := f.PolicyDocument("P"); d != doc(6) || n != 5 {
		t.Errorf("policy = %q with %d versions, want doc 6 with 5", d, n)
	}
	info, _ = f.InspectPolicy(ctx, "P", doc(6))
	if !info.SameDocument || info.Versions != 5 || info.SetupID != "s1" {
		t.Errorf("InspectPolicy after the limit = %+v", info)
	}
	if _, err := f.AddPolicyVersion(ctx, policyARN("Nope"), doc(1)); !errors.Is(err, awsops.ErrNotFound) {
		t.Errorf("AddPolicyVersion of a missing policy = %v, want ErrNotFound", err)
	}

	// A policy someone else made carries no tag until one is set.
	arn := f.AddPolicy("Theirs", doc(1))
	if info, _ := f.InspectPolicy(ctx, "Theirs", doc(1)); !info.Exists || info.SetupID != "" || info.ARN != arn {
		t.Errorf("InspectPolicy(Theirs) = %+v, want existing and untagged", info)
	}
	f.TagPolicy("Theirs", "s3")
	if info, _ := f.InspectPolicy(ctx, "Theirs", doc(1)); info.SetupID != "s3" {
		t.Errorf("after TagPolicy, SetupID = %q, want s3", info.SetupID)
	}
}

func TestInspectPolicyAttachments(t *testing.T) {
	ctx := context.Background()
	f := New(t)
	p, err := f.CreatePolicy(ctx, "P", doc(1), "s1")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"zed", "amy", "bounded"} {
		if _, err := f.CreateUser(ctx, u, nil, "", "s1"); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []string{"zed", "amy"} {
		if err := f.AttachUserPolicy(ctx, u, p.ARN); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SetUserBoundary(ctx, "bounded", p.ARN); err != nil {
		t.Fatal(err)
	}
	f.AttachToGroup("P", "readers")

	info, err := f.InspectPolicy(ctx, "P", doc(1))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(info.Users, []string{"amy", "zed"}) || !slices.Equal(info.Groups, []string{"readers"}) ||
		!slices.Equal(info.Boundaries, []string{"bounded"}) || len(info.Roles) != 0 {
		t.Errorf("InspectPolicy = users %v, groups %v, roles %v, boundaries %v", info.Users, info.Groups, info.Roles, info.Boundaries)
	}
	want := []string{"user zed", "group readers", "the permissions boundary of bounded"}
	if got := info.AttachedElsewhere("amy"); !slices.Equal(got, want) {
		t.Errorf("AttachedElsewhere(amy) = %v, want %v", got, want)
	}

	if err := f.AttachUserPolicy(ctx, "amy", policyARN("Nope")); !errors.Is(err, awsops.ErrNotFound) {
		t.Errorf("AttachUserPolicy of a missing policy = %v, want ErrNotFound", err)
	}
	if err := f.AttachUserPolicy(ctx, "nobody", p.ARN); !errors.Is(err, awsops.ErrNotFound) {
		t.Errorf("AttachUserPolicy to a missing user = %v, want ErrNotFound", err)
	}
}

func TestDeletePolicyRefusedWhileAttached(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// attach uses the policy; release undoes that.
		attach, release func(t *testing.T, f *Fake, arn string)
	}{
		{
			name: "attached to a user",
			attach: func(t *testing.T, f *Fake, arn string) {
				if err := f.AttachUserPolicy(ctx, "u", arn); err != nil {
					t.Fatal(err)
				}
			},
			release: func(t *testing.T, f *Fake, arn string) {
				if err := f.DetachUserPolicy(ctx, "u", arn); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name: "permissions boundary of a user",
			attach: func(t *testing.T, f *Fake, arn string) {
				if err := f.SetUserBoundary(ctx, "u", arn); err != nil {
					t.Fatal(err)
				}
			},
			release: func(t *testing.T, f *Fake, arn string) {
				if err := f.SetUserBoundary(ctx, "u", ""); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name:   "attached to a group",
			attach: func(_ *testing.T, f *Fake, _ string) { f.AttachToGroup("P", "readers") },
		},
		{
			name: "attached to a user that is then deleted",
			attach: func(t *testing.T, f *Fake, arn string) {
				if err := f.AttachUserPolicy(ctx, "u", arn); err != nil {
					t.Fatal(err)
				}
			},
			release: func(t *testing.T, f *Fake, _ string) {
				if err := f.DeleteUser(ctx, "u"); err != nil {
					t.Fatal(err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := New(t)
			p, err := f.CreatePolicy(ctx, "P", doc(1), "s1")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.CreateUser(ctx, "u", nil, "", "s1"); err != nil {
				t.Fatal(err)
			}
			tt.attach(t, f, p.ARN)
			if err := f.DeletePolicy(ctx, p.ARN); !errors.Is(err, awsops.ErrInUse) {
				t.Fatalf("DeletePolicy while in use = %v, want ErrInUse", err)
			}
			if _, _, ok := f.PolicyDocument("P"); !ok {
				t.Fatal("a refused DeletePolicy deleted the policy")
			}
			// DeletePolicy detaches nothing.
			if info, _ := f.InspectPolicy(ctx, "P", doc(1)); len(info.Users)+len(info.Groups)+len(info.Boundaries) != 1 {
				t.Errorf("after a refused DeletePolicy: users %v, groups %v, boundaries %v; want the one use", info.Users, info.Groups, info.Boundaries)
			}
			if tt.release == nil {
				return
			}
			tt.release(t, f, p.ARN)
			if err := f.DeletePolicy(ctx, p.ARN); err != nil {
				t.Fatalf("DeletePolicy once unused: %v", err)
			}
			if info, _ := f.InspectPolicy(ctx, "P", doc(1)); info.Exists {
				t.Errorf("policy still there after DeletePolicy: %+v", info)
			}
			if err := f.DeletePolicy(ctx, p.ARN); err != nil {
				t.Errorf("DeletePolicy of a deleted policy = %v, want success", err)
			}
		})
	}
}

func TestCreateUserTagsAndBoundary(t *testing.T) {
	ctx := context.Background()
	f := New(t)
	boundary := policyARN("P-Boundary")
	u, err := f.CreateUser(ctx, "u", map[string]string{"purpose": "media-import"}, boundary, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if u != (awsops.User{Name: "u", ARN: "arn:aws:iam::" + account + ":user/u"}) {
		t.Errorf("CreateUser = %+v", u)
	}
	info, err := f.InspectUser(ctx, "u")
	if err != nil {
		t.Fatal(err)
	}
	if !info.Exists || info.ARN != u.ARN || info.SetupID != "s1" || info.Boundary != boundary || len(info.Policies) != 0 || len(info.Keys) != 0 {
		t.Errorf("InspectUser = %+v, want the new user with tag s1 and boundary %s", info, boundary)
	}
	if got := f.Boundary("u"); got != boundary {
		t.Errorf("Boundary(u) = %q, want %q", got, boundary)
	}

	// A second create is refused and neither re-tags nor re-bounds.
	if _, err := f.CreateUser(ctx, "u", nil, "", "s2"); !errors.Is(err, awsops.ErrAlreadyExists) {
		t.Fatalf("second CreateUser = %v, want ErrAlreadyExists", err)
	}
	if info, _ := f.InspectUser(ctx, "u"); info.SetupID != "s1" || info.Boundary != boundary {
		t.Errorf("after a refused CreateUser: tag %q, boundary %q; want s1 and %s", info.SetupID, info.Boundary, boundary)
	}

	// The setup tag is the setup id's alone: tags cannot forge it.
	tests := []struct {
		name, setupID, want string
	}{
		{"setup id wins over a tag of the same key", "real", "real"},
		{"no setup id, no tag", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := New(t)
			if _, err := f.CreateUser(ctx, "v", map[string]string{awsops.SetupTagKey: "forged"}, "", tt.setupID); err != nil {
				t.Fatal(err)
			}
			if info, _ := f.InspectUser(ctx, "v"); info.SetupID != tt.want {
				t.Errorf("SetupID = %q, want %q", info.SetupID, tt.want)
			}
		})
	}

	// Someone else's user carries no tag until one is set.
	f.AddUser("theirs")
	if info, _ := f.InspectUser(ctx, "theirs"); !info.Exists || info.SetupID != "" || info.Boundary != "" {
		t.Errorf("InspectUser(theirs) = %+v, want existing, untagged, unbounded", info)
	}
	f.TagUser("theirs", "s3")
	if info, _ := f.InspectUser(ctx, "theirs"); info.SetupID != "s3" {
		t.Errorf("after TagUser, SetupID = %q, want s3", info.SetupID)
	}
	if info, err := f.InspectUser(ctx, "nobody"); err != nil || info.Exists || info.Name != "nobody" {
		t.Errorf("InspectUser(missing) = %+v, %v; want absent", info, err)
	}
}

func TestSetUserBoundary(t *testing.T) {
	ctx := context.Background()
	f := New(t)
	f.AddUser("u")
	a, b := policyARN("A"), policyARN("B")
	for _, step := range []struct{ set, want string }{{a, a}, {b, b}, {"", ""}} {
		if err := f.SetUserBoundary(ctx, "u", step.set); err != nil {
			t.Fatal(err)
		}
		if info, _ := f.InspectUser(ctx, "u"); info.Boundary != step.want {
			t.Errorf("after SetUserBoundary(%q), Boundary = %q", step.set, info.Boundary)
		}
	}
	if err := f.SetUserBoundary(ctx, "nobody", a); !errors.Is(err, awsops.ErrNotFound) {
		t.Errorf("SetUserBoundary of a missing user = %v, want ErrNotFound", err)
	}
}

func TestUserPoliciesAndKeys(t *testing.T) {
	ctx := context.Background()
	f := New(t)
	if _, err := f.ListAccessKeys(ctx, "u"); !errors.Is(err, awsops.ErrNotFound) {
		t.Errorf("ListAccessKeys(unknown) = %v, want ErrNotFound", err)
	}
	if _, err := f.CreateAccessKey(ctx, "u"); !errors.Is(err, awsops.ErrNotFound) {
		t.Errorf("CreateAccessKey(unknown) = %v, want ErrNotFound", err)
	}
	if _, err := f.CreateUser(ctx, "u", nil, "", "s1"); err != nil {
		t.Fatal(err)
	}
	pb := f.AddPolicy("B", doc(2))
	pa := f.AddPolicy("A", doc(1))
	for _, arn := range []string{pb, pa, pa} {
		if err := f.AttachUserPolicy(ctx, "u", arn); err != nil {
			t.Fatal(err)
		}
	}

	var made []awsops.AccessKey
	for range 2 {
		k, err := f.CreateAccessKey(ctx, "u")
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, k)
	}
	if made[0].ID == made[1].ID || made[0].Secret.Reveal() == made[1].Secret.Reveal() {
		t.Error("two keys share an id or a secret")
	}
	info, err := f.InspectUser(ctx, "u")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(info.Policies, []string{pa, pb}) || !info.HasPolicy(pa) || info.HasPolicy(policyARN("C")) {
		t.Errorf("InspectUser policies = %v, want %s and %s once each", info.Policies, pa, pb)
	}
	if len(info.Keys) != 2 || info.Keys[0].ID != made[0].ID || info.Keys[1].ID != made[1].ID || info.Keys[0].Status != "Active" {
		t.Errorf("InspectUser keys = %+v, want the two new active keys", info.Keys)
	}

	// The key limit: a third key lists the two there are.
	_, err = f.CreateAccessKey(ctx, "u")
	var kl *awsops.KeyLimitError
	if !errors.Is(err, awsops.ErrKeyLimit) || !errors.As(err, &kl) {
		t.Fatalf("third key = %v, want a KeyLimitError", err)
	}
	if kl.User != "u" || len(kl.Keys) != 2 || kl.Keys[0].ID != made[0].ID || kl.Keys[1].ID != made[1].ID {
		t.Errorf("KeyLimitError = %+v, want user u with both keys", kl)
	}
	if ids, _ := f.UserKeys("u"); len(ids) != 2 {
		t.Errorf("a refused key was added: %v", ids)
	}
	if err := f.DeleteAccessKey(ctx, "u", kl.Keys[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := f.DeleteAccessKey(ctx, "u", kl.Keys[0].ID); err != nil {
		t.Errorf("DeleteAccessKey of a deleted key = %v, want success", err)
	}
	if ids, _ := f.UserKeys("u"); len(ids) != 1 || ids[0] != kl.Keys[1].ID {
		t.Errorf("keys after delete = %v", ids)
	}
	k3, err := f.CreateAccessKey(ctx, "u")
	if err != nil {
		t.Fatalf("CreateAccessKey after freeing a slot: %v", err)
	}
	if ids, _ := f.UserKeys("u"); !slices.Equal(ids, []string{made[1].ID, k3.ID}) {
		t.Errorf("keys after rotation = %v, want %s and %s", ids, made[1].ID, k3.ID)
	}

	// DeleteUser takes keys and attachments with it.
	if err := f.DeleteUser(ctx, "u"); err != nil {
		t.Fatal(err)
	}
	if info, _ := f.InspectUser(ctx, "u"); info.Exists {
		t.Errorf("user still there: %+v", info)
	}
	if f.Attached("u", pa) {
		t.Error("policy still attached to a deleted user")
	}
	if info, _ := f.InspectPolicy(ctx, "A", doc(1)); len(info.Users) != 0 {
		t.Errorf("policy A still lists users %v", info.Users)
	}
}

func TestCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f := New(t)
	if _, err := f.CreateBucket(ctx, "media", "us-east-1", "s1"); !errors.Is(err, context.Canceled) {
		t.Errorf("CreateBucket with a cancelled context = %v, want context.Canceled", err)
	}
	if _, _, ok := f.HasBucket("media"); ok {
		t.Error("a cancelled CreateBucket created the bucket")
	}
	if got := f.Methods(); !slices.Equal(got, []string{"CreateBucket"}) {
		t.Errorf("Methods() = %v, want the cancelled call recorded", got)
	}
}
