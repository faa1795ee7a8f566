package ui

import (
	"errors"
	"strings"
	"testing"

	"charm.land/bubbles/v2/viewport"
	"github.com/charmbracelet/x/ansi"

	"github.com/s3link/s3link/awsops/awsopstest"
	"github.com/s3link/s3link/steps"
)

// pasteBox is the "Paste into the platform" box as drawn.
func pasteBox(t *testing.T, view string) string {
	t.Helper()
	_, after, ok := strings.Cut(view, "Paste into the platform")
	if !ok {
		t.Fatalf("no paste box on screen:\n%s", view)
	}
	box, _, _ := strings.Cut(after, "╯")
	return box
}

// Leave anyway on the key guard: Done, the summary and the exit status
// all say the secret was neither copied nor saved.
func TestFlowLeaveAnyway(t *testing.T) {
	fake := awsopstest.New(t)
	deps := testDeps(t, fake)
	f := startFlow(t, deps)
	f.walkNewBucket("acme-media", "eu-west-1", "imports")
	f.press("enter")
	f.waitFor("AWS shows the secret")
	f.press("enter")
	f.waitFor("has not been copied or saved", "l  leave anyway")
	f.press("l")
	f.skipSync()
	f.waitFor("⚠ Set up, but the secret was neither copied nor saved")
	f.press("enter")
	app := f.final()

	if got := app.keyScr().handOver(); got != handLeft {
		t.Errorf("hand-over = %v, want %v", got, handLeft)
	}
	if !errors.Is(app.Err(), ErrSecretNotHandedOver) {
		t.Errorf("Err() = %v, want ErrSecretNotHandedOver", app.Err())
	}
	sum := app.Summary()
	for _, bad := range []string{"is set up.", "the one you copied or saved", "copied and confirmed"} {
		if strings.Contains(sum, bad) {
			t.Errorf("summary claims %q after leaving without the secret:\n%s", bad, sum)
		}
	}
	if !strings.Contains(sum, "neither copied nor saved") || !strings.Contains(sum, "aws iam create-access-key --user-name "+DefaultUserName) {
		t.Errorf("summary does not say the secret is lost and how to make a key:\n%s", sum)
	}
}

func TestDoneLeftAnywayView(t *testing.T) {
	deps := testDeps(t, awsopstest.New(t))
	deps.RecordDir = ""
	d := newDriver(t, deps)
	toReviewNew(t, d)
	d.press("enter", "enter", "l")
	skipSync(t, d)
	requireFrame(t, d)
	v := d.view()
	if strings.Contains(v, "✓") {
		t.Errorf("Done shows a ✓ after leaving without the secret:\n%s", v)
	}
	box := pasteBox(t, v)
	if strings.Contains(box, d.app.revScr().st.Key.ID) && !strings.Contains(box, "none:") {
		t.Errorf("a key without its secret is offered for pasting:\n%s", box)
	}
}

// Delete on the key guard: the deleted key is never offered for pasting.
func TestFlowDeleteUnsavedKey(t *testing.T) {
	fake := awsopstest.New(t)
	deps := testDeps(t, fake)
	f := startFlow(t, deps)
	f.walkNewBucket("acme-media", "eu-west-1", "imports")
	f.press("enter")
	f.waitFor("AWS shows the secret")
	f.press("enter")
	f.waitFor("d  delete the unsaved key")
	f.press("d")
	f.waitFor("the access key was deleted", "none: the key was deleted")
	f.press("enter")
	app := f.final()

	if ids, _ := fake.UserKeys(DefaultUserName); len(ids) != 0 {
		t.Fatalf("keys left: %v", ids)
	}
	if got := app.keyScr().handOver(); got != handDeleted {
		t.Errorf("hand-over = %v, want %v", got, handDeleted)
	}
	if err := app.Err(); err != nil {
		t.Errorf("Err() = %v after a knowing delete", err)
	}
	sum := app.Summary()
	_, paste, _ := strings.Cut(sum, "Paste into the platform:")
	if paste == "" || !strings.Contains(paste, "none: the key was deleted") {
		t.Errorf("summary's paste list does not say the key was deleted:\n%s", sum)
	}
}

func TestDoneDeletedView(t *testing.T) {
	deps := testDeps(t, awsopstest.New(t))
	deps.RecordDir = ""
	d := newDriver(t, deps)
	toReviewNew(t, d)
	d.press("enter")
	id := d.app.keyScr().st.Key.ID
	d.press("enter", "d")
	d.wantStep(steps.Done)
	requireFrame(t, d)
	if box := pasteBox(t, d.view()); strings.Contains(box, id) {
		t.Errorf("the paste box offers the deleted key %s:\n%s", id, box)
	}
}

// A copy nobody confirmed: the guard stays on; leaving ends with a
// warning and ErrSecretNotHandedOver. i has its own status.
func TestFlowCopyWithoutConfirmation(t *testing.T) {
	fake := awsopstest.New(t)
	deps := testDeps(t, fake) // no native clipboard: OSC 52 only
	f := startFlow(t, deps)
	f.walkNewBucket("acme-media", "eu-west-1", "imports")
	f.press("enter")
	f.waitFor("AWS shows the secret")
	f.press("i")
	f.waitFor("key id sent to the terminal")
	f.press("c")
	f.waitFor("Native clipboard: ✗ none here", "not confirmed: press y")
	f.press("enter")
	f.waitFor("y  I pasted it: continue")
	f.press("l")
	f.skipSync()
	f.waitFor("⚠ Set up, but nobody confirmed the copied secret arrived")
	f.press("enter")
	app := f.final()
	if got := app.keyScr().handOver(); got != handUnconfirmed {
		t.Errorf("hand-over = %v, want %v", got, handUnconfirmed)
	}
	if !errors.Is(app.Err(), ErrSecretNotHandedOver) {
		t.Errorf("Err() = %v, want ErrSecretNotHandedOver", app.Err())
	}
	if sum := app.Summary(); !strings.Contains(sum, "never confirmed") {
		t.Errorf("summary does not say the copy was never confirmed:\n%s", sum)
	}
}

func TestKeyCopiedUnconfirmedView(t *testing.T) {
	d := newDriver(t, testDeps(t, awsopstest.New(t)))
	toReviewNew(t, d)
	d.press("enter", "i")
	if v := d.view(); strings.Contains(v, "Secret copied") || strings.Contains(v, "✓ Secret") {
		t.Fatalf("copying the key id speaks of the secret:\n%s", v)
	}
	d.wantView("key id sent to the terminal")
	d.press("c")
	requireFrame(t, d)
	if d.app.keyScr().secured() {
		t.Error("an unconfirmed OSC 52 copy lifts the guard")
	}
}

// The last screen at 80 columns with a long bucket and prefix: every
// shell word of every command appears whole on one line of the view;
// none is split across lines.
func TestDoneLongLocationKeepsWordsWhole(t *testing.T) {
	const bucket = "acme-media-imports-for-the-platform-eu-west-1-production-2026"
	const prefix = "surveys/spring-2026/site-03/drone-flights/raw-imagery/batch-0001"
	deps := testDeps(t, awsopstest.New(t))
	deps.RecordDir = ""
	d := newDriver(t, deps)
	toLocationNew(t, d, bucket, "eu-west-1")
	d.paste(prefix)
	d.press("enter")
	if d.app.Step() == steps.Upload {
		skipUpload(t, d)
	}
	d.wantStep(steps.Policy)
	d.press("enter")
	d.wantStep(steps.Access)
	d.press("enter")
	d.wantStep(steps.User)
	d.press("enter")
	d.wantStep(steps.Review)
	d.press("enter", "c", "y", "enter")
	skipSync(t, d)
	requireFrame(t, d)

	// Every page of the screen, top to bottom.
	var lines []string
	for range 40 {
		lines = append(lines, strings.Split(d.view(), "\n")...)
		if d.app.doneScr().vp.AtBottom() {
			break
		}
		d.press("pgdown")
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > 80 {
			t.Fatalf("line %d is %d columns wide: %q", i, w, l)
		}
	}
	if d.app.doneScr().o.Commands == "" {
		t.Fatal("the commands were not written to a folder")
	}
	full := d.app.doneScr().content()
	if testing.Verbose() {
		t.Log("\n" + ansi.Strip(full))
	}
	for _, a := range d.app.doneScr().o.Plan.Actions {
		for _, tok := range shellWords(a.Command) {
			if ansi.StringWidth(tok) <= 80-4 {
				if !anyLineHolds(lines, tok) {
					t.Errorf("%q is not whole on any line of the view", tok)
				}
				continue
			}
			// Wider than the screen: whole on one line of the content,
			// running past the edge (→ scrolls), never wrapped.
			if !anyLineHolds(strings.Split(ansi.Strip(full), "\n"), tok) {
				t.Errorf("the wide word %q is broken across lines", tok)
			}
		}
	}
	for _, want := range []string{bucket, prefix} {
		if !anyLineHolds(lines, want) {
			t.Errorf("%q is not whole on any line of the view", want)
		}
	}
	// A word wider than the screen can be scrolled to.
	var _ viewport.KeyMap = d.app.doneScr().vp.KeyMap
	d.press("right")
	if done := d.app.doneScr(); done.vp.XOffset() == 0 {
		t.Error("→ does not scroll the done screen sideways")
	}
}

func anyLineHolds(lines []string, s string) bool {
	for _, l := range lines {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}
