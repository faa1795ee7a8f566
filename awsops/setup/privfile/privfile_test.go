//go:build unix

package privfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestEnsurePrivateDirCreates0700(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "s3link")
	if err := EnsurePrivateDir(dir); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Fatalf("created %v, %v; want a 0700 folder", fi, err)
	}
	if err := EnsurePrivateDir(dir); err != nil {
		t.Fatalf("a private folder is refused: %v", err)
	}
}

func TestEnsurePrivateDirRefusesWritableByOthers(t *testing.T) {
	for _, mode := range []os.FileMode{0o777, 0o770, 0o702} {
		dir := filepath.Join(t.TempDir(), "s3link")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, mode); err != nil {
			t.Fatal(err)
		}
		err := EnsurePrivateDir(dir)
		if err == nil || !strings.Contains(err.Error(), "can be written by other users") || strings.Count(err.Error(), ". ") > 0 {
			t.Errorf("mode %04o: got %v, want one sentence refusing", mode, err)
		}
		if fi, _ := os.Stat(dir); fi.Mode().Perm() != mode {
			t.Errorf("mode %04o changed to %04o", mode, fi.Mode().Perm())
		}
	}
}

func TestEnsurePrivateDirRefusesAFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s3link")
	if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := EnsurePrivateDir(p); err == nil || !strings.Contains(err.Error(), "is not a folder") {
		t.Fatalf("got %v", err)
	}
}

// A link at the log's name is refused, and its target stays byte-for-byte
// and mode-for-mode as it was.
func TestOpenNoFollowRefusesALink(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "victim")
	orig := []byte("precious\n")
	if err := os.WriteFile(victim, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "debug.log")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	f, err := OpenNoFollow(link, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err == nil {
		f.Close()
		t.Fatal("opened through a link")
	}
	if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("got %v", err)
	}
	got, _ := os.ReadFile(victim)
	fi, _ := os.Stat(victim)
	if !bytes.Equal(got, orig) || fi.Mode().Perm() != 0o644 {
		t.Fatalf("the link's target changed: %q, %04o", got, fi.Mode().Perm())
	}
}

// A named pipe at the name is refused at once, for reading and writing.
func TestOpenNoFollowRefusesAFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "debug.log")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, flag := range []int{os.O_RDONLY, os.O_WRONLY | os.O_APPEND} {
		done := make(chan error, 1)
		go func() {
			f, err := OpenNoFollow(p, flag, 0o600)
			if err == nil {
				f.Close()
			}
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil {
				t.Errorf("flag %#x: opened a named pipe", flag)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("flag %#x: open of a named pipe still blocked after 10s", flag)
		}
	}
}

func TestOpenNoFollowOpensARegularFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "debug.log")
	f, err := OpenNoFollow(p, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("line\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if b, _ := os.ReadFile(p); string(b) != "line\n" {
		t.Fatalf("wrote %q", b)
	}
}
