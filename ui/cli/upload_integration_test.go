//go:build e2e

package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// uploadedKeys lists a bucket with the AWS CLI, an independent client.
func (e *env) uploadedKeys(bucket string) []string {
	var out struct{ Contents []struct{ Key string } }
	e.aws(&out, "s3api", "list-objects-v2", "--bucket", bucket)
	var keys []string
	for _, c := range out.Contents {
		keys = append(keys, c.Key)
	}
	sort.Strings(keys)
	return keys
}

func TestUploadCommand(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	for rel, body := range map[string]string{
		"a.jpg":           "aaaa",
		"sub dir/ünï.mov": "movie",
		"notes.txt":       "not media",
	} {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e.aws(nil, "s3api", "create-bucket", "--bucket", "upload-cli")

	code, out, errs := e.run("upload", dir, "s3://upload-cli/path/to/files", "--dry-run")
	if code != 0 || !strings.Contains(out, "would upload a.jpg -> s3://upload-cli/path/to/files/a.jpg") ||
		!strings.Contains(out, "Dry run: would upload 2 files") {
		t.Fatalf("dry run: exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	if keys := e.uploadedKeys("upload-cli"); len(keys) != 0 {
		t.Fatalf("dry run uploaded %q", keys)
	}

	code, out, errs = e.run("upload", dir, "s3://upload-cli/path/to/files")
	if code != 0 || !strings.Contains(out, "Uploaded 2 files") || !strings.Contains(out, "Left out 1 file by the filters") {
		t.Fatalf("upload: exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	want := []string{"path/to/files/a.jpg", "path/to/files/sub dir/ünï.mov"}
	if keys := e.uploadedKeys("upload-cli"); strings.Join(keys, "|") != strings.Join(want, "|") {
		t.Fatalf("keys %q, want %q", keys, want)
	}

	code, out, errs = e.run("upload", dir, "s3://upload-cli/path/to/files/", "--all", "--json")
	if code != 0 {
		t.Fatalf("--all --json: exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	var sum struct {
		Destination string
		Uploaded    int64
		Skipped     int64
		FailedCount int64
		Failed      []struct{ Path, Reason string }
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("--json output %q: %v", out, err)
	}
	if sum.Uploaded != 1 || sum.Skipped != 2 || sum.FailedCount != 0 || sum.Destination != "s3://upload-cli/path/to/files/" {
		t.Errorf("summary %+v, want notes.txt uploaded and the media skipped", sum)
	}

	code, out, errs = e.run("upload", dir, "s3://no-such-upload-bucket", "--json")
	if code != 1 || !strings.Contains(errs, "2 of 2 files could not be uploaded") {
		t.Fatalf("missing bucket: exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	sum.Failed = nil
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.FailedCount != 2 || len(sum.Failed) != 2 || !strings.Contains(sum.Failed[0].Reason, "bucket does not exist") {
		t.Errorf("failures %+v", sum)
	}
}

func TestUploadFiltersInOrder(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	for _, rel := range []string{"a.jpg", "tmp/keep.jpg", "tmp/drop.jpg"} {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(rel), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e.aws(nil, "s3api", "create-bucket", "--bucket", "upload-order")
	code, out, errs := e.run("upload", dir, "s3://upload-order/p", "--dry-run", "--exclude", "tmp/**", "--include", "tmp/keep.jpg")
	if code != 0 || !strings.Contains(out, "would upload tmp/keep.jpg") || !strings.Contains(out, "would upload a.jpg") ||
		strings.Contains(out, "tmp/drop.jpg ->") || !strings.Contains(out, "would upload 2 files") {
		t.Fatalf("--exclude 'tmp/**' --include tmp/keep.jpg: exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	code, out, errs = e.run("upload", dir, "s3://upload-order/p", "--dry-run", "--include", "tmp/keep.jpg", "--exclude", "tmp/**")
	// A leading include means "only these", and the later exclude then
	// takes keep.jpg back out.
	if code != 0 || strings.Contains(out, "tmp/keep.jpg ->") || !strings.Contains(out, "would upload 0 files") {
		t.Fatalf("--include tmp/keep.jpg --exclude 'tmp/**': exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
}
