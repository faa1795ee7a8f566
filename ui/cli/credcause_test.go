package cli

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// credentialFiles writes a shared config and credentials file into a temp
// folder, points the SDK at them and clears every other credential source.
func credentialFiles(t *testing.T, config, credentials string) (dir string) {
	t.Helper()
	dir = t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "credentials"), []byte(credentials), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	// The SSO token cache lives under the home folder.
	t.Setenv("HOME", dir)
	t.Setenv("USERPROFILE", dir)
	for _, k := range []string{
		"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_STS",
	} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("S3LINK_CONFIG_DIR", filepath.Join(dir, "s3link"))
	return dir
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestCredentialErrorsNameTheirCause(t *testing.T) {
	const sourceSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSOURCEKEY"
	config := `[profile proc]
region = eu-west-1
credential_process = sh -c 'echo "token service refused: password=hunter2" >&2; exit 1'

[profile ssonew]
region = eu-west-1
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Admin

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile ssold]
region = eu-west-1
sso_start_url = https://old.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 123456789012
sso_role_name = Admin

[profile role]
region = eu-west-1
role_arn = arn:aws:iam::123456789012:role/Deploy
source_profile = base
`
	credentials := "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = " + sourceSecret + "\n"

	tests := []struct {
		name, profile string
		unix          bool // the process runs through sh
		want          []string
	}{
		{"credential_process exits 1", "proc", true, []string{
			`The credential_process of profile "proc" failed (exit status 1: token service refused: password=[hidden])`,
			"by hand to see why",
		}},
		{"sso-session without a token", "ssonew", false, []string{
			`The SSO token of sso-session "corp" (profile "ssonew") is missing or has expired`,
			"`aws sso login --sso-session corp`",
		}},
		{"legacy sso without a token", "ssold", false, []string{
			`The SSO token of profile "ssold" is missing or has expired`,
			"`aws sso login --profile ssold`",
		}},
		{"assume-role with STS unreachable", "role", false, []string{
			`Profile "role" could not assume arn:aws:iam::123456789012:role/Deploy because STS cannot be reached (dial tcp`,
			"connection refused",
			"AWS_ENDPOINT_URL_STS",
		}},
		{"missing profile names the real files", "nope", false, []string{
			`Profile "nope" is not in `,
			"`aws configure --profile nope`",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.unix && os.PathSeparator != '/' {
				t.Skip("the credential_process here is a POSIX shell command")
			}
			dir := credentialFiles(t, config, credentials)
			t.Setenv("AWS_ENDPOINT_URL_STS", "http://"+closedPort(t))
			code, out, stderr := execute("setup", "--non-interactive", "--profile", tt.profile,
				"--bucket", "media-ok", "--csv", filepath.Join(dir, "key.csv"))
			if code != 1 {
				t.Fatalf("exit %d, want 1\n%s\n%s", code, out, stderr)
			}
			line := ""
			for _, l := range strings.Split(stderr, "\n") {
				if strings.HasPrefix(l, "Error: ") {
					line = l
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(line, w) {
					t.Errorf("error line lacks %q:\n%s", w, line)
				}
			}
			if tt.profile == "nope" {
				for _, f := range []string{filepath.Join(dir, "config"), filepath.Join(dir, "credentials")} {
					if !strings.Contains(line, f) {
						t.Errorf("error line does not name %s:\n%s", f, line)
					}
				}
				if strings.Contains(line, "~/.aws") || strings.Contains(line, "list-profiles") {
					t.Errorf("error line names ~/.aws or list-profiles:\n%s", line)
				}
			}
			if strings.Contains(line, "No AWS credentials were found") || strings.Contains(line, "hunter2") ||
				strings.Contains(out+stderr, sourceSecret) {
				t.Errorf("error line is generic or leaks a secret:\n%s", line)
			}
		})
	}
}
