package awsops

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// conflictIAM answers DeletePolicy as AWS does for a policy still attached
// somewhere (moto 5.2.1 deletes it regardless). Embedding the interface
// makes any other call, a Detach* above all, panic.
type conflictIAM struct {
	iamAPI
	deleteErr error
	calls     []string
}

func (f *conflictIAM) ListPolicyVersions(context.Context, *iam.ListPolicyVersionsInput, ...func(*iam.Options)) (*iam.ListPolicyVersionsOutput, error) {
	f.calls = append(f.calls, "ListPolicyVersions")
	return &iam.ListPolicyVersionsOutput{Versions: []iamtypes.PolicyVersion{
		{VersionId: aws.String("v1")},
		{VersionId: aws.String("v2"), IsDefaultVersion: true},
	}}, nil
}

func (f *conflictIAM) DeletePolicyVersion(_ context.Context, in *iam.DeletePolicyVersionInput, _ ...func(*iam.Options)) (*iam.DeletePolicyVersionOutput, error) {
	f.calls = append(f.calls, "DeletePolicyVersion "+aws.ToString(in.VersionId))
	return &iam.DeletePolicyVersionOutput{}, nil
}

// ListEntitiesForPolicy reports one group when DeletePolicy will conflict,
// for an implementation that checks before deleting anything.
func (f *conflictIAM) ListEntitiesForPolicy(context.Context, *iam.ListEntitiesForPolicyInput, ...func(*iam.Options)) (*iam.ListEntitiesForPolicyOutput, error) {
	f.calls = append(f.calls, "ListEntitiesForPolicy")
	out := &iam.ListEntitiesForPolicyOutput{}
	var conflict *iamtypes.DeleteConflictException
	if errors.As(f.deleteErr, &conflict) {
		out.PolicyGroups = []iamtypes.PolicyGroup{{GroupName: aws.String("media-readers")}}
	}
	return out, nil
}

func (f *conflictIAM) DeletePolicy(context.Context, *iam.DeletePolicyInput, ...func(*iam.Options)) (*iam.DeletePolicyOutput, error) {
	f.calls = append(f.calls, "DeletePolicy")
	if f.deleteErr != nil {
		return nil, f.deleteErr
	}
	return &iam.DeletePolicyOutput{}, nil
}

func TestDeletePolicyDetachesNothing(t *testing.T) {
	const arn = "arn:aws:iam::123456789012:policy/p"
	tests := []struct {
		name      string
		deleteErr error
		is        error // nil: success
	}{
		{"unattached", nil, nil},
		{"attached somewhere", &iamtypes.DeleteConflictException{Message: aws.String("Cannot delete a policy attached to entities.")}, ErrInUse},
		{"already gone", &iamtypes.NoSuchEntityException{Message: aws.String("Policy p was not found.")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &conflictIAM{deleteErr: tt.deleteErr}
			err := newClient(nil, f, nil, "us-east-1").DeletePolicy(context.Background(), arn)
			switch {
			case tt.is == nil && err != nil:
				t.Fatalf("DeletePolicy: %v", err)
			case tt.is != nil && !errors.Is(err, tt.is):
				t.Fatalf("DeletePolicy: err = %v, want %v", err, tt.is)
			}
			if tt.is != nil && slices.ContainsFunc(f.calls, func(c string) bool { return strings.HasPrefix(c, "DeletePolicy") }) {
				t.Errorf("calls = %v: a policy still in use lost versions or was deleted", f.calls)
			}
			// The default version goes with the policy; the others must go
			// first, and only when the policy itself may go.
			if slices.Contains(f.calls, "DeletePolicyVersion v2") {
				t.Errorf("calls = %v: the default version was deleted on its own", f.calls)
			}
			if tt.is == nil {
				if i, j := slices.Index(f.calls, "DeletePolicyVersion v1"), slices.Index(f.calls, "DeletePolicy"); i < 0 || j < i {
					t.Errorf("calls = %v, want v1 deleted before the policy", f.calls)
				}
			}
		})
	}
}
