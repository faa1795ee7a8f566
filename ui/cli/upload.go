package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/s3link/s3link/awsops/transfer"
	"github.com/s3link/s3link/awsops/transfer/upload"
	"github.com/s3link/s3link/ui"
	"github.com/s3link/s3link/ui/text"
)

// uploadOptions are the flags of `s3link upload`.
type uploadOptions struct {
	Concurrency int
	PartSize    string
	// Rules are the --include and --exclude flags in the order given.
	Rules  []transfer.Rule
	All    bool
	DryRun bool
	JSON   bool
	NoTUI  bool
	// Dir and Dest are the arguments: the folder and s3://BUCKET[/PREFIX].
	Dir, Dest string
}

// newCmdUpload is `s3link upload`; runF, when not nil, gets the parsed
// options instead of the upload running.
func newCmdUpload(f *Factory, runF func(*uploadOptions) error) *cobra.Command {
	o := &uploadOptions{}
	cmd := &cobra.Command{
		Use:   "upload DIR s3://BUCKET[/PREFIX]",
		Short: "Upload the media in a local folder into a bucket location",
		Long: `Upload a local folder into s3://BUCKET/PREFIX/, for instance to fill a new
bucket before the platform's key proves it can read it. A file at DIR/a/b.jpg
becomes s3://BUCKET/PREFIX/a/b.jpg.

Only images and videos are uploaded unless --all is given (by extension:
jpg jpeg png gif tif tiff bmp webp heic heif raw dng cr2 nef arw avif jp2
mp4 mov avi mkv webm m4v mpg mpeg 3gp wmv, in any case); --include and
--exclude narrow that further, with globs such as '*.jpg' (any folder) or
'raw/**/*.dng' (a path). They are tried in the order given and the last that
matches decides, as in sync and aws s3 sync (a leading --include means "only
these"). Files already in the bucket with the same content
are skipped, so running the command again uploads only what changed or
failed. Links to places outside DIR are not followed, and special files are
listed and left out.

Uploads use your own credentials (the platform's key can only read).`,
		Example: `  s3link upload ./shoot s3://acme-media/path/to/files
  s3link upload ./shoot s3://acme-media --dry-run
  s3link upload ./archive s3://acme-media/raw --all --exclude '*.tmp' --json
  s3link upload ./archive s3://acme-media/raw --all --exclude 'tmp/**' --include 'tmp/keep.jpg'`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usageError("upload takes a folder and a destination, e.g. 's3link upload ./media s3://bucket/path'")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Dir, o.Dest = args[0], args[1]
			if runF != nil {
				return runF(o)
			}
			return runUpload(cmd.Context(), f, o, o.Dir, o.Dest)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&o.Concurrency, "concurrency", upload.DefaultConcurrency, "requests in flight at once")
	fl.StringVar(&o.PartSize, "part-size", "8MiB", "size of each part of a multipart upload (5MiB to 5GiB); files of at least twice this size go up in parts")
	fl.Var(&ruleFlag{rules: &o.Rules, include: true}, "include", "upload files matching this glob, relative to DIR (repeatable; '*.jpg' matches at any depth, 'raw/**' a subtree; the last matching --include/--exclude decides)")
	fl.Var(&ruleFlag{rules: &o.Rules}, "exclude", "leave out files matching this glob (repeatable; same rules as --include)")
	fl.BoolVar(&o.All, "all", false, "upload every file, not only images and videos")
	fl.BoolVar(&o.DryRun, "dry-run", false, "show what would be uploaded and upload nothing")
	fl.BoolVar(&o.JSON, "json", false, "print a machine-readable summary on stdout")
	fl.BoolVar(&o.NoTUI, "no-tui", false, "print plain progress lines even on a terminal")
	return cmd
}

func checkUploadDir(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return usageError("the folder %q does not exist: name the folder that holds the media", dir)
	case err != nil:
		return usageError("the folder %q cannot be read (%v): check its permissions", dir, errors.Unwrap(err))
	case !fi.IsDir():
		return usageError("%q is a file, not a folder: name the folder that holds the media", dir)
	}
	return nil
}

func runUpload(ctx context.Context, f *Factory, o *uploadOptions, dir, dest string) (err error) {
	g := f.Globals
	if err := checkUploadDir(dir); err != nil {
		return err
	}
	target, err := parseS3URL(dest, "an S3 location", true)
	if err != nil {
		return err
	}
	if o.Concurrency < 1 || o.Concurrency > 1024 {
		return usageError("--concurrency must be between 1 and 1024, not %d", o.Concurrency)
	}
	partSize, err := parseSize(o.PartSize)
	if err != nil {
		return usageError("--part-size %q is not a size: write it like 8MiB or 16MiB", o.PartSize)
	}
	if partSize < upload.MinPartSize || partSize > upload.MaxPartSize {
		return usageError("--part-size must be between 5MiB and 5GiB, S3's limits for a part, not %s", o.PartSize)
	}

	defer func() { err = asCancelled(ctx, err) }()
	// From here on --json prints its object whatever the outcome.
	summary := newUploadSummary(dir, target, upload.Result{DryRun: o.DryRun})
	if o.JSON {
		defer func() { err = printReport(ctx, g.Out, &summary, err) }()
	}
	c := g.AWSConfig()
	c.Verbose = nil // --verbose here means a line per file, not per request
	api, err := f.Upload(ctx, c, o.Concurrency)
	if err != nil {
		return explained(err)
	}
	var (
		planMu  sync.Mutex
		planned []upload.Planned
	)
	opts := upload.Options{
		Bucket: target.Bucket, Prefix: target.Prefix,
		Concurrency: o.Concurrency, PartSize: partSize,
		All: o.All, Rules: o.Rules,
		DryRun: o.DryRun,
	}
	if o.DryRun {
		opts.OnPlan = func(p upload.Planned) {
			planMu.Lock()
			defer planMu.Unlock()
			if o.JSON {
				planned = append(planned, p)
				return
			}
			fmt.Fprintf(g.Out, "would upload %s -> s3://%s/%s (%s, %s)\n", printable(p.Path), target.Bucket, printable(p.Key), ui.HumanBytes(p.Size), p.Reason)
		}
	}
	if g.Verbose {
		opts.OnFile = verboseUploadLines(g.Err, target.Bucket, o.DryRun)
	}
	eng, err := upload.New(api, dir, opts)
	if err != nil {
		// The flags were checked above; what is left is a glob.
		return usageError("%v; write globs like '*.jpg' or 'raw/**/*.dng'", err)
	}

	var res upload.Result
	if f.Screens.Upload != nil && g.IsTerminal && !o.NoTUI && !o.JSON && !g.Verbose {
		res, err = f.Screens.Upload(ctx, g, eng)
	} else {
		res, err = runUploadHeadless(ctx, g.Err, eng, target)
	}
	canceled := errors.Is(err, context.Canceled)
	summary = newUploadSummary(dir, target, res)
	for _, p := range planned {
		summary.Planned = append(summary.Planned, uploadPlanned{Path: p.Path, Key: p.Key, Size: p.Size, Reason: string(p.Reason)})
	}
	if err != nil && !canceled {
		return explained(err)
	}
	if !o.JSON {
		printUploadSummary(g.Out, dir, target, res)
	}
	if canceled {
		return err
	}
	if res.FailedCount > 0 {
		return &ExitError{Code: 1, Err: fmt.Errorf("%d of %d %s could not be uploaded; run the same command again to retry (what is already there is skipped)",
			res.FailedCount, res.FailedCount+res.Done+res.Skipped, ui.Plural(res.FailedCount+res.Done+res.Skipped, "file", "files"))}
	}
	return nil
}

// runUploadHeadless runs e, printing at most one progress line per
// progressInterval to w (stderr).
func runUploadHeadless(ctx context.Context, w io.Writer, e *upload.Engine, target s3Location) (transfer.Result, error) {
	return runHeadless(ctx, w, e, func(s transfer.Snapshot) string { return uploadProgressLine(s, target) })
}

// uploadProgressLine is transferLine, after a line for the listing of
// what is already at the destination, which comes first.
func uploadProgressLine(s transfer.Snapshot, target s3Location) string {
	if s.Preparing {
		return fmt.Sprintf("listing %s: %d %s there so far", target.URL(), s.RemoteObjects, ui.Plural(s.RemoteObjects, "object", "objects"))
	}
	return transferLine(s.Stats, s.DryRun)
}

// uploadSummary is the --json output of `s3link upload`
// (jsonschema/upload.json).
type uploadSummary struct {
	report
	Dir          string          `json:"dir"`
	Destination  string          `json:"destination"`
	Bucket       string          `json:"bucket"`
	Prefix       string          `json:"prefix"`
	DryRun       bool            `json:"dryRun"`
	Uploaded     int64           `json:"uploaded"`
	Bytes        int64           `json:"bytes"`
	Skipped      int64           `json:"skipped"`
	Filtered     int64           `json:"filtered"`
	Seconds      float64         `json:"seconds"`
	ListWarning  string          `json:"listWarning,omitempty"`
	IgnoredCount int64           `json:"ignoredCount"`
	Ignored      []uploadIgnored `json:"ignored"`
	FailedCount  int64           `json:"failedCount"`
	Failed       []uploadFailed  `json:"failed"`
	// Planned lists what a dry run would upload; empty otherwise.
	Planned []uploadPlanned `json:"planned"`
}

type uploadPlanned struct {
	Path   string `json:"path"`
	Key    string `json:"key"`
	Size   int64  `json:"size"`
	Reason string `json:"reason"`
}

type uploadIgnored struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

type uploadFailed struct {
	Path   string `json:"path"`
	Key    string `json:"key"`
	Reason string `json:"reason"`
}

func newUploadSummary(dir string, t s3Location, r upload.Result) uploadSummary {
	s := uploadSummary{
		report: newReport("upload"),
		Dir:    dir, Destination: t.URL(), Bucket: t.Bucket, Prefix: t.Prefix, DryRun: r.DryRun,
		Uploaded: r.Done, Bytes: r.Bytes, Skipped: r.Skipped, Filtered: r.Filtered,
		Seconds: r.Duration.Seconds(), ListWarning: r.ListWarning,
		IgnoredCount: r.IgnoredCount, Ignored: []uploadIgnored{},
		FailedCount: r.FailedCount, Failed: []uploadFailed{}, Planned: []uploadPlanned{},
	}
	for _, ig := range r.Ignored {
		s.Ignored = append(s.Ignored, uploadIgnored{Path: ig.Path, Reason: ig.Reason})
	}
	for _, f := range r.Failed {
		s.Failed = append(s.Failed, uploadFailed{Path: f.Path, Key: f.Key, Reason: f.Reason})
	}
	return s
}

// maxListed bounds the failures and ignored entries the text summary
// prints; --json carries them all (up to the engine's own bound).
const maxListed = 50

func printUploadSummary(w io.Writer, dir string, t s3Location, r upload.Result) {
	if r.ListWarning != "" {
		fmt.Fprintf(w, "Warning: %s.\n", r.ListWarning)
	}
	verb := "Uploaded"
	if r.DryRun {
		verb = "Dry run: would upload"
	}
	fmt.Fprintf(w, "%s %d %s (%s) from %s to %s in %s.\n", verb, r.Done, ui.Plural(r.Done, "file", "files"),
		ui.HumanBytes(r.Bytes), dir, t.URL(), r.Duration.Round(10*time.Millisecond))
	if r.Skipped > 0 {
		fmt.Fprintf(w, "Skipped %d %s already there and unchanged.\n", r.Skipped, ui.Plural(r.Skipped, "file", "files"))
	}
	if r.Filtered > 0 {
		fmt.Fprintf(w, "Left out %d %s by the filters (only images and videos are uploaded unless --all is given).\n",
			r.Filtered, ui.Plural(r.Filtered, "file", "files"))
	}
	if r.IgnoredCount > 0 {
		fmt.Fprintf(w, "Ignored %d %s that %s not regular files inside the folder:\n", r.IgnoredCount,
			ui.Plural(r.IgnoredCount, "entry", "entries"), ui.Plural(r.IgnoredCount, "is", "are"))
		for i, ig := range r.Ignored {
			if i == maxListed {
				fmt.Fprintf(w, "  ... and %d more\n", r.IgnoredCount-maxListed)
				break
			}
			fmt.Fprintf(w, "  %s: %s\n", printable(ig.Path), text.Reason(ig.Path, ig.Reason))
		}
	}
	if r.FailedCount > 0 {
		fmt.Fprintf(w, "Failed %d:\n", r.FailedCount)
		for i, f := range r.Failed {
			if i == maxListed {
				fmt.Fprintf(w, "  ... and %d more (--json lists them all)\n", r.FailedCount-maxListed)
				break
			}
			fmt.Fprintf(w, "  %s: %s\n", printable(f.Path), text.Reason(f.Path, f.Reason))
		}
	}
}
