package cli

import (
	"bytes"
	"context"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/spf13/cobra"

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
		{"typo gets a suggestion", []string{"stup"}, `did you mean 'setup'?`},
		{"unknown completion shell", []string{"completion", "tcsh"}, `no completion for "tcsh"`},
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

func TestVersionFromTheBuild(t *testing.T) {
	code, out, _ := execute("--version")
	if code != 0 || !strings.HasPrefix(out, "s3link ") || !strings.Contains(out, runtime.Version()) || !strings.Contains(out, runtime.GOOS+"/"+runtime.GOARCH) {
		t.Errorf("--version: exit %d, %q", code, out)
	}
	code, out, _ = execute("version")
	for _, want := range []string{"commit:", "go:       " + runtime.Version(), "platform: " + runtime.GOOS + "/" + runtime.GOARCH} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("version: exit %d, lacks %q:\n%s", code, want, out)
		}
	}
}

func TestEveryCommandHasExamples(t *testing.T) {
	root := NewRoot(NewFactory(&Globals{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard}))
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" || (c.HasParent() && c.Parent().Name() == "completion") {
			return
		}
		if c.Example == "" {
			t.Errorf("%s has no Examples", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
