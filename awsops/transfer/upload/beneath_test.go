//go:build linux

package upload

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/s3link/s3link/awsops/transfer"
)

// walked runs the walk over dir and returns what it found by path.
func walked(t *testing.T, dir string) map[string]localFile {
	t.Helper()
	f, _ := transfer.NewFilter(nil, nil)
	got := map[string]localFile{}
	w := walker{all: true, filter: f, file: func(lf localFile) error { got[lf.rel] = lf; return nil },
		filtered: func() {}, ignored: func(Ignored) {}}
	if err := w.walk(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	return got
}

// Files swapped after the walk are not read: for a link to a 0600 file
// outside the folder, a named pipe (without blocking), or another file;
// a link that stays inside the folder still works.
func TestUploadReadsOnlyWhatItWalked(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(outside, []byte("outside secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a.jpg", "b.jpg", "c.jpg", "target.jpg"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("inside "+n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("target.jpg", filepath.Join(dir, "link.jpg")); err != nil {
		t.Fatal(err)
	}
	files := walked(t, dir)
	if len(files) != 5 {
		t.Fatalf("walk found %d files: %v", len(files), files)
	}
	// The swaps, after the walk.
	swap := func(name string, make func(p string) error) {
		p := filepath.Join(dir, name)
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
		if err := make(p); err != nil {
			t.Fatal(err)
		}
	}
	swap("a.jpg", func(p string) error { return os.Symlink(outside, p) })
	swap("b.jpg", func(p string) error { return syscall.Mkfifo(p, 0o644) })
	// Another file put in place the way editors save (write, then rename
	// over), so it is a different inode.
	if err := os.WriteFile(filepath.Join(dir, "c.new"), []byte("inside c.jpg"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "c.new"), filepath.Join(dir, "c.jpg")); err != nil {
		t.Fatal(err)
	}

	real, _ := filepath.EvalSymlinks(dir)
	root, err := os.OpenRoot(real)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	e := &Engine{root: root}
	type outcome struct {
		b   []byte
		err error
	}
	open := func(rel string) outcome {
		ch := make(chan outcome, 1)
		go func() {
			f, _, err := e.openWalked(files[rel])
			if err != nil {
				ch <- outcome{err: err}
				return
			}
			defer f.Close()
			b := make([]byte, 64)
			n, _ := f.Read(b)
			ch <- outcome{b: b[:n]}
		}()
		select {
		case o := <-ch:
			return o
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: open still blocked after 10s", rel)
			return outcome{}
		}
	}
	if o := open("a.jpg"); !errors.Is(o.err, ErrLeavesFolder) || o.b != nil {
		t.Errorf("a.jpg swapped for a link out: read %q, err %v; want ErrLeavesFolder and nothing read", o.b, o.err)
	}
	if o := open("b.jpg"); o.err == nil {
		t.Errorf("b.jpg swapped for a named pipe was opened")
	}
	if o := open("c.jpg"); o.err == nil {
		t.Errorf("c.jpg replaced by another file was read: %q", o.b)
	}
	if o := open("link.jpg"); o.err != nil || string(o.b) != "inside target.jpg" {
		t.Errorf("a link inside the folder: %q, %v", o.b, o.err)
	}
	if o := open("target.jpg"); o.err != nil || string(o.b) != "inside target.jpg" {
		t.Errorf("an untouched file: %q, %v", o.b, o.err)
	}
	if b, _ := os.ReadFile(outside); string(b) != "outside secret" {
		t.Errorf("outside file changed: %q", b)
	}
}

// s3link's own temporary files are never picked up, even with --all.
func TestUploadSkipsTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{".x.jpg.s3link-3kq9z1w0.part", "x.jpg"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files := walked(t, dir)
	if _, ok := files["x.jpg"]; !ok || len(files) != 1 {
		t.Fatalf("walk found %v; want x.jpg only", files)
	}
}
