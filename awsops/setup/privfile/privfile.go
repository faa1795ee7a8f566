// Package privfile opens and writes the files only their owner may touch:
// s3link's configuration folder (a private folder, refused when others can
// write it), files opened without following a link or blocking on a named
// pipe, durable renames, and the one sentence per file error that names the
// path once. The setup journal, the key files and the log file stand on it.
package privfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
)

// EnsurePrivateDir makes sure dir is a folder only its owner can write:
// a missing one is created with mode 0700 (its missing parents too); an
// existing one that group or others can write, or that another user owns,
// is refused with one sentence, and left as it is. It is never tightened
// behind the person's back: a folder others could write may already hold
// a record planted by one of them, so its records cannot be trusted until
// the person has looked. dir itself may be a symbolic link (the person
// named it); on Windows, where modes do not describe access, only "is a
// folder" is checked.
func EnsurePrivateDir(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return Sentence(err, "s3link cannot create its configuration folder %s (%s); set S3LINK_CONFIG_DIR to a folder it may use.", dir, CauseText(err))
		}
		fi, err = os.Stat(dir)
	}
	if err != nil {
		return Sentence(err, "s3link cannot use its configuration folder %s (%s); set S3LINK_CONFIG_DIR to a folder it may use.", dir, CauseText(err))
	}
	if !fi.IsDir() {
		return Sentence(nil, "s3link's configuration folder %s is not a folder; move it away or set S3LINK_CONFIG_DIR to a private folder.", dir)
	}
	if runtime.GOOS == "windows" {
		return nil
	}
	if owner, ok := ownerOf(fi); ok && owner != os.Getuid() {
		return Sentence(nil, "s3link's configuration folder %s belongs to another user (uid %d), so its records cannot be trusted; set S3LINK_CONFIG_DIR to a folder of your own.", dir, owner)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return Sentence(nil, "s3link's configuration folder %s can be written by other users (mode %04o), so its records cannot be trusted; check what is in it, then run 'chmod 700 %s'.", dir, fi.Mode().Perm(), dir)
	}
	return nil
}

// ErrNotRegular means a path in the configuration folder is a symbolic link
// or another kind of file that s3link does not open.
var ErrNotRegular = errors.New("not a regular file")

// OpenNoFollow opens path as os.OpenFile does, but never through a symbolic
// link at path (O_NOFOLLOW), never blocking on a named pipe or device
// (O_NONBLOCK), and only when what it opened is a regular file; anything
// else fails with ErrNotRegular, in one sentence naming the path.
func OpenNoFollow(path string, flag int, perm os.FileMode) (*os.File, error) {
	f, err := os.OpenFile(path, flag|oNoFollow|oNonblock, perm)
	if err != nil {
		if isLinkRefusal(err) {
			return nil, fmt.Errorf("%s is a symbolic link, which s3link does not follow in its configuration folder; remove it: %w", path, ErrNotRegular)
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file (%s); remove it: %w", path, fi.Mode().Type(), ErrNotRegular)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// SyncDir makes a rename in dir durable. It is best effort: some systems
// (Windows, some network file systems) cannot sync a folder, and the file
// is already in place by then, so a failure here is not worth reporting.
func SyncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}

// sentenceError is a message written for the user that still unwraps to
// its cause for errors.Is.
type sentenceError struct {
	msg string
	err error
}

func (e *sentenceError) Error() string { return e.msg }
func (e *sentenceError) Unwrap() error { return e.err }

// Sentence is an error whose text is the formatted sentence and which
// unwraps to cause, so errors.Is still sees what the system said.
func Sentence(cause error, format string, args ...any) error {
	return &sentenceError{msg: fmt.Sprintf(format, args...), err: cause}
}

// CauseText is the operating system's reason without the path that
// fs.PathError and friends repeat, so messages name each file once.
func CauseText(err error) string {
	var pe *fs.PathError
	var le *os.LinkError
	var se *os.SyscallError
	switch {
	case errors.As(err, &pe):
		return pe.Err.Error()
	case errors.As(err, &le):
		return le.Err.Error()
	case errors.As(err, &se):
		return se.Err.Error()
	}
	return err.Error()
}

// NoFollow holds the open flags that refuse a symbolic link at the path and
// never block on a named pipe or device (none where the system has neither).
const NoFollow = oNoFollow | oNonblock
