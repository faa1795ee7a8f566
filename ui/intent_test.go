package ui

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/awsopstest"
	"github.com/s3link/s3link/awsops/record"
)

// peekingOps reads the record while CreateUser is in flight, as a kill at
// that moment would leave it.
type peekingOps struct {
	*awsopstest.Fake
	path string
	seen *record.Record
	err  error
}

func (p *peekingOps) CreateUser(ctx context.Context, name string, tags map[string]string) (awsops.User, error) {
	p.seen, p.err = record.Load(p.path)
	return p.Fake.CreateUser(ctx, name, tags)
}

// TestRunActionCmdWritesTheIntentFirst: the wizard saves the intent before
// the create call goes out and clears it once the answer is recorded.
func TestRunActionCmdWritesTheIntentFirst(t *testing.T) {
	fake := awsopstest.New()
	spec := awsops.SetupSpec{Bucket: "b", Region: "us-east-1", PolicyName: "P", UserName: "u", ExistingBucket: true}
	rec := recordTarget{Dir: t.TempDir(), Base: record.Record{Account: "123456789012", CreatedAt: awsopstest.Epoch}, Now: fake.Now}
	ops := &peekingOps{Fake: fake, path: record.PathFor(rec.Dir, "123456789012", "u")}
	var act awsops.Action
	for _, a := range awsops.Plan(spec) {
		if a.Kind == awsops.ActCreateUser {
			act = a
		}
	}
	before := time.Now()
	msg := runActionCmd(context.Background(), ops, 1, 0, spec, act, awsops.SetupState{}, rec)().(actionRanMsg)
	if msg.Err != nil || msg.Record.Err != nil {
		t.Fatalf("action: %v, record: %v", msg.Err, msg.Record.Err)
	}
	if ops.err != nil || ops.seen == nil || len(ops.seen.Pending) != 1 {
		t.Fatalf("record during CreateUser = %+v, %v; want one pending intent", ops.seen, ops.err)
	}
	if in := ops.seen.Pending[0]; in.Kind != awsops.ActCreateUser || in.Name != "u" || in.At.Before(before.Add(-time.Second)) {
		t.Errorf("intent = %+v", in)
	}
	after, err := record.Load(ops.path)
	if err != nil || len(after.Pending) != 0 || !after.User.Created {
		t.Errorf("record after the action = %+v, %v; want the user created and no intent", after, err)
	}
}

// TestRunActionCmdDropsTheIntentWhenCancelled: a cancelled run stops
// before the call, so the intent it wrote stands for nothing.
func TestRunActionCmdDropsTheIntentWhenCancelled(t *testing.T) {
	fake := awsopstest.New()
	spec := awsops.SetupSpec{Bucket: "b", Region: "us-east-1", PolicyName: "P", UserName: "u", ExistingBucket: true}
	rec := recordTarget{Dir: t.TempDir(), Base: record.Record{Account: "123456789012", CreatedAt: awsopstest.Epoch}, Now: fake.Now}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	act := awsops.Plan(spec)[0]
	msg := runActionCmd(ctx, fake, 1, 0, spec, act, awsops.SetupState{}, rec)().(actionRanMsg)
	if !errors.Is(msg.Err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", msg.Err)
	}
	got, err := record.Load(record.PathFor(rec.Dir, "123456789012", "u"))
	if err != nil || len(got.Pending) != 0 {
		t.Errorf("record = %+v, %v; want no pending intent", got, err)
	}
	if n := fake.Count("CreatePolicy"); n != 0 {
		t.Errorf("CreatePolicy called %d times after cancellation", n)
	}
}

// lostAnswerOps creates the user but reports a failure, as a call whose
// answer timed out on the way back does.
type lostAnswerOps struct{ *awsopstest.Fake }

func (o lostAnswerOps) CreateUser(ctx context.Context, name string, tags map[string]string) (awsops.User, error) {
	_, _ = o.Fake.CreateUser(ctx, name, tags)
	return awsops.User{}, context.DeadlineExceeded
}

// TestRollbackRemovesWhatAFailedCreateMade: the rollback follows this
// run's pending intent and deletes the user the failed call made after
// all, then removes the record.
func TestRollbackRemovesWhatAFailedCreateMade(t *testing.T) {
	fake := awsopstest.New()
	fake.Now = time.Now // the intent carries the wall clock
	ops := lostAnswerOps{fake}
	spec := awsops.SetupSpec{Bucket: "b", Region: "us-east-1", PolicyName: "P", UserName: "u", ExistingBucket: true}
	rec := recordTarget{Dir: t.TempDir(), Base: record.Record{Account: "123456789012", CreatedAt: time.Now().Add(-time.Minute)}, Now: time.Now}
	st := awsops.SetupState{}
	for _, a := range awsops.Plan(spec)[:2] { // create policy, create user
		msg := runActionCmd(context.Background(), ops, 1, 0, spec, a, st, rec)().(actionRanMsg)
		st = msg.State
		if a.Kind == awsops.ActCreateUser && msg.Err == nil {
			t.Fatal("the lost answer did not fail the action")
		}
	}
	path := record.PathFor(rec.Dir, "123456789012", "u")
	if r, err := record.Load(path); err != nil || len(r.Pending) != 1 {
		t.Fatalf("record after the failure = %+v, %v; want the user's intent pending", r, err)
	}
	msg := rollbackCmd(context.Background(), ops, spec, st, rec)().(rolledBackMsg)
	for _, s := range msg.Steps {
		if s.Err != nil {
			t.Errorf("%s: %v", s.Title, s.Err)
		}
	}
	if _, ok := fake.UserKeys("u"); ok {
		t.Error("the user the failed call made survived the rollback")
	}
	if _, _, ok := fake.PolicyDocument("P"); ok {
		t.Error("the policy survived the rollback")
	}
	if msg.Record.Err != nil {
		t.Fatal(msg.Record.Err)
	}
	if _, err := record.Load(path); err == nil {
		t.Error("the record outlived a full rollback")
	}
}
