package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup/keyfile"
)

// A profile that setup --write-profile adds is what sync --profile signs
// with: not the environment's key, not another profile's.
func TestSyncWithWrittenProfileUsesItsKey(t *testing.T) {
	s3 := newKeyRecordingS3(t)

	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	if err := os.WriteFile(creds, []byte("[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = default-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")

	const secret = "platformSecretDoNotPrint"
	path, err := keyfile.SharedCredentialsFile()
	if err != nil || path != creds {
		t.Fatalf("credentials file %q, %v; want %q", path, err, creds)
	}
	if err := keyfile.WriteCredentialsProfile(path, "crowdai", awsops.AccessKey{User: "crowdai-platform-access", ID: "AKIDPLATFORM", Secret: awsops.NewSecret(secret)}); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(dir, "dest")
	code, out, stderr := execute("sync", "--profile", "crowdai", "--no-tui", "--region", "us-east-1", "--endpoint-url", s3.URL, "s3://media/in", dest)
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
			t.Errorf("a request was signed with %q, not the written profile's key", k)
		}
	}
	if strings.Contains(out+stderr, secret) {
		t.Error("sync printed the secret")
	}
}
