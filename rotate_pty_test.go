//go:build e2e

package main

// s3link rotate on a pseudo-terminal without --csv: the new key is handed
// over on the wizard's key screen, whose guard stops a quit before the
// secret is saved, and the secret is drawn only masked.

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/s3link/s3link/awsops/emulator/mototest"
)

func TestRotateOnATerminalUsesTheKeyScreen(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	proxy := newSlowAWS(t, moto.URL(), 0)
	var keys capturedKey
	hook := keys.hook
	proxy.onResponse.Store(&hook)

	e := newSandboxEnv(t)
	e.extra = []string{"TERM=xterm-256color"}
	first := filepath.Join(e.work, "first.csv")
	code, _, errOut := e.run(90*time.Second, "setup", "--non-interactive", "--bucket", "pty-rotate", "--prefix", "media",
		"--user", "pty-rotate-user", "--policy-name", "pty-rotate-pol", "--csv", first, "--endpoint-url", proxy.srv.URL)
	if code != 0 {
		t.Fatalf("setup exit %d\nstderr:\n%s", code, errOut)
	}

	run := startOnPty(t, e, "rotate", "rotate", "--endpoint-url", proxy.srv.URL)
	scr, send := run.scr, run.send
	const (
		enter = "\r"
		ctrlC = "\x03"
		ctrlU = "\x15"
	)
	limit := 30 * time.Second
	csvPath := filepath.Join(e.work, "rotated.csv")

	scr.waitAny(t, limit, "AWS shows the secret")
	scr.step()
	send(ctrlC) // refused: the secret is not handed over yet
	scr.waitAny(t, limit, "The secret has not been copied or saved. AWS can never show it again")
	scr.step()
	send("b")
	send("w")
	send(ctrlU)
	for _, r := range csvPath {
		send(string(r))
	}
	send(enter)
	scr.waitAny(t, limit, "Saved the key to")
	scr.step()
	send(enter)
	scr.waitAny(t, 3*time.Minute, "Delete ")
	send("y" + enter)
	out := run.exit(limit)
	assertNoPanic(t, "rotate", ansi.Strip(out))
	t.Logf("rotate on a terminal, after the key screen:\n%s", tail(ansi.Strip(out), 1500))
	id, secret := keys.last(t)
	if !csvSecretMatches(t, csvPath, id, secret) {
		t.Fatal("the CSV does not hold the key IAM created")
	}
	for _, want := range []string{"✓ hand over the new key: saved to " + csvPath, "✓ delete access key", "Access key ID: " + id, "in " + csvPath + " (delete that file"} {
		if !strings.Contains(ansi.Strip(out), want) {
			t.Errorf("terminal lacks %q", want)
		}
	}
	where := leaks(t, secret, []string{e.root}, map[string]bool{csvPath: true},
		map[string]string{"terminal stream (raw)": out, "terminal stream (stripped)": ansi.Strip(out)})
	if len(where) > 0 {
		t.Errorf("LEAK: the secret appears in %v", where)
	}
}
