package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/awsopstest"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/awsops/setup/journal"
	"github.com/s3link/s3link/awsops/setup/keyfile"
)

const rotateTestSecret = "rotate-secret-for-tests-0123456789abcdefgh"

func rotateTestKey() awsops.AccessKey {
	return awsops.AccessKey{User: "platform", ID: "AKIAROTATETEST000001", Secret: awsops.NewSecret(rotateTestSecret)}
}

func newRotateTestApp(t *testing.T, f *awsopstest.Fake) rotateKeyApp {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "rec.json")
	rec := journal.Record{SetupID: "s3l-test", Account: "123456789012", User: journal.User{Name: "platform"}}
	if err := rec.Create(path); err != nil {
		t.Fatal(err)
	}
	a := newRotateKeyApp(context.Background(), rotateTestKey(), RotateKeyOptions{NoColor: true, Ops: f, Record: setup.Stored{Path: path, Record: &rec}})
	m, _ := a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	return m.(rotateKeyApp)
}

func rotateView(a rotateKeyApp) string { return ansi.Strip(a.View().Content) }

// The key screen within rotate: the wizard's screen, the secret masked.
func TestRotateKeyScreenView(t *testing.T) {
	a := newRotateTestApp(t, awsopstest.New(t))
	v := rotateView(a)
	if strings.Contains(v, rotateTestSecret) {
		t.Fatal("the secret is drawn before s was pressed")
	}
	for _, want := range []string{"rotate: the new access key", "AKIAROTATETEST000001", "AWS shows the secret exactly once", "e saves it encrypted (age)"} {
		if !strings.Contains(v, want) {
			t.Errorf("screen lacks %q:\n%s", want, v)
		}
	}
	golden.RequireEqual(t, []byte(v))
}

func startRotateFlow(t *testing.T, a rotateKeyApp) *teatest.TestModel {
	t.Helper()
	return teatest.NewTestModel(t, a, teatest.WithInitialTermSize(80, 24))
}

func waitText(t *testing.T, tm *teatest.TestModel, texts ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		s := ansi.Strip(string(b))
		for _, x := range texts {
			if !strings.Contains(s, x) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(15*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

func finalRotate(t *testing.T, tm *teatest.TestModel) rotateKeyApp {
	t.Helper()
	return tm.FinalModel(t, teatest.WithFinalTimeout(15*time.Second)).(rotateKeyApp)
}

// Quitting before the secret is handed over is refused in the wizard's
// words; leaving anyway reports it not handed over.
func TestRotateKeyScreenRefusesQuitBeforeHandOver(t *testing.T) {
	tm := startRotateFlow(t, newRotateTestApp(t, awsopstest.New(t)))
	waitText(t, tm, "AWS shows the secret exactly once")
	tm.Send(keyMsg("ctrl+c"))
	waitText(t, tm, "The secret has not been copied or saved. AWS can never show it again", "leave anyway")
	tm.Send(keyMsg("enter")) // enter is no way out of the guard
	tm.Send(keyMsg("l"))
	a := finalRotate(t, tm)
	if h := a.handOff(); h.Done || h.Deleted || h.How != "left without saving" {
		t.Errorf("hand-off after leaving anyway = %+v", h)
	}
}

// Enter before the hand-over asks too; saving a CSV then lets it go.
func TestRotateKeyScreenSavesCSV(t *testing.T) {
	dir := t.TempDir()
	tm := startRotateFlow(t, newRotateTestApp(t, awsopstest.New(t)))
	waitText(t, tm, "AWS shows the secret exactly once")
	tm.Send(keyMsg("enter"))
	waitText(t, tm, "can never show it again")
	tm.Send(keyMsg("b"))
	tm.Send(keyMsg("w"))
	waitText(t, tm, "Save to")
	tm.Send(keyMsg("ctrl+u"))
	csv := filepath.Join(dir, "new.csv")
	tm.Send(tea.PasteMsg{Content: csv})
	tm.Send(keyMsg("enter"))
	waitText(t, tm, "Secret saved to")
	tm.Send(keyMsg("enter"))
	a := finalRotate(t, tm)
	h := a.handOff()
	if !h.Done || h.CSVPath != csv {
		t.Fatalf("hand-off = %+v", h)
	}
	k, err := keyfile.ReadCredentialsCSV(csv)
	if err != nil || k.ID != "AKIAROTATETEST000001" || k.Secret.Reveal() != rotateTestSecret {
		t.Errorf("CSV holds %s, %v", k.ID, err)
	}
}

// The guard's delete deletes the unsaved key and forgets it.
func TestRotateKeyScreenGuardDeletes(t *testing.T) {
	f := awsopstest.New(t)
	tm := startRotateFlow(t, newRotateTestApp(t, f))
	waitText(t, tm, "AWS shows the secret exactly once")
	tm.Send(keyMsg("ctrl+c"))
	waitText(t, tm, "delete the unsaved key")
	tm.Send(keyMsg("d"))
	a := finalRotate(t, tm)
	if h := a.handOff(); !h.Deleted || h.Done {
		t.Errorf("hand-off = %+v", h)
	}
	if f.Count("DeleteAccessKey") != 1 {
		t.Errorf("calls %v", f.Methods())
	}
}
