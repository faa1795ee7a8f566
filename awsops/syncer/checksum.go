package syncer

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
	bp := getBuf()
	defer putBuf(bp)
	rd := &ctxReader{ctx: ctx, r: io.LimitReader(f, size+1)}
	if c.PartSize <= 0 {
		var h hash.Hash
		if strings.EqualFold(c.Algorithm, "MD5") {
			// Several workers compare files at once: md5-simd's lanes.
			m := newMD5()
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
