package upload

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/s3link/s3link/awsops/transfer"
)

// MediaExtensions are the file extensions (lower case, without the dot)
// uploaded when Options.All is off: the images and videos the platform
// imports. Matching ignores case.
var MediaExtensions = []string{
	"jpg", "jpeg", "png", "gif", "tif", "tiff", "bmp", "webp", "heic", "heif",
	"raw", "dng", "cr2", "nef", "arw", "avif", "jp2",
	"mp4", "mov", "avi", "mkv", "webm", "m4v", "mpg", "mpeg", "3gp", "wmv",
}

var mediaExt = func() map[string]struct{} {
	m := make(map[string]struct{}, len(MediaExtensions))
	for _, e := range MediaExtensions {
		m[e] = struct{}{}
	}
	return m
}()

// IsMedia reports whether name has one of MediaExtensions, in any case.
func IsMedia(name string) bool {
	ext := lowerExt(name)
	if len(ext) < 2 {
		return false
	}
	_, ok := mediaExt[ext[1:]]
	return ok
}

// MaxKeyLen is S3's limit on the length of an object key, in bytes.
const MaxKeyLen = 1024

// Ignored is a folder entry that is not uploaded (transfer.Ignored).
type Ignored = transfer.Ignored

// Scan is what Preview found: the files a run would consider and their size,
// before comparing with the bucket.
type Scan struct {
	Files int64
	Bytes int64
	// Filtered counts regular files left out by the media filter or the
	// Include/Exclude globs.
	Filtered int64
	// Ignored lists the first MaxIgnoredKept ignored entries; IgnoredCount
	// counts them all.
	Ignored      []Ignored
	IgnoredCount int64
}

// newFilter compiles opts' globs: Rules in order when set, else Include
// before Exclude.
func newFilter(opts Options) (*transfer.Filter, error) {
	if len(opts.Rules) > 0 {
		return transfer.NewRuleFilter(opts.Rules)
	}
	return transfer.NewFilter(opts.Include, opts.Exclude)
}

// MaxIgnoredKept bounds the ignored entries a Scan or Result lists.
const MaxIgnoredKept = 1000

// Preview walks dir as Run would, applying the media filter and the globs of
// opts, and counts what it finds. It makes no AWS call and reads no file
// content, so it is quick enough for the wizard to show before asking.
func Preview(ctx context.Context, dir string, opts Options) (Scan, error) {
	f, err := newFilter(opts)
	if err != nil {
		return Scan{}, err
	}
	var s Scan
	w := walker{all: opts.All, filter: f, prefix: opts.Prefix,
		file: func(lf localFile) error {
			s.Files++
			s.Bytes += lf.size
			return nil
		},
		filtered: func() { s.Filtered++ },
		ignored: func(ig Ignored) {
			s.IgnoredCount++
			if len(s.Ignored) < MaxIgnoredKept {
				s.Ignored = append(s.Ignored, ig)
			}
		},
	}
	return s, w.walk(ctx, dir)
}

// localFile is one regular file found by the walk.
type localFile struct {
	// open is the path to open beneath the folder (OS separators): the
	// file's own, or for a link the file it leads to, as the walk found it.
	open string
	rel  string // slash-separated, relative to the folder
	// seen is what the walk saw at open; the engine reads a file only when
	// what it opened is that same file (device and inode).
	seen    fs.FileInfo
	key     string
	size    int64
	modTime time.Time
}

// ErrNotDir means the folder to upload is not a directory.
var ErrNotDir = errors.New("not a folder")

// walker streams the regular files under a folder to file, one at a time,
// so memory does not grow with the number of files; the caller's bounded
// queue provides the back-pressure.
type walker struct {
	all      bool
	filter   *transfer.Filter
	prefix   string
	file     func(localFile) error
	filtered func()
	// onFiltered, if set, also hears the path and why it was left out.
	onFiltered func(rel, why string)
	ignored    func(Ignored)
}

// realFolder returns the folder's real path: links are judged against it,
// so a folder reached through a link (/home -> /data/home) does not make
// every link look outside.
func realFolder(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	root, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("folder %s: %w", dir, err)
	}
	fi, err := os.Stat(root)
	if err != nil {
		return "", fmt.Errorf("folder %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("%s: %w", dir, ErrNotDir)
	}
	return root, nil
}

func (w *walker) walk(ctx context.Context, dir string) error {
	root, err := realFolder(dir)
	if err != nil {
		return err
	}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if err != nil {
			if p == root {
				return fmt.Errorf("read folder %s: %w", dir, err)
			}
			w.ignored(Ignored{Path: rel, Reason: "cannot be read: " + transfer.OneLine(pathErr(err))})
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if p == root || d.IsDir() {
			return nil
		}
		return w.entry(root, p, rel, d)
	})
}

func (w *walker) entry(root, p, rel string, d fs.DirEntry) error {
	var fi fs.FileInfo
	var err error
	open, _ := filepath.Rel(root, p)
	if transfer.IsTempName(d.Name()) {
		w.ignored(Ignored{Path: rel, Reason: "temporary file of an interrupted s3link download; not uploaded"})
		return nil
	}
	switch t := d.Type(); {
	case t.IsRegular():
		fi, err = d.Info()
	case t&fs.ModeSymlink != 0:
		// A link is uploaded as the file it leads to only when that file is
		// inside the folder: following links out would upload whatever the
		// folder happens to point at, and links to folders can loop.
		target, lerr := filepath.EvalSymlinks(p)
		if lerr != nil {
			w.ignored(Ignored{Path: rel, Reason: "broken symbolic link"})
			return nil
		}
		if r, rerr := filepath.Rel(root, target); rerr != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) || filepath.IsAbs(r) {
			w.ignored(Ignored{Path: rel, Reason: "symbolic link to a place outside the folder; not followed"})
			return nil
		} else {
			open = r
		}
		fi, err = os.Stat(target)
		if err == nil && fi.IsDir() {
			w.ignored(Ignored{Path: rel, Reason: "symbolic link to a folder; not followed"})
			return nil
		}
	default:
		w.ignored(Ignored{Path: rel, Reason: "not a regular file (" + kind(t) + ")"})
		return nil
	}
	if err != nil {
		w.ignored(Ignored{Path: rel, Reason: "cannot be read: " + transfer.OneLine(pathErr(err))})
		return nil
	}
	if !fi.Mode().IsRegular() {
		w.ignored(Ignored{Path: rel, Reason: "not a regular file (" + kind(fi.Mode().Type()) + ")"})
		return nil
	}
	if !w.all && !IsMedia(rel) || !w.filter.Match(rel) {
		w.filtered()
		if w.onFiltered != nil {
			why := "left out by --include/--exclude"
			if !w.all && !IsMedia(rel) {
				why = "not an image or video (--all uploads every file)"
			}
			w.onFiltered(rel, why)
		}
		return nil
	}
	return w.file(localFile{open: open, seen: fi, rel: rel, key: joinKey(w.prefix, rel), size: fi.Size(), modTime: fi.ModTime()})
}

func kind(t fs.FileMode) string {
	switch {
	case t&fs.ModeNamedPipe != 0:
		return "named pipe"
	case t&fs.ModeSocket != 0:
		return "socket"
	case t&fs.ModeCharDevice != 0:
		return "character device"
	case t&fs.ModeDevice != 0:
		return "device"
	case t&fs.ModeIrregular != 0:
		return "irregular file"
	}
	return "special file"
}

// joinKey maps a file's relative path to its object key; an empty prefix is
// the bucket root.
func joinKey(prefix, rel string) string {
	if prefix == "" {
		return rel
	}
	return prefix + "/" + rel
}

// checkKey refuses names S3 cannot store as keys; the reason is one line.
func checkKey(key string) string {
	switch {
	case !utf8.ValidString(key):
		return "file name is not valid UTF-8, which S3 keys must be; rename the file"
	case len(key) > MaxKeyLen:
		return fmt.Sprintf("object key would be %d bytes, over S3's %d-byte limit; shorten the path", len(key), MaxKeyLen)
	}
	return ""
}

// pathErr drops the path from an *fs.PathError: failures are listed beside
// their path already.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
