package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/s3link/s3link/awsops"
)

func execute(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	g := &Globals{In: strings.NewReader(""), Out: &out, Err: &errb}
	code := Execute(context.Background(), g, args)
	return code, out.String(), errb.String()
}

func TestUsageErrorsExitTwoWithOneSentence(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown command", []string{"bogus"}, `Unknown command "bogus"`},
		{"unknown flag", []string{"setup", "--bogus"}, "Unknown flag: --bogus"},
		{"policy without bucket", []string{"policy"}, "--bucket is required"},
		{"policy with bad bucket", []string{"policy", "--bucket", "Bad"}, `use "bad" instead`},
		{"policy with bad prefix", []string{"policy", "--bucket", "media-ok", "--prefix", "a/../b"}, `".."`},
		{"wizard without a terminal", nil, "--non-interactive"},
		{"print-secret without json", []string{"setup", "--non-interactive", "--bucket", "media-ok", "--csv", "x.csv", "--print-secret"}, "--json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := execute(tt.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if out != "" {
				t.Errorf("stdout should be empty, got %q", out)
			}
			if n := strings.Count(strings.TrimSpace(stderr), "\n"); n != 0 || !strings.Contains(stderr, tt.want) || !strings.HasSuffix(strings.TrimSpace(stderr), ".") {
				t.Errorf("stderr should be one sentence containing %q, got %q", tt.want, stderr)
			}
		})
	}
}

func TestPolicyCommandPrintsTheDocument(t *testing.T) {
	code, out, _ := execute("policy", "--bucket", "crowdai-imagery", "--prefix", "/path/to/files/")
	if code != 0 || out != awsops.PolicyDocument("crowdai-imagery", "path/to/files") {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
	code, out, _ = execute("policy", "--caller", "--bucket", "crowdai-imagery", "--prefix", "path/to/files", "--user", "u1", "--policy-name", "P1", "--account", "123456789012")
	want := awsops.CallerPolicyDocument(awsops.CallerScope{Account: "123456789012", Bucket: "crowdai-imagery", Prefix: "path/to/files", UserName: "u1", PolicyName: "P1"})
	if code != 0 || out != want {
		t.Errorf("--caller: exit %d, output:\n%s", code, out)
	}
	if !strings.Contains(out, `"arn:aws:iam::123456789012:user/u1"`) || !strings.Contains(out, `"arn:aws:s3:::crowdai-imagery/path/to/files/*"`) {
		t.Errorf("--caller does not name the exact user and objects:\n%s", out)
	}
}
