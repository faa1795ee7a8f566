package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup/keyfile"
	"github.com/s3link/s3link/awsops/transfer"
	"github.com/s3link/s3link/awsops/transfer/download"
	"github.com/s3link/s3link/ui"
	"github.com/s3link/s3link/ui/text"
)

// syncOptions are the flags of "s3link sync".
type syncOptions struct {
	Concurrency int
	PartSize    string
	// Rules are the --include and --exclude flags in the order given.
	Rules     []transfer.Rule
	DryRun    bool
	Checksum  bool
	SizeOnly  bool
	ExactTime bool
	NoClobber bool
	Delete    bool
	MaxDelete int
	// Quiet drops the progress lines and, on success, the summary.
	Quiet bool
	NoTUI bool
	JSON  bool
	// CSV is an access key file in the AWS console's layout whose key the
	// download uses instead of the profile's credentials.
	CSV string
	// Src and Dest are the arguments: s3://BUCKET[/PREFIX] and the folder.
	Src, Dest string
}

// newCmdSync is `s3link sync`; runF, when not nil, gets the parsed options
// instead of the download running.
func newCmdSync(f *Factory, runF func(*syncOptions) error) *cobra.Command {
	o := &syncOptions{}
	cmd := &cobra.Command{
		Use:   "sync s3://BUCKET[/PREFIX] DEST",
		Short: "Download everything under an S3 prefix into a local folder",
		Long: `Download everything under an S3 prefix into a local folder, many objects at
once, large objects in parallel ranges. Files already there with the same size
and modification time (or, with --checksum, the same MD5) are skipped, so
running the same command again only fetches what changed or failed;
--size-only, --exact-timestamps and --no-clobber change that rule. An object
with "mtime" metadata (s3link upload, rclone) gives its file that time.

--include and --exclude are tried in the order given; the last that matches
decides, as in aws s3 sync (a leading --include means "only these").
--delete removes files under DEST that are not under the prefix (never
through a link, never outside DEST); --max-delete N refuses beyond N.

Each file is written under a temporary name beside its target and renamed
into place only once complete and verified; an interrupted run never leaves a
truncated file under a real name. Keys that would land outside DEST are
reported and never written.

Without a terminal (or with --no-tui) a progress line goes to stderr every
second and a summary to stdout; --json prints the summary as JSON; -q prints
nothing on success, only failures and errors. The exit
status is 0 when every object was downloaded or already there, 1 when some
failed (they are listed), 2 for a command-line mistake.`,
		Example: `  s3link sync s3://crowdai-imagery/path/to/files ./media
  s3link sync --csv crowdai-platform-access_accessKeys.csv s3://crowdai-imagery/path/to/files ./media
  s3link sync s3://crowdai-imagery ./all --include '*.jpg' --exclude 'tmp/**'
  s3link sync s3://crowdai-imagery ./all --exclude '*' --include '*.jpg'
  s3link sync s3://crowdai-imagery/raw ./raw --delete --max-delete 100 --dry-run
  s3link sync s3://crowdai-imagery/raw ./raw --dry-run --json`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usageError("sync takes two arguments, s3://BUCKET[/PREFIX] and a destination folder; see 's3link sync --help'.")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Src, o.Dest = args[0], args[1]
			if runF != nil {
				return runF(o)
			}
			return runSync(cmd.Context(), f, o, o.Src, o.Dest)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&o.Concurrency, "concurrency", download.DefaultConcurrency, "how many GET requests run at once")
	fl.StringVar(&o.PartSize, "part-size", "", "size of each ranged GET of a large object, e.g. 8MiB, 16M, 1048576 (default: 8MiB, growing with the object up to 64MiB)")
	fl.Var(&ruleFlag{rules: &o.Rules, include: true}, "include", "download keys matching this glob, relative to the prefix (repeatable; '*.jpg' matches at any depth, 'raw/**' a subtree; the last matching --include/--exclude decides)")
	fl.Var(&ruleFlag{rules: &o.Rules}, "exclude", "skip keys matching this glob (repeatable; same rules as --include)")
	fl.BoolVar(&o.DryRun, "dry-run", false, "list and decide, print what would be downloaded, write nothing")
	fl.BoolVar(&o.Checksum, "checksum", false, "compare existing files by content (the object's checksum, or the MD5 of a plain ETag) instead of size and modification time")
	fl.BoolVar(&o.SizeOnly, "size-only", false, "skip an existing file when its size equals the object's, whatever its modification time")
	fl.BoolVar(&o.ExactTime, "exact-timestamps", false, "skip a same-size file only when its modification time equals the object's exactly (default: to the second)")
	fl.BoolVar(&o.NoClobber, "no-clobber", false, "never replace a file already at the destination; download only missing ones")
	fl.BoolVar(&o.Delete, "delete", false, "delete files under DEST that are not under the S3 prefix (regular files only, never through a link; excluded files stay)")
	fl.IntVar(&o.MaxDelete, "max-delete", -1, "with --delete, delete nothing and fail when more than this many files would go (-1: no limit)")
	fl.BoolVarP(&o.Quiet, "quiet", "q", false, "no progress lines and no screen; print only errors and failures (nothing at all on success)")
	fl.BoolVar(&o.NoTUI, "no-tui", false, "print plain progress lines even on a terminal")
	fl.BoolVar(&o.JSON, "json", false, "print the summary as JSON on stdout")
	fl.StringVar(&o.CSV, "csv", "", "download with the access key in this CSV (the AWS console's layout, as the wizard saves it) instead of the profile's credentials")
	return cmd
}

// syncRequest is the validated command line.
type syncRequest struct {
	Bucket, Prefix, Dest string
	Opts                 download.Options
}

func parseSyncArgs(o *syncOptions, src, dest string) (syncRequest, error) {
	loc, err := parseS3URL(src, "an S3 URL", false)
	if err != nil {
		return syncRequest{}, err
	}
	bucket, prefix := loc.Bucket, loc.Prefix
	if dest == "" {
		return syncRequest{}, usageError("The destination folder is empty; give a path such as ./media.")
	}
	if fi, err := os.Stat(dest); err == nil && !fi.IsDir() {
		return syncRequest{}, usageError("Destination %q is a file, not a folder; give a folder path (it is created if missing).", dest)
	}
	if o.Concurrency < 1 || o.Concurrency > 1024 {
		return syncRequest{}, usageError("--concurrency must be between 1 and 1024, got %d.", o.Concurrency)
	}
	var part int64 // zero lets the engine size parts per object
	if o.PartSize != "" {
		var err error
		if part, err = parseSize(o.PartSize); err != nil {
			return syncRequest{}, usageError("--part-size %q is not a size; use a number of bytes or a unit, e.g. 8MiB, 16M, 1048576.", o.PartSize)
		}
		if part < 64<<10 || part > 5<<30 {
			return syncRequest{}, usageError("--part-size must be between 64KiB and 5GiB, got %s.", o.PartSize)
		}
	}
	if o.MaxDelete >= 0 && !o.Delete {
		return syncRequest{}, usageError("--max-delete limits --delete; add --delete, or leave --max-delete out.")
	}
	var modes []string
	for _, m := range []struct {
		on   bool
		name string
	}{{o.Checksum, "--checksum"}, {o.SizeOnly, "--size-only"}, {o.ExactTime, "--exact-timestamps"}, {o.NoClobber, "--no-clobber"}} {
		if m.on {
			modes = append(modes, m.name)
		}
	}
	if len(modes) > 1 {
		return syncRequest{}, usageError("%s each choose how existing files are compared; give one of them.", strings.Join(modes, " and "))
	}
	mode := download.SizeAndTime
	switch {
	case o.Checksum:
		mode = download.Checksum
	case o.SizeOnly:
		mode = download.SizeOnly
	case o.ExactTime:
		mode = download.ExactTime
	case o.NoClobber:
		mode = download.NoClobber
	}
	return syncRequest{Bucket: bucket, Prefix: prefix, Dest: dest, Opts: download.Options{
		Bucket: bucket, Prefix: prefix, Dest: dest,
		Concurrency: o.Concurrency, PartSize: part,
		Rules:  o.Rules,
		DryRun: o.DryRun, Mode: mode,
		Delete: o.Delete, MaxDelete: o.MaxDelete,
	}}, nil
}

func runSync(ctx context.Context, f *Factory, o *syncOptions, src, dest string) (err error) {
	g := f.Globals
	req, err := parseSyncArgs(o, src, dest)
	if err != nil {
		return err
	}
	if o.Quiet && g.Verbose {
		return usageError("--quiet and --verbose contradict each other: give one of them")
	}
	defer func() { err = asCancelled(ctx, err) }()
	// From here on --json prints its object whatever the outcome.
	summary := newSyncSummary(req, download.Result{DryRun: req.Opts.DryRun}, nil)
	if o.JSON {
		defer func() { err = printReport(ctx, g.Out, &summary, err) }()
	}
	cfg := g.AWSConfig()
	cfg.Verbose = nil // --verbose here means a line per object, not per request
	if o.CSV != "" {
		key, err := keyfile.ReadCredentialsCSV(o.CSV)
		if err != nil {
			return &ExitError{Code: 2, Err: err}
		}
		cfg.Static = &awsops.StaticCredentials{AccessKeyID: key.ID, Secret: key.Secret}
	}
	store, err := f.Download(ctx, cfg, req.Bucket, req.Opts.Concurrency)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		return explained(err)
	}
	var (
		planMu  sync.Mutex
		planned []download.Planned
	)
	if req.Opts.DryRun {
		req.Opts.OnPlan = func(p download.Planned) {
			planMu.Lock()
			planned = append(planned, p)
			planMu.Unlock()
		}
	}
	if g.Verbose {
		req.Opts.OnFile = verboseSyncLines(g.Err, req.Opts.DryRun)
	}
	eng, err := download.New(store, req.Opts)
	if err != nil {
		return usageError("%s", sentence(err.Error()))
	}
	var (
		res    download.Result
		runErr error
	)
	switch {
	case o.Quiet:
		res, runErr = eng.Run(ctx)
	case f.Screens.Sync != nil && g.IsTerminal && !o.NoTUI && !o.JSON && !g.Verbose:
		res, runErr = f.Screens.Sync(ctx, g, eng, req)
	default:
		res, runErr = runSyncHeadless(ctx, eng, g.Err)
	}
	summary = newSyncSummary(req, res, planned)
	switch {
	case o.JSON:
		// Printed by the deferred printReport, with the outcome.
	case o.Quiet:
		// Quiet: what would be done in a dry run (its whole point), and the
		// failures; nothing when all went well.
		printQuietSummary(g.Out, summary)
	case runErr == nil || res.Done+res.Skipped+res.FailedCount > 0:
		// A run that failed before moving anything has only its error to
		// say; a summary of zeros would read as an empty prefix.
		printSyncSummary(g.Out, summary)
	}
	var maxDel *download.MaxDeleteError
	switch {
	case errors.Is(runErr, context.Canceled):
		return runErr
	case errors.As(runErr, &maxDel):
		return &ExitError{Code: 1, Err: refusal{fmt.Errorf("%d files under %s are not under the prefix, more than --max-delete %d allows; deleted none (raise --max-delete, or look with --dry-run)", maxDel.Would, req.Dest, maxDel.Max)}}
	case len(res.DeleteFailed) > 0 && res.FailedCount == 0:
		return &ExitError{Code: 1, Err: fmt.Errorf("%d files could not be deleted (listed above)", len(res.DeleteFailed))}
	case runErr != nil:
		return explained(runErr)
	case res.FailedCount > 0:
		return &ExitError{Code: 1, Err: fmt.Errorf("%d of %d objects could not be downloaded (listed above); run the same command again to retry them", res.FailedCount, res.FailedCount+res.Done+res.Skipped)}
	}
	return nil
}

// ruleFlag is --include or --exclude: both append to one list, so the
// order between them survives parsing (a StringArray per flag would lose it).
type ruleFlag struct {
	rules   *[]transfer.Rule
	include bool
}

func (f *ruleFlag) Set(v string) error {
	*f.rules = append(*f.rules, transfer.Rule{Include: f.include, Pattern: v})
	return nil
}

func (f *ruleFlag) Type() string { return "glob" }

func (f *ruleFlag) String() string {
	var ps []string
	for _, r := range *f.rules {
		if r.Include == f.include {
			ps = append(ps, r.Pattern)
		}
	}
	if len(ps) == 0 {
		return "" // help then shows no "(default [])"
	}
	return "[" + strings.Join(ps, ",") + "]"
}

// runSyncHeadless runs the engine and prints a progress line to w at most
// once per progressInterval.
func runSyncHeadless(ctx context.Context, eng *download.Engine, w io.Writer) (transfer.Result, error) {
	return runHeadless(ctx, w, eng, func(s transfer.Snapshot) string { return transferLine(s.Stats, s.DryRun) })
}

// syncSummary is the final report; its JSON form is the --json output
// (jsonschema/sync.json).
type syncSummary struct {
	report
	Source     string `json:"source"`
	Dest       string `json:"dest"`
	DryRun     bool   `json:"dryRun"`
	Downloaded int64  `json:"downloaded"`
	// SizeOnly counts downloads checked by size alone: their only checksum
	// is composite and the upload's part size could not be matched.
	SizeOnly int64   `json:"sizeOnly"`
	Skipped  int64   `json:"skipped"`
	Dirs     int64   `json:"dirs"`
	Bytes    int64   `json:"bytes"`
	Seconds  float64 `json:"seconds"`
	// FailedCount counts every failure; Failed lists them (up to the
	// engine's bound).
	FailedCount int64         `json:"failedCount"`
	Failed      []syncFailure `json:"failed"`
	// Planned lists what a dry run would download; empty otherwise.
	Planned []syncPlannedRow `json:"planned"`
	// Deleted lists the files --delete removed (in a dry run: would).
	Deleted      []string      `json:"deleted"`
	DeleteFailed []syncFailure `json:"deleteFailed"`
}

type syncFailure struct {
	Key    string `json:"key"`
	Reason string `json:"reason"`
}

type syncPlannedRow struct {
	Key    string `json:"key"`
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	Reason string `json:"reason"`
}

func newSyncSummary(req syncRequest, res download.Result, planned []download.Planned) syncSummary {
	src := "s3://" + req.Bucket
	if req.Prefix != "" {
		src += "/" + req.Prefix
	}
	s := syncSummary{
		report: newReport("sync"),
		Source: src, Dest: req.Dest, DryRun: res.DryRun,
		Downloaded: res.Done, SizeOnly: res.SizeOnly, Skipped: res.Skipped, FailedCount: res.FailedCount, Dirs: res.Dirs,
		Bytes: res.Bytes, Seconds: res.Duration.Seconds(),
		Failed: []syncFailure{}, Planned: []syncPlannedRow{},
		Deleted: append([]string{}, res.Deleted...), DeleteFailed: []syncFailure{},
	}
	for _, f := range res.Failed {
		s.Failed = append(s.Failed, syncFailure{Key: f.Key, Reason: f.Reason})
	}
	for _, f := range res.DeleteFailed {
		s.DeleteFailed = append(s.DeleteFailed, syncFailure{Key: f.Key, Reason: f.Reason})
	}
	for _, p := range planned {
		s.Planned = append(s.Planned, syncPlannedRow{Key: p.Key, Path: p.Path, Size: p.Size, Reason: string(p.Reason)})
	}
	return s
}

func printSyncSummary(w io.Writer, s syncSummary) {
	for _, p := range s.Planned {
		fmt.Fprintf(w, "would download %s -> %s (%s, %s)\n", printable(p.Key), printable(p.Path), ui.HumanBytes(p.Size), p.Reason)
	}
	defer printDeletions(w, s, true)
	if s.Downloaded+s.Skipped+s.FailedCount+s.Dirs == 0 {
		// A row of zeros reads like a fault; an empty prefix (often a typo)
		// deserves a sentence.
		fmt.Fprintf(w, "Nothing to download: %s holds no objects (or none that match --include/--exclude).\n", s.Source)
		return
	}
	verb := "Downloaded"
	if s.DryRun {
		verb = "Would download"
	}
	fmt.Fprintf(w, "%s %d files (%s) from %s to %s in %s; %d unchanged, %d failed.\n",
		verb, s.Downloaded, ui.HumanBytes(s.Bytes), s.Source, s.Dest,
		time.Duration(s.Seconds*float64(time.Second)).Round(time.Millisecond), s.Skipped, s.FailedCount)
	if s.SizeOnly > 0 {
		fmt.Fprintf(w, "%d of them could be checked by size only: their only checksum is composite and the upload's part size does not fit the object.\n", s.SizeOnly)
	}
	if len(s.Failed) > 0 {
		fmt.Fprintln(w, "Failed:")
		for _, f := range s.Failed {
			fmt.Fprintf(w, "  %s: %s\n", printable(f.Key), text.Reason(f.Key, f.Reason))
		}
		if int64(len(s.Failed)) < s.FailedCount {
			fmt.Fprintf(w, "  ... and %d more\n", s.FailedCount-int64(len(s.Failed)))
		}
	}
}

// printQuietSummary is --quiet's summary: the planned downloads of a dry
// run and the failures, no counts.
func printQuietSummary(w io.Writer, s syncSummary) {
	for _, p := range s.Planned {
		fmt.Fprintf(w, "would download %s -> %s (%s, %s)\n", printable(p.Key), printable(p.Path), ui.HumanBytes(p.Size), p.Reason)
	}
	for _, f := range s.Failed {
		fmt.Fprintf(w, "failed %s: %s\n", printable(f.Key), text.Reason(f.Key, f.Reason))
	}
	printDeletions(w, s, false)
}

// printDeletions reports --delete: in a dry run every file that would go;
// otherwise a count (when counts is set) and the files that could not go.
func printDeletions(w io.Writer, s syncSummary, counts bool) {
	if s.DryRun {
		for _, p := range s.Deleted {
			fmt.Fprintf(w, "would delete %s\n", printable(p))
		}
	}
	if counts && len(s.Deleted) > 0 {
		verb := "Deleted"
		if s.DryRun {
			verb = "Would delete"
		}
		fmt.Fprintf(w, "%s %d files under %s that are not in %s.\n", verb, len(s.Deleted), s.Dest, s.Source)
	}
	for _, f := range s.DeleteFailed {
		fmt.Fprintf(w, "could not delete %s: %s\n", printable(f.Key), printable(f.Reason))
	}
}

// printable is an untrusted key, path or message made safe to print: no
// control sequence or character reaches the terminal, and a long one is
// shortened in the middle (see package text).
func printable(s string) string { return text.Safe(s) }
