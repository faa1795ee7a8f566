package download

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/rand/v2"
	"os"
	"sync/atomic"
	"time"

	"github.com/s3link/s3link/awsops/transfer"
	"golang.org/x/sync/errgroup"
)

// errIntegrity marks a body that arrived whole but wrong (size, MD5 or SDK
// checksum); the object is fetched again from the start.
var errIntegrity = errors.New("verification failed")

// copyBufSize is the unit of body reads, progress updates and pause checks.
const copyBufSize = transfer.CopyBufSize

// download fetches one object into a temporary file in its target's folder
// and moves it into place once verified. Whatever happens, no partial file is
// ever left under the final name, and the temporary file is removed on
// failure or cancellation.
func (e *Engine) download(ctx context.Context, j job, h *dirHandle, base string, tr *transfer.Live) (err error) {
	tf, err := e.openTemp(h, base)
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	defer func() {
		if err != nil {
			tf.abort()
		}
	}()

	var (
		mtime time.Time
		v     verifyState
	)
	if j.obj.Size >= e.threshold {
		cs, asked := e.rangedInfo(ctx, &j.obj, &v)
		mtime, err = e.fetchRanged(ctx, j, tf.f, tr, cs)
		if err == nil && !asked && j.obj.Mtime.IsZero() {
			// Ranges are not asked for metadata; one HEAD is cheap beside
			// a large object. Without an answer the listed time stands.
			if t, herr := e.remoteMtime(ctx, j.obj); herr == nil && !t.IsZero() {
				mtime = t
			}
		}
	} else {
		mtime, err = e.fetchWhole(ctx, j, tf.f, tr, &v)
	}
	if err != nil {
		return err
	}
	if err := tf.commit(base, mtime); err != nil {
		return err
	}
	if v.sizeOnly {
		e.sizeOnly.Add(1)
	}
	return nil
}

// verifyState is what one object's download learns about verifying it,
// kept across its attempts.
type verifyState struct {
	// partSize is the composite checksum's part size once asked for (at
	// most one request per object); partSizeAsked says it was.
	partSize      int64
	partSizeAsked bool
	// sizeOnly: the object has a composite checksum whose parts do not fit
	// its size, and no plain-MD5 ETag, so only its size vouches for it.
	sizeOnly bool
}

// fetchWhole downloads an object in one GET, hashing while writing. A body
// that breaks is resumed with a range request bound to the ETag by If-Match;
// a body that arrives whole but fails verification is fetched again.
func (e *Engine) fetchWhole(ctx context.Context, j job, f *os.File, tr *transfer.Live, v *verifyState) (time.Time, error) {
	for attempt := 1; ; attempt++ {
		mtime, err := e.fetchWholeOnce(ctx, j, f, tr, v)
		if err == nil || ctx.Err() != nil {
			return mtime, err
		}
		retry := errors.Is(err, errIntegrity) || errors.Is(err, ErrChanged)
		if !retry || attempt >= e.opts.Attempts {
			return time.Time{}, err
		}
		e.p.BytesDone.Add(-tr.Done.Swap(0))
		if err := f.Truncate(0); err != nil {
			return time.Time{}, fmt.Errorf("write: %w", err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return time.Time{}, fmt.Errorf("write: %w", err)
		}
		if err := backoff(ctx, attempt); err != nil {
			return time.Time{}, err
		}
	}
}

func (e *Engine) fetchWholeOnce(ctx context.Context, j job, f *os.File, tr *transfer.Live, v *verifyState) (time.Time, error) {
	if err := e.core.Limit.Acquire(ctx); err != nil {
		return time.Time{}, err
	}
	defer e.core.Limit.Release()
	reqCtx, guard := e.watch(ctx)
	defer func() { guard.stop() }()
	resp, err := e.store.Get(reqCtx, GetRequest{Bucket: e.opts.Bucket, Key: j.obj.Key})
	if err != nil {
		return time.Time{}, err
	}
	size := resp.Size
	if size < 0 {
		size = j.obj.Size // no Content-Length: trust the listing
	}
	validated := resp.ChecksumValidated
	md5hex, useMD5 := PlainMD5(resp.ETag)
	useMD5 = useMD5 && !resp.ETagIsNotMD5
	// The object's own checksum, checked here as the body is written; it
	// covers a resumed body too, since the resumed bytes come in order.
	cs := resp.Checksum
	var ch hash.Hash
	if cs != nil && !validated {
		ch = checksumHash(cs.Algorithm)
	}
	// A body with a checksum (checked here or by the store) is not also
	// MD5-hashed: one verification per byte, never two.
	var h *transfer.MD5
	defer func() { h.Close() }()
	if useMD5 && !validated && ch == nil {
		h = transfer.NewMD5()
	}
	var hw io.Writer = hashOrNil(h)
	if ch != nil {
		hw = ch
	}
	// A composite checksum is the one check of an object without a plain
	// MD5 ETag: its parts are hashed apart, split at the upload's part
	// boundaries as the body is written.
	var comp *compositeSum
	if c := resp.Composite; c != nil && cs == nil && !validated && !useMD5 {
		if ps, ok := e.store.(partSizer); ok && !v.partSizeAsked {
			// Not reqCtx: the body's stall guard does not time the HEAD.
			v.partSize, err = ps.firstPartSize(ctx, e.opts.Bucket, Object{Key: j.obj.Key, Size: size, ETag: resp.ETag})
			if err != nil {
				resp.Body.Close()
				return time.Time{}, err
			}
			v.partSizeAsked = true
		}
		cc := *c
		cc.PartSize = v.partSize
		if compositeFits(&cc, size) {
			comp = newCompositeSum(&cc, size)
			hw = comp.writer(0)
			v.sizeOnly = false
		} else {
			// Parts of unequal size (or a store that cannot tell the part
			// size): the boundaries are not known, so the size alone
			// vouches for the file, as it did before.
			v.sizeOnly = true
		}
	}
	var written int64
	for resumes := 0; ; {
		n, rerr := e.copyBody(ctx, fileWriter{f: f}, written, resp.Body, hw, tr, guard)
		resp.Body.Close()
		written += n
		if rerr == nil && written == size {
			break
		}
		if ctx.Err() != nil {
			return time.Time{}, ctx.Err()
		}
		if errors.Is(rerr, errWrite) {
			return time.Time{}, rerr
		}
		if written >= size {
			// Everything arrived but the body still failed: the SDK's checksum
			// check runs at EOF, or the server sent too much.
			return time.Time{}, fmt.Errorf("%w: %v", errIntegrity, describe(rerr, written, size))
		}
		resumes++
		if resumes >= e.opts.Attempts {
			return time.Time{}, fmt.Errorf("download broke off %d times, last after %d of %d bytes: %v", resumes, written, size, describe(rerr, written, size))
		}
		if err := backoff(ctx, resumes); err != nil {
			return time.Time{}, err
		}
		// A whole-object checksum does not cover a range, so after a resume
		// only the MD5 (when the ETag is one) and the size vouch for the file.
		if validated {
			validated = false
			if useMD5 {
				// The bytes so far were not hashed; hash them from the file.
				h = transfer.NewMD5()
				if err := hashPrefix(h, f, written); err != nil {
					return time.Time{}, err
				}
				hw = h
			}
		}
		guard.stop()
		reqCtx, guard = e.watch(ctx)
		resp, err = e.store.Get(reqCtx, GetRequest{Bucket: e.opts.Bucket, Key: j.obj.Key, Offset: written, Length: -1, IfMatch: resp.ETag})
		if err != nil {
			return time.Time{}, err
		}
		if resp.Size != size {
			resp.Body.Close()
			return time.Time{}, fmt.Errorf("%w: size changed from %d to %d while resuming", ErrChanged, size, resp.Size)
		}
	}
	if ch != nil {
		if got := base64.StdEncoding.EncodeToString(ch.Sum(nil)); got != cs.Value {
			return time.Time{}, fmt.Errorf("%w: %s %s does not match the object's %s", errIntegrity, cs.Algorithm, got, cs.Value)
		}
	}
	if comp != nil {
		if err := comp.check(); err != nil {
			return time.Time{}, err
		}
	}
	if h != nil {
		if got := hex.EncodeToString(h.Sum(nil)); got != md5hex {
			return time.Time{}, fmt.Errorf("%w: MD5 %s does not match ETag %s", errIntegrity, got, md5hex)
		}
	}
	if !resp.Mtime.IsZero() {
		return resp.Mtime, nil // the upload engine's own time (rclone, s3link upload)
	}
	if resp.ETag == j.obj.ETag || resp.LastModified.IsZero() {
		return j.obj.LastModified, nil
	}
	// The object changed after it was listed; what we have is the newer one.
	return resp.LastModified, nil
}

// fetchRanged downloads a large object as parallel ranged GETs, each written
// in place with WriteAt. All ranges carry If-Match with the listed ETag so
// parts of two versions are never spliced. A whole-object SDK checksum does
// not apply to ranges, so the file is vouched for by the size of every part
// and by the object's full-object CRC, combined from the parts' CRCs, when
// it has one (rangedChecksum); else, when the ETag is a plain MD5, by an MD5
// computed in order while the parts are written: the hasher follows the written prefix of the file, a
// buffer or so behind the part at its front, so the bytes it reads back are
// still in the page cache (and mostly in the CPU's) and the finished file is
// never read again from its start.
func (e *Engine) fetchRanged(ctx context.Context, j job, f *os.File, tr *transfer.Live, cs *ObjectChecksum) (time.Time, error) {
	for attempt := 1; ; attempt++ {
		err := e.fetchRangedOnce(ctx, j, f, tr, cs)
		if err == nil || ctx.Err() != nil {
			return j.obj.ModTime(), err
		}
		if !errors.Is(err, errIntegrity) || attempt >= e.opts.Attempts {
			return time.Time{}, err
		}
		e.p.BytesDone.Add(-tr.Done.Swap(0))
		if err := backoff(ctx, attempt); err != nil {
			return time.Time{}, err
		}
	}
}

// rangedHeader is a Store that tells, in one request, what a ranged
// download wants to know beforehand: the object's full-object checksum and
// its "mtime" metadata.
type rangedHeader interface {
	rangedHead(ctx context.Context, bucket string, obj Object) (*ObjectChecksum, time.Time, error)
}

// rangedInfo asks before a ranged download for the object's full-object
// CRC (one HEAD, bound to the listed ETag): the download is then verified
// with it, a CRC per part combined into the object's, instead of with the
// MD5 of its ETag, never both; nil when there is none, or no answer. The
// same HEAD brings the object's "mtime" metadata into obj; asked says it
// did, so no second HEAD is made for it.
func (e *Engine) rangedInfo(ctx context.Context, obj *Object, v *verifyState) (cs *ObjectChecksum, asked bool) {
	var err error
	if rh, ok := e.store.(rangedHeader); ok {
		var mtime time.Time
		cs, mtime, err = rh.rangedHead(ctx, e.opts.Bucket, *obj)
		if err != nil {
			return nil, false
		}
		asked = true
		if !mtime.IsZero() && obj.Mtime.IsZero() {
			obj.Mtime = mtime
		}
	} else if cs, err = e.remoteChecksum(ctx, *obj); err != nil {
		return nil, false
	}
	if isComposite(cs) {
		if _, md5 := PlainMD5(obj.ETag); md5 {
			return nil, asked // the MD5 of the ETag verifies it
		}
		if !compositeFits(cs, obj.Size) {
			// Parts of unequal size (or none known): the size alone
			// vouches for the file.
			v.sizeOnly = true
			return nil, asked
		}
		return cs, asked
	}
	if cs == nil || cs.PartSize != 0 {
		return nil, asked
	}
	if _, ok := crcFor(cs.Algorithm); !ok {
		return nil, asked
	}
	return cs, asked
}

func (e *Engine) fetchRangedOnce(ctx context.Context, j job, f *os.File, tr *transfer.Live, cs *ObjectChecksum) error {
	size, ps := j.obj.Size, e.partSize(j.obj.Size)
	var comp *compositeSum
	if isComposite(cs) {
		// Ranges of whole upload parts, so each upload part is hashed in
		// order by one fetcher, which splits its range at part boundaries.
		comp = newCompositeSum(cs, size)
		ps = cs.PartSize * max(1, ps/cs.PartSize)
		cs = nil
	}
	// Reserving the space up front turns a full disk into one early error
	// and gives the parallel writes contiguous extents to land in.
	if err := preallocate(f, size); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	parts := (size + ps - 1) / ps
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		kind    crcKind
		partCRC []uint64
	)
	if cs != nil {
		kind, _ = crcFor(cs.Algorithm)
		partCRC = make([]uint64, parts)
	}
	md5hex, useMD5 := PlainMD5(j.obj.ETag)
	useMD5 = useMD5 && cs == nil && comp == nil
	var ord *orderedMD5
	if useMD5 {
		ord = newOrderedMD5(f, size, ps)
		go ord.run(ctx)
		defer ord.close()
	}
	var (
		next     atomic.Int64
		notMD5   atomic.Bool
		fetchers = min(parts, int64(e.opts.Concurrency))
	)
	// The first part to fail cancels the others.
	g, gctx := errgroup.WithContext(ctx)
	for range fetchers {
		g.Go(func() error {
			for {
				i := next.Add(1) - 1
				if i >= parts || gctx.Err() != nil {
					return nil
				}
				off := i * ps
				n := min(ps, size-off)
				var h hash.Hash
				var hw io.Writer
				if cs != nil {
					h = kind.new()
					hw = h
				} else if comp != nil {
					hw = comp.writer(off)
				}
				enc, err := e.fetchPart(gctx, j, fileWriter{f: f, at: true, ord: ord, part: int(i)}, off, n, hw, tr)
				if err != nil {
					return err
				}
				if cs != nil {
					partCRC[i] = kind.value(h)
				}
				if enc {
					notMD5.Store(true)
				}
			}
		})
	}
	if err := g.Wait(); err != nil {
		cancel() // the ordered MD5 waits for parts that will not come
		return err
	}
	if cs != nil {
		crc := partCRC[0]
		for i := int64(1); i < parts; i++ {
			crc = kind.combine(crc, partCRC[i], min(ps, size-i*ps))
		}
		if got := kind.encode(crc); got != cs.Value {
			return fmt.Errorf("%w: %s %s does not match the object's %s", errIntegrity, cs.Algorithm, got, cs.Value)
		}
	}
	if comp != nil {
		if err := comp.check(); err != nil {
			return err
		}
	}
	if useMD5 {
		sum, err := ord.wait()
		if err != nil {
			return err
		}
		if !notMD5.Load() && sum != md5hex {
			return fmt.Errorf("%w: MD5 %s does not match ETag %s", errIntegrity, sum, md5hex)
		}
	}
	return nil
}

// orderedMD5 hashes a file that parallel parts write in place, in file
// order, as soon as each byte is written: the writers count the bytes each
// part has written from its start, and the hasher reads back the written
// prefix of the file through one pooled buffer.
type orderedMD5 struct {
	f        *os.File
	size, ps int64
	written  []atomic.Int64 // per part: bytes written from its start
	wake     chan struct{}
	h        *transfer.MD5
	done     chan struct{}
	err      error
}

func newOrderedMD5(f *os.File, size, ps int64) *orderedMD5 {
	return &orderedMD5{f: f, size: size, ps: ps, written: make([]atomic.Int64, (size+ps-1)/ps),
		wake: make(chan struct{}, 1), h: transfer.NewMD5(), done: make(chan struct{})}
}

// wrote records n more bytes written at the end of part i's written run.
func (o *orderedMD5) wrote(i int, n int64) {
	o.written[i].Add(n)
	select {
	case o.wake <- struct{}{}:
	default: // a wake-up is pending already
	}
}

func (o *orderedMD5) run(ctx context.Context) {
	defer close(o.done)
	bp := transfer.GetBuf()
	defer transfer.PutBuf(bp)
	buf := *bp
	for pos := int64(0); pos < o.size; {
		i := pos / o.ps
		start := i * o.ps
		end := start + min(o.written[i].Load(), min(o.ps, o.size-start))
		if end <= pos {
			select {
			case <-o.wake:
			case <-ctx.Done():
				o.err = ctx.Err()
				return
			}
			continue
		}
		n, err := o.f.ReadAt(buf[:min(int64(len(buf)), end-pos)], pos)
		if n > 0 {
			o.h.Write(buf[:n])
			pos += int64(n)
		}
		if err != nil && n == 0 {
			o.err = fmt.Errorf("read back for MD5: %w", err)
			return
		}
	}
}

// wait returns the hex MD5 once every byte is hashed.
func (o *orderedMD5) wait() (string, error) {
	<-o.done
	if o.err != nil {
		return "", o.err
	}
	return hex.EncodeToString(o.h.Sum(nil)), nil
}

// close waits for the hasher (its context must be done or every part
// written) and releases it.
func (o *orderedMD5) close() {
	<-o.done
	o.h.Close()
}

// fetchPart downloads bytes [off, off+n) and resumes a broken body from the
// byte where it stopped, feeding the part's bytes in order to h when given. It reports whether the object's encryption makes
// its ETag something other than an MD5.
func (e *Engine) fetchPart(ctx context.Context, j job, w fileWriter, off, n int64, h io.Writer, tr *transfer.Live) (bool, error) {
	if err := e.core.Limit.Acquire(ctx); err != nil {
		return false, err
	}
	defer e.core.Limit.Release()
	var written int64
	for resumes := 0; ; {
		reqCtx, guard := e.watch(ctx)
		resp, err := e.store.Get(reqCtx, GetRequest{Bucket: e.opts.Bucket, Key: j.obj.Key,
			Offset: off + written, Length: n - written, IfMatch: j.obj.ETag})
		if err != nil {
			guard.stop()
			return false, err
		}
		if resp.Size != j.obj.Size || resp.ContentLength != n-written {
			resp.Body.Close()
			guard.stop()
			return false, fmt.Errorf("%w: asked for %d bytes of a %d-byte object, got %d of %d",
				ErrChanged, n-written, j.obj.Size, resp.ContentLength, resp.Size)
		}
		m, rerr := e.copyBody(ctx, w, off+written, resp.Body, h, tr, guard)
		resp.Body.Close()
		guard.stop()
		written += m
		if rerr == nil && written == n {
			return resp.ETagIsNotMD5, nil
		}
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		if errors.Is(rerr, errWrite) {
			return false, rerr
		}
		if written >= n {
			return false, fmt.Errorf("%w: %v", errIntegrity, describe(rerr, written, n))
		}
		resumes++
		if resumes >= e.opts.Attempts {
			return false, fmt.Errorf("download broke off %d times, last at byte %d: %v", resumes, off+written, describe(rerr, written, n))
		}
		if err := backoff(ctx, resumes); err != nil {
			return false, err
		}
	}
}

// errWrite marks a local write failure inside copyBody.
var errWrite = errors.New("write")

// fileWriter writes sequentially, or at absolute offsets for ranged parts;
// a part's writes are counted for the in-order MD5 when there is one.
type fileWriter struct {
	f    *os.File
	at   bool
	ord  *orderedMD5
	part int
}

func (w fileWriter) write(p []byte, off int64) error {
	var err error
	if w.at {
		_, err = w.f.WriteAt(p, off)
	} else {
		_, err = w.f.Write(p)
	}
	if err != nil {
		return fmt.Errorf("%w: %w", errWrite, err)
	}
	if w.ord != nil {
		w.ord.wrote(w.part, int64(len(p)))
	}
	return nil
}

// copyBody moves a body to the file through a pooled buffer, updating the
// progress counters once per buffer and honouring pause between reads. It
// returns the bytes written and nil at a clean EOF.
func (e *Engine) copyBody(ctx context.Context, w fileWriter, off int64, body io.Reader, h io.Writer, tr *transfer.Live, guard *stallGuard) (int64, error) {
	bp := transfer.GetBuf()
	defer transfer.PutBuf(bp)
	buf := *bp
	var total int64
	for {
		// A pause is not a stall: the guard sleeps while the gate is shut.
		guard.pause()
		if err := e.p.Gate.Wait(ctx); err != nil {
			return total, err
		}
		guard.alive()
		n, rerr := readFill(guardedReader{body, guard}, buf)
		if n > 0 {
			if err := w.write(buf[:n], off+total); err != nil {
				return total, err
			}
			if h != nil {
				h.Write(buf[:n])
			}
			total += int64(n)
			e.p.Add(tr, int64(n))
		}
		if rerr == io.EOF {
			return total, nil
		}
		if rerr != nil {
			return total, rerr
		}
	}
}

// readFill reads until buf is full or the body ends, returning the body's
// own error: unlike io.ReadFull it keeps a transport's io.ErrUnexpectedEOF
// (a body shorter than its Content-Length) apart from a clean io.EOF.
func readFill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
		if m == 0 {
			// A reader returning 0, nil repeatedly would spin; hand back what
			// we have and let the caller read again.
			return n, nil
		}
	}
	return n, nil
}

// hashPrefix feeds the first n bytes of f to h, reading them back from the
// page cache.
func hashPrefix(h *transfer.MD5, f *os.File, n int64) error {
	bp := transfer.GetBuf()
	defer transfer.PutBuf(bp)
	if _, err := io.CopyBuffer(h, io.NewSectionReader(f, 0, n), *bp); err != nil {
		return fmt.Errorf("read back for MD5: %w", err)
	}
	return nil
}

// hashOrNil is h as a hash.Hash, nil when h is: copyBody skips hashing on
// a nil interface, which a nil *transfer.MD5 would not be.
func hashOrNil(h *transfer.MD5) hash.Hash {
	if h == nil {
		return nil
	}
	return h
}

func describe(err error, got, want int64) string {
	if err == nil {
		return fmt.Sprintf("body ended after %d of %d bytes", got, want)
	}
	return err.Error()
}

// backoff waits before attempt n+1: exponential from 50 ms, capped at 2 s,
// with jitter so workers hit by the same fault do not retry in lockstep.
func backoff(ctx context.Context, n int) error {
	d := 50 * time.Millisecond << min(n-1, 6)
	d = min(d, 2*time.Second)
	d = d/2 + rand.N(d/2+1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// stallGuard cancels a request whose body stops arriving. Cancelling the
// request's context is what unblocks a read on an open but silent
// connection; the caller then sees a broken body and resumes it with a
// Range GET from the last byte written.
type stallGuard struct {
	timer  *time.Timer
	d      time.Duration
	cancel context.CancelFunc
}

// watch derives a request context that the returned guard cancels after
// StallTimeout without progress.
func (e *Engine) watch(ctx context.Context) (context.Context, *stallGuard) {
	reqCtx, cancel := context.WithCancel(ctx)
	return reqCtx, &stallGuard{timer: time.AfterFunc(e.opts.StallTimeout, cancel), d: e.opts.StallTimeout, cancel: cancel}
}

// alive restarts the countdown after progress.
func (g *stallGuard) alive() { g.timer.Reset(g.d) }

// pause stops the countdown while the engine is paused.
func (g *stallGuard) pause() { g.timer.Stop() }

// stop ends the guard and releases its request context; call it once the
// body is closed.
func (g *stallGuard) stop() {
	g.timer.Stop()
	g.cancel()
}

// guardedReader tells the guard about every read that brings bytes, so a
// slow but moving body is never mistaken for a stalled one.
type guardedReader struct {
	r io.Reader
	g *stallGuard
}

func (r guardedReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.g.alive()
	}
	return n, err
}

// partSize is the ranged-GET size for an object of size bytes.
func (e *Engine) partSize(size int64) int64 {
	if !e.autoPart {
		return e.opts.PartSize
	}
	return min(max(e.opts.PartSize, size/autoParts), MaxAutoPartSize)
}

// checksumHash is the hash for a full-object checksum algorithm: the
// combinable CRCs' fast implementations, else newHash's.
func checksumHash(algorithm string) hash.Hash {
	if k, ok := crcFor(algorithm); ok {
		return k.new()
	}
	return newHash(algorithm)
}
