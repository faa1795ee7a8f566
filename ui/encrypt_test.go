package ui

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	fage "filippo.io/age"
	"filippo.io/age/armor"

	"github.com/s3link/s3link/awsops/awsopstest"
	"github.com/s3link/s3link/awsops/setup"
)

// fixedRecipient is an age public key for views: goldens need the same
// one on every run (its identity is not needed, nothing is decrypted).
const fixedRecipient = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"

func TestKeyEncryptView(t *testing.T) {
	d := newDriver(t, testDeps(t, awsopstest.New(t)))
	toReviewNew(t, d)
	d.press("enter", "e")
	d.typeText(fixedRecipient)
	d.wantView("For      "+fixedRecipient, "encrypted with age for this public key", "enter next: where to save")
	requireFrame(t, d)
}

func TestKeySaveEncrypted(t *testing.T) {
	id, err := fage.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, testDeps(t, awsopstest.New(t)))
	toReviewNew(t, d)
	d.press("enter")
	key := d.app.keyScr().st.Key
	dir := t.TempDir()

	// A bad public key: one sentence, in the field it was typed in, so
	// the next keys fix it there (they are not taken as the key screen's
	// own keys), nothing written, the key still unsecured.
	d.press("e")
	d.typeText("age1nope")
	d.press("enter")
	d.wantView(`"age1nope" is not an age public key`, "For      age1nope")
	if !d.app.keyScr().failed || d.app.keyScr().secured() || d.app.keyScr().phase != keyRecipient {
		t.Errorf("a bad recipient: failed %v, secured %v, phase %v", d.app.keyScr().failed, d.app.keyScr().secured(), d.app.keyScr().phase)
	}

	// A recipients file that cannot be read is refused when saving.
	d.press("ctrl+u")
	d.typeText(filepath.Join(dir, "no-such-recipients.txt"))
	d.press("enter", "ctrl+u")
	d.typeText(filepath.Join(dir, "bad.csv.age"))
	d.press("enter")
	d.wantView("nor a recipients file that can be read")
	if entries, _ := os.ReadDir(dir); len(entries) != 0 || d.app.keyScr().secured() {
		t.Fatalf("a refused save left %v, secured %v", entries, d.app.keyScr().secured())
	}

	path := filepath.Join(dir, "key.csv.age")
	d.press("e", "ctrl+u")
	d.typeText(id.Recipient().String())
	d.press("enter")
	d.wantView("Encrypted for age1", "No plain-text copy is written")
	d.press("ctrl+u")
	d.typeText(path)
	d.press("enter")
	d.wantView("no plain-text copy was written")
	if !d.app.keyScr().secured() || !d.app.keyScr().sealed {
		t.Error("an encrypted save does not secure the key")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "key.csv.age" {
		t.Fatalf("folder holds %v, want only the encrypted file", entries)
	}
	raw, _ := os.ReadFile(path)
	if bytes.Contains(raw, []byte(key.Secret.Reveal())) {
		t.Fatal("the encrypted file holds the secret in plain text")
	}
	r, err := fage.Decrypt(armor.NewReader(bytes.NewReader(raw)), id)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(r)
	if want := "Access key ID,Secret access key\r\n" + key.ID + "," + key.Secret.Reveal() + "\r\n"; string(plain) != want {
		t.Errorf("decrypted %q, want the console layout", plain)
	}
	if strings.Contains(d.view(), key.Secret.Reveal()) {
		t.Error("the screen shows the secret")
	}
	d.press("enter")
	skipSync(t, d)
}

func TestDoneNamesAnEncryptedKeyFile(t *testing.T) {
	o := outcome{Spec: setup.Spec{Bucket: "acme-media", Prefix: "raw", Region: "eu-west-1", UserName: DefaultUserName}, Hand: keyHandOver{State: handSaved, CSVPath: "k.csv.age", Sealed: true}, KeyID: "AKIAIOSFODNN7EXAMPLE", Downloaded: "skipped"}
	if got := o.secretLine(); !strings.Contains(got, "encrypted with age") || strings.Contains(got, "CSV layout") {
		t.Errorf("secret line for an encrypted file: %q", got)
	}
	// sync --csv reads a plain CSV only: the later proof names KEY.csv.
	if got := o.syncLater(); strings.Contains(got, "k.csv.age") || !strings.Contains(got, "--csv KEY.csv") {
		t.Errorf("proof later for an encrypted file: %q", got)
	}
	o.Hand.Sealed = false
	if got := o.secretLine(); !strings.Contains(got, "CSV layout") {
		t.Errorf("secret line for a plain CSV: %q", got)
	}
}
