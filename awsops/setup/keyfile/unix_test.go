//go:build linux

package keyfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// These tests change process-wide settings (umask, file size limit), so
// they do not run in parallel with anything.

func TestModesWithUmaskZero(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)

	dir := t.TempDir()
	csvPath := filepath.Join(dir, "k.csv")
	if err := WriteCredentialsCSV(csvPath, testKey("AKIAIOSFODNN7EXAMPLE", knownSecret)); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]fs.FileMode{
		csvPath: 0o600,
	} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != want {
			t.Errorf("%s has mode %o under umask 0, want %o", p, got, want)
		}
	}
}

// TestWriteFailureRemovesFile makes the write fail part-way (a file size
// limit of a few bytes, as a full disk would) and checks that no partial
// credentials file stays behind and that the error does not carry the
// secret.
func TestWriteFailureRemovesFile(t *testing.T) {
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "k.csv")

	lim := old
	lim.Cur = 16
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatal(err)
	}
	csvErr := WriteCredentialsCSV(csvPath, testKey("AKIAIOSFODNN7EXAMPLE", knownSecret))
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}

	wantCSVError(t, csvErr, "the partial file was removed")
	if !errors.Is(csvErr, syscall.EFBIG) {
		t.Errorf("error does not wrap the cause: %v", csvErr)
	}
	if strings.Contains(csvErr.Error(), dir+"/.") {
		t.Errorf("error names a temporary file: %v", csvErr)
	}
	if _, err := os.Lstat(csvPath); !errors.Is(err, fs.ErrNotExist) {
		t.Error("a partial credentials file was left behind")
	}

	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("files left behind: %d", len(entries))
	}
}
