package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// completions runs cobra's hidden __complete command and returns the
// offered values (without descriptions) and the directive line.
func completions(t *testing.T, args ...string) (values []string, directive string) {
	t.Helper()
	code, out, stderr := execute(append([]string{"__complete"}, args...)...)
	if code != 0 {
		t.Fatalf("__complete %q: exit %d\n%s\n%s", args, code, out, stderr)
	}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.HasPrefix(l, ":") {
			directive = l
			continue
		}
		v, _, _ := strings.Cut(l, "\t")
		values = append(values, v)
	}
	return values, directive
}

func TestCompleteProfilesFromTheSharedFiles(t *testing.T) {
	dir := t.TempDir()
	cfg, creds := filepath.Join(dir, "cfg"), filepath.Join(dir, "creds")
	if err := os.WriteFile(cfg, []byte("[default]\n[profile work]\nregion = eu-west-1\n[profile west]\n[sso-session corp]\n[services s3only]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(creds, []byte("[wallet]\naws_access_key_id = AKIDX\naws_secret_access_key = not-shown\n[work]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", cfg)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)

	got, dir1 := completions(t, "sync", "--profile", "")
	if strings.Join(got, " ") != "default wallet west work" || dir1 != ":4" {
		t.Errorf("--profile '': %q %s; want default wallet west work, no file completion", got, dir1)
	}
	got, _ = completions(t, "setup", "--profile", "w")
	if strings.Join(got, " ") != "wallet west work" {
		t.Errorf("--profile w: %q", got)
	}
	got, _ = completions(t, "--profile=wo")
	if strings.Join(got, " ") != "--profile=work" && strings.Join(got, " ") != "work" {
		t.Errorf("--profile=wo: %q", got)
	}
	for _, v := range got {
		if strings.Contains(v, "not-shown") || strings.Contains(v, "corp") || strings.Contains(v, "s3only") {
			t.Errorf("completion offers %q", v)
		}
	}
}

func TestCompleteRegionsFromTheKnownTable(t *testing.T) {
	got, directive := completions(t, "upload", "--region", "eu-central-")
	if strings.Join(got, " ") != "eu-central-1 eu-central-2" || directive != ":4" {
		t.Errorf("--region eu-central-: %q %s", got, directive)
	}
	got, _ = completions(t, "--region", "us-gov")
	if strings.Join(got, " ") != "us-gov-east-1 us-gov-west-1" {
		t.Errorf("--region us-gov: %q", got)
	}
	code, out, _ := execute("__complete", "--region", "eu-west-1")
	if code != 0 || !strings.Contains(out, "eu-west-1\tEurope (Ireland)") {
		t.Errorf("--region eu-west-1 carries no description:\n%s", out)
	}
	all, _ := completions(t, "sync", "--region", "")
	if len(all) < 30 {
		t.Errorf("--region '': %d regions, want the whole table", len(all))
	}
}
