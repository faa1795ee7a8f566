//go:build e2e

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
