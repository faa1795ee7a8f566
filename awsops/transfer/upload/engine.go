// Package upload uploads a local folder into an S3 prefix, fast and
// safely: a walk of the folder feeds a bounded queue while a bounded pool of
// workers uploads (large files as multipart uploads whose parts go up in
// parallel), files already in the bucket and unchanged are skipped, a
// cancelled multipart upload is aborted so no parts linger, and progress is
// published as counters the UI samples with Snapshot, shaped like the
// download engine's so one screen can show either direction.
package upload

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"os"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"golang.org/x/sync/errgroup"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/transfer"
)

// Defaults and S3's limits on multipart uploads.
const (
	// DefaultConcurrency is how many PUT and UploadPart requests run at once.
	DefaultConcurrency = transfer.DefaultConcurrency
	// DefaultPartSize is the size of one part of a multipart upload: the
	// AWS CLI's, so a folder it uploaded is recognised as unchanged.
	DefaultPartSize = 8 << 20
	// MinPartSize and MaxPartSize bound a part (the last may be smaller).
	MinPartSize = 5 << 20
	MaxPartSize = 5 << 30
	// MaxParts is the most parts one upload may have; larger files get
	// larger parts.
	MaxParts = 10_000
)

// Options configure an Engine.
type Options struct {
	Bucket string
	// Prefix is the folder inside the bucket, already normalised
	// (awsops.NormalizePrefix); a file at a/b.jpg becomes Prefix/a/b.jpg.
	// Empty means the bucket root.
	Prefix string
	// Concurrency bounds the requests in flight (DefaultConcurrency when
	// zero); the parts of one large file share that bound with every other
	// upload.
	Concurrency int
	// PartSize is the multipart part size (DefaultPartSize when zero).
	// Files of at least 2×PartSize are uploaded in parts; smaller ones in
	// one PUT, where a second request costs more than it saves.
	PartSize int64
	// All uploads every regular file; without it only media files
	// (IsMedia) are considered.
	All bool
	// Include and Exclude are glob patterns matched against the file's path
	// relative to the folder, with the download engine's rules; they narrow what the
	// media filter (or All) lets through.
	Include, Exclude []string
	// Rules, when set, are include and exclude rules in command-line order,
	// the last match winning (aws s3 sync's rule, as the download engine applies
	// it); they replace Include and Exclude.
	Rules []transfer.Rule
	// DryRun walks, lists and decides but uploads nothing; OnPlan, if set,
	// hears about every file that would be uploaded.
	DryRun bool
	// OnPlan is called in a dry run for each file that would be uploaded,
	// from several goroutines at once.
	OnPlan func(Planned)
	// OnFile, if set, hears about each file the run leaves out by the
	// media filter or the globs, skips (with the reason) or uploads, from
	// several goroutines at once; for verbose output.
	OnFile func(FileEvent)
}

// Planned is one upload a dry run would make (transfer.Planned).
type Planned = transfer.Planned

// Result summarises a run: the kernel's one shape (transfer.Result), with
// Done counting the files uploaded.
type Result = transfer.Result

// ErrRunning means Run or RetryFailed was called while a run is in progress.
var ErrRunning = errors.New("an upload is already running on this engine")

// Request time limits for calls that must finish even after cancellation:
// starting a multipart upload (so its id is known and it can be aborted),
// completing one whose parts are all up, and aborting one.
const (
	createTimeout   = awsops.CallTimeout
	completeTimeout = 5 * time.Minute
	abortTimeout    = awsops.CallTimeout
)

// remoteEntry is what the engine keeps per listed object: a few dozen
// bytes besides the key, so a prefix of a million objects costs tens of MB.
type remoteEntry struct {
	size int64
	etag string
}

// Engine uploads one folder into one bucket prefix. Run lists the
// destination, walks the folder and uploads what ShouldUpload selects; on
// cancellation every multipart upload in flight is aborted, and no object
// appears under a key half-written: a PUT is atomic and a multipart object
// only appears on completion. RetryFailed uploads again the files that
// failed in the previous run, without walking or listing again. Its methods
// are safe to call from several goroutines; Run and RetryFailed may not
// overlap.
type Engine struct {
	// Controls are Pause, Resume, Run and RetryFailed.
	transfer.Controls
	core *transfer.Core

	api S3API
	dir string
	// root is the folder, opened once per run: every file is opened
	// beneath it.
	root      *os.Root
	opts      Options
	filter    *transfer.Filter
	threshold int64

	// p is core.P, named short.
	p *transfer.Progress
	// Counts of the Snapshot's own fields, beside p's.
	filtered, ignoredCount, remoteCount atomic.Int64
	remoteListed                        atomic.Bool

	// remote is filled by the listing before any worker starts and only
	// read afterwards, so it needs no lock.
	remote map[string]remoteEntry

	mu          sync.Mutex // guards ignored, listWarning
	ignored     []transfer.Ignored
	listWarning string
}

// New returns an Engine that uploads dir through api, normally a client from
// NewS3Client built with the caller's own credentials (the platform key can
// only read). It checks the options but does no I/O.
func New(api S3API, dir string, opts Options) (*Engine, error) {
	if opts.Bucket == "" {
		return nil, errors.New("no bucket given")
	}
	if dir == "" {
		return nil, errors.New("no folder given")
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.PartSize <= 0 {
		opts.PartSize = DefaultPartSize
	}
	if opts.PartSize < MinPartSize || opts.PartSize > MaxPartSize {
		return nil, fmt.Errorf("part size %d is outside S3's limits of 5 MiB to 5 GiB", opts.PartSize)
	}
	opts.Prefix = strings.Trim(opts.Prefix, "/")
	f, err := newFilter(opts)
	if err != nil {
		return nil, err
	}
	e := &Engine{api: api, dir: dir, opts: opts, filter: f, threshold: 2 * opts.PartSize}
	e.core = transfer.NewCore(opts.Concurrency, opts.DryRun, e.run)
	e.Controls, e.p = e.core.Controls(), e.core.P
	return e, nil
}

type job struct {
	file localFile
	// force uploads without comparing, for retries of failed uploads.
	force bool
}

func (e *Engine) run(ctx context.Context, retry []transfer.Failure) (Result, error) {
	if !e.core.Begin() {
		return Result{}, ErrRunning
	}
	defer e.core.End()
	for _, v := range []*atomic.Int64{&e.filtered, &e.ignoredCount, &e.remoteCount} {
		v.Store(0)
	}
	e.remoteListed.Store(false)
	if retry == nil {
		e.mu.Lock()
		e.ignored, e.listWarning = nil, ""
		e.mu.Unlock()
	}

	real, err := realFolder(e.dir)
	if err == nil {
		e.root, err = os.OpenRoot(real)
	}
	if err != nil {
		e.p.Finish()
		return e.result(), err
	}
	defer func() { e.root.Close(); e.root = nil }()

	if retry == nil {
		if err := e.listRemote(ctx); err != nil {
			e.p.Finish()
			return e.result(), err
		}
	}
	e.remoteListed.Store(true)

	err = transfer.Run(ctx, e.p, e.opts.Concurrency, func(jobs chan<- job) error {
		if retry == nil {
			return e.walk(ctx, jobs)
		}
		return e.requeue(ctx, retry, jobs)
	}, func(slot int, j job) { e.process(ctx, slot, j) }, func(j job) {
		// A job dropped after cancellation leaves the totals.
		e.p.Drop(j.file.size)
	})
	e.remote = nil // the next run lists again; RetryFailed needs none
	e.p.Finish()
	if err == nil {
		err = ctx.Err()
	}
	return e.result(), err
}

// listRemote reads the destination listing into e.remote. Only
// cancellation and credentials that are no good (expired, invalid, none)
// stop the run: without a listing every file is uploaded, which costs time
// but is still correct, and credentials that may upload without listing
// are a real setup, but credentials S3 refuses cannot upload either.
func (e *Engine) listRemote(ctx context.Context) error {
	e.remote = make(map[string]remoteEntry)
	in := &s3.ListObjectsV2Input{Bucket: aws.String(e.opts.Bucket)}
	if e.opts.Prefix != "" {
		// With the slash, as the platform policy requires of listings.
		in.Prefix = aws.String(e.opts.Prefix + "/")
	}
	p := s3.NewListObjectsV2Paginator(e.api, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			err = mapS3Error(fmt.Sprintf("list s3://%s/%s", e.opts.Bucket, aws.ToString(in.Prefix)), err)
			if transfer.BadCredentials(err) {
				return err
			}
			e.mu.Lock()
			e.listWarning = transfer.OneLine(err) + "; without a listing nothing can be skipped, so every file is tried"
			e.mu.Unlock()
			return nil
		}
		for _, o := range out.Contents {
			k := aws.ToString(o.Key)
			if strings.HasSuffix(k, "/") {
				continue
			}
			e.remote[k] = remoteEntry{size: aws.ToInt64(o.Size), etag: strings.Trim(aws.ToString(o.ETag), `"`)}
		}
		e.remoteCount.Add(int64(len(out.Contents)))
	}
	return nil
}

// walk feeds the queue as the folder is read.
func (e *Engine) walk(ctx context.Context, jobs chan<- job) error {
	w := walker{all: e.opts.All, filter: e.filter, prefix: e.opts.Prefix,
		file: func(lf localFile) error {
			e.p.FilesTotal.Add(1)
			e.p.BytesTotal.Add(lf.size)
			select {
			case jobs <- job{file: lf}:
				return nil
			case <-ctx.Done():
				e.p.Drop(lf.size)
				return ctx.Err()
			}
		},
		filtered: func() { e.filtered.Add(1) },
		onFiltered: func(rel, why string) {
			transfer.Tell(e.opts.OnFile, FileEvent{Item: transfer.Item{Path: rel, Reason: why}})
		},
		ignored: func(ig Ignored) {
			e.ignoredCount.Add(1)
			e.mu.Lock()
			if len(e.ignored) < MaxIgnoredKept {
				e.ignored = append(e.ignored, ig)
			}
			e.mu.Unlock()
		},
	}
	return w.walk(ctx, e.dir)
}

func (e *Engine) requeue(ctx context.Context, prev []transfer.Failure, jobs chan<- job) error {
	for _, f := range prev {
		e.p.FilesTotal.Add(1)
		if !f.Retryable {
			e.core.Fail(f)
			continue
		}
		// What is there now is what the retry may read.
		lf, _ := f.Retry().(localFile)
		if fi, err := e.root.Stat(lf.open); err == nil {
			lf.seen = fi
			lf.size = fi.Size()
		}
		e.p.BytesTotal.Add(lf.size)
		select {
		case jobs <- job{file: lf, force: true}:
		case <-ctx.Done():
			e.p.Drop(lf.size)
			return ctx.Err()
		}
	}
	return nil
}

// ErrLeavesFolder means a file's path now goes through a symbolic link that
// leads out of the folder: it is not read.
var ErrLeavesFolder = errors.New("its path now goes through a symbolic link that leads out of the folder; not read")

// openWalked opens the file the walk found, beneath the folder and without
// blocking, and checks that what it opened is that same regular file: a
// file swapped for a link, a pipe or another file after the walk is not
// read.
func (e *Engine) openWalked(lf localFile) (*os.File, fs.FileInfo, error) {
	f, err := e.root.OpenFile(lf.open, os.O_RDONLY|oNonblock, 0)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) && pe.Err.Error() == "path escapes from parent" {
			return nil, nil, ErrLeavesFolder
		}
		return nil, nil, fmt.Errorf("open: %w", pathErr(err))
	}
	fi, err := f.Stat()
	switch {
	case err != nil:
		err = pathErr(err)
	case !fi.Mode().IsRegular():
		err = errors.New("no longer a regular file; not read")
	case lf.seen != nil && !os.SameFile(fi, lf.seen):
		err = errors.New("replaced by another file after the folder was read; not read (run again to upload what is there now)")
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

func (e *Engine) process(ctx context.Context, slot int, j job) {
	lf := j.file
	if reason := checkKey(lf.key); reason != "" {
		e.fail(lf, errors.New(reason), false)
		return
	}
	f, fi, err := e.openWalked(lf)
	if err != nil {
		e.fail(lf, err, !errors.Is(err, ErrLeavesFolder))
		return
	}
	defer f.Close()
	if fi.Size() != lf.size {
		// Changed since the walk: upload what is there now.
		e.p.BytesTotal.Add(fi.Size() - lf.size)
		lf.size = fi.Size()
	}
	lf.modTime = fi.ModTime()

	reason := transfer.ReasonNew
	if !j.force {
		need, r, err := e.decide(ctx, f, lf)
		if err != nil {
			if ctx.Err() == nil {
				e.fail(lf, err, true)
			} else {
				e.p.Drop(lf.size)
			}
			return
		}
		if !need {
			e.p.FilesSkipped.Add(1)
			e.p.BytesTotal.Add(-lf.size)
			transfer.Tell(e.opts.OnFile, FileEvent{Item: transfer.Item{Path: lf.rel, Key: lf.key, Size: lf.size, Reason: string(r)}})
			return
		}
		reason = r
	}
	if e.opts.DryRun {
		transfer.Tell(e.opts.OnPlan, Planned{Path: lf.rel, Key: lf.key, Size: lf.size, Reason: reason})
		transfer.Tell(e.opts.OnFile, FileEvent{Item: transfer.Item{Path: lf.rel, Key: lf.key, Size: lf.size, Reason: string(reason)}, Uploaded: true})
		e.p.FilesDone.Add(1)
		e.p.BytesDone.Add(lf.size)
		return
	}

	tr := e.p.Begin(slot, lf.key, lf.size)
	if lf.size >= e.threshold {
		err = e.putMultipart(ctx, f, lf, tr)
	} else {
		err = e.put(ctx, f, lf, tr)
	}
	e.p.End(slot)
	if err == nil {
		if after, serr := f.Stat(); serr == nil && (after.Size() != lf.size || !after.ModTime().Equal(lf.modTime)) {
			err = errors.New("file changed while it was uploading; run again to upload the new version")
		}
	}
	if err != nil {
		// Bytes of an upload that did not complete are taken back out of
		// the progress: no object holds them.
		e.p.BytesDone.Add(-tr.Done.Load())
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			e.p.Drop(lf.size)
			return
		}
		e.fail(lf, err, true)
		return
	}
	e.p.FilesDone.Add(1)
	transfer.Tell(e.opts.OnFile, FileEvent{Item: transfer.Item{Path: lf.rel, Key: lf.key, Size: lf.size, Reason: string(reason)}, Uploaded: true})
}

// FileEvent is what happened to one file of a run.
type FileEvent struct {
	transfer.Item
	// Uploaded is true once the object is written (in a dry run: it would
	// be); otherwise the file was skipped or left out.
	Uploaded bool
}

// decide gathers the evidence ShouldUpload needs for lf, reading the file
// or asking S3 only when the cheaper evidence leaves it open.
func (e *Engine) decide(ctx context.Context, f *os.File, lf localFile) (bool, transfer.Reason, error) {
	ent, ok := e.remote[lf.key]
	local := Local{Size: lf.size, ModTime: lf.modTime}
	remote := Remote{Exists: ok, Size: ent.size, ETag: ent.etag}
	if NeedsMD5(local, remote) {
		sum, err := transfer.MD5RangeHex(f, 0, lf.size)
		if err != nil {
			return false, "", fmt.Errorf("read for checksum: %w", pathErr(err))
		}
		local.MD5 = sum
	}
	if NeedsHead(local, remote) {
		hctx, cancel := context.WithTimeout(ctx, awsops.CallTimeout)
		out, err := e.api.HeadObject(hctx, &s3.HeadObjectInput{Bucket: aws.String(e.opts.Bucket), Key: aws.String(lf.key)})
		cancel()
		if err != nil && ctx.Err() != nil {
			return false, "", ctx.Err()
		}
		// A failed HEAD leaves the question open, and uploading again
		// is the safe answer.
		if err == nil {
			for k, v := range out.Metadata {
				if strings.EqualFold(k, MtimeMeta) {
					if t, ok := ParseMtime(v); ok {
						remote.Mtime = t
					}
				}
			}
		}
		if remote.Mtime.IsZero() {
			etag, err := e.multipartETag(f, lf.size, multipartParts(remote.ETag))
			if err != nil {
				return false, "", fmt.Errorf("read for checksum: %w", pathErr(err))
			}
			local.MultipartETag = etag
		}
	}
	need, reason := ShouldUpload(local, remote)
	return need, reason, nil
}

// multipartETag computes the ETag a multipart upload of the file in parts
// would have, for the first part size among the ones s3link, the AWS CLI and
// rclone use by default that yields parts parts; "" when none does.
func (e *Engine) multipartETag(f *os.File, size int64, parts int) (string, error) {
	if parts < 1 {
		return "", nil
	}
	for _, ps := range []int64{e.partSizeFor(size), DefaultPartSize, 5 << 20, 16 << 20} {
		if (size+ps-1)/ps != int64(parts) {
			continue
		}
		all := md5.New()
		for off := int64(0); off < size; off += ps {
			sum, err := transfer.MD5Range(f, off, min(ps, size-off))
			if err != nil {
				return "", err
			}
			all.Write(sum)
		}
		return fmt.Sprintf("%s-%d", hex.EncodeToString(all.Sum(nil)), parts), nil
	}
	return "", nil
}

// partSizeFor grows the part size for files that would need more than
// MaxParts parts, in whole MiB.
func (e *Engine) partSizeFor(size int64) int64 {
	ps := e.opts.PartSize
	if (size+ps-1)/ps > MaxParts {
		ps = (size + MaxParts - 1) / MaxParts
		ps = (ps + 1<<20 - 1) &^ (1<<20 - 1)
	}
	return ps
}

func (e *Engine) metadata(lf localFile) map[string]string {
	return map[string]string{MtimeMeta: FormatMtime(lf.modTime)}
}

// lowerExt is the extension of the slash-separated name, dot included, in
// lower case: what IsMedia and the content type go by.
func lowerExt(name string) string { return strings.ToLower(path.Ext(name)) }

func contentType(name string) *string {
	if t := mime.TypeByExtension(lowerExt(name)); t != "" {
		return aws.String(t)
	}
	return nil
}

// put uploads a small file in one PutObject. The SDK computes its CRC32,
// which S3 checks before storing the object and keeps for downloads.
func (e *Engine) put(ctx context.Context, f *os.File, lf localFile, tr *transfer.Live) error {
	if err := e.core.Limit.Acquire(ctx); err != nil {
		return err
	}
	defer e.core.Limit.Release()
	_, err := e.api.PutObject(ctx, &s3.PutObjectInput{
		Bucket:            aws.String(e.opts.Bucket),
		Key:               aws.String(lf.key),
		Body:              io.NewSectionReader(f, 0, lf.size),
		ContentLength:     aws.Int64(lf.size),
		ContentType:       contentType(lf.rel),
		Metadata:          e.metadata(lf),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
	}, e.counted(tr, lf.size))
	if err != nil {
		return mapS3Error("upload", err)
	}
	return nil
}

// putMultipart uploads a large file in parts sent in parallel. Each part
// carries a CRC32 that S3 checks on arrival, and the object gets their
// COMPOSITE checksum: supported alike by S3 and by moto, which (without
// awscrt) would store a CRC32 labelled as CRC64NVME for FULL_OBJECT
// uploads, and no SDK can verify that on download.
//
// The upload id must never be lost, or its parts would be billed until a
// lifecycle rule removes them: CreateMultipartUpload runs on a context that
// a cancellation does not cut short, and every exit that does not complete
// aborts, again on such a context.
func (e *Engine) putMultipart(ctx context.Context, f *os.File, lf localFile, tr *transfer.Live) error {
	ps := e.partSizeFor(lf.size)
	n := (lf.size + ps - 1) / ps
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), createTimeout)
	created, err := e.api.CreateMultipartUpload(cctx, &s3.CreateMultipartUploadInput{
		Bucket:            aws.String(e.opts.Bucket),
		Key:               aws.String(lf.key),
		ContentType:       contentType(lf.rel),
		Metadata:          e.metadata(lf),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
		ChecksumType:      types.ChecksumTypeComposite,
	})
	cancel()
	if err != nil {
		return mapS3Error("start multipart upload", err)
	}
	id := created.UploadId
	abort := func(cause error) error {
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
		defer cancel()
		_, aerr := e.api.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{
			Bucket: aws.String(e.opts.Bucket), Key: aws.String(lf.key), UploadId: id,
		})
		if aerr != nil {
			// %v, not %w: this is a failure to report even when the
			// cause was a cancellation, which is otherwise no failure.
			return fmt.Errorf("%v; the incomplete upload %s could not be aborted either (%s), so its parts stay billed until it is aborted or a lifecycle rule removes it",
				cause, aws.ToString(id), transfer.OneLine(mapS3Error("abort", aerr)))
		}
		return cause
	}

	// The parts share the engine's request slots with every other upload;
	// the first to fail cancels the others.
	g, pctx := errgroup.WithContext(ctx)
	parts := make([]types.CompletedPart, n)
	started := int64(0)
	for i := range n {
		if e.p.Gate.Wait(pctx) != nil || e.core.Limit.Acquire(pctx) != nil {
			break
		}
		started++
		off, size := i*ps, min(ps, lf.size-i*ps)
		g.Go(func() error {
			defer e.core.Limit.Release()
			num := aws.Int32(int32(i + 1))
			out, err := e.api.UploadPart(pctx, &s3.UploadPartInput{
				Bucket:            aws.String(e.opts.Bucket),
				Key:               aws.String(lf.key),
				UploadId:          id,
				PartNumber:        num,
				Body:              io.NewSectionReader(f, off, size),
				ContentLength:     aws.Int64(size),
				ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
			}, e.counted(tr, size))
			if err != nil {
				return mapS3Error(fmt.Sprintf("upload part %d of %d", i+1, n), err)
			}
			parts[i] = types.CompletedPart{ETag: out.ETag, PartNumber: num, ChecksumCRC32: out.ChecksumCRC32}
			return nil
		})
	}
	perr := g.Wait()
	if ctx.Err() != nil {
		// A part's own error may only be the echo of the cancellation.
		perr = ctx.Err()
	}
	if perr == nil && started < n {
		perr = context.Canceled
	}
	if perr != nil {
		return abort(perr)
	}
	// Every byte is up: completing costs one request and leaves a whole
	// object, so it runs even if a cancellation arrives meanwhile.
	cctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), completeTimeout)
	defer cancel()
	_, err = e.api.CompleteMultipartUpload(cctx, &s3.CompleteMultipartUploadInput{
		Bucket:          aws.String(e.opts.Bucket),
		Key:             aws.String(lf.key),
		UploadId:        id,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
	if err != nil {
		return abort(mapS3Error("complete multipart upload", err))
	}
	return nil
}

// fail records a per-file failure; the file's bytes leave the total.
func (e *Engine) fail(lf localFile, err error, retryable bool) {
	e.p.BytesTotal.Add(-lf.size)
	e.core.Fail(transfer.Failure{Path: lf.rel, Key: lf.key, Reason: transfer.OneLine(err), Retryable: retryable}.WithRetry(lf))
}

// Snapshot returns the progress now, cheap enough to call every 100 ms.
func (e *Engine) Snapshot() transfer.Snapshot {
	s := e.core.Snapshot()
	s.FilesFiltered, s.FilesIgnored = e.filtered.Load(), e.ignoredCount.Load()
	s.RemoteObjects, s.Preparing = e.remoteCount.Load(), !e.remoteListed.Load()
	return s
}

func (e *Engine) result() Result {
	r := e.core.Result()
	r.Filtered, r.IgnoredCount = e.filtered.Load(), e.ignoredCount.Load()
	e.mu.Lock()
	r.Ignored = append([]transfer.Ignored(nil), e.ignored...)
	r.ListWarning = e.listWarning
	e.mu.Unlock()
	return r
}
