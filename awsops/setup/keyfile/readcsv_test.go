package keyfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3link/s3link/awsops"
)

func TestReadCredentialsCSV(t *testing.T) {
	dir := t.TempDir()
	saved := filepath.Join(dir, "saved.csv")
	key := awsops.AccessKey{ID: "AKIAEXAMPLE", Secret: awsops.NewSecret("s3cr3t/value+x")}
	if err := WriteCredentialsCSV(saved, key); err != nil {
		t.Fatal(err)
	}
	got, err := ReadCredentialsCSV(saved)
	if err != nil || got.ID != key.ID || got.Secret.Reveal() != key.Secret.Reveal() {
		t.Fatalf("read back %q, %v", got.ID, err)
	}
	// The console's own download starts with a byte order mark.
	bom := filepath.Join(dir, "console.csv")
	os.WriteFile(bom, []byte("\ufeffAccess key ID,Secret access key\r\nAKIAEXAMPLE,s3cr3t/value+x\r\n"), 0o600)
	if got, err := ReadCredentialsCSV(bom); err != nil || got.ID != "AKIAEXAMPLE" {
		t.Errorf("console file: %q, %v", got.ID, err)
	}
	for name, body := range map[string]string{
		"credentials file":   "[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s3cr3t/value+x\n",
		"other header":       "User name,Password\nbob,s3cr3t/value+x\n",
		"iam user download":  "User name,Access key ID,Secret access key\nbob,AKIAEXAMPLE,s3cr3t/value+x\n",
		"two keys":           "Access key ID,Secret access key\nAKIA1,s3cr3t/value+x\nAKIA2,other\n",
		"header only":        "Access key ID,Secret access key\n",
		"empty secret":       "Access key ID,Secret access key\nAKIAEXAMPLE,\n",
		"unbalanced quoting": "Access key ID,Secret access key\n\"AKIAEXAMPLE,s3cr3t/value+x\n",
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
			os.WriteFile(p, []byte(body), 0o600)
			_, err := ReadCredentialsCSV(p)
			if err == nil {
				t.Fatal("accepted")
			}
			if strings.Contains(err.Error(), "s3cr3t") || !strings.Contains(err.Error(), "AWS console's layout") {
				t.Errorf("error = %q", err)
			}
		})
	}
}
