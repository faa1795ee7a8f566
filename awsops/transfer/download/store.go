package download

import (
	"context"
	"errors"
	"io"
	"time"
)

// Object is one listed object: everything the engine needs to decide and
// verify, taken from ListObjectsV2 so no object needs a HEAD request.
type Object struct {
	Key          string
	Size         int64
	ETag         string
	LastModified time.Time
	// Mtime is the file's own modification time the upload engine recorded as
	// "mtime" metadata (rclone's and s3link upload's x-amz-meta-mtime),
	// zero when the object has none or it is not known yet.
	Mtime time.Time
}

// ModTime is the time a downloaded file gets and is compared with: the
// recorded mtime when there is one, else LastModified.
func (o Object) ModTime() time.Time {
	if !o.Mtime.IsZero() {
		return o.Mtime
	}
	return o.LastModified
}

// Store is where objects come from. S3Store is the real one; tests may
// substitute their own.
type Store interface {
	// List calls page with each page of objects under prefix (a listing
	// prefix as NormalizePrefix returns it), in listing order, until the
	// listing ends, page returns an error, or ctx is done. Pages are handed
	// over as they arrive, so work can start before the listing ends; page
	// must not keep the slice.
	List(ctx context.Context, bucket, prefix string, page func([]Object) error) error
	// Get starts reading an object, or a byte range of it.
	Get(ctx context.Context, req GetRequest) (*GetResponse, error)
}

// GetRequest asks for an object or a byte range of it.
type GetRequest struct {
	Bucket string
	Key    string
	// Offset and Length select a byte range; Length 0 means the whole
	// object (Offset must be 0 then), Length < 0 means from Offset to the end.
	Offset int64
	Length int64
	// IfMatch, when set, makes the request fail with ErrChanged unless the
	// object's ETag still equals it, so ranges of two versions are never
	// spliced together.
	IfMatch string
}

// ranged reports whether the request asks for less than the whole object.
func (r GetRequest) ranged() bool { return r.Length != 0 || r.Offset != 0 }

// GetResponse is an open object body.
type GetResponse struct {
	Body io.ReadCloser
	// ContentLength is the number of bytes Body should yield.
	ContentLength int64
	// Size is the whole object's size (from Content-Range for a range).
	Size int64
	ETag string
	// LastModified is the server's Last-Modified (second precision).
	LastModified time.Time
	// Mtime is the object's "mtime" metadata (see Object.Mtime); zero when
	// it has none.
	Mtime time.Time
	// ChecksumValidated is true when the store checks a whole-object
	// checksum (x-amz-checksum-*) while Body is read, and Body returns an
	// error at its end when the check fails.
	ChecksumValidated bool
	// Checksum is the whole object's full-object checksum, when the store
	// returned one for a whole-object GET without checking it: the engine
	// checks it as the body is written, instead of the MD5 of the ETag.
	Checksum *ObjectChecksum
	// Composite is the object's composite checksum ("…-N", see
	// compositeSum), when a whole-object GET returned one; its PartSize is
	// not known from the GET (see partSizer).
	Composite *ObjectChecksum
	// ETagIsNotMD5 is true when the object's encryption (SSE-KMS, SSE-C)
	// makes a 32-hex ETag something other than the MD5 of the content.
	ETagIsNotMD5 bool
}

// MtimeReader is a Store that can read an object's "mtime" metadata without
// fetching it (HEAD). The engine asks only about a same-size object whose
// LastModified does not match the local file, since a file downloaded with
// that metadata carries its time instead.
type MtimeReader interface {
	// Mtime returns the object's recorded mtime, zero when it has none.
	Mtime(ctx context.Context, bucket string, obj Object) (time.Time, error)
}

// partSizer is a Store that can tell the size of an object's first upload
// part, which a composite checksum needs (one HEAD with PartNumber=1, bound
// to obj.ETag). The engine asks only about an object whose whole-object GET
// returned a composite checksum and whose ETag is not a plain MD5.
type partSizer interface {
	firstPartSize(ctx context.Context, bucket string, obj Object) (int64, error)
}

// Errors a Store maps its failures to, so the engine can word them.
var (
	// ErrChanged means the object no longer matches the requested ETag.
	ErrChanged = errors.New("object changed while it was being downloaded")
	// ErrNoSuchKey means the object was deleted after it was listed.
	ErrNoSuchKey = errors.New("object no longer exists")
)
