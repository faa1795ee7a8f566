//go:build unix

// Package privfiletest runs a test's writes under process-wide settings a
// real machine can have: a umask of 0, or a file size limit that makes a
// write fail part-way as a full disk would. The settings are the process's,
// so a test that uses them must not run in parallel with anything.
package privfiletest

import (
	"syscall"
	"testing"
)

// WithUmask runs f with the process's umask set to mask.
func WithUmask(t testing.TB, mask int, f func()) {
	t.Helper()
	old := syscall.Umask(mask)
	defer syscall.Umask(old)
	f()
}

// WithFileSizeLimit runs f with writes past limit bytes failing (EFBIG).
func WithFileSizeLimit(t testing.TB, limit uint64, f func()) {
	t.Helper()
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	lim := old
	lim.Cur = limit
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
			t.Fatal(err)
		}
	}()
	f()
}
