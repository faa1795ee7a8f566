package syncer

import (
	"errors"
	"os"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// procFD is how linkat reaches an unnamed file without CAP_DAC_READ_SEARCH.
const procFD = "/proc/self/fd/"

var haveProc = func() bool { _, err := os.Stat(procFD); return err == nil }()

// openFd opens the folder itself, for linkat.
func (h *dirHandle) openFd() error {
	f, err := h.r.Open(".")
	if err != nil {
		return err
	}
	h.f, h.fd = f, int(f.Fd())
	return nil
}

func openUnnamed(h *dirHandle) (*os.File, error) {
	if !haveProc {
		return nil, errUnnamedUnsupported
	}
	f, err := h.r.OpenFile(".", unix.O_TMPFILE|os.O_RDWR, 0o644)
	if err != nil {
		// Filesystems without O_TMPFILE say so in one of these ways.
		var errno syscall.Errno
		if errors.As(err, &errno) && (errno == unix.EOPNOTSUPP || errno == unix.EISDIR || errno == unix.EINVAL) {
			return nil, errUnnamedUnsupported
		}
		return nil, rootErr(err)
	}
	return f, nil
}

// linkUnnamed gives f the name base in h's folder; base itself is never
// followed.
func linkUnnamed(f *os.File, h *dirHandle, base string) error {
	err := unix.Linkat(unix.AT_FDCWD, procFD+strconv.Itoa(int(f.Fd())), h.fd, base, unix.AT_SYMLINK_FOLLOW)
	if err != nil {
		return &os.LinkError{Op: "link", Old: f.Name(), New: base, Err: err}
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
