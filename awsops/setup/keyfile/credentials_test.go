package keyfile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/s3link/s3link/awsops"
)

// knownSecret is a secret access key in AWS's documented example form.
const knownSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

func testKey(id, secret string) awsops.AccessKey {
	return awsops.AccessKey{User: "crowdai-platform-access", ID: id, Secret: awsops.NewSecret(secret), Created: time.Now()}
}

func TestWriteCredentialsCSV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crowdai-platform-access_accessKeys.csv")
	if err := WriteCredentialsCSV(path, testKey("AKIAIOSFODNN7EXAMPLE", knownSecret)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "Access key ID,Secret access key\r\nAKIAIOSFODNN7EXAMPLE," + knownSecret + "\r\n"
	if string(data) != want {
		// Do not print the file: it holds the secret.
		t.Fatalf("file differs from the console layout (%d bytes, want %d)", len(data), len(want))
	}
	if runtime.GOOS != "windows" {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("mode %o, want 600", st.Mode().Perm())
		}
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0][0] != "Access key ID" || rows[0][1] != "Secret access key" ||
		rows[1][0] != "AKIAIOSFODNN7EXAMPLE" || rows[1][1] != knownSecret {
		t.Error("file does not read back as header plus one row")
	}
}

func TestWriteCredentialsCSVRefusesExisting(t *testing.T) {
	dir := t.TempDir()
	key := testKey("AKIAIOSFODNN7EXAMPLE", knownSecret)

	t.Run("file", func(t *testing.T) {
		path := filepath.Join(dir, "x.csv")
		original := []byte("Access key ID,Secret access key\r\nAKIAOLD,oldsecret\r\n")
		if err := os.WriteFile(path, original, 0o644); err != nil {
			t.Fatal(err)
		}
		err := WriteCredentialsCSV(path, key)
		wantCSVError(t, err, `"`+path+`" already exists; choose another path (s3link never overwrites a credentials file).`)
		if !errors.Is(err, fs.ErrExist) {
			t.Error("error does not match fs.ErrExist")
		}
		got, _ := os.ReadFile(path)
		if !bytes.Equal(got, original) {
			t.Error("the existing file was changed")
		}
		if st, _ := os.Stat(path); runtime.GOOS != "windows" && st.Mode().Perm() != 0o644 {
			t.Errorf("the existing file's mode changed to %o", st.Mode().Perm())
		}
	})
	t.Run("folder", func(t *testing.T) {
		path := filepath.Join(dir, "sub")
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
		wantCSVError(t, WriteCredentialsCSV(path, key), "already exists")
	})
	t.Run("dangling symlink", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("symlinks need privileges on Windows")
		}
		target := filepath.Join(dir, "target.csv")
		link := filepath.Join(dir, "link.csv")
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
		wantCSVError(t, WriteCredentialsCSV(link, key), "already exists")
		if _, err := os.Lstat(target); !errors.Is(err, fs.ErrNotExist) {
			t.Error("the symlink's target was created")
		}
	})
}

func TestWriteCredentialsCSVPathErrors(t *testing.T) {
	dir := t.TempDir()
	key := testKey("AKIAIOSFODNN7EXAMPLE", knownSecret)
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want string
	}{
		{"missing folder", filepath.Join(dir, "nope", "k.csv"), `The folder "` + filepath.Join(dir, "nope") + `" does not exist; create it first or choose another path (s3link does not create folders for a credentials file).`},
		{"parent is a file", filepath.Join(file, "k.csv"), "is not a folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCSVError(t, WriteCredentialsCSV(tt.path, key), tt.want)
			if _, err := os.Stat(filepath.Join(dir, "nope")); !errors.Is(err, fs.ErrNotExist) {
				t.Error("a folder was created")
			}
		})
	}
	t.Run("folder is a file", func(t *testing.T) {
		plain := filepath.Join(dir, "plain")
		if err := os.WriteFile(plain, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := WriteCredentialsCSV(filepath.Join(plain, "k.csv"), key); err == nil {
			t.Error("writing under a regular file succeeded")
		}
	})
}

func TestWriteCredentialsCSVRefusesUnsafeKeys(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, id, secret, want string
	}{
		{"no id", "", knownSecret, "no access key to save"},
		{"no secret", "AKIAIOSFODNN7EXAMPLE", "", "no access key to save"},
		{"newline in secret", "AKIAIOSFODNN7EXAMPLE", knownSecret + "\r\nx", "cannot keep exactly"},
		{"nul in id", "AKIA\x00", knownSecret, "cannot keep exactly"},
		{"invalid utf-8 in secret", "AKIAIOSFODNN7EXAMPLE", knownSecret + "\xff", "cannot keep exactly"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "k.csv")
			wantCSVError(t, WriteCredentialsCSV(path, testKey(tt.id, tt.secret)), tt.want)
			if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Fatal("a file was created for a refused key")
			}
		})
	}
}

// wantCSVError checks that err is one sentence containing want and that it
// does not reveal the known secret; it never prints the secret itself.
func wantCSVError(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	msg := err.Error()
	if strings.Contains(msg, knownSecret) || strings.Contains(msg, knownSecret[:12]) {
		t.Fatal("the error message contains the secret")
	}
	if !strings.Contains(msg, want) {
		t.Fatalf("error %q does not contain %q", msg, want)
	}
	if !strings.HasSuffix(msg, ".") || strings.Contains(msg, "\n") {
		t.Fatalf("error %q is not one sentence", msg)
	}
}

// csvUnsafe restates independently which keys WriteCredentialsCSV refuses.
func csvUnsafe(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return true
	}
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

func FuzzWriteCredentialsCSV(f *testing.F) {
	for _, s := range [][2]string{
		{"AKIAIOSFODNN7EXAMPLE", knownSecret},
		{"a,b", `c"d`},
		{`"`, `""`},
		{" leading", "trailing "},
		{"line\nbreak", "cr\rlf"},
		{"a\r\nb", "x"},
		{`\.`, "#comment"},
		{"\ufeffbom", "é,ü"},
		{"", ""},
		{"id", "\x00"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, id, secret string) {
		path := filepath.Join(t.TempDir(), "k.csv")
		err := WriteCredentialsCSV(path, testKey(id, secret))
		unsafe := csvUnsafe(id) || csvUnsafe(secret)
		if err != nil {
			if !unsafe {
				t.Fatalf("refused a key of printable text: %v", err)
			}
			// Refusals of a key are fixed sentences, so they cannot carry it.
			msg := err.Error()
			if msg != "There is no access key to save; create one first." &&
				msg != "The access key holds characters a CSV file cannot keep exactly; copy it from the screen instead." {
				t.Fatalf("unexpected refusal %q", msg)
			}
			if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Fatal("a refused key left a file")
			}
			return
		}
		if unsafe {
			t.Fatal("accepted a key a CSV file cannot keep exactly")
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(bytes.NewReader(data))
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("file does not parse as CSV: %v", err)
		}
		if len(rows) != 2 || len(rows[0]) != 2 || len(rows[1]) != 2 {
			t.Fatalf("got %d rows, want header plus one row of two fields", len(rows))
		}
		if rows[0][0] != "Access key ID" || rows[0][1] != "Secret access key" {
			t.Fatalf("header = %q", rows[0])
		}
		// Compare without printing: the second field is the secret.
		if rows[1][0] != id {
			t.Fatalf("id read back as %q, want %q", rows[1][0], id)
		}
		if rows[1][1] != secret {
			t.Fatal("secret did not read back exactly")
		}
	})
}
