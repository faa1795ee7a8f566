package keyfile

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/s3link/s3link/awsops"
)

func TestWriteKeyCSVLayouts(t *testing.T) {
	tests := []struct {
		layout CSVLayout
		header []string
		row    []string
	}{
		{LayoutConsole, []string{"Access key ID", "Secret access key"}, []string{"AKIAIOSFODNN7EXAMPLE", knownSecret}},
		{LayoutAWSImport, []string{"User Name", "Access key ID", "Secret access key"}, []string{"crowdai-platform-access", "AKIAIOSFODNN7EXAMPLE", knownSecret}},
	}
	for _, tt := range tests {
		t.Run(tt.layout.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "key.csv")
			if err := WriteKeyCSV(path, testKey("AKIAIOSFODNN7EXAMPLE", knownSecret), tt.layout); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rows, err := csv.NewReader(f).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 2 {
				t.Fatalf("%d rows, want the header and one row", len(rows))
			}
			if !slices.Equal(rows[0], tt.header) {
				t.Errorf("header %q, want %q", rows[0], tt.header)
			}
			if !slices.Equal(rows[1], tt.row) {
				t.Error("row does not read back as written") // never print the secret
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
		})
	}
}

func TestWriteKeyCSVAWSImportRefusals(t *testing.T) {
	tests := []struct {
		name string
		user string
		want string
	}{
		{"no user", "", "no IAM user name"},
		{"control character", "bad\nuser", "cannot read"},
		{"comma", "a,b", "cannot read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "key.csv")
			key := awsops.AccessKey{User: tt.user, ID: "AKIAIOSFODNN7EXAMPLE", Secret: awsops.NewSecret(knownSecret)}
			err := WriteKeyCSV(path, key, LayoutAWSImport)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
			if strings.Contains(err.Error(), knownSecret) {
				t.Fatal("error holds the secret")
			}
			if _, serr := os.Lstat(path); serr == nil {
				t.Error("a file was left behind")
			}
		})
	}
}

func TestWriteKeyCSVAWSImportRefusesExisting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key.csv")
	if err := os.WriteFile(path, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	wantCSVError(t, WriteKeyCSV(path, testKey("AKIAIOSFODNN7EXAMPLE", knownSecret), LayoutAWSImport), "already exists")
	if data, _ := os.ReadFile(path); string(data) != "keep" {
		t.Error("existing file was changed")
	}
}

func TestParseCSVLayout(t *testing.T) {
	for _, l := range []CSVLayout{LayoutConsole, LayoutAWSImport} {
		got, err := ParseCSVLayout(l.String())
		if err != nil || got != l {
			t.Errorf("ParseCSVLayout(%q) = %v, %v", l.String(), got, err)
		}
	}
	if _, err := ParseCSVLayout("excel"); err == nil {
		t.Error("unknown layout accepted")
	}
}

// The AWS CLI v2 importer (awscli/customizations/configure/importer.py)
// splits lines, then columns at every comma, and matches the headers
// lowercased and trimmed; "User Name" names the profile. This restates
// that reading so the test needs no AWS CLI.
func TestWriteKeyCSVAWSImportReadsAsTheAWSCLIReadsIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key.csv")
	if err := WriteKeyCSV(path, testKey("AKIAIOSFODNN7EXAMPLE", knownSecret), LayoutAWSImport); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.FieldsFunc(string(data), func(r rune) bool { return r == '\r' || r == '\n' })
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2", len(lines))
	}
	col := map[string]int{}
	for i, h := range strings.Split(lines[0], ",") {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	row := strings.Split(lines[1], ",")
	get := func(h string) string {
		i, ok := col[h]
		if !ok || i >= len(row) {
			t.Fatalf("no %q column", h)
		}
		return strings.TrimSpace(row[i])
	}
	if get("user name") != "crowdai-platform-access" || get("access key id") != "AKIAIOSFODNN7EXAMPLE" || get("secret access key") != knownSecret {
		t.Error("the AWS CLI would not read the key back")
	}
}

// sync --csv takes the aws-import file as well as the console's.
func TestReadCredentialsCSVReadsAWSImportLayout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key.csv")
	if err := WriteKeyCSV(path, testKey("AKIAIOSFODNN7EXAMPLE", knownSecret), LayoutAWSImport); err != nil {
		t.Fatal(err)
	}
	got, err := ReadCredentialsCSV(path)
	if err != nil || got.User != "crowdai-platform-access" || got.ID != "AKIAIOSFODNN7EXAMPLE" || got.Secret.Reveal() != knownSecret {
		t.Fatalf("read back %q %q, %v", got.User, got.ID, err)
	}
}
