package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestUploadUsageErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "photo.jpg")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"one argument", []string{dir}, "takes a folder and a destination"},
		{"missing folder", []string{filepath.Join(dir, "nope"), "s3://bucket"}, "does not exist"},
		{"file, not folder", []string{file, "s3://bucket"}, "is a file, not a folder"},
		{"not an s3 url", []string{dir, "bucket/path"}, "not an S3 location"},
		{"no bucket", []string{dir, "s3:///path"}, "names no bucket"},
		{"bad bucket name", []string{dir, "s3://Bad_Bucket/x"}, "Bad_Bucket"},
		{"dot-dot prefix", []string{dir, "s3://bucket/a/../b"}, `"." or ".."`},
		{"bad part size", []string{dir, "s3://bucket", "--part-size", "lots"}, "not a size"},
		{"part too small", []string{dir, "s3://bucket", "--part-size", "1MiB"}, "between 5MiB and 5GiB"},
		{"zero concurrency", []string{dir, "s3://bucket", "--concurrency", "0"}, "between 1 and 1024"},
		{"bad glob", []string{dir, "s3://bucket", "--include", "[a"}, "glob pattern \"[a\": syntax error in pattern; write globs like"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			g := &Globals{In: strings.NewReader(""), Out: &out, Err: &errb}
			code := Execute(context.Background(), g, append([]string{"upload"}, tt.args...))
			msg := strings.TrimSpace(errb.String())
			if code != 2 || !strings.Contains(msg, tt.want) || strings.Count(msg, "\n") != 0 || out.Len() != 0 {
				t.Errorf("exit %d, stderr %q, stdout %q; want exit 2 and one line mentioning %q", code, msg, out.String(), tt.want)
			}
		})
	}
}

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
