//go:build e2e

package main

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/s3link/s3link/awsops/emulator/mototest"
)

// TestRotateSecretNeverLeavesTheCSV rotates a link's key, checks it with
// status's probe, and searches everything s3link wrote and printed for the
// new secret: it may be only in the new CSV.
func TestRotateSecretNeverLeavesTheCSV(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	proxy := newSlowAWS(t, moto.URL(), 0)
	var keys capturedKey
	hook := keys.hook
	proxy.onResponse.Store(&hook)

	e := newSandboxEnv(t)
	first := filepath.Join(e.work, "first.csv")
	code, _, errOut := e.run(90*time.Second, "setup", "--non-interactive", "--bucket", "sec-rotate", "--prefix", "media",
		"--user", "sec-rotate-user", "--policy-name", "sec-rotate-pol", "--csv", first, "--endpoint-url", proxy.srv.URL)
	if code != 0 {
		t.Fatalf("setup exit %d\nstderr:\n%s", code, errOut)
	}
	second := filepath.Join(e.work, "second.csv")
	code, out, errOut := e.run(90*time.Second, "rotate", "--debug", "--json", "--non-interactive", "--delete-old", "--csv", second, "--endpoint-url", proxy.srv.URL)
	if code != 0 {
		t.Fatalf("rotate exit %d\nstderr:\n%s", code, errOut)
	}
	assertNoPanic(t, "rotate", out+errOut)
	id, secret := keys.last(t)
	if !csvSecretMatches(t, second, id, secret) {
		t.Fatal("the new CSV does not hold the key IAM created")
	}
	scode, sout, serr := e.run(90*time.Second, "status", "--csv", second, "--json", "--endpoint-url", proxy.srv.URL)
	if scode != 1 { // moto enforces no IAM: the probe reads outside the location
		t.Errorf("status --csv exit %d, want 1\n%s\n%s", scode, sout, serr)
	}
	outputs := map[string]string{"rotate stdout": out, "rotate stderr": errOut, "status stdout": sout, "status stderr": serr}
	if where := leaks(t, secret, []string{e.root}, map[string]bool{second: true}, outputs); len(where) > 0 {
		t.Errorf("LEAK: the secret appears in %v", where)
	}
}
