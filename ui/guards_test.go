package ui

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/awsopstest"
	"github.com/s3link/s3link/steps"
)

// ctrl+c with answers typed asks first; n keeps going with every answer
// where it was, y quits as a cancel (exit 130 in the CLI).
func TestFlowQuitGuardKeepsAnswers(t *testing.T) {
	fake := awsopstest.New(t)
	f := startFlow(t, testDeps(t, fake))
	f.waitFor("Account", "123456789012")
	f.press("enter")
	f.waitFor("Create a new bucket")
	f.press("enter")
	f.typeText("acme-media")
	f.waitFor("valid name")
	f.press("ctrl+c")
	f.waitFor(quitPrompt, "y quit", "n keep going")
	f.press("n")
	f.typeText("-x")
	f.press("tab")
	f.typeText("eu-west-1")
	f.press("enter")
	f.waitFor("Which folder in acme-media-x")
	f.typeText("imports")
	f.press("ctrl+c")
	f.waitFor(quitPrompt)
	f.press("esc")
	// esc answered the question (the bar is back, the prompt gone); it did
	// not go back.
	f.waitFor("? more keys")
	f.typeText("/2026")
	f.press("ctrl+c")
	f.waitFor(quitPrompt)
	f.press("y")
	app := f.final()
	if got := app.bucketScr().name.Value(); got != "acme-media-x" {
		t.Errorf("bucket name = %q, want acme-media-x", got)
	}
	if got := app.locScr().input.Value(); got != "imports/2026" {
		t.Errorf("path = %q, want imports/2026", got)
	}
	if !errors.Is(app.Err(), errCanceled) {
		t.Errorf("Err() = %v, want context.Canceled (exit 130)", app.Err())
	}
	if app.Step() != steps.Location {
		t.Errorf("quit from %v, want Location", app.Step())
	}
	if fake.Count("CreateBucket") != 0 {
		t.Error("a bucket was created before review")
	}
}

// A second ctrl+c is the yes; keys other than y, n and esc leave the
// question standing.
func TestQuitGuardSecondCtrlC(t *testing.T) {
	d := newDriver(t, testDeps(t, awsopstest.New(t)))
	toLocationNew(t, d, "acme-media", "eu-west-1")
	d.press("ctrl+c")
	if d.quit {
		t.Fatal("ctrl+c on the location screen quit without asking")
	}
	d.wantView(quitPrompt)
	d.press("x")
	d.wantView(quitPrompt)
	if strings.Contains(d.app.locScr().input.Value(), "x") {
		t.Error("a key typed at the question reached the input")
	}
	d.press("ctrl+c")
	if !d.quit || !errors.Is(d.app.Err(), errCanceled) {
		t.Fatalf("second ctrl+c: quit %v, Err %v", d.quit, d.app.Err())
	}
}

func TestQuitGuardView(t *testing.T) {
	d := newDriver(t, testDeps(t, awsopstest.New(t)))
	toReviewNew(t, d)
	d.press("ctrl+c")
	requireFrame(t, d)
}

// Going back and forth keeps every answer: the bucket name and region,
// the path, the policy name, the user name and tags.
func TestFlowBackKeepsAnswers(t *testing.T) {
	f := startFlow(t, testDeps(t, awsopstest.New(t)))
	f.waitFor("Account", "123456789012")
	f.press("enter")
	f.waitFor("Create a new bucket")
	f.press("enter")
	f.typeText("acme-media")
	f.waitFor("valid name")
	f.press("tab")
	f.typeText("eu-west-1")
	f.press("enter")
	f.waitFor("Which folder in acme-media")
	f.typeText("imports")
	f.press("enter")
	f.skipUpload()
	f.waitFor("What it allows")
	f.press("ctrl+u")
	f.typeText("Media-Read")
	f.press("enter")
	f.waitFor("How does the platform read")
	f.press("enter")
	f.waitFor("The platform signs in")
	f.press("ctrl+u")
	f.typeText("media-bot")
	f.press("tab")
	f.typeText("team=media")
	// All the way back to the bucket screen...
	f.press("esc")
	f.waitFor("How does the platform read")
	f.press("esc")
	f.waitFor("What it allows")
	f.press("esc")
	f.waitFor("Upload a folder of media")
	f.press("esc")
	f.waitFor("Which folder in acme-media")
	f.press("esc")
	f.waitFor("New bucket")
	// ...and forward again: nothing was lost.
	f.press("enter")
	f.waitFor("Which folder in acme-media")
	f.press("enter")
	f.skipUpload()
	f.waitFor("What it allows")
	f.press("enter")
	f.waitFor("How does the platform read")
	f.press("enter")
	f.waitFor("The platform signs in")
	f.press("enter")
	f.waitFor("Nothing has been created yet", "Create IAM policy Media-Read", "Create IAM user media-bot")
	f.press("ctrl+c", "y")
	app := f.final()
	s := app.Spec()
	if s.Bucket != "acme-media" || s.Region != "eu-west-1" || s.Prefix != "imports" || s.PolicyName != "Media-Read" || s.UserName != "media-bot" || s.Tags["team"] != "media" {
		t.Errorf("answers after going back and forth = %+v", s)
	}
}

var stepOf = regexp.MustCompile(`step (\d+) of (\d+)`)

// header reads "step N of M" from the frame.
func (d *driver) header() (int, int) {
	d.t.Helper()
	m := stepOf.FindStringSubmatch(d.view())
	if m == nil {
		d.t.Fatalf("no step count in:\n%s", d.view())
	}
	n, _ := strconv.Atoi(m[1])
	of, _ := strconv.Atoi(m[2])
	return n, of
}

// The total is the same on every screen of a whole path, and the number
// never goes down going forward.
func TestStepCountFixedAlongThePath(t *testing.T) {
	d := newDriver(t, testDeps(t, awsopstest.New(t)))
	type seen struct {
		step  steps.Step
		n, of int
	}
	var path []seen
	look := func() {
		n, of := d.header()
		if len(path) == 0 || path[len(path)-1].step != d.app.Step() {
			path = append(path, seen{d.app.Step(), n, of})
		}
	}
	look()
	d.press("enter")
	look()
	d.press("enter")
	d.typeText("acme-media")
	d.press("enter")
	d.typeText("eu-west-1")
	d.press("enter")
	look()
	d.typeText("imports")
	d.press("enter")
	look()
	d.wantStep(steps.Upload)
	d.press("down", "down", "enter")
	look()
	d.press("enter")
	look()
	d.press("enter")
	look()
	d.press("enter")
	look()
	d.press("enter")
	look()
	d.press("c", "y")
	d.press("enter")
	look()
	d.press("esc")
	look()
	d.wantStep(steps.Done)
	want := []steps.Step{steps.Identity, steps.Bucket, steps.Location, steps.Upload, steps.Policy, steps.Access, steps.User, steps.Review, steps.Key, steps.Sync, steps.Done}
	var got []steps.Step
	for _, p := range path {
		got = append(got, p.step)
	}
	if len(got) != len(want) {
		t.Fatalf("path = %v, want %v", got, want)
	}
	for i, p := range path {
		if p.step != want[i] {
			t.Fatalf("path = %v, want %v", got, want)
		}
		if p.of != 9 {
			t.Errorf("%v says %d of %d; the total must stay 9", p.step, p.n, p.of)
		}
		if i > 0 && p.n < path[i-1].n {
			t.Errorf("%v is step %d, after %v's %d", p.step, p.n, path[i-1].step, path[i-1].n)
		}
	}
	if last := path[len(path)-1]; last.n != last.of {
		t.Errorf("Done is step %d of %d, want the last", last.n, last.of)
	}
}

// Enter, down, enter sent together from the identity screen: the first
// enter moves on, down and enter reach the bucket screen and choose an
// existing bucket.
func TestFlowKeysSentTogether(t *testing.T) {
	fake := awsopstest.New(t)
	fake.AddBucket("acme-archive", "us-west-2", awsops.PublicAccess{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true})
	f := startFlow(t, testDeps(t, fake))
	f.waitFor("Account", "123456789012")
	f.press("enter", "down", "enter")
	f.waitFor("Existing bucket", "acme-archive", "all four settings on")
	f.press("ctrl+c", "y")
	if app := f.final(); app.bucketScr().phase != bucketExisting {
		t.Errorf("bucket screen phase %v, want existing", app.bucketScr().phase)
	}
}

// Keys typed while the bucket name is being looked up wait for the answer
// and reach the location screen that follows, in order.
func TestFlowKeysTypedDuringLookup(t *testing.T) {
	fake := awsopstest.New(t)
	f := startFlow(t, testDeps(t, fake))
	f.waitFor("Account", "123456789012")
	f.press("enter")
	f.waitFor("Create a new bucket")
	f.press("enter")
	f.typeText("acme-media")
	f.waitFor("valid name")
	f.press("tab")
	f.typeText("eu-west-1")
	release := fake.Hold(t, "InspectBucket")
	f.press("enter")
	f.waitFor("Checking whether a bucket of that name exists")
	f.typeText("photos")
	f.press("backspace")
	f.typeText("s/2026")
	release()
	f.waitFor("Which folder in acme-media", "photos/2026/")
	f.press("ctrl+c", "y")
	app := f.final()
	if got := app.locScr().input.Value(); got != "photos/2026" {
		t.Errorf("location input = %q, want photos/2026", got)
	}
	if r, _ := app.bucketScr().region(); r != "eu-west-1" {
		t.Errorf("region = %q: keys meant for the next screen reached the bucket screen", r)
	}
}

func folderFake(t testing.TB) *awsopstest.Fake {
	fake := awsopstest.New(t)
	fake.AddBucket("acme-archive", "us-west-2", awsops.PublicAccess{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true})
	fake.Folders["acme-archive"] = []string{"photos/2025/", "photos/2026/raw/", "videos/", "exports/"}
	return fake
}

func TestLocationFolderPicker(t *testing.T) {
	d := newDriver(t, testDeps(t, folderFake(t)))
	toLocationExisting(t, d, "acme-archive")
	d.wantView("Folders in s3://acme-archive/", "exports/", "photos/", "videos/")
	d.typeText("ph")
	d.press("tab")
	if got := d.app.locScr().input.Value(); got != "photos/" {
		t.Fatalf("tab completed to %q, want photos/", got)
	}
	d.wantView("Folders in s3://acme-archive/photos/", "2025/", "2026/")
	d.press("down", "tab")
	if got := d.app.locScr().input.Value(); got != "photos/2026/" {
		t.Fatalf("down, tab completed to %q, want photos/2026/", got)
	}
	requireFrame(t, d)
	d.press("enter")
	if got := d.app.Spec().Prefix; got != "photos/2026" {
		t.Errorf("prefix = %q, want photos/2026", got)
	}
}

func TestFlowLocationFolderPicker(t *testing.T) {
	fake := folderFake(t)
	f := startFlow(t, testDeps(t, fake))
	f.waitFor("Account", "123456789012")
	f.press("enter")
	f.waitFor("Use an existing bucket")
	f.press("down", "enter")
	f.waitFor("acme-archive", "all four settings on")
	f.press("enter")
	f.waitFor("Folders in s3://acme-archive/", "videos/")
	f.typeText("vid")
	f.press("tab")
	f.waitFor("No folders in s3://acme-archive/videos/")
	f.press("ctrl+c", "y")
	if got := f.final().locScr().input.Value(); got != "videos/" {
		t.Errorf("input = %q, want videos/", got)
	}
}

func TestHelpOverlayView(t *testing.T) {
	d := newDriver(t, testDeps(t, awsopstest.New(t)))
	toReviewNew(t, d)
	d.press("?")
	d.wantView("close this help", "scroll up", "scroll down", "pgup page up", "pgdn page down")
	requireFrame(t, d)
	d.press("?")
	d.wantView("? more keys")
}

// The review list of a re-run (decisions above the calls) is taller than
// 80x24 leaves: a mark says how much is below, and the footer keeps
// "? more keys".
func TestReviewMoreMarkView(t *testing.T) {
	fake := awsopstest.New(t)
	deps := testDeps(t, fake)
	deps.DemoDir = t.TempDir()
	if err := os.WriteFile(filepath.Join(deps.DemoDir, "a.jpg"), []byte("jpeg"), 0o600); err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, deps)
	toLocationNew(t, d, "acme-media", "eu-west-1")
	d.typeText("imports/2026")
	d.press("enter")
	d.wantStep(steps.Upload)
	d.wantView("1 file")
	d.press("enter")
	d.wantStep(steps.Policy)
	d.press("enter")
	d.wantStep(steps.Access)
	d.press("enter")
	d.wantStep(steps.User)
	d.press("enter")
	d.wantStep(steps.Review)
	d.wantView("more lines", "? more keys")
	requireFrame(t, d)
	d.press("pgdown", "pgdown")
	d.wantView("more lines above")
}

func TestIdentityEndpointAndEnvRegionView(t *testing.T) {
	fake := awsopstest.New(t)
	deps := testDeps(t, fake)
	fake.Identity.Region, fake.Identity.RegionSource = "eu-central-1", "AWS_REGION"
	fake.Identity.Endpoint, fake.Identity.EndpointSource = "http://127.0.0.1:4566", "AWS_ENDPOINT_URL"
	d := newDriver(t, deps)
	d.wantView("eu-central-1  (from AWS_REGION)", "Endpoint   http://127.0.0.1:4566")
	if strings.Contains(d.view(), "profile") && strings.Contains(d.view(), "region)") {
		t.Error("an env region is labelled as the profile's")
	}
	requireFrame(t, d)
	d.press("enter", "enter")
	d.wantView("eu-central-1", "(from AWS_REGION)")
}

func TestIdentityNoRegionView(t *testing.T) {
	fake := awsopstest.New(t)
	deps := testDeps(t, fake)
	fake.Identity.Region, fake.Identity.RegionSource = "", ""
	d := newDriver(t, deps)
	d.wantView("Region     not set: you will pick it")
}
