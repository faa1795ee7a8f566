package ui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/record"
)

// This file is the only place the UI reaches AWS, the clipboard or the
// disk. Each builder captures the values it needs (never the model) and
// returns a Cmd that yields exactly one message.

// prefixSettleDelay is how long the prefix input must stay unchanged before
// its objects are counted, so typing a path costs one listing, not one per
// key.
const prefixSettleDelay = 300 * time.Millisecond

// call bounds one AWS call; the deadline comes from awsops so every caller
// agrees on it.
func call(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, awsops.CallTimeout)
}

func loadProfilesCmd() tea.Cmd {
	return func() tea.Msg {
		names, err := awsops.ProfileNames()
		return profilesLoadedMsg{Names: names, EnvProfile: os.Getenv("AWS_PROFILE"), Err: err}
	}
}

func buildOpsCmd(newOps func(string) (Ops, error), id int, profile string) tea.Cmd {
	return func() tea.Msg {
		ops, err := newOps(profile)
		return opsBuiltMsg{ID: id, Profile: profile, Ops: ops, Err: err}
	}
}

func whoAmICmd(ctx context.Context, ops Ops, id int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := call(ctx)
		defer cancel()
		ident, err := ops.WhoAmI(ctx)
		return identityResolvedMsg{ID: id, Identity: ident, Err: err}
	}
}

func listBucketsCmd(ctx context.Context, ops Ops) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := call(ctx)
		defer cancel()
		bs, err := ops.ListBuckets(ctx)
		return bucketsListedMsg{Buckets: bs, Err: err}
	}
}

// inspectBucketCmd reads an existing bucket's Block Public Access state and,
// when the listing did not say, its region.
func inspectBucketCmd(ctx context.Context, ops Ops, bucket, region string) tea.Cmd {
	return func() tea.Msg {
		msg := bucketInspectedMsg{Bucket: bucket, Region: region}
		if region == "" {
			c, cancel := call(ctx)
			msg.Region, msg.Err = ops.BucketRegion(c, bucket)
			cancel()
			if msg.Err != nil {
				return msg
			}
		}
		c, cancel := call(ctx)
		defer cancel()
		msg.Access, msg.Err = ops.BucketPublicAccess(c, bucket)
		return msg
	}
}

func settlePrefixCmd(id int) tea.Cmd {
	return tea.Tick(prefixSettleDelay, func(time.Time) tea.Msg { return prefixSettledMsg{ID: id} })
}

func summarizePrefixCmd(ctx context.Context, ops Ops, id int, bucket, prefix string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := call(ctx)
		defer cancel()
		s, err := ops.SummarizePrefix(ctx, bucket, prefix)
		return prefixSummarizedMsg{ID: id, Bucket: bucket, Prefix: prefix, Summary: s, Err: err}
	}
}

func lookupPolicyCmd(ctx context.Context, ops Ops, id int, name, document string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := call(ctx)
		defer cancel()
		info, err := ops.LookupPolicy(ctx, name, document)
		return policyLookedUpMsg{ID: id, Name: name, Info: info, Err: err}
	}
}

// listAccessKeysCmd tells an existing user (with its keys) from a new one:
// ErrNotFound is the answer "new", not a failure.
func listAccessKeysCmd(ctx context.Context, ops Ops, id int, user string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := call(ctx)
		defer cancel()
		keys, err := ops.ListAccessKeys(ctx, user)
		if errors.Is(err, awsops.ErrNotFound) {
			return accessKeysListedMsg{ID: id, User: user}
		}
		return accessKeysListedMsg{ID: id, User: user, Exists: err == nil, Keys: keys, Err: err}
	}
}

// recordTarget is where and from what the local record is written. An
// empty Dir keeps no record (tests that do not look at it).
type recordTarget struct {
	Dir  string
	Base record.Record
	Now  func() time.Time
}

// save writes what st holds to the record, so that `s3link teardown` can
// remove it even if the wizard dies on the next action. An earlier run's
// record for the same account and user is updated rather than replaced:
// it knows what that run created, which this run may merely reuse.
func (t recordTarget) save(spec awsops.SetupSpec, st *awsops.SetupState, dropKey string) recordResult {
	if t.Dir == "" {
		return recordResult{}
	}
	path := record.PathFor(t.Dir, t.Base.Account, spec.UserName)
	rec := t.Base
	switch old, err := record.Load(path); {
	case err == nil:
		rec = *old
	case !errors.Is(err, fs.ErrNotExist):
		return recordResult{Path: path, Err: err}
	}
	rec.ApplySetup(spec, st)
	if dropKey != "" {
		rec.ForgetAccessKey(dropKey)
	}
	rec.UpdatedAt = t.Now()
	return recordResult{Path: path, Err: rec.Save(path)}
}

// remove deletes the record once nothing it lists exists any more, but
// only a record this run started: an earlier run's record also lists what
// that run made, which a rollback of this run leaves alone.
func (t recordTarget) remove(spec awsops.SetupSpec, left *awsops.SetupState) recordResult {
	if t.Dir == "" {
		return recordResult{}
	}
	path := record.PathFor(t.Dir, t.Base.Account, spec.UserName)
	old, err := record.Load(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return recordResult{Path: path}
	case err != nil:
		return recordResult{Path: path, Err: err}
	case !old.CreatedAt.Equal(t.Base.CreatedAt):
		return t.save(spec, left, "")
	}
	return recordResult{Path: path, Err: record.Remove(path)}
}

// runActionCmd runs one action of the plan on a copy of the plan's state
// and saves the record after a success.
func runActionCmd(ctx context.Context, ops Ops, runID, index int, spec awsops.SetupSpec, a awsops.Action, st awsops.SetupState, rec recordTarget) tea.Cmd {
	st = cloneState(st)
	return func() tea.Msg {
		c, cancel := call(ctx)
		defer cancel()
		note, err := awsops.RunAction(c, ops, spec, a, &st)
		msg := actionRanMsg{RunID: runID, Index: index, Note: note, State: st, Err: err}
		if err == nil {
			msg.Record = rec.save(spec, &st, "")
		}
		return msg
	}
}

// cloneState copies st so that the Cmd's goroutine and the model never
// share the Done slice.
func cloneState(st awsops.SetupState) awsops.SetupState {
	st.Done = slices.Clone(st.Done)
	return st
}

// rollbackCmd undoes what this run created, newest first. What existed
// before the run (a reused bucket, policy or user) stays. The record is
// removed when everything went, or rewritten with what is left.
func rollbackCmd(ctx context.Context, ops Ops, spec awsops.SetupSpec, st awsops.SetupState, rec recordTarget) tea.Cmd {
	st = cloneState(st)
	return func() tea.Msg {
		var steps []rollbackStep
		do := func(title string, f func(context.Context) error) bool {
			c, cancel := call(ctx)
			defer cancel()
			err := f(c)
			steps = append(steps, rollbackStep{Title: title, Err: err})
			return err == nil
		}
		left := st
		left.Done = nil
		if st.Key.ID != "" {
			id := st.Key.ID
			if do("Delete access key "+id, func(c context.Context) error { return ops.DeleteAccessKey(c, spec.UserName, id) }) {
				left.Key = awsops.AccessKey{}
			}
		}
		if st.Attached {
			if do(fmt.Sprintf("Detach policy %s from %s", spec.PolicyName, spec.UserName), func(c context.Context) error {
				return ops.DetachUserPolicy(c, spec.UserName, st.Policy.ARN)
			}) {
				left.Attached = false
			}
		}
		if st.Completed(awsops.ActCreateUser) && !st.User.Reused {
			if do("Delete user "+spec.UserName, func(c context.Context) error { return ops.DeleteUser(c, spec.UserName) }) {
				left.User = awsops.User{}
			}
		}
		if st.Completed(awsops.ActCreatePolicy) && !st.Policy.Reused && !st.Policy.NewVersion {
			if do("Delete policy "+spec.PolicyName, func(c context.Context) error { return ops.DeletePolicy(c, st.Policy.ARN) }) {
				left.Policy = awsops.Policy{}
			}
		}
		if st.Completed(awsops.ActCreateBucket) && !st.Bucket.Reused {
			if do("Delete bucket "+spec.Bucket, func(c context.Context) error { return ops.DeleteBucket(c, spec.Bucket) }) {
				left.Bucket = awsops.BucketResult{}
			}
		}
		msg := rolledBackMsg{Steps: steps}
		for _, k := range st.Done {
			if stillThere(k, left) {
				left.Done = append(left.Done, k)
			}
		}
		if left.Key.ID == "" && !left.Attached && left.User.Name == "" && left.Policy.ARN == "" && left.Bucket.Name == "" {
			msg.Record = rec.remove(spec, &left)
		} else {
			msg.Record = rec.save(spec, &left, st.Key.ID)
		}
		return msg
	}
}

// stillThere reports whether what action k made survived the rollback.
func stillThere(k awsops.ActionKind, left awsops.SetupState) bool {
	switch k {
	case awsops.ActCreateBucket, awsops.ActBlockPublic, awsops.ActEncryption:
		return left.Bucket.Name != ""
	case awsops.ActCreatePolicy:
		return left.Policy.ARN != ""
	case awsops.ActCreateUser:
		return left.User.Name != ""
	case awsops.ActAttachPolicy:
		return left.Attached
	case awsops.ActCreateAccessKey:
		return left.Key.ID != ""
	}
	return false
}

// copyCmd sends value to the terminal's clipboard with OSC 52 and to the
// native clipboard, reporting whether the native one worked. The message
// names what was copied, never the value.
func copyCmd(clip func(string) error, what, value string) tea.Cmd {
	native := func() tea.Msg {
		if clip == nil {
			return clipboardCopiedMsg{What: what, NativeErr: errors.New("no native clipboard")}
		}
		return clipboardCopiedMsg{What: what, NativeErr: clip(value)}
	}
	return tea.Batch(tea.SetClipboard(value), native)
}

func saveCSVCmd(path string, key awsops.AccessKey) tea.Cmd {
	return func() tea.Msg {
		return csvSavedMsg{Path: path, Err: record.WriteCredentialsCSV(path, key)}
	}
}

// deleteKeyCmd deletes the new key the user chose not to keep, and drops
// it from the record.
func deleteKeyCmd(ctx context.Context, ops Ops, spec awsops.SetupSpec, st awsops.SetupState, rec recordTarget) tea.Cmd {
	st = cloneState(st)
	return func() tea.Msg {
		c, cancel := call(ctx)
		defer cancel()
		id := st.Key.ID
		if err := ops.DeleteAccessKey(c, spec.UserName, id); err != nil {
			return keyDeletedMsg{KeyID: id, Err: err}
		}
		st.Key = awsops.AccessKey{}
		st.Done = slices.DeleteFunc(st.Done, func(k awsops.ActionKind) bool { return k == awsops.ActCreateAccessKey })
		return keyDeletedMsg{KeyID: id, Record: rec.save(spec, &st, id)}
	}
}
