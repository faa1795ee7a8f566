package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup/keyfile"
)

// sync --csv signs every request with the CSV's key, not the
// environment's, and never prints the secret.
func TestSyncWithCSVUsesItsKey(t *testing.T) {
	s3 := newKeyRecordingS3(t)
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDENVIRONMENT")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")

	csv := filepath.Join(dir, "key.csv")
	const secret = "platform-secret-do-not-print"
	if err := keyfile.WriteCredentialsCSV(csv, awsops.AccessKey{ID: "AKIDPLATFORM", Secret: awsops.NewSecret(secret)}); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(dir, "dest")
	code, out, stderr := execute("sync", "--csv", csv, "--no-tui", "--region", "us-east-1", "--endpoint-url", s3.URL, "s3://media/in", dest)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	if b, err := os.ReadFile(filepath.Join(dest, "a.jpg")); err != nil || string(b) != "jpeg" {
		t.Fatalf("downloaded %q, %v", b, err)
	}
	keys := s3.Keys()
	if len(keys) == 0 {
		t.Fatal("no signed request seen")
	}
	for _, k := range keys {
		if k != "AKIDPLATFORM" {
			t.Errorf("a request was signed with %q, not the CSV's key", k)
		}
	}
	if strings.Contains(out+stderr, secret) {
		t.Error("sync printed the secret")
	}

	// Another layout: one sentence, exit 2, no secret.
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("User name,Password\nbob,"+secret+"\n"), 0o600)
	code, out, stderr = execute("sync", "--csv", bad, "--endpoint-url", s3.URL, "s3://media/in", dest)
	line := strings.TrimSpace(stderr)
	if code != 2 || strings.Contains(line, "\n") || !strings.Contains(line, "AWS console's layout") || strings.Contains(out+stderr, secret) {
		t.Errorf("bad CSV: exit %d, stderr %q", code, stderr)
	}
}
