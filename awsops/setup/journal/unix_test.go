//go:build linux

package journal

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

func mkfifo(path string) error { return syscall.Mkfifo(path, 0o600) }

// These tests change process-wide settings (umask, file size limit), so
// they do not run in parallel with anything.

func TestModesWithUmaskZero(t *testing.T) {
	dir := t.TempDir()
	recPath := Path(filepath.Join(dir, "cfg"), sampleSetupID)
	privfiletest.WithUmask(t, 0, func() {
		if err := sampleRecord().Create(recPath); err != nil {
			t.Fatal(err)
		}
	})
	for p, want := range map[string]fs.FileMode{
		recPath:                   0o600,
		filepath.Dir(recPath):     0o700,
		filepath.Join(dir, "cfg"): 0o700,
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
// record stays behind.
func TestWriteFailureRemovesFile(t *testing.T) {
	dir := t.TempDir()
	var recErr, createErr error
	privfiletest.WithFileSizeLimit(t, 16, func() {
		recErr = sampleRecord().Save(filepath.Join(dir, "r.json"))
		createErr = sampleRecord().Create(filepath.Join(dir, "new.json"))
	})
	if recErr == nil || !strings.Contains(recErr.Error(), "could not be saved") {
		t.Fatalf("Save under a 16-byte limit: %v", recErr)
	}
	if createErr == nil || !strings.Contains(createErr.Error(), "could not be saved") || errors.Is(createErr, ErrExists) {
		t.Fatalf("Create under a 16-byte limit: %v, want a save failure", createErr)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("files left behind: %d", len(entries))
	}
}
