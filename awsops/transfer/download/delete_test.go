package download

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/s3link/s3link/awsops/transfer"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDeleteExtraneous(t *testing.T) {
	f := newFakeS3(t)
	f.put("p/keep.jpg", []byte("k"))
	f.put("p/sub/keep2.jpg", []byte("k2"))

	// setup makes a destination holding, besides what the listing names:
	// two extra files, an excluded one, a link to a file outside and a link
	// to a folder outside (whose files must not be seen).
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "target.jpg"), "precious")
	writeFile(t, filepath.Join(outside, "dir", "inner.jpg"), "precious too")
	setup := func(t *testing.T) string {
		dest := t.TempDir()
		writeFile(t, filepath.Join(dest, "keep.jpg"), "k")
		writeFile(t, filepath.Join(dest, "extra.jpg"), "x")
		writeFile(t, filepath.Join(dest, "sub", "extra2.jpg"), "x")
		writeFile(t, filepath.Join(dest, "notes.txt"), "excluded")
		if err := os.Symlink(filepath.Join(outside, "target.jpg"), filepath.Join(dest, "link.jpg")); err != nil {
			t.Skip("no symbolic links here:", err)
		}
		if err := os.Symlink(filepath.Join(outside, "dir"), filepath.Join(dest, "linkdir")); err != nil {
			t.Fatal(err)
		}
		return dest
	}
	rules := []transfer.Rule{{Pattern: "*.txt"}}
	checkOutside := func(t *testing.T) {
		for p, want := range map[string]string{"target.jpg": "precious", "dir/inner.jpg": "precious too"} {
			if b, err := os.ReadFile(filepath.Join(outside, p)); err != nil || string(b) != want {
				t.Errorf("outside %s = %q, %v", p, b, err)
			}
		}
	}
	exists := func(dest, rel string) bool {
		_, err := os.Lstat(filepath.Join(dest, rel))
		return err == nil
	}

	t.Run("deletes", func(t *testing.T) {
		dest := setup(t)
		_, res := runEngine(t, f.store(), Options{Bucket: testBucket, Prefix: "p", Dest: dest, Rules: rules, Delete: true, MaxDelete: -1})
		want := []string{filepath.Join(dest, "extra.jpg"), filepath.Join(dest, "sub", "extra2.jpg")}
		got := append([]string(nil), res.Deleted...)
		sort.Strings(got)
		if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
			t.Errorf("Deleted = %v, want %v", got, want)
		}
		for _, rel := range []string{"extra.jpg", "sub/extra2.jpg"} {
			if exists(dest, rel) {
				t.Errorf("%s is still there", rel)
			}
		}
		for _, rel := range []string{"keep.jpg", "sub/keep2.jpg", "notes.txt", "link.jpg", "linkdir"} {
			if !exists(dest, rel) {
				t.Errorf("%s was deleted", rel)
			}
		}
		checkOutside(t)
	})
	t.Run("dry run lists only", func(t *testing.T) {
		dest := setup(t)
		_, res := runEngine(t, f.store(), Options{Bucket: testBucket, Prefix: "p", Dest: dest, Rules: rules, Delete: true, MaxDelete: -1, DryRun: true})
		if len(res.Deleted) != 2 || !exists(dest, "extra.jpg") || !exists(dest, "sub/extra2.jpg") {
			t.Errorf("dry run: Deleted = %v; extra.jpg there %v", res.Deleted, exists(dest, "extra.jpg"))
		}
	})
	t.Run("max delete refuses", func(t *testing.T) {
		dest := setup(t)
		e, err := New(f.store(), Options{Bucket: testBucket, Prefix: "p", Dest: dest, Rules: rules, Delete: true, MaxDelete: 1})
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.Run(context.Background())
		var me *MaxDeleteError
		if !errors.As(err, &me) || me.Would != 2 || me.Max != 1 {
			t.Fatalf("Run = %v, want MaxDeleteError 2 > 1", err)
		}
		if len(res.Deleted) != 0 || !exists(dest, "extra.jpg") || !exists(dest, "sub/extra2.jpg") {
			t.Errorf("deleted despite the limit: %v", res.Deleted)
		}
		checkOutside(t)
	})
	t.Run("without delete nothing goes", func(t *testing.T) {
		dest := setup(t)
		runEngine(t, f.store(), Options{Bucket: testBucket, Prefix: "p", Dest: dest})
		if !exists(dest, "extra.jpg") {
			t.Error("extra.jpg deleted without Delete")
		}
	})
}
