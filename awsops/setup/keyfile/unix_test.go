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

	"github.com/s3link/s3link/awsops/setup/privfile/privfiletest"
)

// These tests change process-wide settings (umask, file size limit), so
// they do not run in parallel with anything.

func TestModesWithUmaskZero(t *testing.T) {
	csvPath := filepath.Join(t.TempDir(), "k.csv")
	privfiletest.WithUmask(t, 0, func() {
		if err := WriteCredentialsCSV(csvPath, testKey("AKIAIOSFODNN7EXAMPLE", knownSecret)); err != nil {
			t.Fatal(err)
		}
	})
	st, err := os.Stat(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != 0o600 {
		t.Errorf("%s has mode %o under umask 0, want 600", csvPath, got)
	}
}

// TestWriteFailureRemovesFile makes the write fail part-way (a file size
// limit of a few bytes, as a full disk would) and checks that no partial
// credentials file stays behind and that the error does not carry the
// secret.
func TestWriteFailureRemovesFile(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "k.csv")
	var csvErr error
	privfiletest.WithFileSizeLimit(t, 16, func() {
		csvErr = WriteCredentialsCSV(csvPath, testKey("AKIAIOSFODNN7EXAMPLE", knownSecret))
	})

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
