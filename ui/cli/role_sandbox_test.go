package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3link/s3link/awsops/emulator"
)

// The embedded emulator makes roles and hands out an assumed role's
// temporary keys, so a role link runs, with its proof, in the sandbox too.
func TestEmbeddedSandboxRoleSetupWithProof(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("S3LINK_CONFIG_DIR", filepath.Join(dir, "cfg"))
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "aws-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "aws-credentials"))
	proof := filepath.Join(dir, "proof")
	var out, errb bytes.Buffer
	g := &Globals{In: strings.NewReader(""), Out: &out, Err: &errb}
	code := Execute(context.Background(), g, []string{"--sandbox=embedded", "setup", "--non-interactive",
		"--existing-bucket", "--bucket", emulator.DemoBucket, "--prefix", emulator.DemoPrefix,
		"--access", "role", "--trusted-account", "111122223333", "--proof-dir", proof})
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	for _, want := range []string{"✓ Create IAM role crowdai-platform-access", "External ID:", "with the role arn:aws:iam::"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	n := 0
	_ = filepath.WalkDir(proof, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	if n == 0 {
		t.Errorf("the proof downloaded nothing:\n%s", out.String())
	}
}
