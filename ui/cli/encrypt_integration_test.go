//go:build e2e

package cli

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"filippo.io/age/armor"
)

func TestHeadlessSetupEncryptsTheKeyFileAndWritesNoPlainText(t *testing.T) {
	e := newEnv(t)
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(e.dir, "handover")
	if err := os.Mkdir(out, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(out, "crowdai-platform-access_accessKeys.csv.age")
	code, stdout, stderr := e.run("setup", "--non-interactive", "--bucket", "media-sealed", "--prefix", "in",
		"--csv", path, "--encrypt-to", id.Recipient().String())
	if code != 0 {
		t.Fatalf("setup --encrypt-to: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "encrypted with age for "+id.Recipient().String()) {
		t.Errorf("output does not say the file is encrypted:\n%s", stdout)
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 1 || entries[0].Name() != filepath.Base(path) {
		t.Fatalf("folder holds %v, want only the encrypted key file", entries)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := age.Decrypt(armor.NewReader(bytes.NewReader(raw)), id)
	if err != nil {
		t.Fatalf("decrypt with the platform's identity: %v", err)
	}
	plain, _ := io.ReadAll(r)
	lines := strings.Split(string(plain), "\r\n")
	if len(lines) != 3 || lines[0] != "Access key ID,Secret access key" || lines[2] != "" {
		t.Fatalf("decrypted layout = %q", plain)
	}
	keyID, secret, _ := strings.Cut(lines[1], ",")
	if ids := e.accessKeyIDs("crowdai-platform-access"); len(ids) != 1 || ids[0] != keyID {
		t.Errorf("IAM holds %v, file names %q", ids, keyID)
	}
	// The secret is nowhere in plain text: not in the folder, the output or
	// the record.
	for _, dir := range []string{out, e.dir} {
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s holds the secret in plain text", p)
			}
			return nil
		})
	}
	if strings.Contains(stdout+stderr, secret) {
		t.Error("the output holds the secret")
	}
	// The decrypted key works with the AWS CLI.
	cmd := execAWS(e, "sts", "get-caller-identity")
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+keyID, "AWS_SECRET_ACCESS_KEY="+secret)
	if b, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(b), "crowdai-platform-access") {
		t.Errorf("the decrypted key does not sign in: %v %s", err, b)
	}
}

func TestHeadlessSetupRefusesABadRecipientBeforeAnyCall(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--csv", filepath.Join(e.dir, "k.age"), "--encrypt-to", "age1nope"}, `"age1nope" is not an age public key`},
		{[]string{"--encrypt-to", "age1nope"}, "--encrypt-to encrypts the --csv key file; add --csv PATH"},
	} {
		code, stdout, stderr := e.run(append([]string{"setup", "--non-interactive", "--bucket", "media-x"}, tt.args...)...)
		if code != 2 || !strings.Contains(stderr, tt.want) || strings.Contains(stdout, "Signed in") {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want 2 and %q before any AWS call", tt.args, code, stderr, stdout, tt.want)
		}
	}
	if b := e.bucketNames(); len(b) != 0 {
		t.Errorf("buckets made: %v", b)
	}
}
