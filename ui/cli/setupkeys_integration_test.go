//go:build e2e

package cli

import (
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/ini.v1"
)

// setup --csv-format aws-import --write-profile: the CSV is what "aws
// configure import --csv" reads, the profile lands beside the existing
// ones with every earlier byte kept, and a re-run writes nothing.
func TestHeadlessSetupDeliversToCSVAndProfile(t *testing.T) {
	e := newEnv(t)
	credsPath := filepath.Join(e.dir, "aws-credentials")
	const before = "# mine, keep\n[work]\naws_access_key_id = AKIAWORK\naws_secret_access_key = work\n"
	if err := os.WriteFile(credsPath, []byte(before), 0o600); err != nil {
		t.Fatal(err)
	}
	csvPath := filepath.Join(e.dir, "import.csv")
	args := []string{"setup", "--non-interactive", "--bucket", "media-keys", "--region", "us-east-1",
		"--csv", csvPath, "--csv-format", "aws-import", "--write-profile", "crowdai"}
	code, out, stderr := e.run(args...)
	if code != 0 {
		t.Fatalf("setup exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	for _, want := range []string{"aws-import layout", "profile crowdai", "s3link sync --profile crowdai"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal("CSV does not parse")
	}
	if len(rows) != 2 || !reflect.DeepEqual(rows[0], []string{"User Name", "Access key ID", "Secret access key"}) || len(rows[1]) != 3 {
		t.Fatalf("CSV is not the aws-import layout (%d rows, header %q)", len(rows), rows[0])
	}
	user, id, secret := rows[1][0], rows[1][1], rows[1][2]
	if keys := e.accessKeyIDs(defaultUserName); user != defaultUserName || len(keys) != 1 || keys[0] != id {
		t.Errorf("CSV user %q key %s, IAM keys %v", user, id, keys)
	}

	data, err := os.ReadFile(credsPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte(before)) {
		t.Error("the earlier credentials were changed")
	}
	cfg, err := ini.Load(data)
	if err != nil {
		t.Fatal(err)
	}
	sec := cfg.Section("crowdai")
	if sec.Key("aws_access_key_id").String() != id || sec.Key("aws_secret_access_key").String() != secret {
		t.Error("profile crowdai does not hold the new key")
	}
	if fi, err := os.Stat(credsPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("credentials file mode: %v, %v", fi, err)
	}

	// The AWS CLI itself imports the CSV, into a credentials file of its
	// own ("aws configure import" is in version 2 only).
	if v, _ := exec.Command("aws", "--version").CombinedOutput(); !strings.HasPrefix(string(v), "aws-cli/2") {
		t.Logf("skipping 'aws configure import': %s", bytes.TrimSpace(v))
	} else {
		awsImport(t, csvPath, filepath.Join(e.dir, "imported-credentials"), id)
	}

	// The same command again keeps the key: the existing CSV and profile
	// are neither refused nor touched.
	code, out, stderr = e.run(args...)
	if code != 0 {
		t.Fatalf("second setup exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	if again, _ := os.ReadFile(credsPath); !bytes.Equal(again, data) {
		t.Error("second run changed the credentials file")
	}
	if keys := e.accessKeyIDs(defaultUserName); len(keys) != 1 || keys[0] != id {
		t.Errorf("second run changed the keys: %v", keys)
	}
}

func awsImport(t *testing.T, csvPath, other, id string) {
	t.Helper()
	cmd := exec.Command("aws", "configure", "import", "--csv", "file://"+csvPath)
	cmd.Env = append(os.Environ(), "AWS_SHARED_CREDENTIALS_FILE="+other)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("aws configure import: %v: %s", err, msg)
	}
	cmd = exec.Command("aws", "configure", "get", "aws_access_key_id", "--profile", defaultUserName)
	cmd.Env = append(os.Environ(), "AWS_SHARED_CREDENTIALS_FILE="+other)
	if got, err := cmd.Output(); err != nil || strings.TrimSpace(string(got)) != id {
		t.Errorf("aws configure get after import: %q, %v; want %s", got, err, id)
	}
}
