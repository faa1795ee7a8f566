package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestVerboseSyncNamesEachObject(t *testing.T) {
	s3 := newKeyRecordingS3(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
	t.Setenv("AWS_REGION", "us-east-1")
	dest := filepath.Join(t.TempDir(), "dest")
	args := []string{"sync", "--no-tui", "--endpoint-url", s3.URL, "s3://media/in", dest}

	code, out, stderr := execute(append([]string{"-v"}, args...)...)
	want := "downloaded in/a.jpg -> " + filepath.Join(dest, "a.jpg") + " (new, 4 B)"
	if code != 0 || !strings.Contains(stderr, want) {
		t.Fatalf("first run: exit %d, stderr lacks %q\n%s\n%s", code, want, out, stderr)
	}
	code, out, stderr = execute(append([]string{"--verbose"}, args...)...)
	if code != 0 || !strings.Contains(stderr, "skipped in/a.jpg: unchanged") || strings.Contains(stderr, "downloaded ") {
		t.Fatalf("second run: exit %d\n%s\n%s", code, out, stderr)
	}
	code, out, stderr = execute(append([]string{"-v", "--exclude", "*.jpg"}, args...)...)
	if code != 0 || !strings.Contains(stderr, "skipped in/a.jpg: left out by --include/--exclude") {
		t.Fatalf("excluded: exit %d\n%s\n%s", code, out, stderr)
	}
	if strings.Contains(stderr, "AWS S3.") {
		t.Errorf("sync -v printed request lines:\n%s", stderr)
	}
	code, out, stderr = execute(args...)
	if code != 0 || strings.Contains(stderr, "skipped ") {
		t.Errorf("without -v: exit %d, per-object lines printed:\n%s\n%s", code, out, stderr)
	}

	code, _, stderr = execute(append(args, "-v", "-q")...)
	if code != 2 || !strings.Contains(stderr, "--quiet and --verbose contradict each other") {
		t.Errorf("-v -q: exit %d, %s", code, stderr)
	}
}

func TestVersionFlagKeepsItsLongNameOnly(t *testing.T) {
	code, out, _ := execute("--version")
	if code != 0 || !strings.HasPrefix(out, "s3link ") {
		t.Errorf("--version: exit %d, %q", code, out)
	}
	root := NewRoot(NewFactory(&Globals{In: strings.NewReader(""), Out: &strings.Builder{}, Err: &strings.Builder{}}))
	root.InitDefaultVersionFlag()
	if f := root.Flags().Lookup("version"); f == nil || f.Shorthand != "" {
		t.Errorf("--version flag %+v; want no shorthand", f)
	}
	if f := root.PersistentFlags().ShorthandLookup("v"); f == nil || f.Name != "verbose" {
		t.Errorf("-v is %+v, want --verbose", f)
	}
}
