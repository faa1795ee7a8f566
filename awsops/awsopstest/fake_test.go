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

// recorder catches Verify's failures so a test can assert that they happen.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
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
				_, _ = f.CreateBucket(context.Background(), "media", "eu-west-1")
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
				_, _ = f.CreateBucket(context.Background(), "media", "eu-west-1")
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
			f := New()
			tt.expect(f)
			tt.run(f)
			r := &recorder{TB: t}
			f.Verify(r)
			if len(r.errs) != tt.failures {
				t.Errorf("Verify reported %d failures, want %d: %v", len(r.errs), tt.failures, r.errs)
			}
		})
	}
}

func TestCannedErrors(t *testing.T) {
	ctx := context.Background()
	f := New()
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

func TestSetupSemantics(t *testing.T) {
	ctx := context.Background()
	f := New()
	f.TakeBucketName("taken")
	if _, err := f.CreateBucket(ctx, "taken", "us-east-1"); !errors.Is(err, awsops.ErrBucketTaken) {
		t.Errorf("CreateBucket(taken) = %v, want ErrBucketTaken", err)
	}
	b, err := f.CreateBucket(ctx, "media", "eu-west-1")
	if err != nil || b.Reused {
		t.Fatalf("CreateBucket = %+v, %v", b, err)
	}
	if b, _ := f.CreateBucket(ctx, "media", "eu-west-1"); !b.Reused {
		t.Error("second CreateBucket not reused")
	}
	if err := f.BlockPublicAccess(ctx, "media"); err != nil {
		t.Fatal(err)
	}
	if pab, _, _ := f.HasBucket("media"); !pab.AllBlocked() {
		t.Errorf("public access = %+v, want all blocked", pab)
	}

	p, err := f.CreatePolicy(ctx, "P", "doc1")
	if err != nil || p.Reused || p.NewVersion {
		t.Fatalf("CreatePolicy = %+v, %v", p, err)
	}
	if p, _ := f.CreatePolicy(ctx, "P", "doc1"); !p.Reused {
		t.Error("same document not reused")
	}
	for i := 2; i <= 6; i++ {
		p, _ = f.CreatePolicy(ctx, "P", fmt.Sprintf("doc%d", i))
	}
	if !p.NewVersion || p.DeletedVersionID != "v1" || p.VersionID != "v6" {
		t.Errorf("sixth version = %+v, want v6 replacing v1", p)
	}
	if doc, n, _ := f.PolicyDocument("P"); doc != "doc6" || n != 5 {
		t.Errorf("policy = %q with %d versions, want doc6 with 5", doc, n)
	}
	info, _ := f.LookupPolicy(ctx, "P", "doc6")
	if !info.Exists || !info.SameDocument || info.Versions != 5 {
		t.Errorf("LookupPolicy = %+v", info)
	}

	if _, err := f.ListAccessKeys(ctx, "u"); !errors.Is(err, awsops.ErrNotFound) {
		t.Errorf("ListAccessKeys(unknown) = %v, want ErrNotFound", err)
	}
	if _, err := f.CreateUser(ctx, "u", nil); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := f.CreateAccessKey(ctx, "u"); err != nil {
			t.Fatal(err)
		}
	}
	_, err = f.CreateAccessKey(ctx, "u")
	var kl *awsops.KeyLimitError
	if !errors.As(err, &kl) || len(kl.Keys) != 2 {
		t.Fatalf("third key = %v, want KeyLimitError with 2 keys", err)
	}
	if err := f.DeleteAccessKey(ctx, "u", kl.Keys[0].ID); err != nil {
		t.Fatal(err)
	}
	if ids, _ := f.UserKeys("u"); len(ids) != 1 || ids[0] != kl.Keys[1].ID {
		t.Errorf("keys after delete = %v", ids)
	}
}

func TestKeysDoNotPrintSecrets(t *testing.T) {
	f := New()
	_, _ = f.CreateUser(context.Background(), "u", nil)
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
	f := New()
	f.AddBucket("full", "us-east-1", awsops.PublicAccess{})
	f.PutObjects("full", 3)
	if err := f.DeleteBucket(ctx, "full"); !errors.Is(err, awsops.ErrBucketNotEmpty) {
		t.Errorf("DeleteBucket(full) = %v, want ErrBucketNotEmpty", err)
	}
	if _, _, ok := f.HasBucket("full"); !ok {
		t.Error("non-empty bucket deleted")
	}
}
