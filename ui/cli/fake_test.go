package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/awsopstest"
	"github.com/s3link/s3link/awsops/setup/journal"
	"github.com/s3link/s3link/awsops/transfer/download"
)

// fakeEnv runs s3link in-process against an awsopstest.Fake, injected
// through the Factory: no emulator, no network, a private record folder.
type fakeEnv struct {
	t    *testing.T
	fake *awsopstest.Fake
	dir  string
	// client, when set, wraps the Fake for each client the factory makes.
	client func(Client) Client
	// cfgs are the configurations the commands asked clients for.
	cfgs []awsops.Config
	// store, when set, is what the download engine reads.
	store download.Store
}

func newFakeEnv(t *testing.T) *fakeEnv {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("S3LINK_CONFIG_DIR", filepath.Join(dir, "s3link"))
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "aws-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "aws-credentials"))
	return &fakeEnv{t: t, fake: awsopstest.New(t), dir: dir}
}

// factory is the Factory of one run: g's flags, the Fake's clients.
func (e *fakeEnv) factory(g *Globals) *Factory {
	return &Factory{Globals: g, AWS: func(_ context.Context, cfg awsops.Config) (Client, error) {
		e.cfgs = append(e.cfgs, cfg)
		if e.client != nil {
			return e.client(e.fake), nil
		}
		return e.fake, nil
	}, Download: func(ctx context.Context, cfg awsops.Config, bucket string, concurrency int) (download.Store, error) {
		e.cfgs = append(e.cfgs, cfg)
		if e.store == nil {
			// The test serves S3 itself, at --endpoint-url.
			return connectDownload(ctx, cfg, bucket, concurrency)
		}
		return e.store, nil
	}, Upload: newUploadClient}
}

// runCtx executes s3link with ctx, as main does, with no terminal; the
// clock is a day after the Fake's.
func (e *fakeEnv) runCtx(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	e.t.Helper()
	var out, errb bytes.Buffer
	g := &Globals{In: strings.NewReader(""), Out: &out, Err: &errb, Now: func() time.Time { return awsopstest.Epoch.Add(24 * time.Hour) }}
	code = ExecuteWith(ctx, e.factory(g), args)
	return code, out.String(), errb.String()
}

func (e *fakeEnv) run(args ...string) (code int, stdout, stderr string) {
	e.t.Helper()
	return e.runCtx(e.t.Context(), args...)
}

// path is a file in the test's folder.
func (e *fakeEnv) path(name string) string { return filepath.Join(e.dir, name) }

// setup links s3://acme-media/photos with a new key saved to key.csv and
// returns the record's path.
func (e *fakeEnv) setup() (recPath string) {
	e.t.Helper()
	code, stdout, stderr := e.run("setup", "--non-interactive", "--bucket", "acme-media", "--prefix", "photos", "--region", "eu-west-1", "--csv", e.path("key.csv"))
	if code != 0 {
		e.t.Fatalf("setup exited %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	return e.record()
}

// record is the only setup record.
func (e *fakeEnv) record() string {
	e.t.Helper()
	dir, err := journal.Dir()
	if err != nil {
		e.t.Fatal(err)
	}
	paths, err := journal.List(dir)
	if err != nil || len(paths) != 1 {
		e.t.Fatalf("records = %v (%v), want one", paths, err)
	}
	return paths[0]
}

func wantIn(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s does not say %q:\n%s", what, sub, s)
		}
	}
}

func TestFakeHeadlessSetupCreatesEverything(t *testing.T) {
	e := newFakeEnv(t)
	f := e.fake
	arn := "arn:aws:iam::123456789012:policy/" + defaultPolicyName
	f.Expect("CreateBucket", "acme-media", "eu-west-1")
	f.Expect("BlockPublicAccess", "acme-media")
	f.Expect("EnableDefaultEncryption", "acme-media")
	f.Expect("CreatePolicy", defaultPolicyName)
	f.Expect("CreateUser", defaultUserName)
	f.Expect("AttachUserPolicy", defaultUserName, arn)
	f.Expect("CreateAccessKey", defaultUserName)
	rec := e.setup()

	keys, ok := f.UserKeys(defaultUserName)
	if !ok || len(keys) != 1 {
		t.Fatalf("user keys = %v (exists %v), want one", keys, ok)
	}
	csv, err := os.ReadFile(e.path("key.csv"))
	if err != nil {
		t.Fatal(err)
	}
	wantIn(t, "the key file", string(csv), keys[0])
	if !f.Attached(defaultUserName, arn) {
		t.Error("the policy is not attached to the user")
	}
	if len(e.cfgs) == 0 || e.cfgs[0].Region != "eu-west-1" {
		t.Errorf("client configurations = %+v, want the --region", e.cfgs)
	}
	r, err := journal.Load(rec)
	if err != nil {
		t.Fatal(err)
	}
	if r.Bucket.Name != "acme-media" || r.User.Name != defaultUserName {
		t.Errorf("record = %+v", r)
	}

	// A second run changes nothing and keeps the key.
	before := f.Count("CreateAccessKey")
	code, stdout, stderr := e.run("setup", "--non-interactive", "--bucket", "acme-media", "--prefix", "photos", "--region", "eu-west-1", "--csv", e.path("key.csv"))
	if code != 0 || f.Count("CreateAccessKey") != before || f.Count("CreateBucket") != 1 {
		t.Fatalf("rerun exited %d, CreateAccessKey %d, CreateBucket %d\n%s%s", code, f.Count("CreateAccessKey"), f.Count("CreateBucket"), stdout, stderr)
	}
	wantIn(t, "the rerun", stdout, "from an earlier run is still active")
}

func TestFakeHeadlessSetupRefusesABucketItDoesNotOwn(t *testing.T) {
	e := newFakeEnv(t)
	e.fake.TakeBucketName("acme-media")
	code, stdout, stderr := e.run("setup", "--non-interactive", "--bucket", "acme-media", "--region", "eu-west-1", "--csv", e.path("key.csv"))
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	wantIn(t, "stderr", stderr, "Error: ", "acme-media")
	for _, m := range []string{"CreateBucket", "CreatePolicy", "CreateUser", "CreateAccessKey"} {
		if n := e.fake.Count(m); n != 0 {
			t.Errorf("%s called %d times after a refusal", m, n)
		}
	}
	if _, err := os.Stat(e.path("key.csv")); err == nil {
		t.Error("a key file was written")
	}
}

func TestFakeTeardownRemovesWhatSetupMade(t *testing.T) {
	e := newFakeEnv(t)
	rec := e.setup()
	arn := "arn:aws:iam::123456789012:policy/" + defaultPolicyName
	e.fake.Expect("DeleteUser", defaultUserName)
	e.fake.Expect("DeletePolicy", arn)
	e.fake.Expect("DeleteBucket", "acme-media")
	code, stdout, stderr := e.run("teardown", "--yes", "--delete-bucket")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if _, ok := e.fake.UserKeys(defaultUserName); ok {
		t.Error("the user survived teardown")
	}
	if _, _, ok := e.fake.HasBucket("acme-media"); ok {
		t.Error("the bucket survived teardown --delete-bucket")
	}
	if _, err := os.Stat(rec); !os.IsNotExist(err) {
		t.Errorf("the record %s is still there (%v)", rec, err)
	}
	wantIn(t, "stdout", stdout, "is removed: nothing it lists is left")
}

func TestFakeTeardownLeavesAndNamesAPolicyNotProvenOurs(t *testing.T) {
	e := newFakeEnv(t)
	rec := e.setup()
	// Someone else's setup id on the policy: nothing proves it is this
	// setup's any more.
	e.fake.TagPolicy(defaultPolicyName, "s3l-someoneelse0000")
	e.fake.Expect("DeleteUser", defaultUserName)
	code, stdout, stderr := e.run("teardown", "--yes")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if _, _, ok := e.fake.PolicyDocument(defaultPolicyName); !ok {
		t.Fatal("teardown deleted a policy nothing proves is s3link's")
	}
	if n := e.fake.Count("DeletePolicy"); n != 0 {
		t.Errorf("DeletePolicy called %d times", n)
	}
	wantIn(t, "stdout", stdout, "leaves IAM policy "+defaultPolicyName, "s3l-someoneelse0000")
	if _, err := os.Stat(rec); err != nil {
		t.Errorf("the record is gone although the policy is left: %v", err)
	}
}

func TestFakeStatusOfACleanLink(t *testing.T) {
	e := newFakeEnv(t)
	rec := e.setup()
	code, stdout, stderr := e.run("status")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	wantIn(t, "stdout", stdout, "Link s3://acme-media/photos/", "record "+rec)
	for _, m := range []string{"CreateBucket", "CreatePolicy", "CreateUser", "CreateAccessKey"} {
		if n := e.fake.Count(m); n != 1 {
			t.Errorf("%s called %d times; status must change nothing", m, n)
		}
	}
}

func TestFakeStatusFindsBlockPublicAccessOff(t *testing.T) {
	e := newFakeEnv(t)
	e.setup()
	e.fake.SetPublicAccess("acme-media", awsops.PublicAccess{})
	code, stdout, stderr := e.run("status")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (drift)\n%s%s", code, stdout, stderr)
	}
	wantIn(t, "stdout", stdout, "✗", "Block Public Access")
	if pab, _, _ := e.fake.HasBucket("acme-media"); pab != (awsops.PublicAccess{}) {
		t.Error("status changed the bucket's settings")
	}
}

func TestFakeRotateReplacesTheKey(t *testing.T) {
	e := newFakeEnv(t)
	e.setup()
	old, _ := e.fake.UserKeys(defaultUserName)
	e.fake.Expect("CreateAccessKey", defaultUserName)
	e.fake.Expect("DeleteAccessKey", defaultUserName, old[0])
	code, stdout, stderr := e.run("rotate", "--csv", e.path("new.csv"), "--delete-old")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	keys, _ := e.fake.UserKeys(defaultUserName)
	if len(keys) != 1 || keys[0] == old[0] {
		t.Fatalf("keys after rotate = %v, want one new key (old %s)", keys, old[0])
	}
	csv, err := os.ReadFile(e.path("new.csv"))
	if err != nil {
		t.Fatal(err)
	}
	wantIn(t, "the new key file", string(csv), keys[0])
	wantIn(t, "stdout", stdout, "Rotating the access key of user "+defaultUserName)
}

func TestFakeRotateRefusesAnotherAccount(t *testing.T) {
	e := newFakeEnv(t)
	e.setup()
	old, _ := e.fake.UserKeys(defaultUserName)
	e.fake.Identity.Account = "210987654321"
	code, stdout, stderr := e.run("rotate", "--csv", e.path("new.csv"), "--delete-old")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	wantIn(t, "stderr", stderr, "belongs to AWS account 123456789012", "nothing was changed")
	if keys, _ := e.fake.UserKeys(defaultUserName); len(keys) != 1 || keys[0] != old[0] {
		t.Errorf("keys = %v, want the old %s alone", keys, old[0])
	}
	if n := e.fake.Count("CreateAccessKey"); n != 1 {
		t.Errorf("CreateAccessKey called %d times, want only setup's", n)
	}
	if _, err := os.Stat(e.path("new.csv")); err == nil {
		t.Error("a key file was written")
	}
}
