//go:build e2e

package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/awsops/setup/journal"
	"github.com/s3link/s3link/awsops/setup/keyfile"
)

// runOnTerminal is e.run as on a terminal, with in as the typed answers.
func (e *env) runOnTerminal(in string, args ...string) (code int, stdout, stderr string) {
	e.t.Helper()
	var out, errb bytes.Buffer
	g := &Globals{In: strings.NewReader(in), Out: &out, Err: &errb, IsTerminal: true}
	f := NewFactory(g)
	if e.keyScreen != nil {
		f.Screens.RotateKey = e.keyScreen
	}
	code = ExecuteWith(context.Background(), f, append(args, "--endpoint-url", e.endpoint))
	return code, out.String(), errb.String()
}

// withKeyScreen replaces the key screen for e's runs on a terminal.
func (e *env) withKeyScreen(screen func(ctx context.Context, st setup.Stored, ops setup.KeyDeleter, k awsops.AccessKey) (setup.HandOff, error)) {
	e.keyScreen = func(ctx context.Context, _ *Globals, st setup.Stored, ops setup.KeyDeleter, k awsops.AccessKey) (setup.HandOff, error) {
		return screen(ctx, st, ops, k)
	}
}

func keyStatuses(e *env, user string) map[string]string {
	var keys struct {
		AccessKeyMetadata []struct{ AccessKeyId, Status string }
	}
	e.aws(&keys, "iam", "list-access-keys", "--user-name", user)
	out := map[string]string{}
	for _, k := range keys.AccessKeyMetadata {
		out[k.AccessKeyId] = k.Status
	}
	return out
}

// On a terminal without --csv, the key screen hands the key over; the
// rotation then goes on as the headless one does.
func TestRotateOnTerminalHandsOverOnTheKeyScreen(t *testing.T) {
	e, oldCSV, recPath := linkedEnv(t)
	old := readCSV(t, oldCSV)
	newCSV := filepath.Join(e.dir, "screen.csv")
	shown := 0
	e.withKeyScreen(func(_ context.Context, st setup.Stored, _ setup.KeyDeleter, k awsops.AccessKey) (setup.HandOff, error) {
		shown++
		if st.Path != recPath || k.User != "crowdai-platform-access" || k.Secret.IsZero() {
			t.Errorf("key screen given record %s, key of %q", st.Path, k.User)
		}
		if err := keyfile.WriteKeyCSV(newCSV, k, keyfile.LayoutConsole); err != nil {
			t.Fatal(err)
		}
		return setup.HandOff{Done: true, CSVPath: newCSV, How: "saved to CSV"}, nil
	})
	code, out, stderr := e.runOnTerminal("y\n", "rotate")
	t.Logf("rotate on a terminal:\n%s", out)
	if code != 0 || shown != 1 {
		t.Fatalf("rotate: exit %d, screen shown %d times\n%s\n%s", code, shown, out, stderr)
	}
	id := readCSV(t, newCSV)
	if got := e.accessKeyIDs("crowdai-platform-access"); !slices.Equal(got, []string{id}) || id == old {
		t.Errorf("keys = %v, new %s, old %s", got, id, old)
	}
	if !strings.Contains(out, "✓ hand over the new key: saved to "+newCSV) {
		t.Errorf("output lacks the hand-over step")
	}
	if r, _ := journal.Load(recPath); r.Rotation != nil {
		t.Errorf("rotation left: %+v", r.Rotation)
	}
}

// Leaving the key screen without handing the key over stops the rotation
// before the old key is touched, exit 3; status explains, and a re-run
// finishes.
func TestRotateOnTerminalNotHandedOverStopsBeforeDeactivating(t *testing.T) {
	e, oldCSV, recPath := linkedEnv(t)
	old := readCSV(t, oldCSV)
	e.withKeyScreen(func(context.Context, setup.Stored, setup.KeyDeleter, awsops.AccessKey) (setup.HandOff, error) {
		return setup.HandOff{How: "left without saving"}, nil
	})
	code, out, stderr := e.runOnTerminal("", "rotate")
	t.Logf("rotate, left without handing over: exit %d\n%s\n%s", code, out, stderr)
	if code != ExitSecretNotHandedOver || !strings.Contains(stderr, "Rotation stopped before the old key was touched") {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	keys := keyStatuses(e, "crowdai-platform-access")
	if keys[old] != "Active" || len(keys) != 2 {
		t.Fatalf("keys after leaving = %v; want the old one active and the unsaved new one", keys)
	}
	r, _ := journal.Load(recPath)
	if r.Rotation == nil || r.Rotation.Stage != journal.RotateCreated {
		t.Fatalf("record rotation = %+v", r.Rotation)
	}
	code, out, _ = e.run("status")
	if !strings.Contains(out, "created, its secret not yet saved") {
		t.Errorf("status: exit %d\n%s", code, out)
	}
	// A headless re-run deletes the unsaved key and finishes.
	again := filepath.Join(e.dir, "again.csv")
	code, out, stderr = e.run("rotate", "--csv", again, "--delete-old", "--non-interactive")
	if code != 0 {
		t.Fatalf("re-run: exit %d\n%s\n%s", code, out, stderr)
	}
	if got := e.accessKeyIDs("crowdai-platform-access"); !slices.Equal(got, []string{readCSV(t, again)}) {
		t.Errorf("keys after the re-run = %v", got)
	}
}

// The guard's delete ends the rotation with nothing changed.
func TestRotateOnTerminalDeletedOnTheKeyScreen(t *testing.T) {
	e, oldCSV, recPath := linkedEnv(t)
	old := readCSV(t, oldCSV)
	e.withKeyScreen(func(ctx context.Context, st setup.Stored, ops setup.KeyDeleter, k awsops.AccessKey) (setup.HandOff, error) {
		if err := ops.DeleteAccessKey(ctx, k.User, k.ID); err != nil {
			t.Fatal(err)
		}
		return setup.HandOff{Deleted: true, How: "deleted"}, nil
	})
	code, out, stderr := e.runOnTerminal("", "rotate")
	if code != 0 || !strings.Contains(out, "The new key was deleted unsaved; the old key "+old+" stays as it was") {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	if keys := keyStatuses(e, "crowdai-platform-access"); len(keys) != 1 || keys[old] != "Active" {
		t.Errorf("keys = %v", keys)
	}
	r, _ := journal.Load(recPath)
	if r.Rotation != nil || len(r.AccessKeys) != 1 || r.AccessKeys[0].ID != old {
		t.Errorf("record: rotation %+v, keys %+v", r.Rotation, r.AccessKeys)
	}
	if code, out, _ := e.run("status"); code != 0 {
		t.Errorf("status: exit %d\n%s", code, out)
	}
}
