//go:build e2e

package cli

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3link/s3link/awsops/setup/journal"
)

func TestRotateAgainstMoto(t *testing.T) {
	e, oldCSV, rec := linkedEnv(t)
	old := readCSV(t, oldCSV)
	newCSV := filepath.Join(e.dir, "new.csv")
	code, out, stderr := e.run("rotate", "--csv", newCSV, "--delete-old", "--non-interactive")
	if code != 0 {
		t.Fatalf("rotate exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	t.Logf("rotate:\n%s", out)
	id := readCSV(t, newCSV)
	if id == old {
		t.Fatalf("new CSV holds the old key %s", id)
	}
	// The AWS CLI sees only the new key.
	if got := e.accessKeyIDs("crowdai-platform-access"); !slices.Equal(got, []string{id}) {
		t.Errorf("user keys = %v, want only %s", got, id)
	}
	for _, want := range []string{
		"✓ create access key for user crowdai-platform-access: created " + id,
		"✓ hand over the new key: saved to " + newCSV,
		"✓ prove the new key: it lists and reads s3://media/path/to/files/",
		"✓ deactivate access key " + old + ": inactive; the platform now signs in with " + id,
		"✓ delete access key " + old + ": deleted",
		"  Access key ID: " + id,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("rotate output lacks %q", want)
		}
	}
	r, err := journal.Load(rec)
	if err != nil || r.Rotation != nil || len(r.AccessKeys) != 1 || r.AccessKeys[0].ID != id {
		t.Fatalf("record after rotate: %+v, %v", r, err)
	}
	if code, out, _ := e.run("status"); code != 0 {
		t.Errorf("status after rotate exit %d:\n%s", code, out)
	}
	// The key file of the old key is refused by status's probe now.
	if code, out, _ := e.run("status", "--csv", oldCSV); code != 1 || !strings.Contains(out, "✗ probe key: The key "+old) {
		t.Errorf("status with the old key file: exit %d:\n%s", code, out)
	}
}

func TestRotateInterruptedThenFinished(t *testing.T) {
	defer func() { rotateAfterStage = nil }()
	for _, stage := range []string{journal.RotateCreated, journal.RotateDelivered, journal.RotateProven, journal.RotateDeactivated} {
		t.Run(stage, func(t *testing.T) {
			e, oldCSV, _ := linkedEnv(t)
			old := readCSV(t, oldCSV)
			rotateAfterStage = func(s string) error {
				if s == stage {
					return errors.New("killed")
				}
				return nil
			}
			newCSV := filepath.Join(e.dir, "new.csv")
			code, out, stderr := e.run("rotate", "--csv", newCSV, "--delete-old", "--non-interactive")
			rotateAfterStage = nil
			if code != 1 || !strings.Contains(stderr, "run 's3link rotate' again to finish") {
				t.Fatalf("interrupted rotate exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
			}
			code, out, _ = e.run("status")
			if code != 0 || !strings.Contains(out, "· A key rotation ") || !strings.Contains(out, "run s3link rotate again to finish it.") {
				t.Fatalf("status after the interruption: exit %d:\n%s", code, out)
			}
			if stage == journal.RotateDelivered {
				t.Logf("status after a rotation interrupted at %s:\n%s", stage, out)
			}
			// The re-run: a fresh key file when the first never got the key.
			again := filepath.Join(e.dir, "again.csv")
			args := []string{"rotate", "--delete-old", "--non-interactive"}
			if stage == journal.RotateCreated {
				args = append(args, "--csv", again)
			}
			code, out, stderr = e.run(args...)
			if code != 0 {
				t.Fatalf("re-run exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
			}
			keys := e.accessKeyIDs("crowdai-platform-access")
			want := newCSV
			if stage == journal.RotateCreated {
				want = again
			}
			if id := readCSV(t, want); len(keys) != 1 || keys[0] != id || id == old {
				t.Errorf("keys after re-run = %v; %s holds %s; old %s", keys, want, id, old)
			}
			if code, out, _ := e.run("status"); code != 0 || strings.Contains(out, "· A key rotation") {
				t.Errorf("status after re-run: exit %d:\n%s", code, out)
			}
		})
	}
}

func TestRotateAtTheKeyLimitAsksForTheKey(t *testing.T) {
	e, oldCSV, _ := linkedEnv(t)
	old := readCSV(t, oldCSV)
	var k struct{ AccessKey struct{ AccessKeyId string } }
	e.aws(&k, "iam", "create-access-key", "--user-name", "crowdai-platform-access")
	extra := k.AccessKey.AccessKeyId
	newCSV := filepath.Join(e.dir, "new.csv")
	code, out, stderr := e.run("rotate", "--csv", newCSV, "--non-interactive")
	if code != 2 || !strings.Contains(out, fmt.Sprintf("one must go before a new one can be made: %s, an older key of this s3link user that no record names", extra)) ||
		!strings.Contains(stderr, "--free-key "+extra) {
		t.Fatalf("rotate at the limit: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	if keys := e.accessKeyIDs("crowdai-platform-access"); len(keys) != 2 {
		t.Fatalf("keys after the refusal = %v", keys)
	}
	code, out, stderr = e.run("rotate", "--csv", newCSV, "--non-interactive", "--free-key", extra)
	if code != 0 {
		t.Fatalf("rotate --free-key exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	// Without --delete-old the old key stays, inactive, and the rotation waits.
	keys := e.accessKeyIDs("crowdai-platform-access")
	id := readCSV(t, newCSV)
	if len(keys) != 2 || !slices.Contains(keys, old) || !slices.Contains(keys, id) || slices.Contains(keys, extra) {
		t.Errorf("keys = %v; want old %s (inactive) and new %s", keys, old, id)
	}
	var meta struct {
		AccessKeyMetadata []struct{ AccessKeyId, Status string }
	}
	e.aws(&meta, "iam", "list-access-keys", "--user-name", "crowdai-platform-access")
	for _, m := range meta.AccessKeyMetadata {
		if m.AccessKeyId == old && m.Status != "Inactive" {
			t.Errorf("old key status %s, want Inactive", m.Status)
		}
	}
	if code, out, _ := e.run("status"); code != 0 || !strings.Contains(out, "A key rotation is waiting: new key "+id+" in use; old key "+old+" still inactive, to be deleted") {
		t.Errorf("status: exit %d:\n%s", code, out)
	}
}

// TestRotateOnATerminalAsks: at the key limit rotate names the key that
// would go and asks; once the new key is proven it asks before deleting
// the old one.
func TestRotateOnATerminalAsks(t *testing.T) {
	e, oldCSV, _ := linkedEnv(t)
	old := readCSV(t, oldCSV)
	var k struct{ AccessKey struct{ AccessKeyId string } }
	e.aws(&k, "iam", "create-access-key", "--user-name", "crowdai-platform-access")
	extra := k.AccessKey.AccessKeyId
	newCSV := filepath.Join(e.dir, "new.csv")

	var out, errb bytes.Buffer
	g := &Globals{In: strings.NewReader("n\n"), Out: &out, Err: &errb, IsTerminal: true}
	if code := Execute(t.Context(), g, []string{"rotate", "--csv", newCSV, "--endpoint-url", e.endpoint}); code != 0 {
		t.Fatalf("rotate, declined: exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "Delete "+extra+" first? [y/N]") || !strings.Contains(out.String(), "Nothing changed.") {
		t.Fatalf("rotate dialogue:\n%s", out.String())
	}
	if keys := e.accessKeyIDs("crowdai-platform-access"); len(keys) != 2 {
		t.Fatalf("declined rotation changed the keys: %v", keys)
	}

	out.Reset()
	g = &Globals{In: strings.NewReader("y\nmaybe\nyes\n"), Out: &out, Err: &errb, IsTerminal: true}
	if code := Execute(t.Context(), g, []string{"rotate", "--csv", newCSV, "--endpoint-url", e.endpoint}); code != 0 {
		t.Fatalf("rotate: exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "Delete "+old+" now? It cannot be restored. [y/N]") || !strings.Contains(out.String(), "Please answer y or n.") ||
		!strings.Contains(out.String(), "The old key "+old+" is deleted.") {
		t.Fatalf("rotate dialogue:\n%s", out.String())
	}
	if keys := e.accessKeyIDs("crowdai-platform-access"); len(keys) != 1 || keys[0] != readCSV(t, newCSV) {
		t.Errorf("keys = %v, want only the new CSV's", keys)
	}
}

// TestStatusProbesWithAProfile: the platform's key as setup's
// --write-profile left it.
func TestStatusProbesWithAProfile(t *testing.T) {
	e := newEnv(t)
	if code, out, stderr := e.run("setup", "--non-interactive", "--bucket", "media", "--region", "us-east-1",
		"--prefix", "path/to/files", "--write-profile", "platform"); code != 0 {
		t.Fatalf("setup exit %d\n%s\n%s", code, out, stderr)
	}
	code, out, _ := e.run("status", "--key-profile", "platform")
	// moto enforces no IAM, so the probe's outside object is readable.
	if code != 1 || !strings.Contains(out, "✓ probe: list: the platform's key lists s3://media/path/to/files/") ||
		!strings.Contains(out, "✗ probe: outside") {
		t.Errorf("status --key-profile: exit %d\n%s", code, out)
	}
	if code, out, _ := e.run("status", "--key-profile", "nosuch"); code != 1 || !strings.Contains(out, "could not be checked") {
		t.Errorf("status with a missing profile: exit %d\n%s", code, out)
	}
}
