package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
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
