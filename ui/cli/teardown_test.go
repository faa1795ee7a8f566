package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/awsopstest"
	"github.com/s3link/s3link/awsops/record"
)

func stepTitles(steps []removal) []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = s.title
	}
	return out
}

// killedAt is when the killed setup announced its create calls; the Fake
// dates what it creates afterwards a few seconds later.
var killedAt = awsopstest.Epoch

func fakeAfterKill() *awsopstest.Fake {
	f := awsopstest.New()
	f.Now = func() time.Time { return killedAt.Add(3 * time.Second) }
	return f
}

func TestTeardownRemovesWhatAnInterruptedCreateLeft(t *testing.T) {
	ctx := context.Background()
	f := fakeAfterKill()
	_, _ = f.CreateBucket(ctx, "b", "us-east-1")
	pol, _ := f.CreatePolicy(ctx, "P", "{}") // the answer never reached the record
	rec := &record.Record{
		Account: "123456789012",
		Bucket:  record.Bucket{Name: "b", Region: "us-east-1", Created: true},
		Pending: []record.Intent{{Kind: awsops.ActCreatePolicy, Name: "P", At: killedAt}},
	}
	path := filepath.Join(t.TempDir(), "setups", "r.json")

	plan := planTeardown(ctx, rec, f, true)
	want := []string{
		"delete IAM policy P (created while setup was interrupted)",
		"delete bucket b (only if empty)",
	}
	if got := stepTitles(plan.steps); !slices.Equal(got, want) {
		t.Fatalf("steps = %q, want %q", got, want)
	}
	plan.settle(rec)
	var out bytes.Buffer
	failed, err := runRemovals(ctx, &out, f, rec, path, plan.steps)
	if err != nil || failed != 0 {
		t.Fatalf("runRemovals = %d, %v\n%s", failed, err, out.String())
	}
	f.Expect("DeletePolicy", pol.ARN)
	f.Expect("DeleteBucket", "b")
	f.Verify(t)
	if len(rec.Pending) != 0 || rec.Bucket.Name != "" {
		t.Errorf("record after teardown: %+v", rec)
	}
	saved, err := record.Load(path)
	if err != nil || len(saved.Pending) != 0 {
		t.Errorf("saved record = %+v, %v; want no pending intent", saved, err)
	}
}

// TestTeardownPendingIntents: what decides, per intent, between removing,
// dropping and keeping.
func TestTeardownPendingIntents(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name         string
		intent       record.Intent
		deleteBucket bool
		setup        func(f *awsopstest.Fake)
		wantSteps    []string
		wantPending  bool // the intent stays in the record
		wantUnknown  bool
	}{
		{
			name:      "user created after the intent is removed",
			intent:    record.Intent{Kind: awsops.ActCreateUser, Name: "u", At: killedAt},
			setup:     func(f *awsopstest.Fake) { _, _ = f.CreateUser(ctx, "u", nil) },
			wantSteps: []string{"delete IAM user u (created while setup was interrupted)"},
		},
		{
			name:   "user older than the intent is not ours",
			intent: record.Intent{Kind: awsops.ActCreateUser, Name: "u", At: killedAt},
			setup: func(f *awsopstest.Fake) {
				f.Now = func() time.Time { return killedAt }
				f.AddUser("u") // a day old
			},
		},
		{
			name:   "missing user: the intent is dropped",
			intent: record.Intent{Kind: awsops.ActCreateUser, Name: "u", At: killedAt},
			setup:  func(*awsopstest.Fake) {},
		},
		{
			name:         "bucket is kept without --delete-bucket, and so is its intent",
			intent:       record.Intent{Kind: awsops.ActCreateBucket, Name: "b", At: killedAt},
			setup:        func(f *awsopstest.Fake) { _, _ = f.CreateBucket(ctx, "b", "us-east-1") },
			deleteBucket: false,
			wantPending:  true,
		},
		{
			name:         "bucket is removed with --delete-bucket",
			intent:       record.Intent{Kind: awsops.ActCreateBucket, Name: "b", At: killedAt},
			setup:        func(f *awsopstest.Fake) { _, _ = f.CreateBucket(ctx, "b", "us-east-1") },
			deleteBucket: true,
			wantSteps:    []string{"delete bucket b (created while setup was interrupted; only if empty)"},
		},
		{
			name:        "a lookup that fails keeps the intent",
			intent:      record.Intent{Kind: awsops.ActCreatePolicy, Name: "P", At: killedAt},
			setup:       func(f *awsopstest.Fake) { f.Fail("FindPolicy", awsops.ErrAccessDenied) },
			wantPending: true,
			wantUnknown: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeAfterKill()
			tt.setup(f)
			rec := &record.Record{Account: "123456789012", Pending: []record.Intent{tt.intent}}
			plan := planTeardown(ctx, rec, f, tt.deleteBucket)
			if got := stepTitles(plan.steps); !slices.Equal(got, tt.wantSteps) {
				t.Errorf("steps = %q, want %q", got, tt.wantSteps)
			}
			if got := len(plan.unknown) > 0; got != tt.wantUnknown {
				t.Errorf("unknown = %q", plan.unknown)
			}
			plan.settle(rec)
			var out bytes.Buffer
			if failed, err := runRemovals(ctx, &out, f, rec, filepath.Join(t.TempDir(), "r.json"), plan.steps); err != nil || failed != 0 {
				t.Fatalf("runRemovals = %d, %v\n%s", failed, err, out.String())
			}
			if got := len(rec.Pending) > 0; got != tt.wantPending {
				t.Errorf("pending after teardown = %v, want it kept: %v", rec.Pending, tt.wantPending)
			}
			if len(tt.wantSteps) == 0 {
				for _, m := range []string{"DeleteUser", "DeletePolicy", "DeleteBucket", "DeleteAccessKey"} {
					if n := f.Count(m); n != 0 {
						t.Errorf("%s called %d times, want none", m, n)
					}
				}
			}
		})
	}
}

// TestTeardownKeysOfAReusedUser: setup reused the customer's user and was
// killed while creating a key. Teardown deletes that key, detaches the
// policy, and leaves the user and the customer's older key alone.
func TestTeardownKeysOfAReusedUser(t *testing.T) {
	ctx := context.Background()
	f := fakeAfterKill()
	f.AddUser("u", awsops.KeyInfo{ID: "AKIACUSTOMER", Status: "Active", Created: killedAt.Add(-48 * time.Hour)})
	lost, _ := f.CreateAccessKey(ctx, "u") // the killed run's; its secret is gone
	arn := f.AddPolicy("P", "{}")
	_ = f.AttachUserPolicy(ctx, "u", arn)
	rec := &record.Record{
		Account: "123456789012",
		Policy:  record.Policy{Name: "P", ARN: arn},
		User:    record.User{Name: "u", Attached: true},
		Pending: []record.Intent{{Kind: awsops.ActCreateAccessKey, Name: "u", At: killedAt}},
	}
	plan := planTeardown(ctx, rec, f, false)
	want := []string{
		"delete access key " + lost.ID + " of user u (created while setup was interrupted)",
		"detach policy P from user u",
	}
	if got := stepTitles(plan.steps); !slices.Equal(got, want) {
		t.Fatalf("steps = %q, want %q", got, want)
	}
	plan.settle(rec)
	var out bytes.Buffer
	if failed, err := runRemovals(ctx, &out, f, rec, filepath.Join(t.TempDir(), "r.json"), plan.steps); err != nil || failed != 0 {
		t.Fatalf("runRemovals = %d, %v\n%s", failed, err, out.String())
	}
	if ids, ok := f.UserKeys("u"); !ok || !slices.Equal(ids, []string{"AKIACUSTOMER"}) {
		t.Errorf("user keys after teardown = %v (user exists %v), want only the customer's", ids, ok)
	}
	if n := f.Count("DeleteUser"); n != 0 {
		t.Errorf("DeleteUser called %d times on a reused user", n)
	}
	if len(rec.Pending) != 0 {
		t.Errorf("pending after teardown: %v", rec.Pending)
	}
}
