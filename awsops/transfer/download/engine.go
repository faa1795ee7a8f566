// Package download downloads everything under an S3 prefix into a local
// folder, fast and safely: listing feeds a bounded queue while a bounded pool
// of workers downloads (large objects as parallel ranged GETs), each file is
// written to a temporary name beside its target and renamed into place only
// once complete and verified, and progress is published as counters the UI
// samples with Snapshot.
//
// Verification. Every file must have the object's size. A whole-object GET
// asks for the object's checksum (x-amz-checksum-*), which the SDK checks as
// the body is read; without one, the body is hashed while it is written and
// compared with the ETag when that is a plain MD5 (md5-simd across the
// bodies in flight). Ranged GETs carry If-Match on the listed ETag (no two
// versions spliced) and must each have their exact size; a large object
// with a full-object CRC (CRC32, CRC32C, CRC64NVME; one HEAD) is verified
// with it, each part's CRC computed by its fetcher and the parts' CRCs
// combined; otherwise, when the ETag is a plain MD5, by an MD5 computed in
// file order while the parts are written. One check per object, never two.
// Multipart ETags ("…-N") without a full-object CRC have nothing to compare;
// size is all there is then.
//
// Failure modes. Request-level failures (throttling, 5xx, resets before the
// body) are retried by the SDK's retryer; a body that breaks mid-way is
// resumed with a range from the last byte written; a body that arrives whole
// but wrong is fetched again; each with bounded attempts, then reported per
// object with a one-line reason. Cancellation removes temporary files; on
// Linux they are unnamed (O_TMPFILE) and vanish even on a crash, elsewhere a
// crash can leave hidden ".name.s3link-*.part" files, which the next run
// removes from the folders it works in.
package download

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/s3link/s3link/awsops/transfer"
)

// Defaults, chosen by measurement with bench/run.sh (see bench/RESULTS.md).
const (
	// DefaultConcurrency is how many GET requests run at once.
	DefaultConcurrency = transfer.DefaultConcurrency
	// DefaultPartSize is the smallest ranged GET of a large object. Unless
	// Options.PartSize fixes it, a larger object gets larger parts, up to
	// MaxAutoPartSize, so that it splits into about autoParts ranges:
	// measured on 4 × 512 MiB against a local server, 64 MiB parts took
	// 1.9 s where 8 MiB parts took 2.8 s (fewer requests, and fewer
	// scattered writes into the page cache).
	DefaultPartSize = 8 << 20
	// MaxAutoPartSize caps the automatic part size.
	MaxAutoPartSize = 64 << 20
	autoParts       = 8
	// DefaultAttempts bounds both the resumes of one broken body and the
	// restarts of one object that failed verification.
	DefaultAttempts = 5
	// DefaultStallTimeout is how long a body may send nothing before its
	// request is abandoned and resumed from the last byte written.
	DefaultStallTimeout = 30 * time.Second
)

// Options configure an Engine.
type Options struct {
	Bucket string
	// Prefix is the folder inside the bucket; it is listed as "Prefix/",
	// which the platform policy requires. Empty means the whole bucket.
	Prefix string
	// Dest is the local folder; it is created when missing.
	Dest string
	// Concurrency bounds the GET requests in flight (DefaultConcurrency
	// when zero).
	Concurrency int
	// PartSize is the size of each ranged GET; zero chooses per object,
	// from DefaultPartSize up to MaxAutoPartSize.
	// Objects of at least 2×PartSize are fetched as parallel ranges; smaller
	// ones in one GET, where a second request costs more than it saves.
	PartSize int64
	// Include and Exclude are glob patterns matched against the key relative
	// to the prefix; see transfer.Filter for the rules.
	Include, Exclude []string
	// Rules, when set, are include and exclude rules in command-line order,
	// the last match winning (aws s3 sync's rule); they replace Include and
	// Exclude.
	Rules []transfer.Rule
	// DryRun lists and decides but writes nothing; OnPlan, if set, hears
	// about every object that would be downloaded.
	DryRun bool
	// Delete removes, after a complete listing, the regular files beneath
	// Dest that the listing did not name and the filter selects (in a dry
	// run it only lists them); see Engine.deleteExtraneous. RetryFailed
	// never deletes.
	Delete bool
	// MaxDelete, with Delete, refuses to delete anything when more files
	// than this would go (MaxDeleteError); negative means no limit.
	MaxDelete int
	// Mode chooses how an existing local file is compared.
	Mode Mode
	// Attempts bounds resumes and restarts per object (DefaultAttempts
	// when zero).
	Attempts int
	// StallTimeout abandons a body that sends nothing for this long, so a
	// connection that stays open but stalls cannot hold a worker forever
	// (DefaultStallTimeout when zero).
	StallTimeout time.Duration
	// OnPlan is called in a dry run for each object that would be
	// downloaded, from several goroutines at once.
	OnPlan func(Planned)
	// OnFile, if set, hears about each object the run leaves out by the
	// filter, skips (with the reason) or downloads, from several
	// goroutines at once; for verbose output.
	OnFile func(FileEvent)
}

// FileEvent is what happened to one object of a run.
type FileEvent struct {
	transfer.Item
	// Downloaded is true once the object is written (in a dry run: it
	// would be); otherwise it was skipped or left out.
	Downloaded bool
}

// Planned is one download a dry run would make (transfer.Planned).
type Planned = transfer.Planned

// Result summarises a run: the kernel's one shape (transfer.Result), with
// Done counting the objects downloaded.
type Result = transfer.Result

// ErrDestNotDir means the destination exists and is not a directory.
var ErrDestNotDir = errors.New("destination is not a directory")

// ErrRunning means Run or RetryFailed was called while a run is in progress.
var ErrRunning = errors.New("a sync is already running on this engine")

// Engine downloads one bucket prefix into one folder. Run lists the prefix
// and downloads what ShouldSync selects; RetryFailed downloads again the
// objects that failed in the previous run, without listing again (unsafe
// keys are carried over as they were). Its methods are safe to call from
// several goroutines; Run and RetryFailed may not overlap.
type Engine struct {
	// Controls are Pause, Resume, Run and RetryFailed.
	transfer.Controls
	core *transfer.Core

	store     Store
	opts      Options
	prefix    string
	filter    *transfer.Filter
	threshold int64
	// autoPart grows the part size with the object (Options.PartSize zero).
	autoPart bool

	// p is core.P, named short for the hot paths.
	p        *transfer.Progress
	dirCount atomic.Int64 // directory markers made into folders
	sizeOnly atomic.Int64 // see Result.SizeOnly

	// dest is the destination opened for this run; nil in a dry run into
	// a folder that does not exist yet.
	dest *destDirs

	// listed holds the listed keys' paths below the destination, in a run
	// with Options.Delete; deleted and deleteFailed are that run's outcome.
	listed       map[string]struct{}
	deleted      []string
	deleteFailed []transfer.Failure

	// noUnnamed is set once the destination's filesystem refuses unnamed
	// temporary files.
	noUnnamed atomic.Bool
}

// New returns an Engine that reads from store. It checks the options but does
// no I/O.
func New(store Store, opts Options) (*Engine, error) {
	if opts.Bucket == "" {
		return nil, errors.New("no bucket given")
	}
	if opts.Dest == "" {
		return nil, errors.New("no destination folder given")
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	autoPart := opts.PartSize <= 0
	if autoPart {
		opts.PartSize = DefaultPartSize
	}
	if opts.PartSize < 64<<10 {
		return nil, fmt.Errorf("part size %d is below the 64 KiB minimum", opts.PartSize)
	}
	if opts.Attempts <= 0 {
		opts.Attempts = DefaultAttempts
	}
	if opts.StallTimeout <= 0 {
		opts.StallTimeout = DefaultStallTimeout
	}
	f, err := transfer.NewFilter(opts.Include, opts.Exclude)
	if len(opts.Rules) > 0 {
		f, err = transfer.NewRuleFilter(opts.Rules)
	}
	if err != nil {
		return nil, err
	}
	e := &Engine{
		store:     store,
		opts:      opts,
		prefix:    NormalizePrefix(opts.Prefix),
		filter:    f,
		threshold: 2 * opts.PartSize,
		autoPart:  autoPart,
	}
	e.core = transfer.NewCore(opts.Concurrency, opts.DryRun, e.run)
	e.Controls, e.p = e.core.Controls(), e.core.P
	return e, nil
}

type job struct {
	obj  Object
	path string // for people: dest joined with rel
	rel  string // slash-separated below dest; "." is dest itself
}

func (e *Engine) run(ctx context.Context, retry []transfer.Failure) (Result, error) {
	if !e.core.Begin() {
		return Result{}, ErrRunning
	}
	defer e.core.End()
	e.dirCount.Store(0)
	e.sizeOnly.Store(0)
	e.listed, e.deleted, e.deleteFailed = nil, nil, nil
	if retry == nil && e.opts.Delete {
		e.listed = map[string]struct{}{}
	}

	if err := e.prepareDest(); err != nil {
		e.p.Finish()
		return e.result(), err
	}
	if e.dest != nil {
		defer func() { e.dest.close(); e.dest = nil }()
	}

	err := transfer.Run(ctx, e.p, e.opts.Concurrency, func(jobs chan<- job) error {
		if retry == nil {
			return e.list(ctx, jobs)
		}
		return e.requeue(ctx, retry, jobs)
	}, func(slot int, j job) { e.process(ctx, slot, j) }, func(j job) {
		// A job dropped after cancellation leaves the totals.
		e.p.Drop(j.obj.Size)
	})
	if err == nil {
		err = ctx.Err()
	}
	if err == nil && e.listed != nil {
		err = e.deleteExtraneous(ctx)
	}
	e.p.Finish()
	return e.result(), err
}

// list feeds the queue page by page.
func (e *Engine) list(ctx context.Context, jobs chan<- job) error {
	return e.store.List(ctx, e.opts.Bucket, e.prefix, func(page []Object) error {
		for _, o := range page {
			if err := e.enqueue(ctx, o, jobs); err != nil {
				return err
			}
		}
		return nil
	})
}

func (e *Engine) requeue(ctx context.Context, prev []transfer.Failure, jobs chan<- job) error {
	for _, f := range prev {
		if !f.Retryable {
			e.p.FilesTotal.Add(1)
			e.core.Fail(f)
			continue
		}
		// Through enqueue again, so a directory marker stays a directory.
		o, _ := f.Retry().(Object)
		if err := e.enqueue(ctx, o, jobs); err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) enqueue(ctx context.Context, o Object, jobs chan<- job) error {
	if !strings.HasPrefix(o.Key, e.prefix) {
		// A store that returns keys outside the prefix is not to be trusted
		// with our folder.
		e.p.FilesTotal.Add(1)
		e.core.Fail(transfer.Failure{Key: o.Key, Reason: "key is outside the listed prefix; not written"})
		return nil
	}
	if !e.filter.Match(o.Key[len(e.prefix):]) {
		transfer.Tell(e.opts.OnFile, FileEvent{Item: transfer.Item{Key: o.Key, Size: o.Size, Reason: "left out by --include/--exclude"}})
		return nil
	}
	e.listedRel(o.Key[len(e.prefix):])
	p, err := LocalPath(e.opts.Dest, e.prefix, o.Key)
	rel := strings.TrimSuffix(o.Key[len(e.prefix):], "/")
	if rel == "" {
		rel = "."
	}
	if err == nil {
		err = checkLength(rel)
	}
	if strings.HasSuffix(o.Key, "/") && err == nil {
		if o.Size > 0 {
			e.p.FilesTotal.Add(1)
			e.core.Fail(transfer.Failure{Key: o.Key, Reason: fmt.Sprintf("key ends in \"/\" but holds %d bytes; a folder cannot hold them", o.Size)})
			return nil
		}
		if !e.opts.DryRun {
			h, _, err := e.dest.acquire(rel)
			if err != nil {
				e.p.FilesTotal.Add(1)
				e.core.Fail(transfer.Failure{Key: o.Key, Reason: transfer.OneLine(err), Retryable: !errors.Is(err, ErrLeavesDest)}.WithRetry(o))
				return nil
			}
			e.dest.release(h, true, nil)
		}
		e.dirCount.Add(1)
		return nil
	}
	e.p.FilesTotal.Add(1)
	if err != nil {
		e.core.Fail(transfer.Failure{Key: o.Key, Reason: transfer.OneLine(err) + "; not written"})
		return nil
	}
	e.p.BytesTotal.Add(o.Size)
	select {
	case jobs <- job{obj: o, path: p, rel: rel}:
		return nil
	case <-ctx.Done():
		e.p.Drop(o.Size)
		return ctx.Err()
	}
}

// Limits of local names: 255 bytes a name, 4096 a path (Linux; most
// systems have the same or less). A key past them is refused before any
// folder is made for it.
const (
	maxNameLen = 255
	maxPathLen = 4095
)

// checkLength refuses a path below the destination that no filesystem
// call could take, so that no folders are made for it first.
func checkLength(rel string) error {
	if len(rel) > maxPathLen {
		return fmt.Errorf("the local path would be %d bytes, over the %d-byte limit", len(rel), maxPathLen+1)
	}
	for seg := range strings.SplitSeq(rel, "/") {
		if len(seg) > maxNameLen {
			return fmt.Errorf("a name in the path is %d bytes, over the %d-byte limit of file names", len(seg), maxNameLen)
		}
	}
	return nil
}

func (e *Engine) process(ctx context.Context, slot int, j job) {
	if e.opts.DryRun {
		e.plan(ctx, j)
		return
	}
	dir, base := splitRel(j.rel)
	h, made, err := e.dest.acquire(dir)
	if err != nil {
		if !errors.Is(err, ErrLeavesDest) {
			err = fmt.Errorf("create folder: %w", err)
		}
		e.fail(j, err, !errors.Is(err, ErrLeavesDest))
		return
	}
	ok := false
	defer func() { e.dest.release(h, ok, made) }()
	local, err := e.local(ctx, h.r, base, j.obj)
	if err != nil {
		if ctx.Err() == nil {
			e.fail(j, err, !errors.Is(err, ErrLeavesDest))
		} else {
			e.p.Drop(j.obj.Size)
		}
		return
	}
	need, reason := e.decide(ctx, &j.obj, local)
	if reason == transfer.ReasonDirInTheWay {
		e.fail(j, fmt.Errorf("%s at %s", reason, j.path), true)
		return
	}
	if !need {
		ok = true
		e.p.FilesSkipped.Add(1)
		e.p.BytesTotal.Add(-j.obj.Size)
		transfer.Tell(e.opts.OnFile, FileEvent{Item: transfer.Item{Key: j.obj.Key, Path: j.path, Size: j.obj.Size, Reason: string(reason)}})
		return
	}
	tr := e.p.Begin(slot, j.obj.Key, j.obj.Size)
	err = e.download(ctx, j, h, base, tr)
	e.p.End(slot)
	if err != nil {
		// The bytes of a failed or cancelled download never reach a final
		// file, so they are taken back out of the progress.
		e.p.BytesDone.Add(-tr.Done.Load())
		if ctx.Err() != nil {
			e.p.Drop(j.obj.Size)
			return
		}
		e.fail(j, err, true)
		return
	}
	ok = true
	e.p.FilesDone.Add(1)
	transfer.Tell(e.opts.OnFile, FileEvent{Item: transfer.Item{Key: j.obj.Key, Path: j.path, Size: j.obj.Size, Reason: string(reason)}, Downloaded: true})
}

// plan decides one object of a dry run, reading beneath the destination as
// a real run would and writing nothing.
func (e *Engine) plan(ctx context.Context, j job) {
	local := LocalFile{}
	if e.dest != nil {
		var err error
		local, err = e.local(ctx, e.dest.root, filepath.FromSlash(j.rel), j.obj)
		if err != nil {
			if ctx.Err() == nil {
				e.fail(j, err, !errors.Is(err, ErrLeavesDest))
			}
			return
		}
	}
	need, reason := e.decide(ctx, &j.obj, local)
	switch {
	case reason == transfer.ReasonDirInTheWay:
		e.fail(j, fmt.Errorf("%s at %s", reason, j.path), true)
		return
	case !need:
		e.p.FilesSkipped.Add(1)
		e.p.BytesTotal.Add(-j.obj.Size)
		transfer.Tell(e.opts.OnFile, FileEvent{Item: transfer.Item{Key: j.obj.Key, Path: j.path, Size: j.obj.Size, Reason: string(reason)}})
		return
	}
	transfer.Tell(e.opts.OnPlan, Planned{Key: j.obj.Key, Path: j.path, Size: j.obj.Size, Reason: reason})
	transfer.Tell(e.opts.OnFile, FileEvent{Item: transfer.Item{Key: j.obj.Key, Path: j.path, Size: j.obj.Size, Reason: string(reason)}, Downloaded: true})
	e.p.FilesDone.Add(1)
	e.p.BytesDone.Add(j.obj.Size)
}

// decide is ShouldSync, with the object's "mtime" metadata read (one HEAD)
// when only the time stands between a same-size file and a skip: a file
// downloaded from an rclone or s3link upload has that time, not
// LastModified. Without an answer the listed time decides.
func (e *Engine) decide(ctx context.Context, obj *Object, local LocalFile) (bool, transfer.Reason) {
	need, reason := ShouldSync(*obj, local, e.opts.Mode)
	if reason != transfer.ReasonTime || !obj.Mtime.IsZero() {
		return need, reason
	}
	if t, err := e.remoteMtime(ctx, *obj); err == nil && !t.IsZero() {
		obj.Mtime = t
		need, reason = ShouldSync(*obj, local, e.opts.Mode)
	}
	return need, reason
}

// remoteMtime asks the store for obj's "mtime" metadata; zero when the
// store cannot tell or the object has none.
func (e *Engine) remoteMtime(ctx context.Context, obj Object) (time.Time, error) {
	mr, ok := e.store.(MtimeReader)
	if !ok {
		return time.Time{}, nil
	}
	return mr.Mtime(ctx, e.opts.Bucket, obj)
}

// fail records a per-object failure; the object's bytes leave the total.
func (e *Engine) fail(j job, err error, retryable bool) {
	e.p.BytesTotal.Add(-j.obj.Size)
	e.core.Fail(transfer.Failure{Key: j.obj.Key, Reason: transfer.OneLine(err), Retryable: retryable}.WithRetry(j.obj))
}

// Snapshot returns the progress now, cheap enough to call every 100 ms.
func (e *Engine) Snapshot() transfer.Snapshot {
	s := e.core.Snapshot()
	s.Dirs = e.dirCount.Load()
	return s
}

func (e *Engine) result() Result {
	r := e.core.Result()
	r.Dirs, r.SizeOnly = e.dirCount.Load(), e.sizeOnly.Load()
	r.Deleted, r.DeleteFailed = e.deleted, e.deleteFailed
	return r
}

// IsTempName reports whether a file name is one of the engine's named
// temporary files, ".<name>.s3link-<random>.part" (see transfer.IsTempName).
// On Linux downloads are unnamed files (O_TMPFILE) until complete, so these
// only appear briefly when replacing an existing file, or on filesystems
// without O_TMPFILE. A kill can leave some behind; the next run removes the
// ones in the folders it works in, and upload never sends them.
func IsTempName(name string) bool { return transfer.IsTempName(name) }
