package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRoleSetupRefusesBadInputBeforeAnyCall(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no account", []string{"--access", "role"}, "--access role needs --trusted-account"},
		{"short account", []string{"--access", "role", "--trusted-account", "12345"}, `An AWS account id is 12 digits, and "12345" is not`},
		{"dashes", []string{"--access", "role", "--trusted-account", "1111-2222-3333"}, "without dashes or spaces: 111122223333."},
		{"unknown access", []string{"--access", "token"}, "--access is key"},
		{"account without role", []string{"--trusted-account", "111122223333"}, "add --access role"},
		{"csv with role", []string{"--access", "role", "--trusted-account", "111122223333", "--csv", "k.csv"}, "--csv is for an access key"},
		{"bad role name", []string{"--access", "role", "--trusted-account", "111122223333", "--role-name", "a b"}, "Role names cannot contain spaces"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("S3LINK_CONFIG_DIR", t.TempDir())
			var out, errb bytes.Buffer
			g := &Globals{In: strings.NewReader(""), Out: &out, Err: &errb}
			// An endpoint nobody listens on: any AWS call would fail differently.
			args := append([]string{"setup", "--non-interactive", "--bucket", "media-x", "--region", "eu-west-1", "--endpoint-url", "http://127.0.0.1:1"}, tt.args...)
			code := Execute(context.Background(), g, args)
			if code != 2 || !strings.Contains(errb.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errb.String(), tt.want)
			}
			if strings.Contains(out.String(), "Signed in") {
				t.Errorf("an AWS call was made: %s", out.String())
			}
		})
	}
}
