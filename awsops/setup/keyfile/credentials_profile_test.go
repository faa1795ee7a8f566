package keyfile

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"gopkg.in/ini.v1"
)

const existingCredentials = `# managed by hand; keep this comment
[default]
aws_access_key_id=AKIADEFAULTEXAMPLE
aws_secret_access_key = defaultsecret   

; another comment
[work]
aws_access_key_id     = AKIAWORKEXAMPLE
aws_secret_access_key = worksecret
aws_session_token = tok`

func TestWriteCredentialsProfileKeepsTheRest(t *testing.T) {
	for _, tt := range []struct {
		name, old, sep string
	}{
		{"no final newline", existingCredentials, "\n\n"},
		{"final newline", existingCredentials + "\n", "\n"},
		{"CRLF", strings.ReplaceAll(existingCredentials, "\n", "\r\n") + "\r\n", "\r\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "credentials")
			if err := os.WriteFile(path, []byte(tt.old), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := WriteCredentialsProfile(path, "s3link", testKey("AKIAIOSFODNN7EXAMPLE", knownSecret)); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			nl := "\n"
			if tt.name == "CRLF" {
				nl = "\r\n"
			}
			want := tt.old + tt.sep + "[s3link]" + nl + "aws_access_key_id = AKIAIOSFODNN7EXAMPLE" + nl + "aws_secret_access_key = " + knownSecret + nl
			if string(data) != want {
				t.Fatalf("file is not the old bytes plus the new section (%d bytes, want %d)", len(data), len(want))
			}
			cfg, err := ini.Load(data)
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Section("work").Key("aws_session_token").String(); got != "tok" {
				t.Errorf("work session token = %q", got)
			}
			if got := cfg.Section("s3link").Key("aws_access_key_id").String(); got != "AKIAIOSFODNN7EXAMPLE" {
				t.Errorf("new profile key id = %q", got)
			}
		})
	}
}

func TestWriteCredentialsProfileCreates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "home", ".aws", "credentials")
	if err := WriteCredentialsProfile(path, "reader", testKey("AKIAIOSFODNN7EXAMPLE", knownSecret)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "[reader]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = " + knownSecret + "\n"; string(data) != want {
		t.Fatal("new file is not just the new section")
	}
	if runtime.GOOS == "windows" {
		return
	}
	for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s: mode %o, want %o", p, st.Mode().Perm(), want)
		}
	}
	if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
		t.Errorf("%d entries in the folder, want only the credentials file", len(ents))
	}
}

func TestWriteCredentialsProfileMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	for _, tt := range []struct{ before, after os.FileMode }{{0o600, 0o600}, {0o644, 0o600}, {0o400, 0o400}} {
		path := filepath.Join(t.TempDir(), "credentials")
		if err := os.WriteFile(path, []byte("[default]\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, tt.before); err != nil {
			t.Fatal(err)
		}
		if err := WriteCredentialsProfile(path, "s3link", testKey("AKIAIOSFODNN7EXAMPLE", knownSecret)); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != tt.after {
			t.Errorf("mode %o before: %o after, want %o", tt.before, st.Mode().Perm(), tt.after)
		}
	}
}

func TestWriteCredentialsProfileRefusals(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "credentials")
	if err := os.WriteFile(existing, []byte(existingCredentials), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(existing, link); err != nil {
		t.Fatal(err)
	}
	notINI := filepath.Join(dir, "notini")
	if err := os.WriteFile(notINI, []byte("[unclosed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, profile, want string
	}{
		{"profile exists", existing, "work", "already exists"},
		{"default exists", existing, "default", "already exists"},
		{"symlink", link, "s3link", "symbolic link"},
		{"bad name", existing, "my profile", "cannot be a profile name"},
		{"brackets", existing, "a]b", "cannot be a profile name"},
		{"empty name", existing, "", "cannot be a profile name"},
		{"folder", dir, "s3link", "not a regular file"},
		{"not INI", notINI, "s3link", "does not read as INI"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := os.ReadFile(tt.path)
			if err := CheckProfileFree(tt.path, tt.profile); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("CheckProfileFree: err = %v, want %q", err, tt.want)
			}
			err := WriteCredentialsProfile(tt.path, tt.profile, testKey("AKIAIOSFODNN7EXAMPLE", knownSecret))
			wantCSVError(t, err, tt.want)
			after, _ := os.ReadFile(tt.path)
			if string(after) != string(before) {
				t.Error("file changed")
			}
		})
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced")
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".credentials.s3link-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestWriteCredentialsProfileRefusesUnsafeKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credentials")
	for _, secret := range []string{"has space", "has#hash", "semi;colon", "new\nline"} {
		wantCSVError(t, WriteCredentialsProfile(path, "s3link", testKey("AKIAIOSFODNN7EXAMPLE", secret)), "cannot keep exactly")
	}
	if _, err := os.Lstat(path); err == nil {
		t.Error("a file was written")
	}
}

func TestCheckProfileFreeMissingFile(t *testing.T) {
	if err := CheckProfileFree(filepath.Join(t.TempDir(), "nope", "credentials"), "s3link"); err != nil {
		t.Fatal(err)
	}
}

func TestSharedCredentialsFile(t *testing.T) {
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/x/creds")
	if p, err := SharedCredentialsFile(); err != nil || p != "/x/creds" {
		t.Errorf("got %q, %v", p, err)
	}
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "")
	t.Setenv("HOME", "/home/u")
	if p, err := SharedCredentialsFile(); runtime.GOOS != "windows" && (err != nil || p != "/home/u/.aws/credentials") {
		t.Errorf("got %q, %v", p, err)
	}
}
