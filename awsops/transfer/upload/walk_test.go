package upload

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/s3link/s3link/awsops/transfer"
)

// writeFiles creates files (slash paths relative to dir) with the given
// contents.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for rel, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func collect(t *testing.T, dir string, opts Options) (keys []string, ignored map[string]string, filtered int64) {
	t.Helper()
	f, err := newFilter(opts)
	if err != nil {
		t.Fatal(err)
	}
	ignored = map[string]string{}
	w := walker{all: opts.All, filter: f, prefix: opts.Prefix,
		file:     func(lf localFile) error { keys = append(keys, lf.key); return nil },
		filtered: func() { filtered++ },
		ignored:  func(ig Ignored) { ignored[ig.Path] = ig.Reason },
	}
	if err := w.walk(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	sort.Strings(keys)
	return keys, ignored, filtered
}

func TestWalkSelectsAndIgnores(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"top.jpg":                   "1",
		"Été 2024/plage à midi.JPG": "22",
		"a b/c d.mp4":               "333",
		"x/y/z/deep.png":            "4444",
		"notes.txt":                 "55555",
	})
	writeFiles(t, outside, map[string]string{"secret.jpg": "s"})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink(filepath.Join(outside, "secret.jpg"), filepath.Join(dir, "escape.jpg")))
	must(os.Symlink("top.jpg", filepath.Join(dir, "alias.jpg")))
	must(os.Symlink("x", filepath.Join(dir, "loop")))

	keys, ignored, filtered := collect(t, dir, Options{Prefix: "media/in"})
	want := []string{"media/in/a b/c d.mp4", "media/in/alias.jpg", "media/in/top.jpg", "media/in/x/y/z/deep.png", "media/in/Été 2024/plage à midi.JPG"}
	sort.Strings(want)
	if strings.Join(keys, "|") != strings.Join(want, "|") {
		t.Errorf("keys = %q\nwant %q", keys, want)
	}
	if filtered != 1 {
		t.Errorf("filtered = %d, want 1 (notes.txt)", filtered)
	}
	for p, frag := range map[string]string{"escape.jpg": "outside", "loop": "folder"} {
		if !strings.Contains(ignored[p], frag) {
			t.Errorf("ignored[%q] = %q, want it to mention %q", p, ignored[p], frag)
		}
	}
	if len(ignored) != 2 {
		t.Errorf("ignored = %v, want 2 entries", ignored)
	}

	keys, _, filtered = collect(t, dir, Options{All: true, Exclude: []string{"x/**"}})
	if filtered != 1 || len(keys) != 5 || keys[2] != "notes.txt" {
		t.Errorf("All with exclude: keys %q, filtered %d", keys, filtered)
	}
}

func TestPreview(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.jpg": "12345", "b/c.mov": "123", "d.txt": "1234567"})
	s, err := Preview(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Files != 2 || s.Bytes != 8 || s.Filtered != 1 {
		t.Errorf("Preview = %+v, want 2 files, 8 bytes, 1 filtered", s)
	}
	s, err = Preview(context.Background(), dir, Options{All: true})
	if err != nil || s.Files != 3 || s.Bytes != 15 {
		t.Errorf("Preview(All) = %+v, %v", s, err)
	}
	if _, err := Preview(context.Background(), filepath.Join(dir, "a.jpg"), Options{}); err == nil {
		t.Error("Preview of a file did not fail")
	}
}

func TestRulesAreOrderedLastMatchWins(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.jpg": "1", "b.png": "1", "notes.txt": "1",
		"tmp/keep.jpg": "1", "tmp/drop.jpg": "1",
		"old/x.jpg": "1", "new/y.jpg": "1",
	})
	inc := func(p string) transfer.Rule { return transfer.Rule{Include: true, Pattern: p} }
	exc := func(p string) transfer.Rule { return transfer.Rule{Pattern: p} }
	tests := []struct {
		name  string
		rules []transfer.Rule
		want  string
	}{
		{"exclude all then include jpg", []transfer.Rule{exc("*"), inc("*.jpg")},
			"a.jpg new/y.jpg old/x.jpg tmp/drop.jpg tmp/keep.jpg"},
		// With includes always before excludes, keep.jpg would be left out.
		{"exclude a folder then include one file back", []transfer.Rule{exc("tmp/**"), inc("tmp/keep.jpg")},
			"a.jpg b.png new/y.jpg notes.txt old/x.jpg tmp/keep.jpg"},
		{"include jpg then exclude a folder", []transfer.Rule{inc("*.jpg"), exc("old/**")},
			"a.jpg new/y.jpg tmp/drop.jpg tmp/keep.jpg"},
		// The later include wins over the earlier exclude.
		{"exclude jpg then include it again", []transfer.Rule{exc("*.jpg"), inc("a.jpg")},
			"a.jpg b.png notes.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, _, _ := collect(t, dir, Options{All: true, Rules: tt.rules})
			if got := strings.Join(keys, " "); got != tt.want {
				t.Errorf("selected %q, want %q", got, tt.want)
			}
			s, err := Preview(context.Background(), dir, Options{All: true, Rules: tt.rules})
			if err != nil || s.Files != int64(len(keys)) {
				t.Errorf("Preview = %+v, %v; want %d files", s, err, len(keys))
			}
		})
	}
	// Include and Exclude alone keep their fixed precedence.
	keys, _, _ := collect(t, dir, Options{All: true, Include: []string{"tmp/keep.jpg"}, Exclude: []string{"tmp/**"}})
	if len(keys) != 0 {
		t.Errorf("Include/Exclude: selected %q, want none (the exclude wins)", keys)
	}
}
