package awsops_test

import (
	"context"
	"errors"
	"testing"

	"github.com/s3link/s3link/awsops"
)

// cancellingProvisioner cancels the run's context while CreateUser is in
// flight, as SIGINT does, and then answers as AWS would: the user exists.
type cancellingProvisioner struct {
	awsops.Provisioner // any other call panics: none may happen
	cancel             context.CancelFunc
	calls              int
}

func (p *cancellingProvisioner) CreateUser(ctx context.Context, name string, _ map[string]string) (awsops.User, error) {
	p.calls++
	p.cancel()
	if err := ctx.Err(); err != nil {
		// The SDK would drop the answer here, and the user would escape
		// the record.
		return awsops.User{}, err
	}
	return awsops.User{Name: name, ARN: "arn:aws:iam::123456789012:user/" + name}, nil
}

// TestRunActionFinishesTheCallInFlight: an interrupt during a create call
// must not lose the created resource from the setup state (and so from the
// record teardown reads); the next action must not start.
func TestRunActionFinishesTheCallInFlight(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := &cancellingProvisioner{cancel: cancel}
	spec := awsops.SetupSpec{Bucket: "b", Region: "us-east-1", PolicyName: "P", UserName: "u", ExistingBucket: true}
	st := &awsops.SetupState{}
	var user, attach awsops.Action
	for _, a := range awsops.Plan(spec) {
		switch a.Kind {
		case awsops.ActCreateUser:
			user = a
		case awsops.ActAttachPolicy:
			attach = a
		}
	}
	if _, err := awsops.RunAction(ctx, p, spec, user, st); err != nil {
		t.Fatalf("the call in flight when the context was cancelled failed: %v", err)
	}
	if !st.Completed(awsops.ActCreateUser) || st.User.ARN == "" {
		t.Fatalf("the created user is not in the state: %+v", st)
	}
	if _, err := awsops.RunAction(ctx, p, spec, attach, st); !errors.Is(err, context.Canceled) {
		t.Fatalf("the next action after cancellation returned %v, want context.Canceled", err)
	}
	if p.calls != 1 {
		t.Fatalf("%d provisioner calls, want 1", p.calls)
	}
}
