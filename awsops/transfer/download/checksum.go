package download

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/s3link/s3link/awsops/transfer"
)

// ObjectChecksum is an object's own checksum, as S3 keeps it beside the object
// (x-amz-checksum-*): Value is base64, and for a composite checksum of a
// multipart upload it is the checksum of the parts' checksums followed by
// "-N", which needs the part size to compute again.
type ObjectChecksum struct {
	// Algorithm is CRC32, CRC32C, CRC64NVME, SHA1 or SHA256 (or MD5, for
	// the ETag, in hex).
	Algorithm string
	Value     string
	// PartSize is the size of every part but the last of a composite
	// checksum; zero for a full-object one.
	PartSize int64
}

// Checksummer is a Store that can tell an object's checksum. Checksum
// returns nil, nil when the object has none that can be computed again
// locally.
type Checksummer interface {
	Checksum(ctx context.Context, bucket string, obj Object) (*ObjectChecksum, error)
}

// remoteChecksum asks the store for obj's checksum; nil when the store
// cannot tell or the object has none.
func (e *Engine) remoteChecksum(ctx context.Context, obj Object) (*ObjectChecksum, error) {
	cs, ok := e.store.(Checksummer)
	if !ok {
		return nil, nil
	}
	c, err := cs.Checksum(ctx, e.opts.Bucket, obj)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("read the object's checksum: %w", err)
	}
	return c, nil
}

var crc64NVME = crc64.MakeTable(0x9a6c9329ac4bc9b5)

// newHash returns the hash for a checksum algorithm, nil for an unknown one.
func newHash(algorithm string) hash.Hash {
	switch strings.ToUpper(algorithm) {
	case "MD5":
		return md5.New()
	case "CRC32":
		return crc32.NewIEEE()
	case "CRC32C":
		return crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case "CRC64NVME":
		return crc64.New(crc64NVME)
	case "SHA1":
		return sha1.New()
	case "SHA256":
		return sha256.New()
	}
	return nil
}

// errGrew means a local file held more bytes than it did when it was looked
// at: it is being written to, or it is not a file at all.
var errGrew = errors.New("the file changed while it was being compared")

// hashLocal computes the checksum c describes over the local file name
// beneath r, which must be a regular file of size bytes. It opens without
// following a link out of r and without blocking, reads at most size+1
// bytes, and stops when ctx is done; the result is in c's form (hex for
// MD5, base64 otherwise, "-N" for a composite checksum).
func hashLocal(ctx context.Context, r *os.Root, name string, size int64, c ObjectChecksum) (string, error) {
	if newHash(c.Algorithm) == nil {
		return "", fmt.Errorf("unknown checksum algorithm %q", c.Algorithm)
	}
	f, err := r.OpenFile(name, os.O_RDONLY|oNonblock, 0)
	if err != nil {
		return "", rootErr(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	switch {
	case err != nil:
		return "", err
	case !fi.Mode().IsRegular():
		return "", errors.New("not a regular file")
	case fi.Size() != size:
		return "", errGrew
	}
	bp := transfer.GetBuf()
	defer transfer.PutBuf(bp)
	rd := &ctxReader{ctx: ctx, r: io.LimitReader(f, size+1)}
	if c.PartSize <= 0 {
		var h hash.Hash
		if strings.EqualFold(c.Algorithm, "MD5") {
			// Several workers compare files at once: md5-simd's lanes.
			m := transfer.NewMD5()
			defer m.Close()
			h = m
		} else {
			h = checksumHash(c.Algorithm)
		}
		n, err := io.CopyBuffer(h, rd, *bp)
		if err != nil {
			return "", err
		}
		if n != size {
			return "", errGrew
		}
		if strings.EqualFold(c.Algorithm, "MD5") {
			return hex.EncodeToString(h.Sum(nil)), nil
		}
		return base64.StdEncoding.EncodeToString(h.Sum(nil)), nil
	}
	outer := newHash(c.Algorithm)
	var parts, total int64
	for total < size {
		h := checksumHash(c.Algorithm)
		n, err := io.CopyBuffer(h, io.LimitReader(rd, c.PartSize), *bp)
		if err != nil {
			return "", err
		}
		if n == 0 {
			return "", errGrew // shrank
		}
		outer.Write(h.Sum(nil))
		total += n
		parts++
	}
	if n, _ := rd.Read((*bp)[:1]); n > 0 {
		return "", errGrew
	}
	return base64.StdEncoding.EncodeToString(outer.Sum(nil)) + "-" + strconv.FormatInt(parts, 10), nil
}

// ctxReader stops reading once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// compositeParts returns N of a composite checksum "…-N", 0 for none.
func compositeParts(v string) int64 {
	i := strings.LastIndexByte(v, '-')
	if i < 0 {
		return 0
	}
	n, err := strconv.ParseInt(v[i+1:], 10, 64)
	if err != nil || n < 1 {
		return 0
	}
	return n
}

// A composite checksum (a multipart upload made with a checksum algorithm)
// is H(H(part 1) ‖ H(part 2) ‖ … ‖ H(part N)) in base64, followed by "-N":
// a download can check it only by hashing each upload part on its own,
// which needs the upload's part size. S3 tells the size of part 1 (a HEAD
// with PartNumber=1); every part but the last has that size in a multipart
// upload, so when the object's size is N parts of it, the boundaries are
// known. When it is not (an upload whose parts were not all equal), the
// boundaries are not known and the object is checked by its size alone.

// compositeFits reports whether a composite checksum's N parts of
// c.PartSize (the last one shorter) make up size bytes exactly, so the part
// boundaries, and with them the checksum, can be computed again.
func compositeFits(c *ObjectChecksum, size int64) bool {
	n := compositeParts(c.Value)
	return n > 0 && c.PartSize > 0 && size > 0 && (size+c.PartSize-1)/c.PartSize == n &&
		newHash(c.Algorithm) != nil && !strings.EqualFold(c.Algorithm, "MD5")
}

// isComposite reports whether c is a composite checksum ("…-N").
func isComposite(c *ObjectChecksum) bool { return c != nil && compositeParts(c.Value) != 0 }

// compositeSum collects the upload parts' checksums of one object as they
// are computed, by one writer in file order or by one writer per range
// (each range starting at a part boundary), and checks the result.
type compositeSum struct {
	c     *ObjectChecksum
	size  int64
	parts [][]byte // raw checksum of each upload part, nil until done
}

// newCompositeSum starts collecting for c, which must fit size
// (compositeFits).
func newCompositeSum(c *ObjectChecksum, size int64) *compositeSum {
	return &compositeSum{c: c, size: size, parts: make([][]byte, compositeParts(c.Value))}
}

// writer returns a writer for the bytes from off on, which must be a part
// boundary; it splits them at each following boundary. Writers of
// different ranges touch different parts and may run at once.
func (s *compositeSum) writer(off int64) *partHasher {
	return &partHasher{s: s, part: off / s.c.PartSize}
}

// check compares the combined checksum with the object's.
func (s *compositeSum) check() error {
	outer := newHash(s.c.Algorithm)
	for i, p := range s.parts {
		if p == nil {
			return fmt.Errorf("%w: part %d of %d was not checksummed", errIntegrity, i+1, len(s.parts))
		}
		outer.Write(p)
	}
	got := base64.StdEncoding.EncodeToString(outer.Sum(nil)) + "-" + strconv.Itoa(len(s.parts))
	if got != s.c.Value {
		return fmt.Errorf("%w: composite %s %s does not match the object's %s", errIntegrity, s.c.Algorithm, got, s.c.Value)
	}
	return nil
}

// partHasher hashes a run of upload parts written in order, finishing each
// part's checksum at its last byte.
type partHasher struct {
	s    *compositeSum
	part int64 // the part being hashed
	left int64 // its bytes still to come; 0 before its first byte
	h    hash.Hash
}

// Write never fails; bytes past the object's end are dropped (the size
// checks refuse such a body).
func (w *partHasher) Write(p []byte) (int, error) {
	total := len(p)
	for len(p) > 0 && w.part < int64(len(w.s.parts)) {
		if w.h == nil {
			w.h = checksumHash(w.s.c.Algorithm)
			w.left = min(w.s.c.PartSize, w.s.size-w.part*w.s.c.PartSize)
		}
		n := min(int64(len(p)), w.left)
		w.h.Write(p[:n])
		p = p[n:]
		w.left -= n
		if w.left == 0 {
			w.s.parts[w.part] = w.h.Sum(nil)
			w.part++
			w.h = nil
		}
	}
	return total, nil
}
