package ui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/record"
	"github.com/s3link/s3link/awsops/syncer"
	"github.com/s3link/s3link/awsops/uploader"
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
	return t.update(spec, func(rec *record.Record) {
		rec.ApplySetup(spec, st)
		if dropKey != "" {
			rec.ForgetAccessKey(dropKey)
		}
	})
}

// update loads the record (or starts one from Base), lets change edit it
// and saves it.
func (t recordTarget) update(spec awsops.SetupSpec, change func(*record.Record)) recordResult {
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
	change(&rec)
	rec.UpdatedAt = t.Now()
	return recordResult{Path: path, Err: rec.Save(path)}
}

// begin writes the intent of action a to the record before its call goes
// out, so that a kill during the call leaves a trace teardown can follow.
// Actions that create nothing leave the record alone.
func (t recordTarget) begin(spec awsops.SetupSpec, a awsops.Action) (record.Intent, recordResult) {
	if t.Dir == "" {
		return record.Intent{}, recordResult{}
	}
	// The wall clock, not t.Now: the intent is matched against the
	// creation times AWS reports. A scratch record tells whether a creates
	// anything, so actions that do not cost no save.
	now := time.Now()
	var scratch record.Record
	if _, begun := scratch.BeginAction(spec, a, now); !begun {
		return record.Intent{}, recordResult{}
	}
	var in record.Intent
	res := t.update(spec, func(rec *record.Record) { in, _ = rec.BeginAction(spec, a, now) })
	return in, res
}

// settleRun follows the intents this run left pending (a call that failed
// may still have created its resource): do removes what the evidence says
// the call made, and every intent settled is dropped from the record.
func (t recordTarget) settleRun(ctx context.Context, ops awsops.Remover, spec awsops.SetupSpec, do func(string, func(context.Context) error) bool) recordResult {
	if t.Dir == "" {
		return recordResult{}
	}
	old, err := record.Load(record.PathFor(t.Dir, t.Base.Account, spec.UserName))
	if err != nil {
		return recordResult{} // nothing pending to follow; save reports real errors
	}
	var settled []record.Intent
	for _, in := range old.Pending {
		if in.At.Before(t.Base.CreatedAt) {
			continue // an earlier run's: teardown's business
		}
		c, cancel := call(ctx)
		l, ok, err := old.Settle(c, ops, in)
		cancel()
		switch {
		case err != nil:
			do(fmt.Sprintf("Check whether the failed %s left %s behind", in.Kind, in.Name), func(context.Context) error { return err })
		case !ok:
			settled = append(settled, in)
		default:
			title := l.Title()
			if do(strings.ToUpper(title[:1])+title[1:], func(c context.Context) error { return l.Remove(c, ops) }) {
				settled = append(settled, in)
			}
		}
	}
	if len(settled) == 0 {
		return recordResult{}
	}
	return t.update(spec, func(rec *record.Record) {
		for _, in := range settled {
			rec.DropIntent(in)
		}
	})
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
	case !old.CreatedAt.Equal(t.Base.CreatedAt), len(old.Pending) > 0:
		// An intent still pending may stand for a resource that exists;
		// the record is teardown's only way to find it.
		return t.save(spec, left, "")
	}
	return recordResult{Path: path, Err: record.Remove(path)}
}

// runActionCmd runs one action of the plan on a copy of the plan's state
// and saves the record after a success.
func runActionCmd(ctx context.Context, ops Ops, runID, index int, spec awsops.SetupSpec, a awsops.Action, st awsops.SetupState, rec recordTarget) tea.Cmd {
	st = cloneState(st)
	return func() tea.Msg {
		var intent record.Intent
		if !st.Completed(a.Kind) { // else RunAction makes no call
			var r recordResult
			if intent, r = rec.begin(spec, a); r.Err != nil {
				return actionRanMsg{RunID: runID, Index: index, State: st, Record: r,
					Err: fmt.Errorf("save the local record %s: %w", r.Path, r.Err)}
			}
		}
		c, cancel := call(ctx)
		defer cancel()
		note, err := awsops.RunAction(c, ops, spec, a, &st)
		msg := actionRanMsg{RunID: runID, Index: index, Note: note, State: st, Err: err}
		switch {
		case err == nil:
			msg.Record = rec.save(spec, &st, "")
		case errors.Is(err, context.Canceled) && !intent.At.IsZero():
			// RunAction stops only before a call goes out.
			msg.Record = rec.update(spec, func(r *record.Record) { r.DropIntent(intent) })
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
		settled := rec.settleRun(ctx, ops, spec, do)
		msg := rolledBackMsg{Steps: steps}
		if settled.Err != nil {
			msg.Record = settled
			return msg
		}
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

// runTransferCmd runs a Transfer (or retries its failures) to the end and
// reports once, with the last sample so the summary's bar is exact.
func runTransferCmd(ctx context.Context, eng Transfer, screen int64, run int, retry bool) tea.Cmd {
	return func() tea.Msg {
		var (
			t   Tally
			err error
		)
		if retry {
			t, err = eng.RetryFailed(ctx)
		} else {
			t, err = eng.Run(ctx)
		}
		return transferDoneMsg{Screen: screen, Run: run, Tally: t, Err: err, Final: eng.Snapshot()}
	}
}

// transferTickCmd samples eng after one transferTick. The screen re-arms
// it on each sample while the run lasts, so there is never more than one
// in flight per run.
func transferTickCmd(eng Transfer, screen int64, run int) tea.Cmd {
	return tea.Tick(transferTick, func(time.Time) tea.Msg {
		return transferTickMsg{Screen: screen, Run: run, Progress: eng.Snapshot()}
	})
}

// uploadSettleDelay is the prefix input's debounce, for the folder input:
// a walk of a large folder is not free.
const uploadSettleDelay = prefixSettleDelay

func settleUploadCmd(id int) tea.Cmd {
	return tea.Tick(uploadSettleDelay, func(time.Time) tea.Msg { return uploadSettledMsg{ID: id} })
}

// expandHome turns a leading ~ into the home folder, as a shell would.
func expandHome(p string) string {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return p
	}
	return filepath.Join(home, p[1:])
}

// previewUploadCmd counts what an upload of dir would consider, reading
// no file content.
func previewUploadCmd(ctx context.Context, id int, dir string, all bool, prefix string) tea.Cmd {
	return func() tea.Msg {
		msg := uploadPreviewedMsg{ID: id, Dir: dir, All: all}
		p := expandHome(dir)
		fi, err := os.Stat(p)
		switch {
		case err != nil:
			msg.Err = err
			return msg
		case !fi.IsDir():
			msg.Err = fmt.Errorf("%s is a file, not a folder", dir)
			return msg
		}
		msg.Scan, msg.Err = uploader.Preview(ctx, p, uploader.Options{All: all, Prefix: prefix})
		return msg
	}
}

// maxCompletions bounds the folders offered for tab completion.
const maxCompletions = 64

// listDirsCmd lists the folders whose names complete the last part of
// typed, as typed plus the name and a slash. Hidden folders are offered
// only once a dot is typed.
func listDirsCmd(id int, typed string) tea.Cmd {
	return func() tea.Msg {
		msg := dirsListedMsg{ID: id, Typed: typed}
		i := strings.LastIndex(typed, "/") + 1
		head, base := typed[:i], typed[i:]
		dir := expandHome(head)
		if head == "~" || head == "" {
			dir = "."
		}
		if head == "" && typed == "~" {
			return msg
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return msg
		}
		for _, e := range entries {
			name := e.Name()
			if !strings.HasPrefix(name, base) || strings.HasPrefix(name, ".") && !strings.HasPrefix(base, ".") {
				continue
			}
			if !e.IsDir() {
				// A link to a folder completes like a folder.
				fi, err := os.Stat(filepath.Join(dir, name))
				if err != nil || !fi.IsDir() {
					continue
				}
			}
			msg.Dirs = append(msg.Dirs, head+name+"/")
			if len(msg.Dirs) == maxCompletions {
				break
			}
		}
		slices.Sort(msg.Dirs)
		return msg
	}
}

// newUploadTransferReal builds the real upload: the caller's credentials,
// the uploader's tuned client.
func newUploadTransferReal(ctx context.Context, c awsops.Config, dir string, opts uploader.Options) (Transfer, error) {
	cfg, err := awsops.LoadAWSConfig(ctx, c)
	if err != nil {
		return nil, err
	}
	e, err := uploader.New(uploader.NewS3Client(cfg, opts.Concurrency, awsops.S3Options(c)), dir, opts)
	if err != nil {
		return nil, err
	}
	return newUploadTransfer(e), nil
}

// buildUploadCmd builds the upload engine; loading the configuration may
// read files or refresh SSO credentials, so it is not done in Update.
func buildUploadCmd(ctx context.Context, newUpload func(context.Context, awsops.Config, string, uploader.Options) (Transfer, error), c awsops.Config, dir string, opts uploader.Options) tea.Cmd {
	if newUpload == nil {
		newUpload = newUploadTransferReal
	}
	return func() tea.Msg {
		t, err := newUpload(ctx, c, expandHome(dir), opts)
		return uploadBuiltMsg{Transfer: t, Err: err}
	}
}

// connectReal builds the S3 store through syncer.Connect.
func connectReal(ctx context.Context, c awsops.Config, bucket string, concurrency int) (syncer.Store, error) {
	st, _, err := syncer.Connect(ctx, c, bucket, concurrency)
	if err != nil {
		// A nil *S3Store in a Store would not compare equal to nil.
		return nil, err
	}
	return st, nil
}

// connectStoreCmd checks the destination and builds the store the proof
// download reads from. c carries the new key; it is never printed.
func connectStoreCmd(ctx context.Context, connect func(context.Context, awsops.Config, string, int) (syncer.Store, error), c awsops.Config, id int, bucket, dest string, concurrency int, now func() time.Time) tea.Cmd {
	if connect == nil {
		connect = connectReal
	}
	return func() tea.Msg {
		if fi, err := os.Stat(dest); err == nil && !fi.IsDir() {
			return storeConnectedMsg{ID: id, Err: fmt.Errorf("%s: %w", dest, syncer.ErrDestNotDir)}
		}
		st, err := connect(ctx, c, bucket, concurrency)
		return storeConnectedMsg{ID: id, Store: st, Err: err, At: now()}
	}
}

// errProbeDone ends the probe's listing after its first page.
var errProbeDone = errors.New("first page read")

// probeKey lists the first page under prefix and reads one byte of the
// first object there: the two permissions the download needs, each proven
// with the fewest bytes.
func probeKey(ctx context.Context, st syncer.Store, bucket, prefix string) error {
	var first *syncer.Object
	err := st.List(ctx, bucket, syncer.NormalizePrefix(prefix), func(page []syncer.Object) error {
		for _, o := range page {
			if o.Size > 0 && !strings.HasSuffix(o.Key, "/") {
				first = &o
				break
			}
		}
		return errProbeDone
	})
	if err != nil && !errors.Is(err, errProbeDone) {
		return err
	}
	if first == nil {
		return nil
	}
	resp, err := st.Get(ctx, syncer.GetRequest{Bucket: bucket, Key: first.Key, Length: 1})
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// probeKeyCmd makes one attempt to use the new key.
func probeKeyCmd(ctx context.Context, st syncer.Store, id, attempt int, bucket, prefix string, now func() time.Time) tea.Cmd {
	return func() tea.Msg {
		c, cancel := call(ctx)
		defer cancel()
		err := probeKey(c, st, bucket, prefix)
		return keyProbedMsg{ID: id, Attempt: attempt, Err: err, At: now()}
	}
}

// probeAfterCmd schedules the next attempt.
func probeAfterCmd(id, attempt int, d time.Duration) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return probeDueMsg{ID: id, Attempt: attempt} })
}

// syncClockCmd ticks the countdown once a second.
func syncClockCmd(id int, now func() time.Time) tea.Cmd {
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return syncClockMsg{ID: id, At: now()} })
}
