package ui

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/awsopstest"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/steps"
)

// Walking helpers: each takes a driver from one screen to the next with
// the default answers.

func toBucket(t *testing.T, d *driver) {
	t.Helper()
	d.wantStep(steps.Identity)
	d.press("enter")
	d.wantStep(steps.Bucket)
}

func toLocationNew(t *testing.T, d *driver, name, region string) {
	t.Helper()
	toBucket(t, d)
	d.press("enter") // create a new bucket
	d.typeText(name)
	d.press("enter") // to the region field
	d.typeText(region)
	d.press("enter")
	d.wantStep(steps.Location)
}

func toLocationExisting(t *testing.T, d *driver, name string) {
	t.Helper()
	toBucket(t, d)
	d.press("down", "enter")
	d.paste(name)
	d.press("enter")
	d.wantStep(steps.Location)
}

func toPolicy(t *testing.T, d *driver, prefix string) {
	t.Helper()
	d.typeText(prefix)
	d.press("enter")
	if d.app.Step() == steps.Upload {
		skipUpload(t, d)
	}
	d.wantStep(steps.Policy)
}

// skipUpload answers the upload offer of an empty location with Skip.
func skipUpload(t *testing.T, d *driver) {
	t.Helper()
	d.wantStep(steps.Upload)
	d.press("down", "down", "enter")
}

// skipSync leaves the proof download without running it.
func skipSync(t *testing.T, d *driver) {
	t.Helper()
	d.wantStep(steps.Sync)
	d.press("esc")
	d.wantStep(steps.Done)
}

func toReviewNew(t *testing.T, d *driver) {
	t.Helper()
	toLocationNew(t, d, "acme-media", "eu-west-1")
	toPolicy(t, d, "imports/2026")
	d.press("enter")
	d.wantStep(steps.Access)
	d.press("enter")
	d.wantStep(steps.User)
	d.press("enter")
	d.wantStep(steps.Review)
}

func requireFrame(t *testing.T, d *driver) {
	t.Helper()
	if n := strings.Count(d.view(), "\n") + 1; n != 24 {
		t.Fatalf("frame has %d lines, want 24:\n%s", n, d.view())
	}
	for i, l := range strings.Split(d.view(), "\n") {
		if w := ansi.StringWidth(l); w > 80 {
			t.Fatalf("line %d is %d columns wide, want at most 80: %q", i+1, w, l)
		}
	}
	d.golden()
}

func TestIdentityView(t *testing.T) {
	d := newDriver(t, testDeps(t, awsopstest.New(t)))
	requireFrame(t, d)
}

func TestIdentitySandbox(t *testing.T) {
	deps := testDeps(t, awsopstest.New(t))
	deps.Sandbox, deps.Profile = true, ""
	d := newDriver(t, deps)
	d.wantView("SANDBOX", "[sandbox]", "123456789012")
	requireFrame(t, d)
}

func TestIdentityNoCredentials(t *testing.T) {
	f := awsopstest.New(t)
	f.FailOnce("WhoAmI", awsops.ErrNoCredentials)
	d := newDriver(t, testDeps(t, f))
	d.wantView("aws configure", "s3link --sandbox")
	requireFrame(t, d)
	d.press("r")
	d.wantView("arn:aws:iam::123456789012:user/admin")
}

func TestIdentityExpiredSSO(t *testing.T) {
	f := awsopstest.New(t)
	f.Fail("WhoAmI", awsops.ErrExpiredCredentials)
	d := newDriver(t, testDeps(t, f))
	d.wantView("aws sso login --profile work")
	d.press("enter")
	d.wantStep(steps.Identity)
}

func writeProfiles(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte("[default]\nregion = us-east-1\n[profile media-admin]\nregion = eu-west-1\n[profile sandbox]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", cfg)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_PROFILE", "")
}

func TestIdentityProfilePicker(t *testing.T) {
	writeProfiles(t)
	f := awsopstest.New(t)
	other := awsopstest.New(t)
	other.Identity.Account = "210987654321"
	other.Identity.ARN = "arn:aws:iam::210987654321:user/media-admin"
	deps := testDeps(t, f)
	deps.Profile = ""
	var built []string
	deps.NewOps = func(p string) (Ops, error) {
		built = append(built, p)
		return other, nil
	}
	d := newDriver(t, deps)
	d.wantView("default", "media-admin", "sandbox")
	requireFrame(t, d)
	d.typeText("media")
	d.press("enter")
	if len(built) != 1 || built[0] != "media-admin" {
		t.Fatalf("built clients for %v, want [media-admin]", built)
	}
	d.wantView("210987654321", "media-admin")
	if f.Count("WhoAmI") != 0 {
		t.Error("the default credentials were asked although a profile was picked")
	}
}

func TestBucketChoiceView(t *testing.T) {
	d := newDriver(t, testDeps(t, awsopstest.New(t)))
	toBucket(t, d)
	requireFrame(t, d)
}

func TestBucketNewInvalidName(t *testing.T) {
	d := newDriver(t, testDeps(t, awsopstest.New(t)))
	toBucket(t, d)
	d.press("enter")
	d.typeText("Acme_Media")
	requireFrame(t, d)
	d.press("enter")
	d.wantStep(steps.Bucket)
	if d.app.bucketScr().focus != focusName {
		t.Error("enter on an invalid name left the name field")
	}
}

func TestBucketNewRegionTyped(t *testing.T) {
	d := newDriver(t, testDeps(t, awsopstest.New(t)))
	toBucket(t, d)
	d.press("enter")
	d.typeText("acme-media")
	d.press("tab")
	d.typeText("us-gov-west-1") // valid shape, not in the list
	d.press("enter")
	d.wantStep(steps.Location)
	if got := d.app.w.spec.Region; got != "us-gov-west-1" {
		t.Errorf("region = %q, want the typed us-gov-west-1", got)
	}
}

func TestBucketExistingView(t *testing.T) {
	f := awsopstest.New(t)
	f.AddBucket("acme-archive", "us-east-1", awsops.PublicAccess{BlockPublicAcls: true, IgnorePublicAcls: true})
	f.AddBucket("acme-media", "eu-west-1", awsops.PublicAccess{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true})
	d := newDriver(t, testDeps(t, f))
	toBucket(t, d)
	d.press("down", "enter")
	d.wantView("acme-archive", "acme-media", "BlockPublicPolicy, RestrictPublicBuckets")
	requireFrame(t, d)
	d.press("down")
	d.wantView("all four settings on")
	d.press("enter")
	d.wantStep(steps.Location)
	if s := d.app.w.spec; s.Bucket != "acme-media" || s.Region != "eu-west-1" || !s.ExistingBucket {
		t.Errorf("spec = %+v, want existing acme-media in eu-west-1", s)
	}
}

func TestLocationView(t *testing.T) {
	f := awsopstest.New(t)
	f.AddBucket("acme-media", "eu-west-1", awsops.PublicAccess{})
	f.Summaries["acme-media/imports/2026"] = awsops.PrefixSummary{Objects: 1000, Bytes: 5 << 30, Truncated: true}
	d := newDriver(t, testDeps(t, f))
	toLocationExisting(t, d, "acme-media")
	d.paste("/imports//2026/")
	d.wantView("imports/2026", "s3://acme-media/imports/2026/", "at least 1000 objects")
	requireFrame(t, d)
}

func TestLocationInvalid(t *testing.T) {
	d := newDriver(t, testDeps(t, awsopstest.New(t)))
	toLocationNew(t, d, "acme-media", "eu-west-1")
	d.typeText("a/../b")
	d.wantView(`"." or ".."`)
	requireFrame(t, d)
	d.press("enter")
	d.wantStep(steps.Location)
}

func TestLocationDropsStaleSummary(t *testing.T) {
	f := awsopstest.New(t)
	f.AddBucket("acme-media", "eu-west-1", awsops.PublicAccess{})
	d := newDriver(t, testDeps(t, f))
	toLocationExisting(t, d, "acme-media")
	d.paste("new")
	stale := prefixSummarizedMsg{ID: d.app.locScr().reqID - 1, Bucket: "acme-media", Prefix: "new", Summary: awsops.PrefixSummary{Objects: 99}}
	d.send(stale)
	if strings.Contains(d.view(), "99 objects") {
		t.Fatal("a stale summary was shown")
	}
}

func TestPolicyView(t *testing.T) {
	d := newDriver(t, testDeps(t, awsopstest.New(t)))
	toLocationNew(t, d, "acme-media", "eu-west-1")
	toPolicy(t, d, "imports/2026")
	d.wantView("CrowdAI-Platform-Access", "s3://acme-media/imports/2026/")
	requireFrame(t, d)
	d.press("pgdown")
	d.wantView(`"arn:aws:s3:::acme-media/imports/2026/*"`)
}

func TestPolicyRootView(t *testing.T) {
	d := newDriver(t, testDeps(t, awsopstest.New(t)))
	toLocationNew(t, d, "acme-media", "eu-west-1")
	toPolicy(t, d, "")
	requireFrame(t, d)
	d.press("pgdown")
	d.wantView(`"arn:aws:s3:::acme-media/*"`)
}

func TestPolicyNameWithSpaces(t *testing.T) {
	d := newDriver(t, testDeps(t, awsopstest.New(t)))
	toLocationNew(t, d, "acme-media", "eu-west-1")
	toPolicy(t, d, "imports")
	d.press("ctrl+u")
	d.typeText("CrowdAI Platform Access")
	d.wantView("Use CrowdAI-Platform-Access instead? Press tab.")
	requireFrame(t, d)
	d.press("enter")
	d.wantStep(steps.Policy)
	d.press("tab")
	if got := d.app.polScr().name(); got != "CrowdAI-Platform-Access" {
		t.Fatalf("name after tab = %q", got)
	}
	d.press("enter")
	d.wantStep(steps.Access)
	d.press("enter")
	d.wantStep(steps.User)
}

func TestPolicyTakenSameDocument(t *testing.T) {
	f := awsopstest.New(t)
	f.AddPolicy(DefaultPolicyName, awsops.PolicyDocument("acme-media", "imports"))
	d := newDriver(t, testDeps(t, f))
	toLocationNew(t, d, "acme-media", "eu-west-1")
	toPolicy(t, d, "imports")
	d.press("enter")
	d.wantView("exists with the same document; it will be reused")
	requireFrame(t, d)
	d.press("enter")
	d.wantStep(steps.Access)
	d.press("enter")
	d.wantStep(steps.User)
}

func TestPolicyTakenDifferentDocument(t *testing.T) {
	f := awsopstest.New(t)
	f.AddPolicy(DefaultPolicyName, awsops.PolicyDocument("other-bucket", ""))
	d := newDriver(t, testDeps(t, f))
	toLocationNew(t, d, "acme-media", "eu-west-1")
	toPolicy(t, d, "imports")
	d.press("enter")
	d.wantView("different document and s3link did not", "will not change it", "Use CrowdAI-Platform-Access-acme-media-imports instead", "Type another name")
	requireFrame(t, d)
	d.press("down", "enter")
	d.wantStep(steps.Policy)
	d.press("ctrl+u")
	d.typeText("Acme-Media-Read")
	d.press("enter")
	d.wantStep(steps.Access)
	d.press("enter")
	d.wantStep(steps.User)
	if got := d.app.w.spec.PolicyName; got != "Acme-Media-Read" {
		t.Errorf("policy name = %q", got)
	}
}

func TestUserView(t *testing.T) {
	d := newDriver(t, testDeps(t, awsopstest.New(t)))
	toLocationNew(t, d, "acme-media", "eu-west-1")
	toPolicy(t, d, "imports")
	d.press("enter")
	d.wantStep(steps.Access)
	d.press("enter")
	d.wantStep(steps.User)
	d.press("tab")
	d.typeText("team=media, bad")
	d.wantView("key=value")
	requireFrame(t, d)
	d.press("enter")
	d.wantStep(steps.User)
	d.press("backspace", "backspace", "backspace", "backspace", "backspace")
	d.press("enter")
	d.wantStep(steps.Review)
	if got := d.app.w.spec.Tags; len(got) != 1 || got["team"] != "media" {
		t.Errorf("tags = %v, want team=media", got)
	}
}

func TestUserTwoKeys(t *testing.T) {
	f := awsopstest.New(t)
	now := awsopstest.Epoch
	f.AddUser(DefaultUserName,
		awsops.KeyInfo{ID: "AKIAOLDOLDOLDOLDOLD1", Status: "Active", Created: now.Add(-400 * 24 * time.Hour), LastUsed: now.Add(-200 * 24 * time.Hour)},
		awsops.KeyInfo{ID: "AKIANEWNEWNEWNEWNEW2", Status: "Active", Created: now.Add(-10 * 24 * time.Hour)},
	)
	d := newDriver(t, testDeps(t, f))
	toLocationNew(t, d, "acme-media", "eu-west-1")
	toPolicy(t, d, "imports")
	d.press("enter", "enter", "enter")
	d.wantView("already holds 2 access keys", "400 days ago", "last used 200 days ago", "never used")
	requireFrame(t, d)
	d.press("enter")
	d.wantStep(steps.Review)
	if got := d.app.w.spec.DeleteKeyID; got != "AKIAOLDOLDOLDOLDOLD1" {
		t.Errorf("DeleteKeyID = %q, want the oldest key", got)
	}
	acts := d.app.revScr().plan
	if len(acts) < 2 || acts[len(acts)-2].Title != "Delete the old access key AKIAOLDOLDOLDOLDOLD1 of "+DefaultUserName {
		t.Errorf("review plan = %+v, want the old key deleted before the new one is made", acts)
	}
}

func TestReviewView(t *testing.T) {
	f := awsopstest.New(t)
	d := newDriver(t, testDeps(t, f))
	toReviewNew(t, d)
	requireFrame(t, d)
	for _, m := range f.Methods() {
		switch m {
		case "WhoAmI", "InspectBucket", "InspectPolicy", "InspectUser", "ListAccessKeys", "SummarizePrefix":
		default:
			t.Errorf("%s was called before the plan was confirmed", m)
		}
	}
	d.press("esc")
	d.wantStep(steps.User)
}

func TestApplyFailedView(t *testing.T) {
	f := awsopstest.New(t)
	f.FailOnce("CreateUser", awsops.ErrAccessDenied)
	deps := testDeps(t, f)
	deps.RecordDir = "" // its path is random; the flows check the record
	d := newDriver(t, deps)
	toReviewNew(t, d)
	d.press("enter")
	d.wantStep(steps.Apply)
	d.wantView("✗ Create IAM user crowdai-platform-access", "failed. AWS denied the request", "bucket acme-media, policy CrowdAI-Platform-Access")
	requireFrame(t, d)
	if pb := d.app.View().ProgressBar; pb == nil || pb.State.String() != "Error" {
		t.Errorf("progress bar = %+v, want the error state", pb)
	}
	d.press("esc")
	d.wantStep(steps.Apply)
	d.wantView("going back would not undo them")
	d.press("r")
	d.wantStep(steps.Key)
}

func TestKeyView(t *testing.T) {
	f := awsopstest.New(t)
	d := newDriver(t, testDeps(t, f))
	toReviewNew(t, d)
	d.press("enter")
	d.wantStep(steps.Key)
	secret := d.app.keyScr().st.Key.Secret.Reveal()
	if strings.Contains(d.view(), secret) {
		t.Fatal("the secret is shown before s was pressed")
	}
	requireFrame(t, d)
	d.press("s")
	if !strings.Contains(d.view(), secret) {
		t.Fatal("s did not reveal the secret")
	}
	d.press("s")
	if strings.Contains(d.view(), secret) {
		t.Fatal("second s did not hide the secret")
	}
}

func TestKeyGuardView(t *testing.T) {
	d := newDriver(t, testDeps(t, awsopstest.New(t)))
	toReviewNew(t, d)
	d.press("enter", "enter")
	d.wantStep(steps.Key)
	d.wantView("can never show it again", "delete the unsaved key")
	requireFrame(t, d)
	d.press("b")
	d.wantStep(steps.Key)
	d.press("esc")
	d.wantView("can never show it again")
}

func TestKeyCopy(t *testing.T) {
	tests := []struct {
		name   string
		native error
		want   string
	}{
		{name: "native clipboard", want: "Native clipboard: ✓ secret copied. OSC 52: sent to the terminal"},
		{name: "OSC 52 only", native: errNoClipboard, want: "Native clipboard: ✗ none here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := awsopstest.New(t)
			clip := &clipRecorder{err: tt.native}
			deps := testDeps(t, f)
			deps.Clipboard = clip.write
			d := newDriver(t, deps)
			toReviewNew(t, d)
			d.press("enter", "c")
			d.wantView(tt.want)
			secret := d.app.keyScr().st.Key.Secret.Reveal()
			if tt.native == nil && clip.value() != secret {
				t.Error("the native clipboard did not get the secret")
			}
			if strings.Contains(d.view(), secret) {
				t.Error("copying drew the secret")
			}
			if strings.Contains(d.view(), "✓ Secret") {
				t.Errorf("an unconfirmed copy shows a ✓ for the secret:\n%s", d.view())
			}
			// A copy alone does not lift the guard: OSC 52 cannot be
			// confirmed. y (pasted) does.
			d.press("enter")
			d.wantStep(steps.Key)
			d.wantView("⚠ The secret was sent to", "y  I pasted it: continue")
			d.press("y")
			skipSync(t, d)
			if got := d.app.keyScr().handOver(); got != handConfirmed {
				t.Errorf("hand-over = %v, want %v", got, handConfirmed)
			}
		})
	}
}

func TestKeySaveCSV(t *testing.T) {
	f := awsopstest.New(t)
	d := newDriver(t, testDeps(t, f))
	toReviewNew(t, d)
	d.press("enter")
	path := filepath.Join(t.TempDir(), "key.csv")
	d.press("w", "ctrl+u")
	d.typeText(path)
	d.press("enter")
	d.wantView("Saved the key to")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	key := d.app.keyScr().st.Key
	if !strings.Contains(string(data), key.ID+","+key.Secret.Reveal()) {
		t.Error("the CSV does not hold the key")
	}
	// A second save to the same path is refused, not overwritten.
	d.press("w", "ctrl+u")
	d.typeText(path)
	d.press("enter")
	if d.app.keyScr().failed != true {
		t.Errorf("saving over an existing file was not refused:\n%s", d.view())
	}
	d.press("enter")
	skipSync(t, d)
}

func TestDoneView(t *testing.T) {
	f := awsopstest.New(t)
	deps := testDeps(t, f)
	deps.RecordDir = "" // its path is random; the flows check the record
	d := newDriver(t, deps)
	toReviewNew(t, d)
	d.press("enter", "c", "y", "enter")
	skipSync(t, d)
	requireFrame(t, d)
	d.press("enter")
	if !d.quit {
		t.Fatal("enter on Done did not quit")
	}
	sum := d.app.Summary()
	key := d.app.revScr().st.Key
	if strings.Contains(sum, key.Secret.Reveal()) {
		t.Fatal("the summary printed after exit holds the secret")
	}
	for _, want := range []string{"acme-media", "imports/2026", "eu-west-1", key.ID} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	if err := d.app.Err(); err != nil {
		t.Errorf("Err() = %v after Done", err)
	}
}

func TestQuitBeforeReviewIsCancel(t *testing.T) {
	f := awsopstest.New(t)
	d := newDriver(t, testDeps(t, f))
	toBucket(t, d)
	d.press("ctrl+c")
	if !d.quit {
		t.Fatal("ctrl+c did not quit")
	}
	if err := d.app.Err(); !errors.Is(err, errCanceled) {
		t.Errorf("Err() = %v, want context.Canceled", err)
	}
}

func TestResize(t *testing.T) {
	d := newDriver(t, testDeps(t, awsopstest.New(t)))
	toLocationNew(t, d, "acme-media", "eu-west-1")
	toPolicy(t, d, "imports")
	d.send(windowSize(100, 40))
	if n := strings.Count(d.view(), "\n") + 1; n != 40 {
		t.Fatalf("frame has %d lines after resize, want 40", n)
	}
	if h := d.app.polScr().vp.Height(); h <= 8 {
		t.Errorf("viewport height %d did not grow with the window", h)
	}
	d.send(windowSize(80, 24))
	requireFrame(t, d)
}

func TestFullHelp(t *testing.T) {
	d := newDriver(t, testDeps(t, awsopstest.New(t)))
	toBucket(t, d)
	d.press("enter", "?")
	d.wantView("next field", "↑ up", "esc")
	if n := strings.Count(d.view(), "\n") + 1; n != 24 {
		t.Fatalf("frame with full help has %d lines, want 24", n)
	}
}

func TestReviewExportView(t *testing.T) {
	f := awsopstest.New(t)
	deps := testDeps(t, f)
	// The real wizard exports into the current folder. The driver runs
	// each Cmd at once, so the folder is made before the keys return.
	work := t.TempDir()
	deps.WorkDir = ""
	d := newDriver(t, deps)
	toReviewNew(t, d)
	orig, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	inWork := func(keys ...string) {
		t.Helper()
		if err := os.Chdir(work); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := os.Chdir(orig); err != nil {
				t.Fatal(err)
			}
		}()
		d.press(keys...)
	}

	d.press("x")
	d.wantView("Export the plan (nothing is created) as: 1 text · 2 JSON · 3 AWS CLI script", "5 Terraform", "1-5 choose the form")
	d.press("esc")
	d.wantStep(steps.Review)
	if strings.Contains(d.view(), "Export the plan") {
		t.Fatalf("esc did not cancel the export:\n%s", d.view())
	}

	inWork("x", "2")
	d.wantStep(steps.Review)
	d.wantView("✓ Wrote plan.json into s3link-acme-media-plan-json/ (plan only: nothing was", "x export")
	requireFrame(t, d)
	b, err := os.ReadFile(filepath.Join(work, "s3link-acme-media-plan-json", "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp setup.PlanExport
	if err := json.Unmarshal(b, &exp); err != nil || len(exp.Actions) == 0 || exp.Actions[0].Command == "" {
		t.Fatalf("plan.json = %s, %v", b, err)
	}
	if fi, err := os.Stat(filepath.Join(work, "s3link-acme-media-plan-json")); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("export folder: %v, %v; want mode 0700", fi, err)
	}

	// Again: a new folder, the first left as it was.
	inWork("x", "2")
	d.wantView("into s3link-acme-media-plan-json-2/")
	if b2, err := os.ReadFile(filepath.Join(work, "s3link-acme-media-plan-json", "plan.json")); err != nil || string(b2) != string(b) {
		t.Errorf("the first export changed: %v", err)
	}
	inWork("x", "3")
	d.wantView("Wrote policy.json, setup.sh into s3link-acme-media-plan-cli/")
	if _, err := os.Stat(filepath.Join(work, "s3link-acme-media-plan-cli", "setup.sh")); err != nil {
		t.Error(err)
	}
	for _, m := range f.Methods() {
		switch m {
		case "WhoAmI", "InspectBucket", "InspectPolicy", "InspectUser", "ListAccessKeys", "SummarizePrefix":
		default:
			t.Errorf("%s was called by an export", m)
		}
	}
	// The plan can still be confirmed, and runs.
	d.press("enter")
	d.wantStep(steps.Key)
}

func TestReviewExportFailureIsOneSentence(t *testing.T) {
	f := awsopstest.New(t)
	deps := testDeps(t, f)
	deps.WorkDir = filepath.Join(t.TempDir(), "missing", "deeper")
	d := newDriver(t, deps)
	toReviewNew(t, d)
	d.press("x", "1")
	d.wantStep(steps.Review)
	d.wantView("✗ The plan could not be exported: make the folder")
}
