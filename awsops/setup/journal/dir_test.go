//go:build unix

package journal

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRecordsRefusedInAFolderOthersCanWrite(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "s3link")
	rec := Record{Version: CurrentVersion, SetupID: "s3l-0123456789abcdef", Account: "123456789012"}
	path := Path(cfg, rec.SetupID)
	if err := rec.Create(path); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{cfg, filepath.Dir(path)} {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o700 {
			t.Fatalf("%s mode = %v, %v; want 0700", d, fi.Mode().Perm(), err)
		}
	}
	if err := os.Chmod(filepath.Dir(path), 0o777); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "can be written by other users") {
		t.Errorf("Load from a folder others can write = %v, want a refusal", err)
	}
	if _, err := List(cfg); err == nil {
		t.Error("List of a folder others can write was accepted")
	}
	if _, err := Update(path, func(*Record) error { return nil }); err == nil {
		t.Error("Update in a folder others can write was accepted")
	}
	// A planted link at a record's name is not followed.
	_ = os.Chmod(filepath.Dir(path), 0o700)
	target := filepath.Join(t.TempDir(), "elsewhere.json")
	if err := os.WriteFile(target, []byte(`{"version":2,"setup_id":"s3l-x","account":"1"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	link := Path(cfg, "s3l-link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(link); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Load through a link = %v, want refused", err)
	}
}
