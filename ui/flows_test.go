package ui

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/awsopstest"
	"github.com/s3link/s3link/awsops/setup/journal"
	"github.com/s3link/s3link/steps"
)

// flow drives the whole program through teatest: keys in, and waits on
// the text the user would see before the next key.
type flow struct {
	t  *testing.T
	tm *teatest.TestModel
}

func startFlow(t *testing.T, d Deps) *flow {
	t.Helper()
	tm := teatest.NewTestModel(t, New(d), teatest.WithInitialTermSize(80, 24))
	return &flow{t: t, tm: tm}
}

// waitFor waits until every text appears on screen. The stream is read
// with ANSI stripped; the waits never assert on timing, only on text.
func (f *flow) waitFor(texts ...string) {
	f.t.Helper()
	teatest.WaitFor(f.t, f.tm.Output(), func(b []byte) bool {
		s := ansi.Strip(string(b))
		for _, t := range texts {
			if !strings.Contains(s, t) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(15*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

func (f *flow) press(keys ...string) {
	for _, k := range keys {
		f.tm.Send(keyMsg(k))
	}
}

func (f *flow) typeText(s string) { f.tm.Type(s) }

func (f *flow) final() App {
	f.t.Helper()
	return f.tm.FinalModel(f.t, teatest.WithFinalTimeout(15*time.Second)).(App)
}

func loadRecord(t *testing.T, dir, user string) *journal.Record {
	t.Helper()
	rec, err := journal.Load(recordPathFor(t, dir, user))
	if err != nil {
		t.Fatalf("load record: %v", err)
	}
	return rec
}

// recordPathFor finds the one setup record for user in dir.
func recordPathFor(t *testing.T, dir, user string) string {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(dir, "setups", "*.json"))
	var found []string
	for _, p := range paths {
		if r, err := journal.Load(p); err == nil && r.User.Name == user {
			found = append(found, p)
		}
	}
	if len(found) != 1 {
		t.Fatalf("records for user %s in %s: %v (of %v), want one", user, dir, found, paths)
	}
	return found[0]
}

// walkToReview answers every screen with a new bucket and the defaults.
func (f *flow) walkNewBucket(bucket, region, prefix string) {
	f.t.Helper()
	f.waitFor("Account", "123456789012")
	f.press("enter")
	f.waitFor("Create a new bucket")
	f.press("enter")
	f.waitFor("New bucket")
	f.typeText(bucket)
	f.waitFor("valid name")
	f.press("tab")
	f.typeText(region)
	f.press("enter")
	f.waitFor("Which folder in " + bucket)
	f.tm.Send(tea.PasteMsg{Content: prefix})
	f.press("enter")
	f.skipUpload()
	f.waitFor("What it allows")
	f.press("enter")
	f.waitFor("How does the platform read")
	f.press("enter")
	f.waitFor("The platform signs in as this IAM user")
	f.press("enter")
	f.waitFor("Nothing has been created yet")
}

// skipUpload answers the upload offer with Skip.
func (f *flow) skipUpload() {
	f.t.Helper()
	f.waitFor("Upload a folder of media")
	f.press("down", "down", "enter")
}

// skipSync leaves the proof download without running it.
func (f *flow) skipSync() {
	f.t.Helper()
	f.waitFor("Prove that the key works")
	f.press("esc")
}

func TestFlowNewBucket(t *testing.T) {
	fake := awsopstest.New(t)
	deps := testDeps(t, fake)
	clip := &clipRecorder{}
	deps.Clipboard = clip.write
	fake.Expect("CreateBucket", "acme-media", "eu-west-1")
	fake.Expect("BlockPublicAccess", "acme-media")
	fake.Expect("EnableDefaultEncryption", "acme-media")
	fake.Expect("CreatePolicy", DefaultPolicyName)
	fake.Expect("CreateUser", DefaultUserName)
	fake.Expect("AttachUserPolicy", DefaultUserName, "arn:aws:iam::123456789012:policy/"+DefaultPolicyName)
	fake.Expect("CreateAccessKey", DefaultUserName)

	f := startFlow(t, deps)
	f.walkNewBucket("acme-media", "eu-west-1", "imports/2026")
	f.press("enter")
	f.waitFor("AWS shows the secret")
	f.press("c")
	f.waitFor("not confirmed: press y")
	f.press("y")
	f.waitFor("Secret copied and pasted")
	f.press("enter")
	f.skipSync()
	f.waitFor("Paste into the platform")
	f.press("enter")
	app := f.final()

	fake.Verify(t)
	if app.Step() != steps.Done || app.Err() != nil {
		t.Fatalf("ended on %v with %v", app.Step(), app.Err())
	}
	pab, enc, ok := fake.HasBucket("acme-media")
	if !ok || !pab.AllBlocked() || !enc {
		t.Errorf("bucket: exists %v, public access %+v, encrypted %v", ok, pab, enc)
	}
	doc, _, _ := fake.PolicyDocument(DefaultPolicyName)
	if doc != awsops.PolicyDocument("acme-media", "imports/2026") {
		t.Errorf("policy document differs from PolicyDocument:\n%s", doc)
	}
	ids, _ := fake.UserKeys(DefaultUserName)
	if len(ids) != 1 {
		t.Fatalf("user keys = %v, want one", ids)
	}
	if clip.value() == "" || strings.Contains(app.Summary(), clip.value()) {
		t.Error("the clipboard is empty, or the summary holds the secret")
	}
	rec := loadRecord(t, deps.RecordDir, DefaultUserName)
	if !rec.Bucket.Created || rec.Prefix != "imports/2026" || !rec.Policy.Created || !rec.User.Created || !rec.User.Attached {
		t.Errorf("record = %+v", rec)
	}
	if len(rec.AccessKeys) != 1 || rec.AccessKeys[0].ID != ids[0] {
		t.Errorf("record keys = %+v, want %v", rec.AccessKeys, ids)
	}
	raw, err := os.ReadFile(recordPathFor(t, deps.RecordDir, DefaultUserName))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(clip.value())) {
		t.Error("the record holds the secret")
	}
}

func TestFlowExistingBucket(t *testing.T) {
	fake := awsopstest.New(t)
	fake.AddBucket("acme-archive", "us-west-2", awsops.PublicAccess{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true})
	fake.Summaries["acme-archive/photos"] = awsops.PrefixSummary{Objects: 12, Bytes: 3 << 20}
	fake.Expect("SummarizePrefix", "acme-archive", "photos")
	deps := testDeps(t, fake)
	deps.Clipboard = (&clipRecorder{}).write

	f := startFlow(t, deps)
	f.waitFor("123456789012")
	f.press("enter")
	f.waitFor("Use an existing bucket")
	f.press("down", "enter")
	f.waitFor("acme-archive", "all four settings on")
	f.press("enter")
	f.waitFor("Which folder in acme-archive")
	f.typeText("photos")
	f.waitFor("12 objects")
	f.press("enter")
	f.waitFor("What it allows")
	f.press("enter")
	f.waitFor("How does the platform read")
	f.press("enter")
	f.waitFor("The platform signs in")
	f.press("enter")
	f.waitFor("Nothing has been created yet")
	f.press("enter")
	f.waitFor("AWS shows the secret")
	f.press("c")
	f.waitFor("not confirmed: press y")
	f.press("y")
	f.waitFor("Secret copied and pasted")
	f.press("enter")
	f.skipSync()
	f.waitFor("Paste into the platform")
	f.press("enter")
	app := f.final()

	fake.Verify(t)
	if app.Step() != steps.Done {
		t.Fatalf("ended on %v", app.Step())
	}
	for _, m := range []string{"CreateBucket", "BlockPublicAccess", "EnableDefaultEncryption"} {
		if n := fake.Count(m); n != 0 {
			t.Errorf("%s called %d times on an existing bucket", m, n)
		}
	}
	if s := app.Spec(); !s.ExistingBucket || s.Region != "us-west-2" || s.Prefix != "photos" {
		t.Errorf("spec = %+v", s)
	}
	if rec := loadRecord(t, deps.RecordDir, DefaultUserName); rec.Bucket.Created {
		t.Error("the record claims the existing bucket was created")
	}
}

// TestFlowEverythingExistsButIsNotOurs: a bucket, policy and user of the
// chosen names that s3link did not make. The bucket screen finds the
// bucket before review and offers it as existing; review reuses all three
// without changing them; the record claims none of them.
func TestFlowEverythingExistsButIsNotOurs(t *testing.T) {
	fake := awsopstest.New(t)
	fake.AddBucket("acme-media", "eu-west-1", awsops.PublicAccess{})
	fake.Summaries["acme-media/"] = awsops.PrefixSummary{Objects: 300}
	arn := fake.AddPolicy(DefaultPolicyName, awsops.PolicyDocument("acme-media", "imports/2026"))
	fake.AddUser(DefaultUserName, awsops.KeyInfo{ID: "AKIAEARLIERKEY000001", Status: "Active", Created: awsopstest.Epoch.Add(-48 * time.Hour)})
	deps := testDeps(t, fake)
	deps.Clipboard = (&clipRecorder{}).write

	f := startFlow(t, deps)
	f.waitFor("123456789012")
	f.press("enter")
	f.waitFor("Create a new bucket")
	f.press("enter")
	f.typeText("acme-media")
	f.press("tab")
	f.typeText("us-west-2")
	f.press("enter")
	// Found before review, with its real region and what it holds.
	f.waitFor("You already own a bucket named acme-media (in eu-west-1, 300 objects)", "use it as existing")
	f.press("e")
	f.waitFor("Existing bucket", "Block Public Access is not fully on")
	f.press("enter")
	f.waitFor("Which folder in acme-media")
	f.typeText("imports/2026")
	f.press("enter")
	f.waitFor("What it allows")
	f.press("enter")
	f.waitFor("same document; it will be reused")
	f.press("enter")
	f.waitFor("How does the platform read")
	f.press("enter")
	f.waitFor("The platform signs in")
	f.press("enter")
	f.waitFor("exists (it holds 1 access key)", "AKIAEARLIERKEY000001")
	f.press("enter")
	f.waitFor("= reuse  bucket acme-media", "= reuse  policy "+DefaultPolicyName, "= reuse  user "+DefaultUserName, "Create an access key for")
	f.press("enter")
	f.waitFor("AWS shows the secret")
	f.press("c")
	f.waitFor("not confirmed: press y")
	f.press("y")
	f.waitFor("Secret copied and pasted")
	f.press("enter")
	f.skipSync()
	f.waitFor("acme-media (existing)")
	f.press("enter")
	app := f.final()

	if app.Step() != steps.Done {
		t.Fatalf("ended on %v", app.Step())
	}
	for _, m := range []string{"CreateBucket", "BlockPublicAccess", "EnableDefaultEncryption", "CreatePolicy", "AddPolicyVersion", "CreateUser"} {
		if n := fake.Count(m); n != 0 {
			t.Errorf("%s called %d times on resources that are not s3link's", m, n)
		}
	}
	if pab, _, _ := fake.HasBucket("acme-media"); pab.AllBlocked() {
		t.Error("the existing bucket's Block Public Access was changed")
	}
	if _, n, _ := fake.PolicyDocument(DefaultPolicyName); n != 1 {
		t.Errorf("policy has %d versions, want the 1 it had", n)
	}
	if !fake.Attached(DefaultUserName, arn) {
		t.Error("the policy was not attached")
	}
	ids, _ := fake.UserKeys(DefaultUserName)
	if len(ids) != 2 || !slices.Contains(ids, "AKIAEARLIERKEY000001") {
		t.Errorf("keys = %v, want the earlier one and a new one", ids)
	}
	rec := loadRecord(t, deps.RecordDir, DefaultUserName)
	if rec.Bucket.Created || rec.Policy.Created || rec.User.Created || !rec.User.Attached || len(rec.AccessKeys) != 1 {
		t.Errorf("record claims reused things were created: %+v", rec)
	}
}

func TestFlowFailureThenRollback(t *testing.T) {
	fake := awsopstest.New(t)
	fake.Fail("CreateUser", awsops.ErrAccessDenied)
	fake.Expect("DeletePolicy", "arn:aws:iam::123456789012:policy/"+DefaultPolicyName)
	fake.Expect("DeleteBucket", "acme-media")
	deps := testDeps(t, fake)

	f := startFlow(t, deps)
	f.walkNewBucket("acme-media", "eu-west-1", "imports")
	f.press("enter")
	f.waitFor("failed. AWS denied the request", "Already in place: bucket acme-media, policy")
	path := recordPathFor(t, deps.RecordDir, DefaultUserName)
	if rec, err := journal.Load(path); err != nil || !rec.Bucket.Created || rec.Policy.ARN == "" {
		t.Fatalf("record after the failure = %+v, %v; want the bucket and the policy", rec, err)
	}
	f.press("u")
	f.waitFor("Nothing from this run is left in AWS")
	f.press("q")
	app := f.final()

	fake.Verify(t)
	if _, _, ok := fake.HasBucket("acme-media"); ok {
		t.Error("the bucket survived the rollback")
	}
	if _, _, ok := fake.PolicyDocument(DefaultPolicyName); ok {
		t.Error("the policy survived the rollback")
	}
	if n := fake.Count("DeleteUser"); n != 0 {
		t.Errorf("DeleteUser called %d times for a user never created", n)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the record outlived a full rollback: %v", err)
	}
	if app.Summary() != "" {
		t.Error("a rolled-back run printed a summary")
	}
}

func TestFlowKeyGuardDeletesKey(t *testing.T) {
	fake := awsopstest.New(t)
	deps := testDeps(t, fake)
	f := startFlow(t, deps)
	f.walkNewBucket("acme-media", "eu-west-1", "")
	f.press("enter")
	f.waitFor("AWS shows the secret")
	f.press("ctrl+c")
	f.waitFor("can never show it again", "delete the unsaved key")
	f.press("d")
	app := f.final()

	ids, ok := fake.UserKeys(DefaultUserName)
	if !ok || len(ids) != 0 {
		t.Fatalf("user keys = %v (user exists %v), want none", ids, ok)
	}
	if !app.keyScr().deleted {
		t.Error("the key screen does not know the key was deleted")
	}
	rec := loadRecord(t, deps.RecordDir, DefaultUserName)
	if len(rec.AccessKeys) != 0 {
		t.Errorf("record still lists keys %+v", rec.AccessKeys)
	}
	if err := app.Err(); err != nil {
		t.Errorf("Err() = %v after deleting the key and leaving", err)
	}
}

func readAll(r interface{ Read([]byte) (int, error) }) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(r)
	return b.Bytes(), err
}

// The secret is drawn only when asked for; the raw stream of a run that
// never asked must not hold it, nor the text printed after exit.
func TestFlowSecretNeverDrawnUnasked(t *testing.T) {
	fake := awsopstest.New(t)
	deps := testDeps(t, fake)
	clip := &clipRecorder{}
	deps.Clipboard = clip.write
	f := startFlow(t, deps)
	f.walkNewBucket("acme-media", "eu-west-1", "x")
	f.press("enter")
	f.waitFor("AWS shows the secret")
	f.press("c")
	f.waitFor("not confirmed: press y")
	f.press("y")
	f.waitFor("Secret copied and pasted")
	f.press("enter")
	f.skipSync()
	f.waitFor("Paste into the platform")
	f.press("enter")
	app := f.final()
	secret := clip.value()
	if secret == "" {
		t.Fatal("nothing was copied")
	}
	out, err := readAll(f.tm.FinalOutput(t))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte(secret)) {
		t.Error("the output stream holds the secret although it was never revealed")
	}
	if strings.Contains(app.Summary(), secret) {
		t.Error("the summary holds the secret")
	}
}

// TestFlowRerunOfTheSameSetup: the wizard run again with the answers of
// an earlier setup reviews what really happens: everything is reused, the
// earlier key is kept (no second active key) unless n asks for a new one.
func TestFlowRerunOfTheSameSetup(t *testing.T) {
	fake := awsopstest.New(t)
	deps := testDeps(t, fake)
	deps.Clipboard = (&clipRecorder{}).write

	first := startFlow(t, deps)
	first.walkNewBucket("acme-media", "eu-west-1", "imports/2026")
	first.press("enter")
	first.waitFor("AWS shows the secret")
	first.press("c")
	first.waitFor("not confirmed: press y")
	first.press("y")
	first.waitFor("Secret copied and pasted")
	first.press("enter")
	first.skipSync()
	first.waitFor("Paste into the platform")
	first.press("enter")
	first.final()
	keys, _ := fake.UserKeys(DefaultUserName)
	if len(keys) != 1 {
		t.Fatalf("first run keys = %v", keys)
	}
	creates := fake.Count("CreateBucket") + fake.Count("CreatePolicy") + fake.Count("CreateUser") + fake.Count("CreateAccessKey")

	f := startFlow(t, deps)
	f.waitFor("Account", "123456789012")
	f.press("enter")
	f.waitFor("Create a new bucket")
	f.press("enter")
	f.typeText("acme-media")
	f.press("tab")
	f.typeText("eu-west-1")
	f.press("enter")
	// The bucket carries the earlier setup's id: no "you already own it".
	f.waitFor("Which folder in acme-media")
	f.tm.Send(tea.PasteMsg{Content: "imports/2026"})
	f.press("enter")
	f.skipUpload()
	f.waitFor("What it allows")
	f.press("enter")
	f.waitFor("same document; it will be reused")
	f.press("enter")
	f.waitFor("How does the platform read")
	f.press("enter")
	f.waitFor("The platform signs in")
	f.press("enter")
	f.waitFor("exists (it holds 1 access key)")
	f.press("enter")
	f.waitFor("= reuse  bucket acme-media — created by this setup earlier", "= reuse  access key "+keys[0], "n make a new key instead")
	f.press("enter")
	f.waitFor("No new access key was made", keys[0])
	f.press("enter")
	f.waitFor("Paste into the platform", keys[0])
	f.press("enter")
	app := f.final()

	if app.Step() != steps.Done {
		t.Fatalf("ended on %v", app.Step())
	}
	if n := fake.Count("CreateBucket") + fake.Count("CreatePolicy") + fake.Count("CreateUser") + fake.Count("CreateAccessKey"); n != creates {
		t.Errorf("the re-run made %d create calls", n-creates)
	}
	if after, _ := fake.UserKeys(DefaultUserName); !slices.Equal(after, keys) {
		t.Errorf("keys after the re-run = %v, want only %v", after, keys)
	}
}
