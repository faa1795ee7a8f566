//go:build unix

package upload

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestWalkIgnoresNamedPipe(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.jpg": "a"})
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.jpg"), 0o644); err != nil {
		t.Fatal(err)
	}
	keys, ignored, _ := collect(t, dir, Options{})
	if len(keys) != 1 || keys[0] != "a.jpg" || !strings.Contains(ignored["pipe.jpg"], "named pipe") {
		t.Errorf("keys %q, ignored %v", keys, ignored)
	}
}
