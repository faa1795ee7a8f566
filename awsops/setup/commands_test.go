package setup

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3link/s3link/awsops"
)

func TestWriteCommands(t *testing.T) {
	p := &Plan{Spec: Spec{Bucket: "media", Prefix: "in/2026"}, BoundaryDocument: `{"Version":"2012-10-17"}`,
		Actions: []Action{{Kind: ActCreatePolicy, Title: "Create IAM policy P", Command: "aws iam create-policy --policy-name P --policy-document file://policy.json"}}}
	dir := filepath.Join(t.TempDir(), CommandsDir("media"))
	if err := WriteCommands(dir, p); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("folder: %v %v, want mode 0700", fi.Mode().Perm(), err)
	}
	for name, want := range map[string]string{
		PolicyFile:   awsops.PolicyDocument("media", "in/2026"),
		BoundaryFile: p.BoundaryDocument,
		ScriptFile:   "set -euo pipefail\n",
	} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %q:\n%s", name, want, b)
		}
		if fi, _ := os.Stat(filepath.Join(dir, name)); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", name, fi.Mode().Perm())
		}
	}
	script, _ := os.ReadFile(filepath.Join(dir, ScriptFile))
	if !strings.Contains(string(script), "# 1. Create IAM policy P\n"+p.Actions[0].Command+"\n") {
		t.Errorf("setup.sh lacks the plan's command:\n%s", script)
	}
	// Written once: a second write into the same folder is refused and
	// leaves the files as they were.
	if err := WriteCommands(dir, &Plan{Spec: Spec{Bucket: "other"}}); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second write: %v, want fs.ErrExist", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, PolicyFile)); !strings.Contains(string(b), "media/in/2026") {
		t.Error("policy.json was overwritten")
	}
	// No boundary in the plan: no boundary.json.
	dir2 := filepath.Join(t.TempDir(), "c")
	if err := WriteCommands(dir2, &Plan{Spec: Spec{Bucket: "media"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir2, BoundaryFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("boundary.json written for a plan without one: %v", err)
	}
}
