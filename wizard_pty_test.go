//go:build e2e

package main

// The interactive wizard, run as the built binary on a pseudo-terminal and
// walked with keystrokes against moto_server, then searched for the
// secret: the terminal stream (everything drawn, alternate screen and all)
// may show it only masked, and no file but the CSV may hold it.

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"

	"github.com/s3link/s3link/awsops/emulator/mototest"
)

// ptyScreen is the ANSI-stripped stream a program drew on the terminal.
// ptyRun is the s3link binary running on a 100×30 pseudo-terminal, its
// output copied into scr as it comes.
type ptyRun struct {
	t       *testing.T
	name    string
	cmd     *exec.Cmd
	tty     *os.File
	scr     *ptyScreen
	done    chan struct{} // closed when the program has exited
	drained chan struct{} // closed when all it wrote has been read
	waitErr error
}

// startOnPty starts s3link with args in e on a pseudo-terminal; name is
// what failures call it. The program is killed when the test ends.
func startOnPty(t *testing.T, e *sandboxEnv, name string, args ...string) *ptyRun {
	t.Helper()
	r := &ptyRun{t: t, name: name, scr: &ptyScreen{}, done: make(chan struct{}), drained: make(chan struct{})}
	r.cmd = exec.Command(bin, args...)
	r.cmd.Dir = e.work
	r.cmd.Env = e.environ()
	tty, err := pty.StartWithSize(r.cmd, &pty.Winsize{Rows: 30, Cols: 100})
	if err != nil {
		t.Fatalf("start %s on a pty: %v", name, err)
	}
	r.tty = tty
	go func() { r.waitErr = r.cmd.Wait(); close(r.done) }()
	t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			_ = r.cmd.Process.Kill()
			<-r.done
		}
	})
	t.Cleanup(func() { _ = tty.Close() })
	go func() { _, _ = io.Copy(&r.scr.raw, tty); close(r.drained) }()
	return r
}

// send types s. Keys typed faster than a person are fine, but one write
// per key keeps escape sequences apart.
func (r *ptyRun) send(s string) {
	r.t.Helper()
	if _, err := r.tty.Write([]byte(s)); err != nil {
		r.t.Fatalf("type into %s: %v", r.name, err)
	}
	time.Sleep(30 * time.Millisecond)
}

// exit waits up to limit for the program to end with status 0, then for
// everything it wrote to be read, and returns the raw terminal stream.
func (r *ptyRun) exit(limit time.Duration) string {
	r.t.Helper()
	select {
	case <-r.done:
		if r.waitErr != nil {
			r.t.Fatalf("%s exited with %v; last screen:\n%s", r.name, r.waitErr, tail(r.scr.text(), 3000))
		}
	case <-time.After(limit):
		r.t.Fatalf("HANG: %s did not exit; last screen:\n%s", r.name, tail(r.scr.text(), 3000))
	}
	// The copy ends when the program's side of the terminal closes (EIO):
	// then everything it wrote has been read.
	select {
	case <-r.drained:
	case <-time.After(10 * time.Second):
		r.t.Fatalf("the terminal was not drained 10 s after %s exited", r.name)
	}
	return r.scr.raw.String()
}

type ptyScreen struct {
	raw  lockedBuffer
	mark int // searches look only after this offset of the stripped text
}

func (s *ptyScreen) text() string { return ansi.Strip(s.raw.String()) }

// waitAny waits until one of the texts appears after the mark and returns
// its index; the whole stripped screen is in the failure message.
func (s *ptyScreen) waitAny(t *testing.T, limit time.Duration, texts ...string) int {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		cur := s.text()
		if s.mark <= len(cur) {
			for i, x := range texts {
				if strings.Contains(cur[s.mark:], x) {
					return i
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	cur := s.text()
	t.Fatalf("none of %q appeared on the terminal within %v; last screen:\n%s", texts, limit, tail(cur, 3000))
	return -1
}

// step moves the mark to the end, so the next wait sees only new output.
func (s *ptyScreen) step() { s.mark = len(s.text()) }

func TestWizardOnATerminalNeverShowsTheSecret(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	proxy := newSlowAWS(t, moto.URL(), 0)
	var keys capturedKey
	hook := keys.hook
	proxy.onResponse.Store(&hook)

	e := newSandboxEnv(t)
	e.extra = []string{"TERM=xterm-256color"}
	csvPath := filepath.Join(e.work, "wizard_accessKeys.csv")
	const bucket, prefix = "wizard-pty-media", "media/2026"

	run := startOnPty(t, e, "the wizard", "setup", "--endpoint-url", proxy.srv.URL, "--region", "us-east-1")
	scr, send := run.scr, run.send
	typeText := func(s string) {
		for _, r := range s {
			send(string(r))
		}
	}
	const (
		enter = "\r"
		tab   = "\t"
		down  = "\x1b[B"
		esc   = "\x1b"
		ctrlU = "\x15"
	)
	limit := 30 * time.Second

	scr.waitAny(t, limit, "123456789012")
	scr.step()
	send(enter)
	scr.waitAny(t, limit, "Create a new bucket")
	scr.step()
	send(enter)
	typeText(bucket)
	scr.waitAny(t, limit, "valid name")
	scr.step()
	send(tab)
	typeText("us-east-1")
	send(enter)
	scr.waitAny(t, limit, "Which folder in")
	scr.step()
	typeText(prefix)
	send(enter)
	// Screens added over time are answered as they come, in order.
	for {
		switch scr.waitAny(t, limit, "Upload a folder of media", "What it allows") {
		case 0:
			scr.step()
			send(down)
			send(down)
			send(enter) // Skip
			continue
		}
		break
	}
	scr.step()
	send(enter)
	scr.waitAny(t, limit, "How does the platform read")
	scr.step()
	send(enter)
	scr.waitAny(t, limit, "The platform signs in")
	scr.step()
	send(enter)
	scr.waitAny(t, limit, "Nothing has been created yet")
	scr.step()
	send(enter)
	scr.waitAny(t, limit, "AWS shows the secret")
	scr.step()
	send("w")
	send(ctrlU)
	typeText(csvPath)
	send(enter)
	scr.waitAny(t, limit, "Saved the key to")
	scr.step()
	send(enter)
	for {
		switch scr.waitAny(t, limit, "Prove that the key works", "Paste into the platform") {
		case 0:
			scr.step()
			send(esc)
			continue
		}
		break
	}
	scr.step()
	send(enter)
	out := run.exit(limit)
	assertNoPanic(t, "wizard", ansi.Strip(out))

	id, secret := keys.last(t)
	if !csvSecretMatches(t, csvPath, id, secret) {
		t.Fatal("the CSV does not hold the key IAM created")
	}
	if !strings.Contains(ansi.Strip(out), id) {
		t.Error("the key id was never shown; the test may not have reached the key screen")
	}
	where := leaks(t, secret, []string{e.root}, map[string]bool{csvPath: true},
		map[string]string{"terminal stream (raw)": out, "terminal stream (stripped)": ansi.Strip(out)})
	if len(where) > 0 {
		t.Errorf("LEAK: the secret appears in %v", where)
	}
	if _, err := os.Stat(filepath.Join(e.cfg, "setups")); err != nil {
		t.Errorf("the wizard wrote no record: %v", err)
	}
	if code, tout, terr := e.run(90*time.Second, "teardown", "--yes", "--delete-bucket", "--endpoint-url", moto.URL()); code != 0 {
		t.Fatalf("teardown exit %d\n%s\n%s", code, tout, terr)
	}
	if inv := inventory(t, moto.URL()); !inv.empty() {
		t.Errorf("left behind after teardown: %+v", inv)
	}
}
