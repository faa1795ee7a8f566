package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVerboseSetupNamesEachAWSCallButNotTheSecret(t *testing.T) {
	e := newEnv(t)
	csvPath := filepath.Join(e.dir, "k.csv")
	code, out, stderr := e.run("setup", "-v", "--non-interactive", "--bucket", "media-verbose", "--csv", csvPath)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	for _, want := range []string{
		"AWS STS.GetCallerIdentity ...",
		"AWS STS.GetCallerIdentity: done in ",
		"AWS IAM.GetUser: answered NoSuchEntity in ",
		"AWS S3.CreateBucket: done in ",
		"AWS IAM.CreatePolicy: done in ",
		"AWS IAM.CreateUser: done in ",
		"AWS IAM.CreateAccessKey: done in ",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(out, "AWS IAM.") {
		t.Errorf("AWS call lines went to stdout:\n%s", out)
	}
	b, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Split(strings.TrimSpace(strings.Split(strings.TrimSpace(string(b)), "\n")[1]), ",")
	secret := fields[len(fields)-1]
	if len(secret) < 20 || strings.Contains(out+stderr, secret) {
		t.Errorf("the secret (%d chars) is in the output, or the CSV has none", len(secret))
	}

	// Without -v, none of it.
	code, out, stderr = e.run("setup", "--non-interactive", "--bucket", "media-verbose", "--csv", filepath.Join(e.dir, "k2.csv"))
	if code != 0 || strings.Contains(out+stderr, "AWS STS.GetCallerIdentity") {
		t.Errorf("without -v: exit %d, AWS call lines printed:\n%s\n%s", code, out, stderr)
	}
}

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

func TestVerboseUploadNamesEachFile(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	for rel, body := range map[string]string{"a.jpg": "aaaa", "notes.txt": "text"} {
		if err := os.WriteFile(filepath.Join(dir, rel), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e.aws(nil, "s3api", "create-bucket", "--bucket", "upload-verbose")
	code, out, stderr := e.run("upload", "-v", dir, "s3://upload-verbose/p")
	if code != 0 || !strings.Contains(stderr, "uploaded a.jpg -> s3://upload-verbose/p/a.jpg (new, 4 B)") ||
		!strings.Contains(stderr, "skipped notes.txt: not an image or video (--all uploads every file)") {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	code, out, stderr = e.run("upload", "-v", dir, "s3://upload-verbose/p")
	if code != 0 || !strings.Contains(stderr, "skipped a.jpg: ") || strings.Contains(stderr, "uploaded a.jpg") {
		t.Fatalf("second run: exit %d\n%s\n%s", code, out, stderr)
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
