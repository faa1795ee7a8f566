//go:build e2e

package main

// s3link rotate on a pseudo-terminal without --csv: the new key is handed
// over on the wizard's key screen, whose guard stops a quit before the
// secret is saved, and the secret is drawn only masked.

import (
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"

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

	cmd := exec.Command(bin, "rotate", "--endpoint-url", proxy.srv.URL)
	cmd.Dir = e.work
	cmd.Env = e.environ()
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 30, Cols: 100})
	if err != nil {
		t.Fatalf("start rotate on a pty: %v", err)
	}
	defer tty.Close()
	done := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		select {
		case <-done:
		default:
			_ = cmd.Process.Kill()
			<-done
		}
	})
	scr := &ptyScreen{}
	drained := make(chan struct{})
	go func() { _, _ = io.Copy(&scr.raw, tty); close(drained) }()
	send := func(s string) {
		t.Helper()
		if _, err := tty.Write([]byte(s)); err != nil {
			t.Fatalf("type into rotate: %v", err)
		}
		time.Sleep(30 * time.Millisecond)
	}
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
	select {
	case <-done:
		if waitErr != nil {
			t.Fatalf("rotate exited with %v; last screen:\n%s", waitErr, tail(scr.text(), 3000))
		}
	case <-time.After(limit):
		t.Fatalf("HANG: rotate did not exit; last screen:\n%s", tail(scr.text(), 3000))
	}
	// The copy ends when the program's side of the terminal closes (EIO):
	// then everything it wrote has been read.
	select {
	case <-drained:
	case <-time.After(10 * time.Second):
		t.Fatalf("the terminal was not drained 10 s after the program exited")
	}
	out := scr.raw.String()
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
