package keyfile

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"filippo.io/age/armor"

	"github.com/s3link/s3link/awsops"
)

var ageTestKey = awsops.AccessKey{User: "platform", ID: "AKIAIOSFODNN7EXAMPLE", Secret: awsops.NewSecret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")}

func decryptFile(t *testing.T, path string, id age.Identity) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := age.Decrypt(armor.NewReader(f), id)
	if err != nil {
		t.Fatalf("decrypt %s: %v", path, err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWriteEncryptedKeyCSVDecryptsToTheCSVLayout(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	for _, layout := range []CSVLayout{LayoutConsole, LayoutAWSImport} {
		t.Run(layout.String(), func(t *testing.T) {
			dir := t.TempDir()
			rs, err := ParseRecipients(id.Recipient().String())
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "key.csv.age")
			if err := WriteEncryptedKeyCSV(path, ageTestKey, layout, rs); err != nil {
				t.Fatal(err)
			}
			// What the plain writer would have written, byte for byte.
			plainDir := t.TempDir()
			if err := WriteKeyCSV(filepath.Join(plainDir, "k.csv"), ageTestKey, layout); err != nil {
				t.Fatal(err)
			}
			want, _ := os.ReadFile(filepath.Join(plainDir, "k.csv"))
			if got := decryptFile(t, path, id); !bytes.Equal(got, want) {
				t.Errorf("decrypted %q, want %q", got, want)
			}
			fi, err := os.Lstat(path)
			if err != nil || fi.Mode().Perm() != 0o600 || !fi.Mode().IsRegular() {
				t.Errorf("file mode %v, %v; want a regular 0600 file", fi.Mode(), err)
			}
			// Nothing else in the folder, and nothing there holds the secret.
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("folder holds %v, want only the encrypted file", entries)
			}
			raw, _ := os.ReadFile(path)
			if bytes.Contains(raw, []byte(ageTestKey.Secret.Reveal())) || bytes.Contains(raw, []byte("Secret access key")) || !bytes.HasPrefix(raw, []byte("-----BEGIN AGE ENCRYPTED FILE-----")) {
				t.Errorf("the file is not armored age ciphertext:\n%s", raw)
			}
		})
	}
}

func TestWriteEncryptedKeyCSVNeverOverwritesOrFollowsALink(t *testing.T) {
	id, _ := age.GenerateX25519Identity()
	rs := []age.Recipient{id.Recipient()}
	dir := t.TempDir()
	existing := filepath.Join(dir, "taken.age")
	if err := os.WriteFile(existing, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := WriteEncryptedKeyCSV(existing, ageTestKey, LayoutConsole, rs)
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("over an existing file: %v", err)
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Errorf("existing file changed: %q", b)
	}
	target := filepath.Join(dir, "target")
	link := filepath.Join(dir, "link.age")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteEncryptedKeyCSV(link, ageTestKey, LayoutConsole, rs); err == nil {
		t.Error("wrote through a dangling link")
	}
	if _, err := os.Lstat(target); !os.IsNotExist(err) {
		t.Errorf("the link's target was created: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("folder holds %v, want only the two files it had (no temporary left)", entries)
	}
}

func TestParseRecipients(t *testing.T) {
	id, _ := age.GenerateX25519Identity()
	dir := t.TempDir()
	file := filepath.Join(dir, "recipients.txt")
	other, _ := age.GenerateX25519Identity()
	if err := os.WriteFile(file, []byte("# the platform\n"+id.Recipient().String()+"\n"+other.Recipient().String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if rs, err := ParseRecipients(file); err != nil || len(rs) != 2 {
		t.Errorf("recipients file: %d, %v", len(rs), err)
	}
	if rs, err := ParseRecipients(" " + id.Recipient().String() + "\n"); err != nil || len(rs) != 1 {
		t.Errorf("public key: %d, %v", len(rs), err)
	}
	bad := []struct{ in, want string }{
		{"", "--encrypt-to needs the platform's age public key"},
		{"age1notakey", `"age1notakey" is not an age public key`},
		{filepath.Join(dir, "missing"), "is neither an age public key (age1...) nor a recipients file"},
		{"ssh-ed25519 AAAA", "is neither an age public key"},
	}
	empty := filepath.Join(dir, "empty.txt")
	_ = os.WriteFile(empty, []byte("# nothing\n"), 0o600)
	bad = append(bad, struct{ in, want string }{empty, "holds no age public key that can be used"})
	for _, tt := range bad {
		_, err := ParseRecipients(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseRecipients(%q) = %v, want %q", tt.in, err, tt.want)
			continue
		}
		if s := err.Error(); strings.Count(s, ". ") > 0 || !strings.HasSuffix(s, ".") {
			t.Errorf("%q is not one sentence", s)
		}
	}
}
