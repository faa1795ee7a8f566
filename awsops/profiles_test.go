package awsops

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestProfileNames(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	creds := filepath.Join(dir, "credentials")
	if err := os.WriteFile(cfg, []byte("[default]\nregion = eu-west-1\n[profile work]\nsso_session = corp\n[sso-session corp]\nsso_region = us-east-1\n[services local]\n[profile  spaced ]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(creds, []byte("[default]\naws_access_key_id = x\n[ci]\n; [commented]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		cfg, creds string
		want       []string
	}{
		{name: "both files", cfg: cfg, creds: creds, want: []string{"ci", "default", "spaced", "work"}},
		{name: "config only", cfg: cfg, creds: filepath.Join(dir, "missing"), want: []string{"default", "spaced", "work"}},
		{name: "no files", cfg: filepath.Join(dir, "none"), creds: filepath.Join(dir, "missing"), want: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_CONFIG_FILE", tt.cfg)
			t.Setenv("AWS_SHARED_CREDENTIALS_FILE", tt.creds)
			got, err := ProfileNames()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ProfileNames() = %q, want %q", got, tt.want)
			}
		})
	}
}
