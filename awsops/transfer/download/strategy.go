package download

import (
	"strings"
	"time"

	"github.com/s3link/s3link/awsops/transfer"
)

// Mode selects how ShouldSync compares a remote object with a local file.
type Mode int

const (
	// SizeAndTime downloads when the size differs or the local mtime differs
	// from the object's LastModified at one-second precision. It costs one
	// stat per object, which is what makes a no-op re-sync fast.
	SizeAndTime Mode = iota
	// Checksum compares the MD5 of the local content with the ETag when the
	// ETag is a plain MD5; otherwise (multipart objects) with the object's
	// full-object or composite checksum where it has one (a HEAD in checksum
	// mode); and where it has none, it decides as SizeAndTime does, so it is
	// never weaker than the default.
	Checksum
	// SizeOnly skips a file of the object's size whatever its time
	// (--size-only, as in aws s3 sync and rclone).
	SizeOnly
	// ExactTime is SizeAndTime at full precision: a file of the object's
	// size is skipped only when its mtime equals the object's time exactly
	// (--exact-timestamps).
	ExactTime
	// NoClobber never replaces anything already at a file's path: only
	// missing files are downloaded (--no-clobber).
	NoClobber
)

// String implements fmt.Stringer.
func (m Mode) String() string {
	switch m {
	case Checksum:
		return "checksum"
	case SizeOnly:
		return "size-only"
	case ExactTime:
		return "exact-timestamps"
	case NoClobber:
		return "no-clobber"
	}
	return "size-and-time"
}

// LocalFile is what ShouldSync needs to know about the local side.
type LocalFile struct {
	Exists bool
	IsDir  bool
	// Irregular is anything else that is not a regular file: a symbolic
	// link, a named pipe, a device. A download replaces it, never reads or
	// writes through it.
	Irregular bool
	Size      int64
	ModTime   time.Time
	// MD5 is the hex MD5 of the local content. Only Checksum mode reads it,
	// and only when NeedsLocalMD5 says so; the caller computes it, so
	// ShouldSync stays pure.
	MD5 string
	// Sum is the local content's checksum in the form of RemoteSum, the
	// object's own checksum (base64, "-N" for a composite one), when
	// Checksum mode found one to compare with.
	Sum, RemoteSum string
}

// ShouldSync decides whether remote must be downloaded over local. It returns
// false with transfer.ReasonDirInTheWay when a directory occupies the file's path:
// the caller reports that as a failure, since overwriting a directory would
// lose whatever it holds.
func ShouldSync(remote Object, local LocalFile, mode Mode) (bool, transfer.Reason) {
	switch {
	case !local.Exists:
		return true, transfer.ReasonNew
	case local.IsDir:
		return false, transfer.ReasonDirInTheWay
	case mode == NoClobber:
		return false, transfer.ReasonExists
	case local.Irregular:
		return true, transfer.ReasonNotRegular
	case local.Size != remote.Size:
		return true, transfer.ReasonSize
	case mode == SizeOnly:
		return false, transfer.ReasonSameSize
	}
	if mode == Checksum {
		if md5hex, ok := PlainMD5(remote.ETag); ok {
			if !strings.EqualFold(local.MD5, md5hex) {
				return true, transfer.ReasonChecksum
			}
			return false, transfer.ReasonSameChecksum
		}
		if local.RemoteSum != "" {
			if local.Sum != local.RemoteSum {
				return true, transfer.ReasonChecksum
			}
			return false, transfer.ReasonSameChecksum
		}
		// No checksum to compare with: the default rule, never less.
	}
	want := remote.ModTime()
	if mode == ExactTime {
		if !local.ModTime.Equal(want) {
			return true, transfer.ReasonTime
		}
		return false, transfer.ReasonUnchanged
	}
	if !local.ModTime.Truncate(time.Second).Equal(want.Truncate(time.Second)) {
		return true, transfer.ReasonTime
	}
	return false, transfer.ReasonUnchanged
}

// NeedsLocalMD5 reports whether ShouldSync will look at local.MD5, so the
// caller hashes local files only when the answer depends on it.
func NeedsLocalMD5(remote Object, local LocalFile, mode Mode) bool {
	if !NeedsLocalHash(remote, local, mode) {
		return false
	}
	_, ok := PlainMD5(remote.ETag)
	return ok
}

// NeedsLocalHash reports whether Checksum mode has to read the local file:
// a regular file of the object's size, whose content decides. With a plain
// MD5 ETag the hash is MD5 (NeedsLocalMD5); otherwise it is the object's own
// checksum, when the object has one.
func NeedsLocalHash(remote Object, local LocalFile, mode Mode) bool {
	return mode == Checksum && local.Exists && !local.IsDir && !local.Irregular && local.Size == remote.Size
}

// PlainMD5 returns the lower-case hex MD5 an ETag looks like, and false when
// the ETag is not 32 hex digits (multipart "…-N" ETags and the like). An
// SSE-KMS or SSE-C object has a 32-hex ETag that is not its MD5; listings do
// not say so, but GetObject does, and the download path skips the MD5 check
// for such objects.
func PlainMD5(etag string) (string, bool) {
	e := strings.Trim(etag, `"`)
	if len(e) != 32 {
		return "", false
	}
	for i := 0; i < len(e); i++ {
		c := e[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return "", false
		}
	}
	return strings.ToLower(e), true
}
