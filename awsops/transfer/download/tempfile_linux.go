package download

import (
	"errors"
	"os"
	"strconv"
	"sync/atomic"
	"time"
	"unsafe"

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
	// Opened on the folder's own descriptor ("." names the folder itself,
	// so nothing is resolved) and wrapped with os.NewFile: a regular file
	// gains nothing from the runtime poller, and os.OpenFile's attempt to
	// add it costs four fcntl calls and a failing epoll_ctl per object.
	fd, err := unix.Openat(h.fd, ".", unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o644)
	if err != nil {
		// Filesystems without O_TMPFILE say so in one of these ways.
		if err == unix.EOPNOTSUPP || err == unix.EISDIR || err == unix.EINVAL {
			return nil, errUnnamedUnsupported
		}
		return nil, &os.PathError{Op: "open", Path: h.rel, Err: err}
	}
	return os.NewFile(uintptr(fd), h.rel), nil
}

// noEmptyPathLink is set once linkat(AT_EMPTY_PATH) is refused (kernels
// before 6.10 require CAP_DAC_READ_SEARCH for it); /proc/self/fd is used
// from then on.
var noEmptyPathLink atomic.Bool

// linkUnnamed gives f the name base in h's folder; base itself is never
// followed.
func linkUnnamed(f *os.File, h *dirHandle, base string) error {
	fd := int(f.Fd())
	if !noEmptyPathLink.Load() {
		// The descriptor itself, without a path walk through /proc.
		err := unix.Linkat(fd, "", h.fd, base, unix.AT_EMPTY_PATH)
		if err != unix.ENOENT && err != unix.EPERM {
			if err != nil {
				return &os.LinkError{Op: "link", Old: f.Name(), New: base, Err: err}
			}
			return nil
		}
		noEmptyPathLink.Store(true)
	}
	err := unix.Linkat(unix.AT_FDCWD, procFD+strconv.Itoa(fd), h.fd, base, unix.AT_SYMLINK_FOLLOW)
	if err != nil {
		return &os.LinkError{Op: "link", Old: f.Name(), New: base, Err: err}
	}
	return nil
}

// setTimesFd sets f's access and modification times through its
// descriptor: utimensat with a NULL path is futimens, no path to resolve.
func setTimesFd(f *os.File, t time.Time) error {
	ts := unix.NsecToTimespec(t.UnixNano())
	times := [2]unix.Timespec{ts, ts}
	_, _, errno := unix.Syscall6(unix.SYS_UTIMENSAT, f.Fd(), 0, uintptr(unsafe.Pointer(&times[0])), 0, 0, 0)
	if errno != 0 {
		return &os.PathError{Op: "futimens", Path: f.Name(), Err: errno}
	}
	return nil
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
