package download

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/s3link/s3link/awsops/transfer"
)

// ErrUnsafeKey marks a key that cannot be mapped to a path inside the
// destination. Such keys are reported and never written.
var ErrUnsafeKey = errors.New("unsafe object key")

// NormalizePrefix turns a user-given prefix into the listing prefix: no
// leading slash and exactly one trailing slash, or empty for the whole bucket.
// The platform policy only allows listing "P/", never "P".
func NormalizePrefix(prefix string) string {
	p := strings.Trim(prefix, "/")
	if p == "" {
		return ""
	}
	return p + "/"
}

// LocalPath maps an object key to a path under dest, using the key relative
// to prefix. Keys are untrusted: anything that could resolve outside dest,
// or that two different keys could share, is refused with ErrUnsafeKey
// rather than rewritten, so nothing is ever written to a surprising place
// and no object silently overwrites another.
//
// Refused: keys outside the prefix, NUL bytes, "." and ".." segments, and
// empty segments ("x//y", a leading "/"): S3 treats "x//y" and "x/y" as distinct objects, and a
// filesystem cannot, so mapping one onto the other would lose data. On
// Windows a backslash or colon is refused too, because the OS would read it as
// a separator or drive; on Linux both are ordinary name characters. "a..b"
// is an ordinary name, and names are bytes, so invalid UTF-8 is kept. A key ending in "/" maps to a directory; the key equal
// to the prefix itself maps to dest.
func LocalPath(dest, prefix, key string) (string, error) {
	prefix = NormalizePrefix(prefix)
	if !strings.HasPrefix(key, prefix) {
		return "", fmt.Errorf("%w: key is outside the prefix %q", ErrUnsafeKey, prefix)
	}
	rel := key[len(prefix):]
	if strings.IndexByte(rel, 0) >= 0 {
		return "", fmt.Errorf("%w: key contains a NUL byte", ErrUnsafeKey)
	}
	dirMarker := strings.HasSuffix(rel, "/")
	rel = strings.TrimSuffix(rel, "/")
	if rel == "" {
		if dirMarker {
			// "P//": the folder marker of an empty-named folder, which no
			// filesystem can hold apart from P itself.
			return "", fmt.Errorf("%w: key has an empty path segment (\"//\" or a leading \"/\")", ErrUnsafeKey)
		}
		return filepath.Clean(dest), nil
	}
	for seg := range strings.SplitSeq(rel, "/") {
		switch seg {
		case "":
			return "", fmt.Errorf("%w: key has an empty path segment (\"//\" or a leading \"/\")", ErrUnsafeKey)
		case ".", "..":
			return "", fmt.Errorf("%w: key has a %q path segment", ErrUnsafeKey, seg)
		}
		if windowsPaths {
			if problem := transfer.WindowsNameProblem(seg); problem != "" {
				return "", fmt.Errorf("%w: %q cannot be a file name on Windows: %s", ErrUnsafeKey, seg, problem)
			}
		}
	}
	return filepath.Join(dest, filepath.FromSlash(rel)), nil
}

// windowsPaths is true where the OS treats "\" and ":" specially in paths.
var windowsPaths = runtime.GOOS == "windows"
