//go:build e2e

package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/s3link/s3link/awsops/emulator/mototest"
	"github.com/s3link/s3link/awsops/setup/journal"
	"github.com/s3link/s3link/awsops/setup/keyfile"
)

// TestInterruptRotateInFlight SIGKILLs the built binary while each of
// rotate's calls is in flight (AWS has done it; s3link never hears), then
// checks that status explains the record and exits 0, and that a re-run
// of rotate finishes with exactly one key: the one in the key file.
func TestInterruptRotateInFlight(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	slow := newSlowAWS(t, moto.URL(), 0)
	for i, target := range []struct{ action, stage string }{
		{"CreateAccessKey", journal.RotateCreating},
		{"GET s3", journal.RotateDelivered}, // the proof's listing with the new key
		{"UpdateAccessKey", journal.RotateProven},
		{"DeleteAccessKey", journal.RotateDeactivated},
	} {
		t.Run(target.action, func(t *testing.T) {
			e := newSandboxEnv(t)
			name := fmt.Sprintf("rk-%d", i)
			first := filepath.Join(e.work, "first.csv")
			code, _, errOut := e.run(90*time.Second, "setup", "--non-interactive", "--bucket", "b-"+name, "--prefix", "media",
				"--policy-name", "p-"+name, "--user", "u-"+name, "--csv", first, "--endpoint-url", slow.srv.URL)
			if code != 0 {
				t.Fatalf("setup exit %d\nstderr:\n%s", code, errOut)
			}
			var (
				mu   sync.Mutex
				p    *proc
				sent atomic.Bool
			)
			hook := func(action string, _ []byte) {
				if action != target.action || sent.Swap(true) {
					return
				}
				mu.Lock()
				pp := p
				mu.Unlock()
				_ = pp.cmd.Process.Signal(syscall.SIGKILL)
				time.Sleep(200 * time.Millisecond)
			}
			slow.onResponse.Store(&hook)
			second := filepath.Join(e.work, "second.csv")
			mu.Lock()
			p = e.start("rotate", "--non-interactive", "--delete-old", "--csv", second, "--endpoint-url", slow.srv.URL)
			mu.Unlock()
			_, died := p.wait(t, 90*time.Second)
			slow.onResponse.Store(nil)
			if !sent.Load() || died != syscall.SIGKILL {
				t.Fatalf("%s never ran or s3link was not killed (%v)\nstdout:\n%s\nstderr:\n%s", target.action, died, p.stdout, p.stderr)
			}
			rec := loadOnlyRecord(t, e.cfg)
			if rec == nil || rec.Rotation == nil || rec.Rotation.Stage != target.stage {
				t.Fatalf("after SIGKILL during %s the record's rotation is %+v, want stage %s", target.action, rec, target.stage)
			}
			code, out, errOut := e.run(90*time.Second, "status", "--endpoint-url", slow.srv.URL)
			if code != 0 || !strings.Contains(out, "run s3link rotate again to finish it.") {
				t.Fatalf("status after SIGKILL during %s: exit %d\nstdout:\n%s\nstderr:\n%s", target.action, code, out, errOut)
			}
			t.Logf("status after SIGKILL during %s:\n%s", target.action, out)
			if target.stage == journal.RotateCreating && !strings.Contains(out, "made while the rotation was interrupted, its secret never saved; rotate deletes it") {
				t.Errorf("status does not name the key the killed CreateAccessKey made:\n%s", out)
			}

			// The re-run. A key file the killed run never wrote is free again.
			again := []string{"rotate", "--non-interactive", "--delete-old", "--endpoint-url", slow.srv.URL}
			csvPath := second
			if target.stage == journal.RotateCreating {
				again = append(again, "--csv", second)
			}
			code, out, errOut = e.run(90*time.Second, again...)
			if code != 0 {
				t.Fatalf("re-run after SIGKILL during %s: exit %d\nstdout:\n%s\nstderr:\n%s", target.action, code, out, errOut)
			}
			k, err := keyfile.ReadCredentialsCSV(csvPath)
			if err != nil {
				t.Fatal(err)
			}
			id := k.ID
			inv := inventory(t, moto.URL())
			if got := inv.Keys["u-"+name]; len(got) != 1 || got[0] != id {
				t.Errorf("keys of u-%s after the re-run = %v, want only %s (the key file's)", name, got, id)
			}
			rec = loadOnlyRecord(t, e.cfg)
			if rec.Rotation != nil || rec.Pending != nil || len(rec.AccessKeys) != 1 || rec.AccessKeys[0].ID != id {
				t.Errorf("record after the re-run: rotation %+v, pending %+v, keys %+v", rec.Rotation, rec.Pending, rec.AccessKeys)
			}
			if code, out, _ := e.run(90*time.Second, "status", "--endpoint-url", slow.srv.URL); code != 0 || strings.Contains(out, "rotation") {
				t.Errorf("status after the re-run: exit %d\n%s", code, out)
			}
		})
	}
}
