package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/awsopstest"
	"github.com/s3link/s3link/awsops/transfer"
	"github.com/s3link/s3link/awsops/transfer/download"
	"github.com/s3link/s3link/awsops/transfer/upload"
	"github.com/s3link/s3link/steps"
)

// fixedProgress is a mid-transfer sample: listing not done, more files in
// flight than fit, two failures.
func fixedProgress() transfer.Snapshot {
	p := transfer.Snapshot{
		Stats: transfer.Stats{
			BytesDone: 5_400_000, BytesTotal: 12_600_000,
			FilesTotal: 300, FilesDone: 120, FilesSkipped: 12, FilesFailed: 2,
			Rate: 2.5 * (1 << 20), ETA: 3 * time.Second, Elapsed: 2 * time.Second, Running: true,
		},
		Failures: []transfer.Failure{
			{Key: "surveys/spring-2026/site-02/tile-0017.jpg", Reason: "get \"tile-0017.jpg\": object no longer exists", Retryable: true},
			{Key: "surveys/spring-2026/site-05/../../escape.jpg", Reason: "key would be written outside the destination; not written"},
		},
	}
	for i := range 20 {
		p.Active = append(p.Active, transfer.Transfer{
			Key:  fmt.Sprintf("surveys/spring-2026/site-%02d/a-rather-long-folder-name/tile-%04d.jpg", i%8+1, 200+i),
			Done: int64(i+1) * 4096, Size: 90_000,
		})
	}
	return p
}

func startApp(t *testing.T, f *fakeTransfer) (transferApp, tea.Cmd) {
	t.Helper()
	m := newTransferApp(context.Background(), f, downloadLabels("s3://s3link-demo-media/surveys/spring-2026/", "./s3link-demo-media/surveys/spring-2026"), true)
	next, _ := m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	next, cmd := next.(transferApp).Update(startTransferMsg{})
	return next.(transferApp), cmd
}

func updateApp(t *testing.T, m transferApp, msg tea.Msg) (transferApp, tea.Cmd) {
	t.Helper()
	next, cmd := m.Update(msg)
	return next.(transferApp), cmd
}

func appView(m transferApp) string { return ansi.Strip(m.View().Content) }

func requireAppFrame(t *testing.T, m transferApp) {
	t.Helper()
	v := appView(m)
	if n := strings.Count(v, "\n") + 1; n != 24 {
		t.Fatalf("frame has %d lines, want 24:\n%s", n, v)
	}
	for i, l := range strings.Split(v, "\n") {
		if w := ansi.StringWidth(l); w > 80 {
			t.Fatalf("line %d is %d columns wide, want at most 80: %q", i+1, w, l)
		}
	}
	golden.RequireEqual(t, []byte(v))
}

// The screen drawn from a fixed sample, no engine behind it: bars for as
// many files in flight as fit, the rest counted, a file seen to finish
// between two samples, failures with reasons.
func TestTransferView(t *testing.T) {
	f := &fakeTransfer{}
	m, _ := startApp(t, f)
	first := fixedProgress()
	first.Active = append([]transfer.Transfer{{Key: "surveys/spring-2026/site-01/tile-0001.jpg", Done: 80_000, Size: 90_000}}, first.Active...)
	m, _ = updateApp(t, m, transferTickMsg{Screen: m.xfer.id, Run: m.xfer.runID, Snapshot: first})
	m, cmd := updateApp(t, m, transferTickMsg{Screen: m.xfer.id, Run: m.xfer.runID, Snapshot: fixedProgress()})
	if cmd == nil {
		t.Error("a sample of the running transfer did not re-arm the tick")
	}
	requireAppFrame(t, m)
	v := appView(m)
	for _, want := range []string{"132 of 300 files so far", "2.5 MiB/s", "… and ", "finished: site-01/tile-0001.jpg", "Failed: 2", "object no longer exists"} {
		if !strings.Contains(v, want) {
			t.Errorf("screen lacks %q", want)
		}
	}
	pb := m.View().ProgressBar
	if pb == nil || pb.State != tea.ProgressBarDefault || pb.Value != 43 {
		t.Errorf("native progress bar = %+v, want default state at 43%%", pb)
	}
}

func TestTransferSummaryView(t *testing.T) {
	f := &fakeTransfer{}
	m, _ := startApp(t, f)
	final := fixedProgress()
	final.Running, final.Active, final.ListingDone = false, nil, true
	res := transfer.Result{Done: 286, Skipped: 12, FailedCount: 2, Bytes: 12_000_000, Duration: 4200 * time.Millisecond, Failed: final.Failures}
	m, _ = updateApp(t, m, transferDoneMsg{Screen: m.xfer.id, Run: m.xfer.runID, Result: res, Final: final})
	requireAppFrame(t, m)
	if pb := m.View().ProgressBar; pb == nil || pb.State != tea.ProgressBarError {
		t.Errorf("native progress bar = %+v, want the error state after failures", pb)
	}
}

func TestTransferPauseResume(t *testing.T) {
	f := &fakeTransfer{}
	m, _ := startApp(t, f)
	m, _ = updateApp(t, m, keyMsg("p"))
	if !strings.Contains(appView(m), "paused") || !strings.Contains(appView(m), "p resume") {
		t.Errorf("after p the screen does not say paused:\n%s", appView(m))
	}
	if pb := m.View().ProgressBar; pb == nil || pb.State != tea.ProgressBarWarning {
		t.Errorf("native progress bar = %+v, want the warning state while paused", pb)
	}
	// A sample taken before the key was seen must not unpause the screen.
	m, _ = updateApp(t, m, transferTickMsg{Screen: m.xfer.id, Run: m.xfer.runID, Snapshot: transfer.Snapshot{Stats: transfer.Stats{Running: true}}})
	if !strings.Contains(appView(m), "paused") {
		t.Error("a stale sample unpaused the screen")
	}
	m, _ = updateApp(t, m, keyMsg("p"))
	if got := f.called(); !slices.Equal(got, []string{"Pause", "Resume"}) {
		t.Errorf("engine calls = %v, want Pause, Resume", got)
	}
	if strings.Contains(appView(m), "paused") {
		t.Error("the second p did not resume")
	}
}

// runInBackground runs the engine Cmd of a start (the first of its batch)
// and delivers its message on the returned channel.
func runInBackground(t *testing.T, start tea.Cmd) <-chan tea.Msg {
	t.Helper()
	batch, ok := start().(tea.BatchMsg)
	if !ok || len(batch) != 2 {
		t.Fatalf("start returned %T, want a batch of the run and the tick", batch)
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- batch[0]() }()
	return ch
}

func TestTransferCancelThenRunAgain(t *testing.T) {
	f := &fakeTransfer{release: make(chan struct{})}
	m, start := startApp(t, f)
	done := runInBackground(t, start)
	m, _ = updateApp(t, m, keyMsg("p"))
	m, _ = updateApp(t, m, keyMsg("ctrl+c"))
	if !strings.Contains(appView(m), "Cancelling") {
		t.Fatalf("ctrl+c during a run did not cancel it:\n%s", appView(m))
	}
	m, cmd := updateApp(t, m, <-done)
	if cmd != nil {
		t.Error("the end of a cancelled run quit at once; the summary must show first")
	}
	v := appView(m)
	if !strings.Contains(v, "Cancelled. Downloaded 1 file") || !strings.Contains(v, "Nothing half-written") {
		t.Errorf("summary after cancel:\n%s", v)
	}
	// A paused engine must be resumed for its workers to see the cancel.
	// Run is called from its own goroutine, so only its presence counts.
	got := f.called()
	slices.Sort(got)
	if !slices.Equal(got, []string{"Pause", "Resume", "Run"}) {
		t.Errorf("engine calls = %v, want Run, Pause and Resume", got)
	}
	// r after a cancel runs everything again: the failures list is not
	// complete.
	close(f.release)
	m, start = updateApp(t, m, keyMsg("r"))
	m, _ = updateApp(t, m, <-runInBackground(t, start))
	if got := f.called(); got[len(got)-1] != "Run" {
		t.Errorf("r after a cancel called %v, want Run", got)
	}
	if !m.xfer.finished() || m.xfer.canceled {
		t.Errorf("second run: finished %v, cancelled %v", m.xfer.finished(), m.xfer.canceled)
	}
	_, cmd = updateApp(t, m, keyMsg("q"))
	if cmd == nil {
		t.Fatal("q on the summary did nothing")
	}
	if _, ok := runNav(cmd).(tea.QuitMsg); !ok {
		t.Error("q on the summary did not quit the standalone screen")
	}
}

// runNav runs cmd and, when it yields a navigation message, the root's
// answer to it.
func runNav(cmd tea.Cmd) tea.Msg {
	msg := cmd()
	if _, ok := msg.(nextMsg); ok {
		return tea.QuitMsg{}
	}
	return msg
}

func TestTransferRetryFailed(t *testing.T) {
	f := &fakeTransfer{res: transfer.Result{Done: 3, FailedCount: 2, Failed: []transfer.Failure{{Key: "a.jpg", Reason: "reset", Retryable: true}, {Key: "b.jpg", Reason: "reset", Retryable: true}}}}
	m, start := startApp(t, f)
	m, _ = updateApp(t, m, <-runInBackground(t, start))
	if !strings.Contains(appView(m), "r retries the 2 failed") {
		t.Fatalf("summary does not offer a retry:\n%s", appView(m))
	}
	f.res = transfer.Result{Done: 5}
	m, start = updateApp(t, m, keyMsg("r"))
	if start == nil {
		t.Fatal("r started nothing")
	}
	m, _ = updateApp(t, m, <-runInBackground(t, start))
	if got := f.called(); !slices.Equal(got, []string{"Run", "RetryFailed"}) {
		t.Errorf("engine calls = %v, want Run, RetryFailed", got)
	}
	if !strings.Contains(appView(m), "✓ Downloaded 5 files") {
		t.Errorf("summary after the retry:\n%s", appView(m))
	}
	// Nothing left to retry: r does nothing.
	if _, cmd := updateApp(t, m, keyMsg("r")); cmd != nil {
		t.Error("r with nothing to retry started something")
	}
}

func TestTransferDropsStaleSamples(t *testing.T) {
	f := &fakeTransfer{}
	m, _ := startApp(t, f)
	for _, msg := range []transferTickMsg{
		{Screen: m.xfer.id, Run: m.xfer.runID - 1, Snapshot: fixedProgress()},
		{Screen: m.xfer.id + 1000, Run: m.xfer.runID, Snapshot: fixedProgress()},
	} {
		next, cmd := updateApp(t, m, msg)
		if cmd != nil || next.xfer.snap.FilesTotal != 0 {
			t.Errorf("a sample for run %d of screen %d was taken", msg.Run, msg.Screen)
		}
	}
	m, _ = updateApp(t, m, transferDoneMsg{Screen: m.xfer.id, Run: m.xfer.runID})
	if _, cmd := updateApp(t, m, transferTickMsg{Screen: m.xfer.id, Run: m.xfer.runID}); cmd != nil {
		t.Error("a sample after the run ended re-armed the tick")
	}
}

// The upload offer for a new bucket, counting a folder with two images and
// a text file.
func TestUploadChoiceView(t *testing.T) {
	// A relative folder keeps the golden free of the random temp path.
	pkg, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	t.Chdir(tmp)
	writeMedia(t, "media")
	deps := testDeps(t, awsopstest.New(t))
	deps.DemoDir = "media"
	d := newDriver(t, deps)
	toLocationNew(t, d, "acme-media", "eu-west-1")
	d.typeText("imports/2026")
	d.press("enter")
	d.wantStep(steps.Upload)
	d.wantView("3 files, 14.9 KiB to upload", "1 other file left out")
	// The golden lives beside the test; the folder in the temp dir.
	if err := os.Chdir(pkg); err != nil {
		t.Fatal(err)
	}
	requireFrame(t, d)
	if err := os.Chdir(tmp); err != nil {
		t.Fatal(err)
	}

	d.press("down", "space")
	d.wantView("4 files, 15.0 KiB to upload")
	d.press("space", "up")
	// tab completes a folder name.
	d.press("ctrl+u")
	d.typeText("me")
	d.press("tab")
	if got := d.app.uploadScr().input.Value(); got != "media/" {
		t.Errorf("tab completed %q to %q, want media/", "me", got)
	}
	d.press("enter")
	d.wantStep(steps.Policy)
	if u := d.app.w.upload; !u.Chosen || u.Files != 3 || u.Dir != "media/" || u.All {
		t.Errorf("upload answer = %+v", u)
	}
	d.press("enter", "enter", "enter")
	d.wantStep(steps.Review)
	d.press("pgdown")
	d.wantView("Upload 3 files (14.9 KiB) from media/ to", "s3link upload media/ s3://acme-media/imports/2026/")
}

func TestUploadOfferedOnlyWhenEmpty(t *testing.T) {
	f := awsopstest.New(t)
	f.AddBucket("acme-media", "us-west-2", awsops.PublicAccess{})
	f.Summaries["acme-media/full"] = awsops.PrefixSummary{Objects: 3, Bytes: 10}
	d := newDriver(t, testDeps(t, f))
	toLocationExisting(t, d, "acme-media")
	d.typeText("full")
	d.press("enter")
	d.wantStep(steps.Policy)
	d.press("esc")
	d.wantStep(steps.Location)
	d.press("ctrl+u")
	d.typeText("empty")
	d.press("enter")
	d.wantStep(steps.Upload)
}

// toSync walks a new bucket with the fake to the proof download's first
// screen, the upload skipped and the secret copied.
func toSync(t *testing.T, d *driver) {
	t.Helper()
	toReviewNew(t, d)
	d.press("enter", "c", "y", "enter")
	d.wantStep(steps.Sync)
}

// sendOnly updates the app without running the returned Cmds, for
// messages whose Cmds would sleep (the countdown's ticks).
func (d *driver) sendOnly(msg tea.Msg) tea.Cmd {
	d.t.Helper()
	m, cmd := d.app.Update(msg)
	d.app = m.(App)
	return cmd
}

// The countdown while IAM spreads the new key, built from messages with
// fixed times: no clock is read.
func TestSyncCountdownView(t *testing.T) {
	store := newMemStore()
	deps := testDeps(t, awsopstest.New(t))
	var used awsops.Config
	deps.Connect = func(_ context.Context, c awsops.Config, _ string, _ int) (download.Store, error) {
		used = c
		return store, nil
	}
	d := newDriver(t, deps)
	toSync(t, d)
	d.wantView("./acme-media/imports/2026")
	d.sendOnly(keyMsg("ctrl+u"))
	dest := filepath.Join(t.TempDir(), "dl")
	for _, r := range dest {
		d.sendOnly(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	connect := d.sendOnly(keyMsg("enter"))
	batch, ok := connect().(tea.BatchMsg)
	if !ok {
		t.Fatalf("enter returned %T, want the spinner and the connection", batch)
	}
	for _, c := range batch {
		c() // the connection's own message carries the real clock; dropped
	}
	id := d.app.syncScr().id
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	refused := fmt.Errorf("list: %w", awsops.ErrInvalidCredentials)
	d.sendOnly(storeConnectedMsg{ID: id, Store: store, At: t0})
	d.sendOnly(keyProbedMsg{ID: id, Attempt: 1, At: t0.Add(time.Second), Err: refused})
	d.sendOnly(probeDueMsg{ID: id, Attempt: 2})
	d.sendOnly(keyProbedMsg{ID: id, Attempt: 2, At: t0.Add(3 * time.Second), Err: refused})
	d.sendOnly(syncClockMsg{ID: id, At: t0.Add(4 * time.Second)})
	requireFrame(t, d)
	d.wantView("Attempt    2 was refused: the key is not known yet", "Next try   in 0:01", "Gives up   in 1:56")

	// Late answers of an older attempt are dropped.
	if cmd := d.sendOnly(keyProbedMsg{ID: id, Attempt: 1, At: t0.Add(5 * time.Second)}); cmd != nil || d.app.syncScr().phase != syncWaiting {
		t.Error("an answer to an old attempt was taken")
	}
	secret := d.app.keyScr().st.Key.Secret.Reveal()
	if used.Static == nil || used.Static.AccessKeyID != d.app.keyScr().st.Key.ID || used.Static.Secret.Reveal() != secret || used.Profile != "" {
		t.Error("the proof download does not use the new key alone")
	}
	if strings.Contains(d.view(), secret) {
		t.Error("the sync screen draws the secret")
	}

	// Past the two minutes, it gives up and offers a retry.
	d.sendOnly(probeDueMsg{ID: id, Attempt: 3})
	d.sendOnly(keyProbedMsg{ID: id, Attempt: 3, At: t0.Add(propagationWait), Err: refused})
	d.wantView("AWS still refuses the new key after 2:00", "r tries again")
	if d.app.syncScr().phase != syncStuck {
		t.Fatalf("phase = %v after two minutes, want stuck", d.app.syncScr().phase)
	}
	// Retrying and then an accepted key downloads (the location is empty).
	d.press("r")
	d.wantStep(steps.Sync)
	// An empty location proves listing only: a warning, never a ✓.
	d.wantView("⚠ The new key listed s3://acme-media/imports/2026/", "there is nothing to")
	if v := d.view(); strings.Contains(v, "✓") {
		t.Errorf("an empty proof shows a ✓:\n%s", v)
	}
	d.press("enter")
	d.wantStep(steps.Done)
	d.wantView("⚠ Set up; the proof found nothing to download yet.", "Proof", "⚠ the new key listed")
	if v := d.view(); strings.Contains(v, "✓") || strings.Contains(v, "downloaded 0 files") {
		t.Errorf("Done calls an empty proof a success:\n%s", v)
	}
	if !strings.Contains(d.app.finalOutcome().Text(), "nothing to download yet") {
		t.Error("the exit summary does not say the proof found nothing")
	}
}

// A new key that AWS refuses at first, then accepts: the upload chosen
// before the review runs after the key screen with the caller's
// credentials, and the proof download with the new key fetches exactly
// what was uploaded.
func TestFlowUploadAndSync(t *testing.T) {
	fake := awsopstest.New(t)
	deps := testDeps(t, fake)
	clip := &clipRecorder{}
	deps.Clipboard = clip.write
	src := t.TempDir()
	media := writeMedia(t, src)
	deps.DemoDir = src
	store := newMemStore()
	store.refuse = 1
	var upCfg, dlCfg awsops.Config
	deps.NewUpload = func(_ context.Context, c awsops.Config, dir string, o upload.Options) (Transfer, error) {
		upCfg = c
		return &memUpload{store: store, dir: dir, prefix: o.Prefix, all: o.All}, nil
	}
	deps.Connect = func(_ context.Context, c awsops.Config, _ string, _ int) (download.Store, error) {
		dlCfg = c
		return store, nil
	}
	dest := filepath.Join(t.TempDir(), "proof")

	f := startFlow(t, deps)
	f.waitFor("Account", "123456789012")
	f.press("enter")
	f.waitFor("Create a new bucket")
	f.press("enter")
	f.waitFor("New bucket")
	f.typeText("acme-media")
	f.waitFor("valid name")
	f.press("tab")
	f.typeText("eu-west-1")
	f.press("enter")
	f.waitFor("Which folder in acme-media")
	f.tm.Send(tea.PasteMsg{Content: "imports/2026"})
	f.press("enter")
	f.waitFor("Upload a folder of media", "3 files,")
	f.press("enter")
	f.waitFor("What it allows")
	f.press("enter")
	f.waitFor("How does the platform read")
	f.press("enter")
	f.waitFor("The platform signs in")
	f.press("enter")
	f.waitFor("Nothing has been created yet", "↓ 3 more lines")
	// The upload is the last line of the list, below the fold at 80x24.
	f.press("pgdown")
	f.waitFor("Upload 3 files", "more lines above")
	if n := len(store.keys()); n != 0 {
		t.Fatalf("%d objects uploaded before the plan was confirmed", n)
	}
	f.press("enter")
	f.waitFor("AWS shows the secret")
	f.press("c")
	f.waitFor("not confirmed: press y")
	f.press("y")
	f.waitFor("Secret copied and pasted")
	f.press("enter")
	f.waitFor("Uploaded 3 files")
	f.press("enter")
	f.waitFor("Prove that the key works")
	f.press("ctrl+u")
	f.typeText(dest)
	f.press("enter")
	f.waitFor("Waiting for AWS to accept the new key")
	f.waitFor("Downloaded 3 files")
	f.press("enter")
	f.waitFor("Paste into the platform", "downloaded 3 files")
	f.press("enter")
	app := f.final()

	if app.Step() != steps.Done || app.Err() != nil {
		t.Fatalf("ended on %v with %v", app.Step(), app.Err())
	}
	if got := store.keys(); len(got) != 3 || !strings.HasPrefix(got[0], "imports/2026/") {
		t.Errorf("bucket holds %v, want the 3 media files under imports/2026/", got)
	}
	requireSameTree(t, dest, media)
	ids, _ := fake.UserKeys(DefaultUserName)
	if upCfg.Static != nil || upCfg.Profile != "work" || upCfg.Region != "eu-west-1" {
		t.Errorf("the upload did not use the caller's profile in the bucket's region: %+v", upCfg)
	}
	if dlCfg.Static == nil || len(ids) != 1 || dlCfg.Static.AccessKeyID != ids[0] || dlCfg.Region != "eu-west-1" {
		t.Error("the proof download did not use the new key")
	}
	secret := clip.value()
	out, err := readAll(f.tm.FinalOutput(t))
	if err != nil {
		t.Fatal(err)
	}
	if secret == "" || strings.Contains(string(out), secret) || strings.Contains(app.Summary(), secret) {
		t.Error("the secret was drawn or summarised outside the key screen")
	}
	if !strings.Contains(app.Summary(), "Uploaded 3 files") {
		t.Errorf("summary does not report the upload:\n%s", app.Summary())
	}
	if _, err := os.Stat(filepath.Join(dest, "notes.txt")); err == nil {
		t.Error("the media filter let notes.txt through")
	}
}

// In the wizard, ctrl+c during the upload cancels the upload, shows the
// summary, and the wizard goes on to the proof download; it does not quit.
func TestWizardCtrlCCancelsUpload(t *testing.T) {
	src := t.TempDir()
	writeMedia(t, src)
	deps := testDeps(t, awsopstest.New(t))
	deps.DemoDir = src
	fake := &fakeTransfer{release: make(chan struct{})}
	deps.NewUpload = func(context.Context, awsops.Config, string, upload.Options) (Transfer, error) { return fake, nil }
	d := newDriver(t, deps)
	toLocationNew(t, d, "acme-media", "eu-west-1")
	d.typeText("imports")
	d.press("enter")
	d.wantStep(steps.Upload)
	d.press("enter", "enter", "enter", "enter", "enter", "c", "y")
	d.wantStep(steps.Key)
	// Enter asks to move on; the move builds the upload, which is not run
	// here: the fake takes its place.
	d.sendOnly(d.sendOnly(keyMsg("enter"))())
	d.wantStep(steps.Uploading)
	done := runInBackground(t, d.sendOnly(uploadBuiltMsg{Transfer: fake}))
	d.sendOnly(keyMsg("ctrl+c"))
	if d.quit || !d.app.upRunScr().xfer.running() {
		t.Fatal("ctrl+c during the upload quit instead of cancelling it")
	}
	d.send(<-done)
	d.wantView("Cancelled. Uploaded 1 file", "No object is left half-written")
	d.press("enter")
	d.wantStep(steps.Sync)
	skipSync(t, d)
	d.wantView("Uploaded", "(cancelled)")
}

// The standalone commands end by themselves after a clean run, and stay on
// the summary when there is something to decide.
func TestStandaloneQuitsOnlyAfterACleanRun(t *testing.T) {
	isQuit := func(cmd tea.Cmd) bool {
		if cmd == nil {
			return false
		}
		_, ok := cmd().(tea.QuitMsg)
		return ok
	}
	tests := []struct {
		name     string
		res      transfer.Result
		err      error
		wantQuit bool
	}{
		{"all done", transfer.Result{Done: 3}, nil, true},
		{"a failure", transfer.Result{Done: 2, FailedCount: 1, Failed: []transfer.Failure{{Key: "a.jpg", Reason: "reset", Retryable: true}}}, nil, false},
		{"cancelled", transfer.Result{Done: 1}, context.Canceled, false},
		{"listing failed", transfer.Result{}, errors.New("list: access denied"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := startApp(t, &fakeTransfer{})
			m, cmd := updateApp(t, m, transferDoneMsg{Screen: m.xfer.id, Run: m.xfer.runID, Result: tt.res, Err: tt.err})
			if got := isQuit(cmd); got != tt.wantQuit {
				t.Errorf("quit = %v, want %v; screen:\n%s", got, tt.wantQuit, appView(m))
			}
		})
	}
}
