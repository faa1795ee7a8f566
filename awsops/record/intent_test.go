package record

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/awsopstest"
)

func TestIntentClaims(t *testing.T) {
	at := awsopstest.Epoch
	in := Intent{Kind: awsops.ActCreateUser, Name: "u", At: at}
	tests := []struct {
		name    string
		created time.Time
		want    bool
	}{
		{"created right after the intent: ours", at.Add(time.Second), true},
		{"created at the intent: ours", at, true},
		{"dated a second early (AWS rounds to seconds): ours", at.Add(-time.Second), true},
		{"dated within the clock skew: ours", at.Add(-ClockSkew), true},
		{"created before the clock skew: not ours", at.Add(-ClockSkew - time.Second), false},
		{"created a day before: not ours", at.Add(-24 * time.Hour), false},
		{"created as the call gave up: ours", at.Add(awsops.CallTimeout + ClockSkew), true},
		{"created after the call gave up: not ours", at.Add(awsops.CallTimeout + ClockSkew + time.Second), false},
		{"created a week later: not ours", at.Add(7 * 24 * time.Hour), false},
		{"no creation time: not ours", time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := in.Claims(tt.created); got != tt.want {
				t.Errorf("Claims(%v) = %v, want %v", tt.created, got, tt.want)
			}
		})
	}
	if (Intent{Kind: awsops.ActCreateUser, Name: "u"}).Claims(at) {
		t.Error("an intent without a time claimed a resource")
	}
}

func TestBeginActionAnnouncesCreatesOnly(t *testing.T) {
	spec := awsops.SetupSpec{Bucket: "b", Region: "us-east-1", PolicyName: "P", UserName: "u", DeleteKeyID: "AKIAOLD"}
	r := &Record{}
	at := awsopstest.Epoch
	var got []Intent
	for _, a := range awsops.Plan(spec) {
		in, ok := r.BeginAction(spec, a, at)
		if ok {
			got = append(got, in)
		}
	}
	want := []Intent{
		{awsops.ActCreateBucket, "b", at},
		{awsops.ActCreatePolicy, "P", at},
		{awsops.ActCreateUser, "u", at},
		{awsops.ActCreateAccessKey, "u", at},
	}
	if !slices.Equal(got, want) || !slices.Equal(r.Pending, want) {
		t.Fatalf("intents = %v, pending = %v; want %v", got, r.Pending, want)
	}
	r.DropIntent(want[1])
	if len(r.Pending) != 3 || slices.Contains(r.Pending, want[1]) {
		t.Errorf("after DropIntent: %v", r.Pending)
	}
}

// TestApplySetupSettlesIntents: a re-run that finds a resource an earlier,
// killed run was creating counts it as created only when the resource's
// creation time falls in that run's intent window.
func TestApplySetupSettlesIntents(t *testing.T) {
	at := awsopstest.Epoch
	spec := awsops.SetupSpec{Bucket: "b", Region: "us-east-1", PolicyName: "P", UserName: "u"}
	tests := []struct {
		name    string
		kind    awsops.ActionKind
		created time.Time
		want    bool
	}{
		{"bucket created after the intent", awsops.ActCreateBucket, at.Add(2 * time.Second), true},
		{"bucket older than the intent", awsops.ActCreateBucket, at.Add(-time.Hour), false},
		{"policy created after the intent", awsops.ActCreatePolicy, at.Add(2 * time.Second), true},
		{"policy older than the intent", awsops.ActCreatePolicy, at.Add(-time.Hour), false},
		{"user created after the intent", awsops.ActCreateUser, at.Add(2 * time.Second), true},
		{"user older than the intent", awsops.ActCreateUser, at.Add(-time.Hour), false},
		{"user without a creation time", awsops.ActCreateUser, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Record{}
			var act awsops.Action
			for _, a := range awsops.Plan(spec) {
				if a.Kind == tt.kind {
					act = a
				}
			}
			r.BeginAction(spec, act, at) // the killed run
			r.BeginAction(spec, act, at.Add(time.Hour))
			st := &awsops.SetupState{Done: []awsops.ActionKind{tt.kind}}
			st.Bucket = awsops.BucketResult{Bucket: awsops.Bucket{Name: "b", Created: tt.created}, Reused: true}
			st.Policy = awsops.Policy{Name: "P", ARN: "arn:aws:iam::123456789012:policy/P", Reused: true, Created: tt.created}
			st.User = awsops.User{Name: "u", ARN: "arn:aws:iam::123456789012:user/u", Reused: true, Created: tt.created}
			r.ApplySetup(spec, st)
			var got bool
			switch tt.kind {
			case awsops.ActCreateBucket:
				got = r.Bucket.Created
			case awsops.ActCreatePolicy:
				got = r.Policy.Created
			case awsops.ActCreateUser:
				got = r.User.Created
			}
			if got != tt.want {
				t.Errorf("created = %v, want %v (record %+v)", got, tt.want, r)
			}
			if len(r.Pending) != 0 {
				t.Errorf("intents left after the action completed: %v", r.Pending)
			}
		})
	}
}

// TestApplySetupKeepsAnEarlierKeyIntent: this run's key intent is settled
// by the key it recorded; a killed run's stays, since its key (with a lost
// secret) is in no record and only teardown can find it.
func TestApplySetupKeepsAnEarlierKeyIntent(t *testing.T) {
	spec := awsops.SetupSpec{Bucket: "b", Region: "us-east-1", PolicyName: "P", UserName: "u", ExistingBucket: true}
	act := awsops.Plan(spec)[len(awsops.Plan(spec))-1]
	if act.Kind != awsops.ActCreateAccessKey {
		t.Fatalf("last action is %v", act.Kind)
	}
	r := &Record{}
	killed, _ := r.BeginAction(spec, act, awsopstest.Epoch)
	r.BeginAction(spec, act, awsopstest.Epoch.Add(time.Hour))
	st := &awsops.SetupState{Done: []awsops.ActionKind{awsops.ActCreateAccessKey}, Key: awsops.AccessKey{User: "u", ID: "AKIANEW", Created: awsopstest.Epoch.Add(time.Hour)}}
	r.ApplySetup(spec, st)
	r.ApplySetup(spec, st) // saved again after a later step: nothing more settles
	if !slices.Equal(r.Pending, []Intent{killed}) {
		t.Errorf("pending = %v, want only the killed run's %v", r.Pending, killed)
	}
}

func TestPendingSurvivesSaveAndLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "setups", "r.json")
	r := &Record{Account: "123456789012", Pending: []Intent{{awsops.ActCreateUser, "u", awsopstest.Epoch}}}
	if err := r.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != CurrentVersion || !slices.Equal(got.Pending, r.Pending) {
		t.Errorf("loaded version %d, pending %v; want %d, %v", got.Version, got.Pending, CurrentVersion, r.Pending)
	}
}

// TestSettle: a pending intent whose resource exists and was created in
// its window is a leftover to remove; one whose resource predates it is
// not ours; one whose resource is missing is simply dropped.
func TestSettle(t *testing.T) {
	at := awsopstest.Epoch
	ctx := context.Background()
	type setup func(f *awsopstest.Fake)
	later := func(f *awsopstest.Fake) { f.Now = func() time.Time { return at.Add(3 * time.Second) } }
	tests := []struct {
		name     string
		intent   Intent
		rec      Record
		setup    setup
		wantOK   bool
		wantARN  string
		wantKeys []string
	}{
		{"bucket created after the intent", Intent{awsops.ActCreateBucket, "b", at}, Record{},
			func(f *awsopstest.Fake) { later(f); _, _ = f.CreateBucket(ctx, "b", "us-east-1") }, true, "", nil},
		{"bucket older than the intent", Intent{awsops.ActCreateBucket, "b", at}, Record{},
			func(f *awsopstest.Fake) { f.AddBucket("b", "us-east-1", awsops.PublicAccess{}) }, false, "", nil},
		{"bucket missing", Intent{awsops.ActCreateBucket, "b", at}, Record{}, func(*awsopstest.Fake) {}, false, "", nil},
		{"bucket already recorded as created", Intent{awsops.ActCreateBucket, "b", at}, Record{Bucket: Bucket{Name: "b", Created: true}},
			func(f *awsopstest.Fake) { later(f); _, _ = f.CreateBucket(ctx, "b", "us-east-1") }, false, "", nil},
		{"policy created after the intent", Intent{awsops.ActCreatePolicy, "P", at}, Record{},
			func(f *awsopstest.Fake) { later(f); _, _ = f.CreatePolicy(ctx, "P", "{}") }, true, "arn:aws:iam::123456789012:policy/P", nil},
		{"policy older than the intent", Intent{awsops.ActCreatePolicy, "P", at}, Record{},
			func(f *awsopstest.Fake) { f.AddPolicy("P", "{}") }, false, "", nil},
		{"policy missing", Intent{awsops.ActCreatePolicy, "P", at}, Record{}, func(*awsopstest.Fake) {}, false, "", nil},
		{"user created after the intent", Intent{awsops.ActCreateUser, "u", at}, Record{},
			func(f *awsopstest.Fake) { later(f); _, _ = f.CreateUser(ctx, "u", nil) }, true, "", nil},
		{"user older than the intent", Intent{awsops.ActCreateUser, "u", at}, Record{},
			func(f *awsopstest.Fake) { f.AddUser("u") }, false, "", nil},
		{"user missing", Intent{awsops.ActCreateUser, "u", at}, Record{}, func(*awsopstest.Fake) {}, false, "", nil},
		{"user created long after the intent", Intent{awsops.ActCreateUser, "u", at}, Record{},
			func(f *awsopstest.Fake) {
				f.Now = func() time.Time { return at.Add(time.Hour) }
				_, _ = f.CreateUser(ctx, "u", nil)
			}, false, "", nil},
		{"key created after the intent, not in the record", Intent{awsops.ActCreateAccessKey, "u", at}, Record{AccessKeys: []Key{{ID: "AKIARECORDED"}}},
			func(f *awsopstest.Fake) {
				f.AddUser("u", awsops.KeyInfo{ID: "AKIARECORDED", Created: at.Add(time.Second)})
				later(f)
				_, _ = f.CreateAccessKey(ctx, "u")
			}, true, "", []string{"AKIAFAKE000000000001"}},
		{"only keys older than the intent", Intent{awsops.ActCreateAccessKey, "u", at}, Record{},
			func(f *awsopstest.Fake) { f.AddUser("u", awsops.KeyInfo{ID: "AKIAOLD", Created: at.Add(-time.Hour)}) }, false, "", nil},
		{"keys of a missing user", Intent{awsops.ActCreateAccessKey, "u", at}, Record{}, func(*awsopstest.Fake) {}, false, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := awsopstest.New()
			tt.setup(f)
			r := tt.rec
			l, ok, err := r.Settle(ctx, f, tt.intent)
			if err != nil {
				t.Fatal(err)
			}
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v (leftover %+v)", ok, tt.wantOK, l)
			}
			if !ok {
				return
			}
			if l.Intent != tt.intent || l.ARN != tt.wantARN || !slices.Equal(l.KeyIDs, tt.wantKeys) {
				t.Errorf("leftover = %+v, want ARN %q, keys %v", l, tt.wantARN, tt.wantKeys)
			}
		})
	}
}

func TestSettleLookupFailureKeepsTheIntent(t *testing.T) {
	f := awsopstest.New()
	f.Fail("FindUser", awsops.ErrAccessDenied)
	r := &Record{}
	_, ok, err := r.Settle(context.Background(), f, Intent{awsops.ActCreateUser, "u", awsopstest.Epoch})
	if !errors.Is(err, awsops.ErrAccessDenied) || ok {
		t.Errorf("Settle = %v, %v; want the lookup error", ok, err)
	}
}

func TestLeftoverRemove(t *testing.T) {
	ctx := context.Background()
	f := awsopstest.New()
	_, _ = f.CreateBucket(ctx, "b", "us-east-1")
	arn := f.AddPolicy("P", "{}")
	_, _ = f.CreateUser(ctx, "u", nil)
	k, _ := f.CreateAccessKey(ctx, "u")
	for _, l := range []Leftover{
		{Intent: Intent{Kind: awsops.ActCreateAccessKey, Name: "u"}, KeyIDs: []string{k.ID}},
		{Intent: Intent{Kind: awsops.ActCreateUser, Name: "u"}},
		{Intent: Intent{Kind: awsops.ActCreatePolicy, Name: "P"}, ARN: arn},
		{Intent: Intent{Kind: awsops.ActCreateBucket, Name: "b"}},
	} {
		if err := l.Remove(ctx, f); err != nil {
			t.Fatalf("%s: %v", l.Title(), err)
		}
	}
	f.Expect("DeleteAccessKey", "u", k.ID)
	f.Expect("DeleteUser", "u")
	f.Expect("DeletePolicy", arn)
	f.Expect("DeleteBucket", "b")
	f.Verify(t)
	if _, _, ok := f.HasBucket("b"); ok {
		t.Error("bucket still there")
	}
}
