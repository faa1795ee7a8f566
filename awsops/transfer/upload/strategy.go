package upload

import (
	"strconv"
	"strings"
	"time"

	"github.com/s3link/s3link/awsops/transfer"
)

// Remote is what the destination listing (and, for multipart objects, a
// HEAD request) says about an object already under a file's key.
type Remote struct {
	Exists bool
	Size   int64
	// ETag as listed, quotes removed.
	ETag string
	// Mtime is the file modification time s3link (or rclone) stored in the
	// object's "mtime" metadata; zero when absent or not asked for.
	Mtime time.Time
}

// Local is what ShouldUpload needs to know about a file.
type Local struct {
	Size    int64
	ModTime time.Time
	// MD5 is the hex MD5 of the content, needed only when the remote ETag is
	// a plain MD5 (NeedsMD5).
	MD5 string
	// MultipartETag is the ETag a multipart upload of the content with the
	// remote object's part count would have ("md5-of-part-md5s-N"), or ""
	// when no part size known to s3link gives that count. It is needed only
	// for multipart objects without mtime metadata.
	MultipartETag string
}

// ShouldUpload decides whether a local file must be uploaded over what the
// destination holds. The rule, from cheapest evidence to dearest:
//
//   - no object under the key, or a different size: upload;
//   - a plain ETag (32 hex digits, a single PUT without KMS encryption) is
//     the MD5 of the content: upload unless it equals the file's MD5;
//   - a multipart ETag ("…-N") is no content MD5, so s3link stores the file's
//     modification time as "mtime" metadata on every upload (rclone's name
//     and format): skip when it equals the file's mtime;
//   - a multipart object without that metadata (uploaded by another tool)
//     is skipped when its ETag equals the one a multipart upload of the file
//     with the same part size would have; otherwise it is uploaded again.
func ShouldUpload(local Local, remote Remote) (bool, transfer.Reason) {
	switch {
	case !remote.Exists:
		return true, transfer.ReasonNew
	case remote.Size != local.Size:
		return true, transfer.ReasonSize
	}
	if md5hex, ok := PlainMD5(remote.ETag); ok {
		if strings.EqualFold(md5hex, local.MD5) {
			return false, transfer.ReasonSameChecksum
		}
		return true, transfer.ReasonChecksum
	}
	if !remote.Mtime.IsZero() {
		if remote.Mtime.Equal(local.ModTime) {
			return false, transfer.ReasonSameTime
		}
		return true, transfer.ReasonTime
	}
	if local.MultipartETag != "" {
		if strings.EqualFold(strings.Trim(remote.ETag, `"`), local.MultipartETag) {
			return false, transfer.ReasonSameChecksum
		}
		return true, transfer.ReasonChecksum
	}
	return true, transfer.ReasonUnknown
}

// NeedsMD5 reports whether ShouldUpload needs Local.MD5 for remote: the
// sizes match and the ETag is a plain MD5.
func NeedsMD5(local Local, remote Remote) bool {
	_, ok := PlainMD5(remote.ETag)
	return remote.Exists && remote.Size == local.Size && ok
}

// NeedsHead reports whether ShouldUpload needs Remote.Mtime, which only a
// HEAD request returns: the sizes match and the ETag is a multipart one.
func NeedsHead(local Local, remote Remote) bool {
	_, ok := PlainMD5(remote.ETag)
	return remote.Exists && remote.Size == local.Size && !ok
}

// PlainMD5 returns the hex MD5 an ETag holds when it is a plain MD5 (32 hex
// digits, optionally quoted); multipart ETags end in "-N" and are not.
func PlainMD5(etag string) (string, bool) {
	etag = strings.Trim(etag, `"`)
	if len(etag) != 32 {
		return "", false
	}
	for i := 0; i < len(etag); i++ {
		c := etag[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return "", false
		}
	}
	return etag, true
}

// multipartParts returns N from a multipart ETag "…-N", or 0.
func multipartParts(etag string) int {
	etag = strings.Trim(etag, `"`)
	i := strings.LastIndexByte(etag, '-')
	if i < 0 {
		return 0
	}
	n, err := strconv.Atoi(etag[i+1:])
	if err != nil || n < 1 {
		return 0
	}
	return n
}

// MtimeMeta is the user-metadata name under which uploads store the file's
// modification time (sent as x-amz-meta-mtime). rclone uses the same name
// and format, so either tool recognises the other's uploads as unchanged,
// and sync gives a downloaded file that time.
const MtimeMeta = transfer.MtimeMeta

// FormatMtime renders t as seconds since the epoch with nine decimals.
func FormatMtime(t time.Time) string { return transfer.FormatMtime(t) }

// ParseMtime reads FormatMtime's format, with any number of decimals; ok is
// false for anything else.
func ParseMtime(s string) (time.Time, bool) { return transfer.ParseMtime(s) }
