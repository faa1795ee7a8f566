package syncer

import (
	"errors"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// procFD is how linkat reaches an unnamed file without CAP_DAC_READ_SEARCH.
const procFD = "/proc/self/fd/"

var haveProc = func() bool { _, err := os.Stat(procFD); return err == nil }()

func openUnnamed(dir string) (*os.File, error) {
	if !haveProc {
		return nil, errUnnamedUnsupported
	}
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o644)
	if err != nil {
		// Filesystems without O_TMPFILE say so in one of these ways.
		if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EISDIR) || errors.Is(err, unix.EINVAL) {
			return nil, errUnnamedUnsupported
		}
		return nil, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	return os.NewFile(uintptr(fd), dir), nil
}

func linkUnnamed(f *os.File, final string) error {
	err := unix.Linkat(unix.AT_FDCWD, procFD+strconv.Itoa(int(f.Fd())), unix.AT_FDCWD, final, unix.AT_SYMLINK_FOLLOW)
	if err != nil {
		return &os.LinkError{Op: "link", Old: f.Name(), New: final, Err: err}
	}
	return nil
}

func setTimesFd(f *os.File, t time.Time) error {
	ts := unix.NsecToTimespec(t.UnixNano())
	return unix.UtimesNanoAt(unix.AT_FDCWD, procFD+strconv.Itoa(int(f.Fd())), []unix.Timespec{ts, ts}, 0)
}

// preallocate reserves size bytes for f and sets its length; filesystems
// without fallocate get a sparse file instead.
func preallocate(f *os.File, size int64) error {
	err := unix.Fallocate(int(f.Fd()), 0, 0, size)
	if err == nil {
		return nil
	}
	if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.ENOSYS) {
		return f.Truncate(size)
	}
	return &os.PathError{Op: "fallocate", Path: f.Name(), Err: err}
}
