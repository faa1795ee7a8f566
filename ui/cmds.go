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
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/awsops/setup/journal"
	"github.com/s3link/s3link/awsops/setup/keyfile"
	"github.com/s3link/s3link/awsops/transfer"
	"github.com/s3link/s3link/awsops/transfer/download"
	"github.com/s3link/s3link/awsops/transfer/upload"
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

// inspectBucketCmd reads an existing bucket's region and Block Public
// Access state.
func inspectBucketCmd(ctx context.Context, ops Ops, bucket string) tea.Cmd {
	return func() tea.Msg {
		c, cancel := call(ctx)
		defer cancel()
		f, err := ops.InspectBucket(c, bucket)
		return bucketInspectedMsg{Bucket: bucket, Region: f.Region, Access: f.PublicAccess, Owned: f.Owned, Err: err}
	}
}

// checkBucketCmd looks up a name typed for a new bucket: a bucket the
// account already owns is offered as an existing one, with its real
// region and what it holds.
func checkBucketCmd(ctx context.Context, ops Ops, id int, name, recordDir string) tea.Cmd {
	return func() tea.Msg {
		c, cancel := call(ctx)
		defer cancel()
		msg := bucketCheckedMsg{ID: id, Name: name}
		msg.Facts, msg.Err = ops.InspectBucket(c, name)
		if msg.Err != nil || !msg.Facts.Owned {
			return msg
		}
		if msg.Facts.SetupID != "" && recordDir != "" {
			recs, _ := setup.Records(recordDir)
			for _, st := range recs {
				if st.Record.SetupID == msg.Facts.SetupID && st.Record.Bucket.Name == name {
					msg.Setup = st.Record.SetupID
				}
			}
		}
		msg.Objects, _ = ops.SummarizePrefix(c, name, "")
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

// listFoldersCmd lists the folders directly under prefix, for the
// location's folder picker.
func listFoldersCmd(ctx context.Context, ops Ops, id int, bucket, prefix string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := call(ctx)
		defer cancel()
		fs, err := ops.ListFolders(ctx, bucket, prefix)
		return foldersListedMsg{ID: id, Bucket: bucket, Prefix: prefix, Folders: fs, Err: err}
	}
}

func lookupPolicyCmd(ctx context.Context, ops Ops, id int, name, document string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := call(ctx)
		defer cancel()
		info, err := ops.InspectPolicy(ctx, name, document)
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

// planSetupCmd reads what exists (the records on this computer and every
// resource the answers touch) and lets the setup engine decide what to
// create, reuse or refuse. It creates nothing.
func planSetupCmd(ctx context.Context, ops Ops, id int, spec setup.Spec, recordDir string, base journal.Record, now func() time.Time) tea.Cmd {
	return func() tea.Msg {
		var recs []setup.Stored
		if recordDir != "" {
			var bad []error
			recs, bad = setup.Records(recordDir)
			if len(bad) > 0 {
				return setupPlannedMsg{ID: id, Err: bad[0]}
			}
		}
		c, cancel := context.WithTimeout(ctx, 4*awsops.CallTimeout)
		defer cancel()
		facts, err := setup.Inspect(c, ops, spec, recs, now())
		if err != nil {
			return setupPlannedMsg{ID: id, Err: err}
		}
		plan := setup.Decide(spec, facts, setup.NewID())
		return setupPlannedMsg{ID: id, Plan: plan, Journal: setup.NewJournal(recordDir, plan, base),
			Existing: existingLinkStatus(c, ops, facts, spec.UserName, recs, now())}
	}
}

// runActionCmd runs one action of the plan through the setup engine (intent,
// call, record) on a copy of the plan's state.
func runActionCmd(ctx context.Context, ops Ops, runID, index int, j setup.Journal, plan *setup.Plan, st setup.State) tea.Cmd {
	st = st.Clone()
	return func() tea.Msg {
		c, cancel := call(ctx)
		defer cancel()
		next, note, err := setup.Step(c, ops, j, plan, index, st)
		return actionRanMsg{RunID: runID, Index: index, Note: note, State: next, Err: err, Record: recordResult{Path: j.Path}}
	}
}

// rollbackCmd undoes what this run created, newest first, through the
// setup engine: each removal is proven first, and what existed before the
// run stays.
func rollbackCmd(ctx context.Context, ops Ops, j setup.Journal, plan *setup.Plan, st setup.State) tea.Cmd {
	st = st.Clone()
	return func() tea.Msg {
		var steps []rollbackStep
		res, err := setup.Rollback(ctx, ops, j, plan, st, func(title string, err error) {
			steps = append(steps, rollbackStep{Title: strings.ToUpper(title[:1]) + title[1:], Err: err})
		})
		msg := rolledBackMsg{Steps: steps, Record: recordResult{Path: j.Path, Err: err}}
		if res.RecordRemoved {
			msg.Record.Path = ""
		}
		return msg
	}
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

// writeCommandsCmd writes the plan's AWS CLI equivalents into a new folder
// in base: s3link-BUCKET-commands, or the same with -2, -3… when taken, so
// nothing already there is ever overwritten.
func writeCommandsCmd(base string, p *setup.Plan) tea.Cmd {
	return func() tea.Msg {
		name := setup.CommandsDir(p.Spec.Bucket)
		var err error
		for i := 1; i <= 20; i++ {
			dir := name
			if i > 1 {
				dir = fmt.Sprintf("%s-%d", name, i)
			}
			if base != "" {
				dir = filepath.Join(base, dir)
			}
			if err = setup.WriteCommands(dir, p); !errors.Is(err, fs.ErrExist) {
				return commandsWrittenMsg{Dir: dir, Err: err}
			}
		}
		return commandsWrittenMsg{Err: err}
	}
}

// exportPlanCmd writes the reviewed plan in format into a new folder in
// base (setup.WriteExport); nothing is ever overwritten.
func exportPlanCmd(id int, base string, p *setup.Plan, format string) tea.Cmd {
	return func() tea.Msg {
		dir, files, err := setup.WriteExport(base, p, format, setup.ExportOptions{})
		return planExportedMsg{ID: id, Format: format, Dir: dir, Files: files, Err: err}
	}
}

func saveCSVCmd(path string, key awsops.AccessKey) tea.Cmd {
	return func() tea.Msg {
		return csvSavedMsg{Path: path, Err: keyfile.WriteCredentialsCSV(path, key)}
	}
}

// saveEncryptedCSVCmd saves the key file encrypted with age for the
// recipient (a public key, or a recipients file it reads).
func saveEncryptedCSVCmd(path, recipient string, key awsops.AccessKey) tea.Cmd {
	return func() tea.Msg {
		rs, err := keyfile.ParseRecipients(recipient)
		if err != nil {
			return csvSavedMsg{Path: path, Err: err}
		}
		return csvSavedMsg{Path: path, Err: keyfile.WriteEncryptedKeyCSV(path, key, keyfile.LayoutConsole, rs), Encrypted: true}
	}
}

// deleteKeyCmd deletes the new key the user chose not to keep, and drops
// it from the record.
func deleteKeyCmd(ctx context.Context, ops setup.KeyDeleter, j setup.Journal, user, id string) tea.Cmd {
	return func() tea.Msg {
		c, cancel := call(ctx)
		defer cancel()
		if err := ops.DeleteAccessKey(c, user, id); err != nil {
			return keyDeletedMsg{KeyID: id, Err: err}
		}
		return keyDeletedMsg{KeyID: id, Record: recordResult{Path: j.Path, Err: j.ForgetKey(id)}}
	}
}

// runTransferCmd runs a Transfer (or retries its failures) to the end and
// reports once, with the last sample so the summary's bar is exact.
func runTransferCmd(ctx context.Context, eng Transfer, screen int64, run int, retry bool) tea.Cmd {
	return func() tea.Msg {
		var (
			t   transfer.Result
			err error
		)
		if retry {
			t, err = eng.RetryFailed(ctx)
		} else {
			t, err = eng.Run(ctx)
		}
		return transferDoneMsg{Screen: screen, Run: run, Result: t, Err: err, Final: eng.Snapshot()}
	}
}

// transferTickCmd samples eng after one transferTick. The screen re-arms
// it on each sample while the run lasts, so there is never more than one
// in flight per run.
func transferTickCmd(eng Transfer, screen int64, run int) tea.Cmd {
	return tea.Tick(transferTick, func(time.Time) tea.Msg {
		return transferTickMsg{Screen: screen, Run: run, Snapshot: eng.Snapshot()}
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
		msg.Scan, msg.Err = upload.Preview(ctx, p, upload.Options{All: all, Prefix: prefix})
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
// the upload engine's tuned client.
func newUploadTransferReal(ctx context.Context, c awsops.Config, dir string, opts upload.Options) (Transfer, error) {
	cfg, err := awsops.LoadAWSConfig(ctx, c)
	if err != nil {
		return nil, err
	}
	e, err := upload.New(upload.NewS3Client(cfg, opts.Concurrency, awsops.S3Options(c)), dir, opts)
	if err != nil {
		return nil, err
	}
	return newJob(e), nil
}

// buildUploadCmd builds the upload engine; loading the configuration may
// read files or refresh SSO credentials, so it is not done in Update.
func buildUploadCmd(ctx context.Context, newUpload func(context.Context, awsops.Config, string, upload.Options) (Transfer, error), c awsops.Config, dir string, opts upload.Options) tea.Cmd {
	if newUpload == nil {
		newUpload = newUploadTransferReal
	}
	return func() tea.Msg {
		t, err := newUpload(ctx, c, expandHome(dir), opts)
		return uploadBuiltMsg{Transfer: t, Err: err}
	}
}

// connectReal builds the S3 store through download.Connect.
func connectReal(ctx context.Context, c awsops.Config, bucket string, concurrency int) (download.Store, error) {
	st, _, err := download.Connect(ctx, c, bucket, concurrency)
	if err != nil {
		// A nil *S3Store in a Store would not compare equal to nil.
		return nil, err
	}
	return st, nil
}

// connectStoreCmd checks the destination and builds the store the proof
// download reads from. c carries the new key; it is never printed.
func connectStoreCmd(ctx context.Context, connect func(context.Context, awsops.Config, string, int) (download.Store, error), c awsops.Config, id int, bucket, dest string, concurrency int, now func() time.Time) tea.Cmd {
	if connect == nil {
		connect = connectReal
	}
	return func() tea.Msg {
		if fi, err := os.Stat(dest); err == nil && !fi.IsDir() {
			return storeConnectedMsg{ID: id, Err: fmt.Errorf("%s: %w", dest, download.ErrDestNotDir)}
		}
		st, err := connect(ctx, c, bucket, concurrency)
		return storeConnectedMsg{ID: id, Store: st, Err: err, At: now()}
	}
}

// probeKeyCmd makes one attempt to use the new key.
func probeKeyCmd(ctx context.Context, st download.Store, id, attempt int, bucket, prefix string, now func() time.Time) tea.Cmd {
	return func() tea.Msg {
		c, cancel := call(ctx)
		defer cancel()
		err := download.Probe(c, st, bucket, prefix)
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

// existingLinkStatus checks, read-only, the newest link of this account's
// records for user, so review can say the user already has one and how
// it stands. It is informational: a failure shows nothing.
func existingLinkStatus(ctx context.Context, ops Ops, facts setup.Facts, user string, recs []setup.Stored, now time.Time) *setup.Status {
	aud, ok := ops.(awsops.Auditor)
	if !ok {
		return nil
	}
	for _, st := range facts.Records {
		if st.Record.User.Name != user {
			continue
		}
		s, err := setup.CheckStatus(ctx, aud, st, setup.StatusOptions{Now: now, Records: recs})
		if err != nil {
			return nil
		}
		return s
	}
	return nil
}
