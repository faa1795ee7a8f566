//go:build e2e

package cli

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup/journal"
)

// roleTrust is the role's trust policy as the AWS CLI reads it.
func (e *env) roleTrust(role string) any {
	e.t.Helper()
	var got struct {
		Role struct{ AssumeRolePolicyDocument json.RawMessage }
	}
	e.aws(&got, "iam", "get-role", "--role-name", role)
	return decodePolicyDoc(e.t, got.Role.AssumeRolePolicyDocument)
}

func roleLinkOnMoto(t *testing.T, e *env) (recPath, externalID string) {
	t.Helper()
	e.aws(nil, "s3api", "create-bucket", "--bucket", "role-rotate")
	src := filepath.Join(e.dir, "a.jpg")
	if err := os.WriteFile(src, []byte("jpeg bytes"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.aws(nil, "s3api", "put-object", "--bucket", "role-rotate", "--key", "in/a.jpg", "--body", src)
	code, out, stderr := e.run("setup", "--non-interactive", "--existing-bucket", "--bucket", "role-rotate", "--prefix", "in",
		"--access", "role", "--trusted-account", "111122223333", "--role-name", "platform-reader", "--json")
	if code != 0 {
		t.Fatalf("setup --access role: exit %d\n%s\n%s", code, out, stderr)
	}
	var sum struct {
		Role   struct{ ExternalID string }
		Record string
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	return sum.Record, sum.Role.ExternalID
}

func TestRotateRoleGivesTheTrustPolicyANewExternalID(t *testing.T) {
	e := newEnv(t)
	recPath, old := roleLinkOnMoto(t, e)

	// Key flags are refused for a role link, before any change.
	code, _, stderr := e.run("rotate", "--record", recPath, "--csv", filepath.Join(e.dir, "k.csv"))
	if code != 2 || !strings.Contains(stderr, "--csv is for an access key") {
		t.Fatalf("rotate --csv on a role link: exit %d, %s", code, stderr)
	}

	proof := filepath.Join(e.dir, "proof")
	code, out, stderr := e.run("rotate", "--record", recPath, "--proof-dir", proof, "--json")
	t.Logf("rotate --json:\n%s\nstderr:\n%s", out, stderr)
	if code != 0 {
		t.Fatalf("rotate: exit %d", code)
	}
	v := validReport(t, jsonSchemas(t), "rotate", out)
	wantOutcome(t, v, true, "")
	newID, _ := v["externalId"].(string)
	if len(newID) != awsops.ExternalIDLen || newID == old || v["oldExternalId"] != old || !strings.HasSuffix(v["role"].(string), ":role/platform-reader") {
		t.Errorf("rotate report: %v", v)
	}
	if got, want := e.roleTrust("platform-reader"), jsonValue(t, awsops.TrustPolicyDocument("111122223333", newID)); !jsonEqual(got, want) {
		t.Errorf("trust policy after rotate = %v, want the new external id %s", got, newID)
	}
	if b, err := os.ReadFile(filepath.Join(proof, "a.jpg")); err != nil || string(b) != "jpeg bytes" {
		t.Errorf("proof download: %q, %v", b, err)
	}
	rec, err := journal.Load(recPath)
	if err != nil || rec.Role.ExternalID != newID || rec.Rotation != nil {
		t.Fatalf("record after rotate: %+v, %v", rec, err)
	}

	// Status afterwards is clean.
	code, out, stderr = e.run("status", "--record", recPath)
	if code != 0 || !strings.Contains(out, "with the recorded external id") {
		t.Errorf("status after rotate: exit %d\n%s\n%s", code, out, stderr)
	}
	t.Logf("status after rotate:\n%s", out)

	// Without --proof-dir the human summary names the id to paste.
	code, out, stderr = e.run("rotate", "--record", recPath)
	t.Logf("rotate:\n%s", out)
	rec, _ = journal.Load(recPath)
	if code != 0 || !strings.Contains(out, "External ID: "+rec.Role.ExternalID) || rec.Role.ExternalID == newID {
		t.Errorf("second rotate: exit %d\n%s\n%s", code, out, stderr)
	}
}

// A kill after the trust policy update: status explains it, a re-run
// finishes with the same new id.
func TestRotateRoleInterruptedFinishesOnRerun(t *testing.T) {
	e := newEnv(t)
	recPath, old := roleLinkOnMoto(t, e)
	defer func() { rotateAfterStage = nil }()
	rotateAfterStage = func(s string) error {
		if s == journal.RotateTrustUpdated {
			return errors.New("killed")
		}
		return nil
	}
	code, _, stderr := e.run("rotate", "--record", recPath)
	rotateAfterStage = nil
	if code == 0 {
		t.Fatal("the interrupted rotation succeeded")
	}
	rec, _ := journal.Load(recPath)
	if rec.Rotation == nil || rec.Rotation.OldExternalID != old || rec.Role.ExternalID != rec.Rotation.NewExternalID {
		t.Fatalf("record after the kill: %+v %+v (%s)", rec.Rotation, rec.Role, stderr)
	}
	newID := rec.Role.ExternalID
	code, out, _ := e.run("status", "--record", recPath)
	t.Logf("status of the interrupted rotation:\n%s", out)
	if !strings.Contains(out, "rotation of the external id was interrupted") {
		t.Errorf("status: exit %d\n%s", code, out)
	}
	code, out, stderr = e.run("rotate", "--record", recPath)
	if code != 0 || !strings.Contains(out, "External ID: "+newID) {
		t.Fatalf("re-run: exit %d\n%s\n%s", code, out, stderr)
	}
	if got, want := e.roleTrust("platform-reader"), jsonValue(t, awsops.TrustPolicyDocument("111122223333", newID)); !jsonEqual(got, want) {
		t.Errorf("trust policy = %v", got)
	}
	if rec, _ := journal.Load(recPath); rec.Rotation != nil {
		t.Errorf("rotation left in the record: %+v", rec.Rotation)
	}
}

// A key link's rotate --json matches jsonschema/rotate.json too.
func TestRotateKeyJSONMatchesTheSchema(t *testing.T) {
	e, _, _ := linkedEnv(t)
	code, out, stderr := e.run("rotate", "--csv", filepath.Join(e.dir, "new.csv"), "--delete-old", "--non-interactive", "--json")
	if code != 0 {
		t.Fatalf("rotate: exit %d\n%s\n%s", code, out, stderr)
	}
	v := validReport(t, jsonSchemas(t), "rotate", out)
	wantOutcome(t, v, true, "")
	if v["oldKey"] != "deleted" || v["externalId"] != nil {
		t.Errorf("report %v", v)
	}
}
