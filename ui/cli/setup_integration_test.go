//go:build e2e

package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/emulator/mototest"
	"github.com/s3link/s3link/awsops/setup"
)

// env is one moto_server plus the environment s3link and the AWS CLI need
// to reach it: dummy credentials and a private record folder.
type env struct {
	t        *testing.T
	endpoint string
	dir      string
	// keyScreen, when set, stands in for the key screen on a terminal.
	keyScreen func(ctx context.Context, g *Globals, st setup.Stored, ops setup.KeyDeleter, k awsops.AccessKey) (setup.HandOff, error)
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvOn(t, mototest.Start(t).URL())
}

// newEnvOn is newEnv for an emulator the test started itself.
func newEnvOn(t *testing.T, endpoint string) *env {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_DEFAULT_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "aws-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "aws-credentials"))
	t.Setenv("S3LINK_CONFIG_DIR", filepath.Join(dir, "s3link"))
	return &env{t: t, endpoint: endpoint, dir: dir}
}

// run executes s3link in-process, as main does, with no terminal.
func (e *env) run(args ...string) (code int, stdout, stderr string) {
	e.t.Helper()
	var out, errb bytes.Buffer
	g := &Globals{In: strings.NewReader(""), Out: &out, Err: &errb}
	code = Execute(context.Background(), g, append(args, "--endpoint-url", e.endpoint))
	return code, out.String(), errb.String()
}

// aws runs the AWS CLI against the same emulator, as an independent check
// of what s3link created, and decodes its JSON answer into v.
func (e *env) aws(v any, args ...string) {
	e.t.Helper()
	cmd := exec.Command("aws", append([]string{"--endpoint-url", e.endpoint, "--output", "json"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		e.t.Fatalf("aws %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	if v != nil && len(bytes.TrimSpace(out)) > 0 {
		if err := json.Unmarshal(out, v); err != nil {
			e.t.Fatalf("aws %s: decode %q: %v", strings.Join(args, " "), out, err)
		}
	}
}

func (e *env) accessKeyIDs(user string) []string {
	var keys struct {
		AccessKeyMetadata []struct{ AccessKeyId string }
	}
	e.aws(&keys, "iam", "list-access-keys", "--user-name", user)
	var ids []string
	for _, k := range keys.AccessKeyMetadata {
		ids = append(ids, k.AccessKeyId)
	}
	return ids
}

func (e *env) bucketNames() []string {
	var out struct{ Buckets []struct{ Name string } }
	e.aws(&out, "s3api", "list-buckets")
	var names []string
	for _, b := range out.Buckets {
		names = append(names, b.Name)
	}
	return names
}

func (e *env) userNames() []string {
	var out struct{ Users []struct{ UserName string } }
	e.aws(&out, "iam", "list-users")
	var names []string
	for _, u := range out.Users {
		names = append(names, u.UserName)
	}
	return names
}

func (e *env) policyVersions(arn string) (count int, defaultDoc any) {
	var out struct {
		Versions []struct {
			VersionId        string
			IsDefaultVersion bool
			Document         json.RawMessage
		}
	}
	e.aws(&out, "iam", "list-policy-versions", "--policy-arn", arn)
	for _, v := range out.Versions {
		if v.IsDefaultVersion {
			defaultDoc = decodePolicyDoc(e.t, v.Document)
		}
	}
	return len(out.Versions), defaultDoc
}

// decodePolicyDoc accepts the document as JSON or as the URL-encoded
// string IAM sometimes returns.
func decodePolicyDoc(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if u, err := url.QueryUnescape(s); err == nil {
			s = u
		}
		raw = json.RawMessage(s)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("policy document is not JSON: %v", err)
	}
	return v
}

func jsonValue(t *testing.T, doc string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// readCSV returns the key id from a credentials CSV without exposing the
// secret, and checks the console layout and the file mode.
func readCSV(t *testing.T, path string) (id string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("credentials CSV: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("credentials CSV mode = %v, want 0600", fi.Mode().Perm())
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("credentials CSV does not parse")
	}
	if len(rows) != 2 || !reflect.DeepEqual(rows[0], []string{"Access key ID", "Secret access key"}) || len(rows[1]) != 2 || rows[1][1] == "" {
		t.Fatalf("credentials CSV is not the console layout (%d rows)", len(rows))
	}
	return rows[1][0]
}

func TestHeadlessSetupCreatesEverythingAndRerunCreatesNothing(t *testing.T) {
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		t.Run(region, func(t *testing.T) {
			e := newEnv(t)
			bucket := "media-" + region
			csvPath := filepath.Join(e.dir, "keys.csv")
			args := []string{"setup", "--non-interactive", "--bucket", bucket, "--region", region,
				"--prefix", "/path//to/files/", "--tag", "team=imaging", "--csv", csvPath}
			code, out, stderr := e.run(args...)
			if code != 0 {
				t.Fatalf("setup exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
			}

			var loc struct{ LocationConstraint *string }
			e.aws(&loc, "s3api", "get-bucket-location", "--bucket", bucket)
			if region == "us-east-1" && loc.LocationConstraint != nil && *loc.LocationConstraint != "" {
				t.Errorf("us-east-1 bucket has LocationConstraint %q", *loc.LocationConstraint)
			}
			if region != "us-east-1" && (loc.LocationConstraint == nil || *loc.LocationConstraint != region) {
				t.Errorf("bucket LocationConstraint = %v, want %s", loc.LocationConstraint, region)
			}
			var pab struct{ PublicAccessBlockConfiguration map[string]bool }
			e.aws(&pab, "s3api", "get-public-access-block", "--bucket", bucket)
			for _, flag := range []string{"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"} {
				if !pab.PublicAccessBlockConfiguration[flag] {
					t.Errorf("Block Public Access %s is off", flag)
				}
			}
			var enc struct {
				ServerSideEncryptionConfiguration struct {
					Rules []struct{ ApplyServerSideEncryptionByDefault struct{ SSEAlgorithm string } }
				}
			}
			e.aws(&enc, "s3api", "get-bucket-encryption", "--bucket", bucket)
			if r := enc.ServerSideEncryptionConfiguration.Rules; len(r) != 1 || r[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != "AES256" {
				t.Errorf("default encryption = %+v, want SSE-S3 (AES256)", r)
			}

			arn := "arn:aws:iam::123456789012:policy/" + defaultPolicyName
			n, doc := e.policyVersions(arn)
			if n != 1 || !reflect.DeepEqual(doc, jsonValue(t, awsops.PolicyDocument(bucket, "path/to/files"))) {
				t.Errorf("policy: %d versions, default document %v", n, doc)
			}
			var att struct{ AttachedPolicies []struct{ PolicyArn string } }
			e.aws(&att, "iam", "list-attached-user-policies", "--user-name", defaultUserName)
			if len(att.AttachedPolicies) != 1 || att.AttachedPolicies[0].PolicyArn != arn {
				t.Errorf("attached policies = %+v", att.AttachedPolicies)
			}
			var user struct {
				User struct{ Tags []struct{ Key, Value string } }
			}
			e.aws(&user, "iam", "get-user", "--user-name", defaultUserName)
			// The person's tag, and the setup's id, both set by CreateUser.
			if len(user.User.Tags) != 2 || user.User.Tags[0].Key != "team" || user.User.Tags[0].Value != "imaging" ||
				user.User.Tags[1].Key != awsops.SetupTagKey || !strings.HasPrefix(user.User.Tags[1].Value, "s3l-") {
				t.Errorf("user tags = %+v", user.User.Tags)
			}
			keys := e.accessKeyIDs(defaultUserName)
			if id := readCSV(t, csvPath); len(keys) != 1 || keys[0] != id {
				t.Errorf("access keys %v, CSV holds %s", keys, id)
			}

			// The same command again: everything is reused, nothing new.
			code, out, stderr = e.run(args...)
			if code != 0 {
				t.Fatalf("second setup exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
			}
			if got := e.accessKeyIDs(defaultUserName); !reflect.DeepEqual(got, keys) {
				t.Errorf("second run changed the keys: %v -> %v", keys, got)
			}
			if n2, _ := e.policyVersions(arn); n2 != 1 {
				t.Errorf("second run added policy versions: %d", n2)
			}
			if got := e.bucketNames(); len(got) != 1 {
				t.Errorf("buckets after second run: %v", got)
			}
			for _, want := range []string{"bucket media-" + region + ": reuse, created by this setup earlier", "policy " + defaultPolicyName + ": reuse, created by this setup earlier, same document", "user " + defaultUserName + ": reuse, created by this setup earlier", "no new key created"} {
				if !strings.Contains(out, want) {
					t.Errorf("second run output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

func TestHeadlessSetupRefusesBadInputBeforeAnyCall(t *testing.T) {
	e := newEnv(t)
	existing := filepath.Join(e.dir, "existing.csv")
	if err := os.WriteFile(existing, []byte("keep me\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(e.dir, "fresh.csv")
	credentials := "# mine\n[work]\naws_access_key_id = AKIAWORK\naws_secret_access_key = work\n"
	if err := os.WriteFile(filepath.Join(e.dir, "aws-credentials"), []byte(credentials), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"invalid bucket name", []string{"--bucket", "My_Bucket", "--csv", fresh}, "lowercase letters"},
		{"bucket name moto accepts but AWS refuses", []string{"--bucket", "xn--media", "--csv", fresh}, "xn--"},
		{"invalid user name", []string{"--bucket", "media-ok", "--user", "bad user", "--csv", fresh}, "User names"},
		{"policy name with spaces", []string{"--bucket", "media-ok", "--policy-name", "CrowdAI Platform Access", "--csv", fresh}, "CrowdAI-Platform-Access"},
		{"prefix escaping upwards", []string{"--bucket", "media-ok", "--prefix", "../x", "--csv", fresh}, `".."`},
		{"existing CSV path", []string{"--bucket", "media-ok", "--csv", existing}, "already exists"},
		{"CSV in a missing folder", []string{"--bucket", "media-ok", "--csv", filepath.Join(e.dir, "nope", "k.csv")}, "does not exist"},
		{"no CSV", []string{"--bucket", "media-ok"}, "--csv or --write-profile is required"},
		{"unknown CSV format", []string{"--bucket", "media-ok", "--csv", fresh, "--csv-format", "excel"}, "aws-import"},
		{"CSV format without CSV", []string{"--bucket", "media-ok", "--csv-format", "aws-import", "--write-profile", "p"}, "add --csv PATH"},
		{"user name aws-import cannot read", []string{"--bucket", "media-ok", "--user", "a,b", "--csv", fresh, "--csv-format", "aws-import"}, "splits at every comma"},
		{"profile exists", []string{"--bucket", "media-ok", "--write-profile", "work"}, `Profile "work" already exists`},
		{"bad profile name", []string{"--bucket", "media-ok", "--write-profile", "my profile"}, "cannot be a profile name"},
		{"bad tag", []string{"--bucket", "media-ok", "--tag", "novalue", "--csv", fresh}, "key=value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := e.run(append([]string{"setup", "--non-interactive"}, tt.args...)...)
			if code != 2 {
				t.Errorf("exit %d, want 2; stderr: %s", code, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if len(lines) != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr should be one sentence containing %q, got:\n%s", tt.want, stderr)
			}
		})
	}
	if b := e.bucketNames(); len(b) != 0 {
		t.Errorf("bad input created buckets: %v", b)
	}
	if u := e.userNames(); len(u) != 0 {
		t.Errorf("bad input created users: %v", u)
	}
	// A credentials file that is a link is refused, the link left as it is.
	link := filepath.Join(e.dir, "linked-credentials")
	if err := os.Symlink(filepath.Join(e.dir, "aws-credentials"), link); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", link)
	code, _, stderr := e.run("setup", "--non-interactive", "--bucket", "media-ok", "--write-profile", "fresh")
	if code != 2 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "symbolic link") {
		t.Errorf("linked credentials file: exit %d, stderr %q", code, stderr)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced")
	}
	if got, _ := os.ReadFile(filepath.Join(e.dir, "aws-credentials")); string(got) != credentials {
		t.Errorf("the credentials file was changed")
	}
	if got, _ := os.ReadFile(existing); string(got) != "keep me\n" {
		t.Errorf("the existing CSV was changed")
	}
	if _, err := os.Stat(fresh); err == nil {
		t.Errorf("a refused run wrote %s", fresh)
	}
}

func TestHeadlessSetupWithoutCredentials(t *testing.T) {
	e := newEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	os.Unsetenv("AWS_ACCESS_KEY_ID")
	os.Unsetenv("AWS_SECRET_ACCESS_KEY")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	code, _, stderr := e.run("setup", "--non-interactive", "--bucket", "media-ok", "--csv", filepath.Join(e.dir, "k.csv"))
	if code == 0 || !strings.Contains(stderr, "No AWS credentials") || !strings.Contains(stderr, "--sandbox") {
		t.Errorf("exit %d, stderr: %s", code, stderr)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	if b := e.bucketNames(); len(b) != 0 {
		t.Errorf("buckets created without credentials: %v", b)
	}
}

func TestHeadlessSetupKeyLimitAndRotation(t *testing.T) {
	e := newEnv(t)
	e.aws(nil, "iam", "create-user", "--user-name", defaultUserName)
	var k1, k2 struct{ AccessKey struct{ AccessKeyId string } }
	e.aws(&k1, "iam", "create-access-key", "--user-name", defaultUserName)
	e.aws(&k2, "iam", "create-access-key", "--user-name", defaultUserName)

	csvPath := filepath.Join(e.dir, "k.csv")
	args := []string{"setup", "--non-interactive", "--existing-user", "--bucket", "media-keys", "--csv", csvPath}
	code, _, stderr := e.run(args...)
	if code == 0 || !strings.Contains(stderr, "--rotate-oldest-key") || !strings.Contains(stderr, k1.AccessKey.AccessKeyId) {
		t.Fatalf("at the 2-key limit: exit %d, stderr: %s", code, stderr)
	}
	if b := e.bucketNames(); len(b) != 0 {
		t.Errorf("a refused run created buckets: %v", b)
	}

	code, out, stderr := e.run(append(args, "--rotate-oldest-key")...)
	if code != 0 {
		t.Fatalf("rotation: exit %d\n%s\n%s", code, out, stderr)
	}
	keys := e.accessKeyIDs(defaultUserName)
	id := readCSV(t, csvPath)
	if len(keys) != 2 || !contains(keys, id) || contains(keys, k1.AccessKey.AccessKeyId) || !contains(keys, k2.AccessKey.AccessKeyId) {
		t.Errorf("after rotation keys = %v (new %s, oldest %s should be gone)", keys, id, k1.AccessKey.AccessKeyId)
	}
}

func TestTeardownLeavesNothingBehind(t *testing.T) {
	e := newEnv(t)
	csvPath := filepath.Join(e.dir, "k.csv")
	if code, out, stderr := e.run("setup", "--non-interactive", "--bucket", "media-gone", "--prefix", "p", "--csv", csvPath); code != 0 {
		t.Fatalf("setup: exit %d\n%s\n%s", code, out, stderr)
	}
	if code, _, stderr := e.run("teardown"); code != 2 || !strings.Contains(stderr, "--yes") {
		t.Errorf("teardown without a terminal or --yes: exit %d, %s", code, stderr)
	}
	if u := e.userNames(); len(u) != 1 {
		t.Fatalf("unconfirmed teardown removed users: %v", u)
	}
	code, out, stderr := e.run("teardown", "--yes", "--delete-bucket")
	if code != 0 {
		t.Fatalf("teardown: exit %d\n%s\n%s", code, out, stderr)
	}
	if u := e.userNames(); len(u) != 0 {
		t.Errorf("users left: %v", u)
	}
	if b := e.bucketNames(); len(b) != 0 {
		t.Errorf("buckets left: %v", b)
	}
	var pols struct{ Policies []struct{ PolicyName string } }
	e.aws(&pols, "iam", "list-policies", "--scope", "Local")
	if len(pols.Policies) != 0 {
		t.Errorf("policies left: %v", pols.Policies)
	}
	if code, out, _ := e.run("teardown", "--yes"); code != 0 || !strings.Contains(out, "No setup record found") {
		t.Errorf("a second teardown should say there is no record: exit %d, %s", code, out)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestSandboxSetupUsesDemoBucketAndStopsTheEmulator(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "aws-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "aws-credentials"))
	t.Setenv("S3LINK_CONFIG_DIR", filepath.Join(dir, "s3link"))
	var out, errb bytes.Buffer
	g := &Globals{In: strings.NewReader(""), Out: &out, Err: &errb}
	csvPath := filepath.Join(dir, "k.csv")
	code := Execute(context.Background(), g, []string{"--sandbox", "setup", "--non-interactive", "--json",
		"--existing-bucket", "--bucket", "s3link-demo-media", "--prefix", "surveys/spring-2026", "--csv", csvPath})
	if code != 0 {
		t.Fatalf("sandbox setup: exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	var sum struct {
		Location  string
		Sandbox   bool
		AccessKey struct{ ID, HandOver string }
	}
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
		t.Fatalf("summary: %v", err)
	}
	if sum.Location != "s3://s3link-demo-media/surveys/spring-2026/" || !sum.Sandbox || sum.AccessKey.ID != readCSV(t, csvPath) || sum.AccessKey.HandOver != "saved to CSV" {
		t.Errorf("summary = %+v", sum)
	}
	_, after, ok := strings.Cut(errb.String(), "emulator at http://127.0.0.1:")
	if !ok {
		t.Fatalf("stderr does not name the emulator: %s", errb.String())
	}
	port := after[:strings.IndexAny(after, ";\n")]
	if pids := motoPIDs(t, port); len(pids) > 0 {
		t.Errorf("moto_server on port %s still runs after s3link returned: pids %v", port, pids)
	}
}

// motoPIDs finds moto_server processes listening on port, from /proc.
func motoPIDs(t *testing.T, port string) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []string
	for _, e := range entries {
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		args := strings.Split(string(cmd), "\x00")
		if strings.Contains(string(cmd), "moto_server") && contains(args, port) {
			pids = append(pids, e.Name())
		}
	}
	return pids
}

func TestDebugLogRecordsCallsButNeverTheSecret(t *testing.T) {
	e := newEnv(t)
	csvPath := filepath.Join(e.dir, "k.csv")
	code, out, stderr := e.run("--debug", "setup", "--non-interactive", "--json", "--print-secret", "--bucket", "media-debug", "--csv", csvPath)
	if code != 0 {
		t.Fatalf("setup: exit %d\n%s", code, stderr)
	}
	var sum struct {
		AccessKey struct{ SecretAccessKey string }
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.AccessKey.SecretAccessKey == "" {
		t.Fatalf("--print-secret summary has no secret (err %v)", err)
	}
	secret := sum.AccessKey.SecretAccessKey
	log, err := os.ReadFile(filepath.Join(e.dir, "s3link", "debug.log"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(log, []byte("IAM.CreateAccessKey status=200")) {
		t.Errorf("debug log lacks the CreateAccessKey call:\n%s", log)
	}
	var leaks []string
	err = filepath.WalkDir(e.dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || p == csvPath {
			return err
		}
		b, err := os.ReadFile(p)
		if err == nil && bytes.Contains(b, []byte(secret)) {
			leaks = append(leaks, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(leaks) > 0 || strings.Contains(stderr, secret) {
		t.Errorf("the secret leaked into %v (or stderr)", leaks)
	}
}
