package record

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/s3link/s3link/awsops"
)

// ClockSkew is how far AWS's clock and this computer's may disagree when an
// intent is matched to a resource's creation time. An intent is stamped
// with the local clock and the resource with AWS's, and IAM and S3 date
// resources to the second, so a resource s3link created can look slightly
// older than the intent that announced it. The allowance is the price of
// that: a resource of the same name that someone else created up to
// ClockSkew before the call also counts as s3link's. A local clock more
// than ClockSkew off errs the safe way: s3link's resource is left behind,
// never someone else's deleted.
const ClockSkew = 2 * time.Minute

// Intent is a create call setup announced in the record before making it.
// If s3link dies while the call is in flight, AWS may have created the
// resource without s3link hearing of it; the intent is then the only trace,
// and the resource's creation time decides whether it is s3link's.
type Intent struct {
	Kind awsops.ActionKind `json:"kind"`
	// Name is the bucket, policy or user the call creates; for an access
	// key, the user it belongs to.
	Name string `json:"name"`
	// At is when the call was about to go out (local clock, UTC).
	At time.Time `json:"at"`
}

// Claims reports whether a resource that AWS dates created can have been
// made by the call in announced. The call went out after in.At and gave up
// at most awsops.CallTimeout later, so only a creation time inside that
// window, widened by ClockSkew on both sides, counts; a stale intent can
// then never claim a resource made long after it. A zero time (AWS did not
// say) never counts.
func (in Intent) Claims(created time.Time) bool {
	if created.IsZero() || in.At.IsZero() {
		return false
	}
	return !created.Before(in.At.Add(-ClockSkew)) && !created.After(in.At.Add(awsops.CallTimeout+ClockSkew))
}

// createTarget returns what action a creates and whether it creates
// anything at all.
func createTarget(spec awsops.SetupSpec, a awsops.Action) (string, bool) {
	switch a.Kind {
	case awsops.ActCreateBucket:
		return spec.Bucket, true
	case awsops.ActCreatePolicy:
		return spec.PolicyName, true
	case awsops.ActCreateUser, awsops.ActCreateAccessKey:
		return spec.UserName, true
	}
	return "", false
}

// BeginAction notes in the record that action a is about to run, stamped
// at, and returns the intent. It reports whether a creates anything; if so
// the caller must Save the record before running a, so that a kill during
// the call still leaves its trace. ApplySetup clears the intent once the
// action has completed; a caller that learns the call never went out drops
// it with DropIntent.
//
// An earlier run's intent for the same resource is kept beside the new one:
// its window may hold the resource that run made.
func (r *Record) BeginAction(spec awsops.SetupSpec, a awsops.Action, at time.Time) (Intent, bool) {
	name, ok := createTarget(spec, a)
	if !ok {
		return Intent{}, false
	}
	in := Intent{Kind: a.Kind, Name: name, At: at.UTC()}
	r.Pending = append(r.Pending, in)
	return in, true
}

// DropIntent removes one pending intent.
func (r *Record) DropIntent(in Intent) {
	if i := slices.IndexFunc(r.Pending, func(p Intent) bool { return p.Kind == in.Kind && p.Name == in.Name && p.At.Equal(in.At) }); i >= 0 {
		r.Pending = slices.Delete(r.Pending, i, i+1)
	}
	if len(r.Pending) == 0 {
		r.Pending = nil
	}
}

// claimed reports whether any pending intent of kind for name claims a
// resource dated created.
func (r *Record) claimed(kind awsops.ActionKind, name string, created time.Time) bool {
	return slices.ContainsFunc(r.Pending, func(in Intent) bool {
		return in.Kind == kind && in.Name == name && in.Claims(created)
	})
}

// dropIntents removes every pending intent of kind for name.
func (r *Record) dropIntents(kind awsops.ActionKind, name string) {
	r.Pending = slices.DeleteFunc(r.Pending, func(in Intent) bool { return in.Kind == kind && in.Name == name })
	if len(r.Pending) == 0 {
		r.Pending = nil
	}
}

// dropNewestIntent removes the latest pending intent of kind for name.
func (r *Record) dropNewestIntent(kind awsops.ActionKind, name string) {
	newest := -1
	for i, in := range r.Pending {
		if in.Kind == kind && in.Name == name && (newest < 0 || !in.At.Before(r.Pending[newest].At)) {
			newest = i
		}
	}
	if newest >= 0 {
		r.DropIntent(r.Pending[newest])
	}
}

// Leftover is a resource that a create call cut short made, found through
// its pending intent: s3link's, though the record never heard of it.
type Leftover struct {
	Intent Intent
	// ARN is the policy's ARN, for a policy.
	ARN string
	// KeyIDs are the access keys the call made, for an access key.
	KeyIDs []string
}

// Title says in plain words what removing the leftover does.
func (l Leftover) Title() string {
	const why = " (created while setup was interrupted)"
	switch l.Intent.Kind {
	case awsops.ActCreateBucket:
		return fmt.Sprintf("delete bucket %s (created while setup was interrupted; only if empty)", l.Intent.Name)
	case awsops.ActCreatePolicy:
		return fmt.Sprintf("delete IAM policy %s%s", l.Intent.Name, why)
	case awsops.ActCreateUser:
		return fmt.Sprintf("delete IAM user %s%s", l.Intent.Name, why)
	case awsops.ActCreateAccessKey:
		return fmt.Sprintf("delete access key %s of user %s%s", strings.Join(l.KeyIDs, ", "), l.Intent.Name, why)
	}
	return fmt.Sprintf("remove what %s %s left", l.Intent.Kind, l.Intent.Name)
}

// Remove deletes the leftover; what is already gone counts as removed.
func (l Leftover) Remove(ctx context.Context, ops awsops.Remover) error {
	switch l.Intent.Kind {
	case awsops.ActCreateBucket:
		return ops.DeleteBucket(ctx, l.Intent.Name)
	case awsops.ActCreatePolicy:
		return ops.DeletePolicy(ctx, l.ARN)
	case awsops.ActCreateUser:
		return ops.DeleteUser(ctx, l.Intent.Name)
	case awsops.ActCreateAccessKey:
		for _, id := range l.KeyIDs {
			if err := ops.DeleteAccessKey(ctx, l.Intent.Name, id); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unknown pending action %q", l.Intent.Kind)
}

// Settle looks up what the call announced by in may have left in AWS. It
// returns the leftover and true when a resource exists that the call made
// (its creation time is inside the intent's window, see Intent.Claims) and
// that the record does not already list as created. It returns false when
// there is nothing of s3link's to remove, so the intent can be dropped: the
// resource does not exist, predates the call, or is already in the record.
// On error nothing is known and the intent must stay.
func (r *Record) Settle(ctx context.Context, ops awsops.Remover, in Intent) (Leftover, bool, error) {
	l := Leftover{Intent: in}
	switch in.Kind {
	case awsops.ActCreateBucket:
		if r.Bucket.Created && r.Bucket.Name == in.Name {
			return l, false, nil
		}
		b, ok, err := ops.FindBucket(ctx, in.Name)
		return l, err == nil && ok && in.Claims(b.Created), err
	case awsops.ActCreatePolicy:
		if r.Policy.Created && r.Policy.Name == in.Name {
			return l, false, nil
		}
		p, ok, err := ops.FindPolicy(ctx, in.Name)
		l.ARN = p.ARN
		return l, err == nil && ok && in.Claims(p.Created), err
	case awsops.ActCreateUser:
		if r.User.Created && r.User.Name == in.Name {
			return l, false, nil
		}
		u, ok, err := ops.FindUser(ctx, in.Name)
		return l, err == nil && ok && in.Claims(u.Created), err
	case awsops.ActCreateAccessKey:
		keys, err := ops.ListAccessKeys(ctx, in.Name)
		if errors.Is(err, awsops.ErrNotFound) {
			return l, false, nil
		}
		if err != nil {
			return l, false, err
		}
		for _, k := range keys {
			known := slices.ContainsFunc(r.AccessKeys, func(rk Key) bool { return rk.ID == k.ID })
			if !known && in.Claims(k.Created) {
				l.KeyIDs = append(l.KeyIDs, k.ID)
			}
		}
		return l, len(l.KeyIDs) > 0, nil
	}
	return l, false, fmt.Errorf("unknown pending action %q in the record", in.Kind)
}
