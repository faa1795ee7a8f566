//go:build e2e

package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/emulator/mototest"
	"github.com/s3link/s3link/awsops/setup/journal"
)

// These tests try setup and teardown against resources other people made,
// another account, forged records and concurrent runs, on a real
// moto_server, and check every outcome with the AWS CLI.

func (e *env) attachedPolicies(user string) []string {
	var out struct{ AttachedPolicies []struct{ PolicyName string } }
	e.aws(&out, "iam", "list-attached-user-policies", "--user-name", user)
	var names []string
	for _, p := range out.AttachedPolicies {
		names = append(names, p.PolicyName)
	}
	slices.Sort(names)
	return names
}

func (e *env) inlinePolicies(user string) []string {
	var out struct{ PolicyNames []string }
	e.aws(&out, "iam", "list-user-policies", "--user-name", user)
	return out.PolicyNames
}

func (e *env) localPolicies() []string {
	var out struct{ Policies []struct{ PolicyName string } }
	e.aws(&out, "iam", "list-policies", "--scope", "Local")
	var names []string
	for _, p := range out.Policies {
		names = append(names, p.PolicyName)
	}
	slices.Sort(names)
	return names
}

func (e *env) records() []string {
	paths, _ := filepath.Glob(filepath.Join(e.dir, "s3link", "setups", "*.json"))
	return paths
}

// otherAdmin makes, as another administrator would, a user with its own
// key and inline policy, and a policy attached to a second user.
func (e *env) otherAdmin(user, policy string) (key string) {
	e.t.Helper()
	e.aws(nil, "iam", "create-user", "--user-name", user)
	var k struct{ AccessKey struct{ AccessKeyId string } }
	e.aws(&k, "iam", "create-access-key", "--user-name", user)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`
	e.aws(nil, "iam", "put-user-policy", "--user-name", user, "--policy-name", "own-inline", "--policy-document", doc)
	e.aws(nil, "iam", "create-user", "--user-name", "analyst")
	e.aws(nil, "iam", "create-policy", "--policy-name", policy, "--policy-document", doc)
	e.aws(nil, "iam", "attach-user-policy", "--user-name", "analyst", "--policy-arn", "arn:aws:iam::123456789012:policy/"+policy)
	return k.AccessKey.AccessKeyId
}

// (a) A user and a policy of the chosen names, made by someone else just
// before setup: setup claims neither; teardown leaves them, their key and
// their attachments as they were.
func TestSetupNeverClaimsSomeoneElsesUserOrPolicy(t *testing.T) {
	e := newEnv(t)
	theirKey := e.otherAdmin("media-reader", "TeamPol")
	csv := filepath.Join(e.dir, "k.csv")
	code, out, stderr := e.run("setup", "--non-interactive", "--bucket", "media-a", "--user", "media-reader", "--policy-name", "TeamPol", "--csv", csv)
	if code == 0 || !strings.Contains(stderr, "TeamPol already exists with another document") || !strings.Contains(stderr, "media-reader already exists and s3link did not create it") {
		t.Fatalf("setup over someone else's user and policy: exit %d\n%s\n%s", code, out, stderr)
	}
	if b := e.bucketNames(); len(b) != 0 || len(e.records()) != 0 {
		t.Fatalf("a refused setup created buckets %v or records %v", b, e.records())
	}

	// Used knowingly, with its own policy name: setup adds a policy and a
	// key to the user; teardown removes exactly those.
	code, out, stderr = e.run("setup", "--non-interactive", "--bucket", "media-a", "--user", "media-reader", "--existing-user", "--policy-name", "MediaA", "--csv", csv)
	if code != 0 {
		t.Fatalf("setup with --existing-user: exit %d\n%s\n%s", code, out, stderr)
	}
	if !strings.Contains(out, "user media-reader: reuse") {
		t.Errorf("setup does not say it reuses the user:\n%s", out)
	}
	ours := readCSV(t, csv)
	recs := e.records()
	if len(recs) != 1 {
		t.Fatalf("records = %v, want one", recs)
	}
	rec, err := journal.Load(recs[0])
	if err != nil || rec.User.Created || !rec.Policy.Created || !rec.User.Attached {
		t.Fatalf("record = %+v, %v; want the user reused, the policy created and attached", rec, err)
	}

	code, out, stderr = e.run("teardown", "--yes", "--delete-bucket")
	if code != 0 {
		t.Fatalf("teardown: exit %d\n%s\n%s", code, out, stderr)
	}
	if keys := e.accessKeyIDs("media-reader"); !slices.Equal(keys, []string{theirKey}) || contains(keys, ours) {
		t.Errorf("media-reader's keys after teardown = %v, want only its own %s", keys, theirKey)
	}
	if got := e.inlinePolicies("media-reader"); !slices.Equal(got, []string{"own-inline"}) {
		t.Errorf("media-reader's inline policies = %v", got)
	}
	if got := e.attachedPolicies("media-reader"); len(got) != 0 {
		t.Errorf("media-reader keeps s3link's attachment: %v", got)
	}
	if got := e.attachedPolicies("analyst"); !slices.Equal(got, []string{"TeamPol"}) {
		t.Errorf("analyst's policies = %v, want TeamPol still attached", got)
	}
	if u := e.userNames(); !contains(u, "media-reader") || !contains(u, "analyst") {
		t.Errorf("users after teardown = %v", u)
	}
	if p := e.localPolicies(); !slices.Equal(p, []string{"TeamPol"}) {
		t.Errorf("policies after teardown = %v, want only TeamPol", p)
	}
}

// (b) Teardown signed in to another account refuses and deletes nothing
// there, and keeps the record whole.
func TestTeardownRefusesAnotherAccount(t *testing.T) {
	e := newEnv(t)
	if code, out, stderr := e.run("setup", "--non-interactive", "--bucket", "media-b", "--csv", filepath.Join(e.dir, "k.csv")); code != 0 {
		t.Fatalf("setup: exit %d\n%s\n%s", code, out, stderr)
	}
	recs := e.records()
	before, _ := os.ReadFile(recs[0])

	// Account B: a role in 222233334444, with a same-named user and key.
	var ar struct {
		Credentials struct{ AccessKeyId, SecretAccessKey, SessionToken string }
	}
	e.aws(&ar, "sts", "assume-role", "--role-arn", "arn:aws:iam::222233334444:role/admin", "--role-session-name", "other")
	t.Setenv("AWS_ACCESS_KEY_ID", ar.Credentials.AccessKeyId)
	t.Setenv("AWS_SECRET_ACCESS_KEY", ar.Credentials.SecretAccessKey)
	t.Setenv("AWS_SESSION_TOKEN", ar.Credentials.SessionToken)
	e.aws(nil, "iam", "create-user", "--user-name", defaultUserName)
	e.aws(nil, "iam", "create-access-key", "--user-name", defaultUserName)
	var id struct{ Account string }
	e.aws(&id, "sts", "get-caller-identity")
	if id.Account != "222233334444" {
		t.Fatalf("assumed role is in account %s", id.Account)
	}

	code, out, stderr := e.run("teardown", "--yes", "--delete-bucket")
	if code == 0 || !strings.Contains(stderr, "belongs to AWS account 123456789012") || !strings.Contains(stderr, "for account 222233334444") || !strings.Contains(stderr, "nothing was removed") {
		t.Fatalf("teardown in another account: exit %d\n%s\n%s", code, out, stderr)
	}
	if keys := e.accessKeyIDs(defaultUserName); len(keys) != 1 {
		t.Errorf("account B's user lost keys: %v", keys)
	}
	after, _ := os.ReadFile(recs[0])
	if !bytes.Equal(before, after) {
		t.Errorf("the record changed:\n%s\n---\n%s", before, after)
	}

	// Back in account A, everything is still there to tear down.
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_SESSION_TOKEN", "")
	if u := e.userNames(); !slices.Equal(u, []string{defaultUserName}) {
		t.Fatalf("account A's users = %v", u)
	}
	if code, out, stderr := e.run("teardown", "--yes", "--delete-bucket"); code != 0 {
		t.Fatalf("teardown in account A: exit %d\n%s\n%s", code, out, stderr)
	}
	if u := e.userNames(); len(u) != 0 {
		t.Errorf("account A's users after teardown = %v", u)
	}
}

// (c) A record edited to mark someone else's user and bucket as created:
// neither carries the record's id, so teardown leaves both.
func TestTeardownLeavesWhatAForgedRecordClaims(t *testing.T) {
	e := newEnv(t)
	e.aws(nil, "iam", "create-user", "--user-name", "victim")
	e.aws(nil, "iam", "create-access-key", "--user-name", "victim")
	e.aws(nil, "s3api", "create-bucket", "--bucket", "victim-bucket")
	forged := journal.Record{
		Version: journal.CurrentVersion, SetupID: "s3l-forged0000000000", Account: "123456789012", Region: "us-east-1",
		EndpointURL: e.endpoint,
		Bucket:      journal.Bucket{Name: "victim-bucket", Region: "us-east-1", Created: true},
		User:        journal.User{Name: "victim", Created: true},
	}
	dir := filepath.Join(e.dir, "s3link")
	if err := forged.Create(journal.Path(dir, forged.SetupID)); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := e.run("teardown", "--yes", "--delete-bucket")
	if code != 0 {
		t.Fatalf("teardown: exit %d\n%s\n%s", code, out, stderr)
	}
	if !strings.Contains(out, "leaves IAM user victim: it does not carry s3link's tag") || !strings.Contains(out, "leaves bucket victim-bucket: it does not carry s3link's tag") {
		t.Errorf("teardown does not name what it leaves:\n%s", out)
	}
	if u := e.userNames(); !slices.Equal(u, []string{"victim"}) || len(e.accessKeyIDs("victim")) != 1 {
		t.Errorf("victim user or key removed: users %v", u)
	}
	if b := e.bucketNames(); !slices.Equal(b, []string{"victim-bucket"}) {
		t.Errorf("buckets = %v, want victim-bucket kept", b)
	}
}

// (d) "New bucket" with the name of a bucket the account owns in another
// region: refused with its real region and object count; used as an
// existing bucket, its settings stay as they were.
func TestNewBucketThatIsAlreadyOwned(t *testing.T) {
	e := newEnv(t)
	e.aws(nil, "s3api", "create-bucket", "--bucket", "owned-media", "--region", "ap-southeast-2", "--create-bucket-configuration", "LocationConstraint=ap-southeast-2")
	for i := range 3 {
		e.aws(nil, "s3api", "put-object", "--bucket", "owned-media", "--key", fmt.Sprintf("p/f%d.jpg", i), "--region", "ap-southeast-2")
	}
	csv := filepath.Join(e.dir, "k.csv")
	code, out, stderr := e.run("setup", "--non-interactive", "--region", "eu-west-1", "--bucket", "owned-media", "--prefix", "p", "--csv", csv)
	if code == 0 || !strings.Contains(stderr, "You already own a bucket named owned-media (in ap-southeast-2, 3 objects under the location)") {
		t.Fatalf("new bucket with an owned name: exit %d\n%s\n%s", code, out, stderr)
	}
	if len(e.userNames()) != 0 || len(e.records()) != 0 {
		t.Fatalf("a refused setup created users %v or records %v", e.userNames(), e.records())
	}
	code, out, stderr = e.run("setup", "--non-interactive", "--existing-bucket", "--bucket", "owned-media", "--prefix", "p", "--csv", csv)
	if code != 0 || !strings.Contains(out, "Region:        ap-southeast-2") || !strings.Contains(out, "does not block all public access") {
		t.Fatalf("existing bucket: exit %d\n%s\n%s", code, out, stderr)
	}
	for _, args := range [][]string{
		{"s3api", "get-public-access-block", "--bucket", "owned-media"},
		{"s3api", "get-bucket-encryption", "--bucket", "owned-media"},
	} {
		if err := awsFails(e, args...); err == "" {
			t.Errorf("aws %v now succeeds: the existing bucket's settings were changed", args)
		}
	}
	if code, out, stderr := e.run("teardown", "--yes", "--delete-bucket"); code != 0 || !strings.Contains(out, "Everything this setup created is gone") {
		t.Fatalf("teardown: exit %d\n%s\n%s", code, out, stderr)
	}
	if b := e.bucketNames(); !slices.Equal(b, []string{"owned-media"}) {
		t.Errorf("buckets = %v, want the owned bucket kept", b)
	}
}

// awsFails runs the AWS CLI and returns its error output, "" on success.
func awsFails(e *env, args ...string) string {
	e.t.Helper()
	cmd := execAWS(e, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return stderr.String() + err.Error()
	}
	return ""
}

// (e) A second location for the same user gets its own policy attached
// beside the first; teardown removes both.
func TestSecondLocationGetsItsOwnPolicy(t *testing.T) {
	e := newEnv(t)
	if code, out, stderr := e.run("setup", "--non-interactive", "--bucket", "media-e1", "--prefix", "one", "--csv", filepath.Join(e.dir, "k1.csv")); code != 0 {
		t.Fatalf("first location: exit %d\n%s\n%s", code, out, stderr)
	}
	code, out, stderr := e.run("setup", "--non-interactive", "--bucket", "media-e2", "--prefix", "two", "--csv", filepath.Join(e.dir, "k2.csv"))
	if code != 0 {
		t.Fatalf("second location: exit %d\n%s\n%s", code, out, stderr)
	}
	second := defaultPolicyName + "-media-e2-two"
	if got := e.attachedPolicies(defaultUserName); !slices.Equal(got, []string{defaultPolicyName, second}) {
		t.Fatalf("attached policies = %v, want both locations' policies", got)
	}
	_, first := e.policyVersions("arn:aws:iam::123456789012:policy/" + defaultPolicyName)
	if !jsonEqual(first, jsonValue(t, awsops.PolicyDocument("media-e1", "one"))) {
		t.Errorf("the first location's policy was re-pointed: %v", first)
	}
	if n := len(e.records()); n != 2 {
		t.Errorf("records = %d, want one per location", n)
	}
	if keys := e.accessKeyIDs(defaultUserName); len(keys) != 1 {
		t.Errorf("keys = %v, want the first location's key kept for both", keys)
	}
	if code, out, stderr := e.run("teardown", "--all", "--yes", "--delete-bucket"); code != 0 {
		t.Fatalf("teardown --all: exit %d\n%s\n%s", code, out, stderr)
	}
	if p := e.localPolicies(); len(p) != 0 {
		t.Errorf("policies left: %v", p)
	}
	if u, b := e.userNames(), e.bucketNames(); len(u) != 0 || len(b) != 0 || len(e.records()) != 0 {
		t.Errorf("left: users %v, buckets %v, records %v", u, b, e.records())
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// (f) Two setups at once for the same existing user: each key either run
// made is in a record, and teardown removes them all.
func TestConcurrentSetupsKeepEveryKey(t *testing.T) {
	e := newEnv(t)
	e.aws(nil, "iam", "create-user", "--user-name", "shared")
	var wg sync.WaitGroup
	results := make([]string, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, out, stderr := e.run("setup", "--non-interactive", "--existing-user", "--user", "shared",
				"--bucket", fmt.Sprintf("media-f%d", i), "--policy-name", fmt.Sprintf("Pol%d", i), "--csv", filepath.Join(e.dir, fmt.Sprintf("k%d.csv", i)))
			if code != 0 {
				results[i] = fmt.Sprintf("exit %d\n%s\n%s", code, out, stderr)
			}
		}()
	}
	wg.Wait()
	for _, r := range results {
		if r != "" {
			t.Fatalf("concurrent setup: %s", r)
		}
	}
	keys := e.accessKeyIDs("shared")
	var recorded []string
	for _, p := range e.records() {
		r, err := journal.Load(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range r.AccessKeys {
			recorded = append(recorded, k.ID)
		}
	}
	slices.Sort(keys)
	slices.Sort(recorded)
	if len(keys) != 2 || !slices.Equal(keys, recorded) {
		t.Fatalf("keys %v, recorded %v: every key made must be in a record", keys, recorded)
	}
	if code, out, stderr := e.run("teardown", "--all", "--yes", "--delete-bucket"); code != 0 {
		t.Fatalf("teardown --all: exit %d\n%s\n%s", code, out, stderr)
	}
	if keys := e.accessKeyIDs("shared"); len(keys) != 0 {
		t.Errorf("keys left: %v", keys)
	}
	if u := e.userNames(); !slices.Equal(u, []string{"shared"}) {
		t.Errorf("users = %v, want the existing user kept", u)
	}
}

// (g) Setup, a re-run and teardown by a caller that holds only the policy
// `s3link policy --caller` prints, with moto's IAM enforcement on.
func TestCallerPolicyIsEnoughUnderEnforcement(t *testing.T) {
	srv := mototest.Start(t)
	e := newEnvOn(t, srv.URL())
	const bucket, prefix = "media-g", "in/here"
	code, doc, stderr := e.run("policy", "--caller", "--bucket", bucket, "--prefix", prefix, "--account", "123456789012")
	if code != 0 {
		t.Fatalf("policy --caller: exit %d: %s", code, stderr)
	}
	docPath := filepath.Join(e.dir, "caller.json")
	if err := os.WriteFile(docPath, []byte(motoDialect(t, doc)), 0o600); err != nil {
		t.Fatal(err)
	}
	e.aws(nil, "iam", "create-user", "--user-name", "operator")
	e.aws(nil, "iam", "create-policy", "--policy-name", "s3link-caller", "--policy-document", "file://"+docPath)
	e.aws(nil, "iam", "attach-user-policy", "--user-name", "operator", "--policy-arn", "arn:aws:iam::123456789012:policy/s3link-caller")
	var k struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	e.aws(&k, "iam", "create-access-key", "--user-name", "operator")
	t.Setenv("AWS_ACCESS_KEY_ID", k.AccessKey.AccessKeyId)
	t.Setenv("AWS_SECRET_ACCESS_KEY", k.AccessKey.SecretAccessKey)
	if err := srv.ResetAuth(t.Context(), 0); err != nil {
		t.Fatal(err)
	}
	// Enforcement is on: an action outside the policy is refused.
	if msg := awsFails(e, "iam", "create-group", "--group-name", "someone-else"); !strings.Contains(msg, "AccessDenied") {
		t.Fatalf("enforcement is not on: create-group gave %q", msg)
	}
	if msg := awsFails(e, "s3api", "create-bucket", "--bucket", "another-bucket"); !strings.Contains(msg, "AccessDenied") {
		t.Fatalf("the caller may create other buckets: %q", msg)
	}
	csv := filepath.Join(e.dir, "k.csv")
	for _, run := range []string{"setup", "re-run"} {
		code, out, stderr := e.run("setup", "--non-interactive", "--debug", "--bucket", bucket, "--prefix", prefix, "--csv", csv)
		if code != 0 {
			log, _ := os.ReadFile(filepath.Join(e.dir, "s3link", "debug.log"))
			t.Fatalf("%s with the caller policy only: exit %d\n%s\n%s\ndebug log:\n%s", run, code, out, stderr, log)
		}
	}
	code, out, stderr := e.run("teardown", "--yes", "--delete-bucket", "--debug")
	if code != 0 || !strings.Contains(out, "Everything this setup created is gone") {
		log, _ := os.ReadFile(filepath.Join(e.dir, "s3link", "debug.log"))
		t.Fatalf("teardown with the caller policy only: exit %d\n%s\n%s\ndebug log:\n%s", code, out, stderr, log)
	}
	if err := srv.ResetAuth(t.Context(), -1); err != nil {
		t.Fatal(err)
	}
	if u := e.userNames(); !slices.Equal(u, []string{"operator"}) {
		t.Errorf("users after teardown = %v", u)
	}
}

// motoDialect rewrites the caller policy the way moto 5.2.1 evaluates
// policies, keeping every action and every S3 resource as printed:
//   - moto checks IAM actions against the resource "*" only (its IAM
//     handler's _determine_resource), so an exact IAM ARN never matches
//     there; the IAM statements get "*" (their exact ARNs and conditions
//     are pinned by awsops' golden and tests instead);
//   - moto names three S3 actions after the API call rather than the IAM
//     action: HeadBucket (s3:ListBucket in AWS), GetPublicAccessBlock and
//     PutPublicAccessBlock (s3:GetBucketPublicAccessBlock and
//     s3:PutBucketPublicAccessBlock), and authorises PutBucketEncryption as
//     s3:CreateBucket; those names are added beside the real ones.
func motoDialect(t *testing.T, doc string) string {
	t.Helper()
	var p struct {
		Version   string
		Statement []map[string]any
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		t.Fatal(err)
	}
	for _, st := range p.Statement {
		acts, _ := st["Action"].([]any)
		if len(acts) > 0 && strings.HasPrefix(acts[0].(string), "iam:") {
			st["Resource"] = []string{"*"}
			delete(st, "Condition")
		}
		if st["Sid"] == "S3LinkBucket" {
			st["Action"] = append(acts, "s3:HeadBucket", "s3:GetPublicAccessBlock", "s3:PutPublicAccessBlock")
		}
	}
	out, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func execAWS(e *env, args ...string) *exec.Cmd {
	return exec.Command("aws", append([]string{"--endpoint-url", e.endpoint, "--output", "json"}, args...)...)
}

// On a terminal with several records, teardown asks which one and then
// for confirmation; answers typed ahead reach both questions, anything but
// a listed number or y/n asks again.
func TestTeardownChoosesARecordAndConfirms(t *testing.T) {
	e := newEnv(t)
	for _, b := range []string{"media-c1", "media-c2"} {
		if code, out, stderr := e.run("setup", "--non-interactive", "--bucket", b, "--user", "u-"+b, "--csv", filepath.Join(e.dir, b+".csv")); code != 0 {
			t.Fatalf("setup %s: exit %d\n%s\n%s", b, code, out, stderr)
		}
	}
	var out, errb bytes.Buffer
	g := &Globals{In: strings.NewReader("9\n1\nmaybe\ny\n"), Out: &out, Err: &errb, IsTerminal: true}
	if code := Execute(t.Context(), g, []string{"teardown", "--delete-bucket", "--endpoint-url", e.endpoint}); code != 0 {
		t.Fatalf("teardown: exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "There are 2 setup records") || strings.Count(out.String(), "Which one?") != 2 ||
		!strings.Contains(out.String(), "Please answer y or n.") || !strings.Contains(out.String(), "Everything this setup created is gone.") {
		t.Fatalf("teardown dialogue:\n%s", out.String())
	}
	if u := e.userNames(); len(u) != 1 {
		t.Errorf("users after tearing down one of two setups = %v", u)
	}
	if n := len(e.records()); n != 1 {
		t.Errorf("records left = %d, want the other one", n)
	}
}
