package emulator

import (
	"bytes"
	"crypto/md5"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"
)

func TestDemoImagesAreDistinctDecodableJPEGs(t *testing.T) {
	files := DemoImages(60, 7)
	if len(files) != 60 {
		t.Fatalf("got %d files, want 60", len(files))
	}
	names := map[string]bool{}
	sums := map[[16]byte]bool{}
	for _, f := range files {
		if names[f.Name] {
			t.Errorf("duplicate name %s", f.Name)
		}
		names[f.Name] = true
		sums[md5.Sum(f.Body)] = true
		if _, err := jpeg.Decode(bytes.NewReader(f.Body)); err != nil {
			t.Errorf("%s does not decode as JPEG: %v", f.Name, err)
		}
	}
	if len(sums) != len(files) {
		t.Errorf("only %d distinct bodies among %d files", len(sums), len(files))
	}
	again := DemoImages(60, 7)
	for i := range files {
		if !bytes.Equal(files[i].Body, again[i].Body) {
			t.Fatalf("DemoImages is not deterministic at %s", files[i].Name)
		}
	}
}

func TestWriteDemoFolder(t *testing.T) {
	dir := t.TempDir()
	if err := WriteDemoFolder(dir, 12); err != nil {
		t.Fatal(err)
	}
	var n int
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return err
	})
	if err != nil || n != 12 {
		t.Errorf("demo folder holds %d files (err %v), want 12", n, err)
	}
}
