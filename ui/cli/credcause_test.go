package cli

import (
	"crypto/sha1"
	"encoding/hex"
	"net"
	"net/http"
	"net/http/httptest"
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

[profile badjson]
region = eu-west-1
credential_process = printf '{"Version": 1, "AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "SecretAccessKey": "leakedSecretValue123'

[profile chain]
region = eu-west-1
role_arn = arn:aws:iam::123456789012:role/Chained
source_profile = badjson

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
		{"credential_process prints broken JSON", "badjson", true, []string{
			`The credential_process of profile "badjson" failed (its output is not the credential JSON it must print (unexpected end of JSON input))`,
		}},
		{"assume-role whose source credential_process fails", "chain", true, []string{
			`Profile "chain" could not assume arn:aws:iam::123456789012:role/Chained (the source profile's credential_process: its output is not the credential JSON it must print`,
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
				strings.Contains(out+stderr, "leakedSecretValue123") ||
				strings.Contains(out+stderr, sourceSecret) {
				t.Errorf("error line is generic or leaks a secret:\n%s", line)
			}
		})
	}
}

// TestSSOPortalAnswersAreNamed gives a legacy SSO profile a good cached
// token and points the SSO client at a local portal that refuses the role,
// then at a closed port.
func TestSSOPortalAnswersAreNamed(t *testing.T) {
	const startURL = "https://corp.awsapps.com/start"
	config := "[profile sso]\nregion = eu-west-1\nsso_start_url = " + startURL +
		"\nsso_region = eu-west-1\nsso_account_id = 123456789012\nsso_role_name = Admin\n"
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amzn-Errortype", "ForbiddenException")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"message":"No access to the role"}`))
	}))
	defer portal.Close()

	for _, tt := range []struct {
		name, endpoint string
		want           []string
	}{
		{"refused", portal.URL, []string{
			`The SSO portal refused the account or role of profile "sso" (ForbiddenException: No access to the role)`,
			"sso_account_id and sso_role_name",
		}},
		{"unreachable", "http://" + closedPort(t), []string{
			`The SSO portal for profile "sso" cannot be reached (dial tcp`,
			"check the network",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := credentialFiles(t, config, "")
			sum := sha1.Sum([]byte(startURL))
			cache := filepath.Join(dir, ".aws", "sso", "cache")
			if err := os.MkdirAll(cache, 0o700); err != nil {
				t.Fatal(err)
			}
			tok := `{"accessToken":"cachedSSOTokenValue","expiresAt":"2099-01-01T00:00:00Z","region":"eu-west-1","startUrl":"` + startURL + `"}`
			if err := os.WriteFile(filepath.Join(cache, hex.EncodeToString(sum[:])+".json"), []byte(tok), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Setenv("AWS_ENDPOINT_URL_SSO", tt.endpoint)
			code, out, stderr := execute("setup", "--non-interactive", "--profile", "sso",
				"--bucket", "media-ok", "--csv", filepath.Join(dir, "key.csv"))
			if code != 1 {
				t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if strings.Contains(out+stderr, "cachedSSOTokenValue") {
				t.Error("the SSO token was printed")
			}
		})
	}
}
