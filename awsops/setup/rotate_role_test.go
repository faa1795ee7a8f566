package setup

import (
	"context"
	"strings"
	"testing"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/awsopstest"
	"github.com/s3link/s3link/awsops/setup/journal"
)

const newExternalID = "new-ext-id-for-tests-0123456789ab"

// roleLinked is a role link made on the fake, with its record.
func roleLinked(t *testing.T) (*awsopstest.Fake, Stored) {
	t.Helper()
	f := awsopstest.New(t)
	dir := t.TempDir()
	apply(t, f, plan(t, f, roleSpec(), nil), dir)
	recs := records(t, dir)
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	return f, recs[0]
}

func rotateRoleAt(t *testing.T, f *awsopstest.Fake, path string, opt RoleRotateOptions) (*RoleRotatePlan, RoleRotateResult, error) {
	t.Helper()
	rec, err := journal.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := PlanRoleRotation(context.Background(), f, Stored{Path: path, Record: rec})
	if err != nil {
		t.Fatalf("PlanRoleRotation: %v", err)
	}
	if opt.NewExternalID == nil {
		opt.NewExternalID = func() string { return newExternalID }
	}
	res, err := RotateRole(context.Background(), f, p, opt, nil)
	return p, res, err
}

func roleStatus(t *testing.T, f *awsopstest.Fake, path string) *Status {
	t.Helper()
	rec, err := journal.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	st := Stored{Path: path, Record: rec}
	s, err := CheckStatus(context.Background(), f, st, StatusOptions{Now: f.Now(), Records: []Stored{st}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRotateRoleFullRun(t *testing.T) {
	f, st := roleLinked(t)
	old := st.Record.Role.ExternalID
	var proved []string
	opt := RoleRotateOptions{Prove: func(_ context.Context, arn, id string) (string, error) {
		proved = append(proved, arn+" "+id)
		return "assumed and listed", nil
	}}
	_, res, err := rotateRoleAt(t, f, st.Path, opt)
	if err != nil {
		t.Fatalf("RotateRole: %v", err)
	}
	if res.ExternalID != newExternalID || res.OldExternalID != old || !res.Proven || res.RoleARN != "arn:aws:iam::123456789012:role/platform-reader" {
		t.Fatalf("result = %+v", res)
	}
	if trust, _ := f.RoleTrust("platform-reader"); !(awsops.RoleFacts{TrustDocument: trust}).SameTrust(awsops.TrustPolicyDocument("111122223333", newExternalID)) {
		t.Errorf("trust policy after rotation = %s", trust)
	}
	if len(proved) != 1 || proved[0] != res.RoleARN+" "+newExternalID {
		t.Errorf("proved with %v", proved)
	}
	rec, _ := journal.Load(st.Path)
	if rec.Role.ExternalID != newExternalID || rec.Rotation != nil || rec.Role.TrustedAccount != "111122223333" {
		t.Errorf("record after rotation: role %+v, rotation %+v", rec.Role, rec.Rotation)
	}
	if f.Count("UpdateAssumeRolePolicy") != 1 {
		t.Errorf("calls %v", f.Methods())
	}
	s := roleStatus(t, f, st.Path)
	if s.Drift() || len(s.Notes) != 0 {
		t.Errorf("status after rotation: failed %+v, notes %v", s.Failed(), s.Notes)
	}
}

func TestRotateRoleRefusesARoleNotOurs(t *testing.T) {
	for name, spoil := range map[string]func(f *awsopstest.Fake){
		"retagged": func(f *awsopstest.Fake) { f.TagRole("platform-reader", "s3l-someone-else") },
		"untagged": func(f *awsopstest.Fake) { f.TagRole("platform-reader", "") },
		"trust changed": func(f *awsopstest.Fake) {
			_ = f.UpdateAssumeRolePolicy(context.Background(), "platform-reader", awsops.TrustPolicyDocument("999988887777", "theirs"))
		},
	} {
		t.Run(name, func(t *testing.T) {
			f, st := roleLinked(t)
			spoil(f)
			before, _ := f.RoleTrust("platform-reader")
			n := f.Count("UpdateAssumeRolePolicy")
			p, _, err := rotateRoleAt(t, f, st.Path, RoleRotateOptions{})
			if err == nil || len(p.Refusals) != 1 {
				t.Fatalf("rotation ran: err %v, refusals %v", err, p.Refusals)
			}
			if after, _ := f.RoleTrust("platform-reader"); after != before || f.Count("UpdateAssumeRolePolicy") != n {
				t.Errorf("the trust policy was changed")
			}
			if rec, _ := journal.Load(st.Path); rec.Rotation != nil || rec.Role.ExternalID != st.Record.Role.ExternalID {
				t.Errorf("record changed: %+v %+v", rec.Rotation, rec.Role)
			}
		})
	}
	t.Run("gone", func(t *testing.T) {
		f, st := roleLinked(t)
		if err := f.DeleteRole(context.Background(), "platform-reader"); err != nil {
			t.Fatal(err)
		}
		p, _, err := rotateRoleAt(t, f, st.Path, RoleRotateOptions{})
		if err == nil || !strings.Contains(p.Refusals[0], "no longer exists") {
			t.Fatalf("err %v, refusals %v", err, p.Refusals)
		}
	})
}

// A kill between the trust policy update and the record's: status says
// so, and a re-run finishes with the same new id.
func TestRotateRoleKilledBetweenUpdateAndRecord(t *testing.T) {
	f, st := roleLinked(t)
	old := st.Record.Role.ExternalID
	// The update's answer is lost: the call went through, then the run dies.
	f.FailOnce("UpdateAssumeRolePolicy", errKilled)
	_, _, err := rotateRoleAt(t, f, st.Path, RoleRotateOptions{})
	if err == nil {
		t.Fatal("the rotation went on")
	}
	rec, _ := journal.Load(st.Path)
	if r := rec.Rotation; r == nil || r.Stage != journal.RotateTrustUpdating || r.OldExternalID != old || r.NewExternalID != newExternalID || rec.Role.ExternalID != old {
		t.Fatalf("record after the failed call: rotation %+v, role %+v", rec.Rotation, rec.Role)
	}
	// Now as if the call had gone out: the trust policy holds the new id,
	// the record the old one.
	_ = f.UpdateAssumeRolePolicy(context.Background(), "platform-reader", awsops.TrustPolicyDocument("111122223333", newExternalID))
	s := roleStatus(t, f, st.Path)
	if s.Drift() || len(s.Notes) != 1 || !strings.Contains(s.Notes[0], "interrupted after the trust policy took the new id") {
		t.Errorf("status of the interrupted rotation: failed %+v, notes %v", s.Failed(), s.Notes)
	}
	// A re-run finishes with the intent's id, not a fresh one.
	_, res, err := rotateRoleAt(t, f, st.Path, RoleRotateOptions{NewExternalID: func() string { return "must-not-be-used" }})
	if err != nil {
		t.Fatalf("re-run: %v", err)
	}
	if res.ExternalID != newExternalID || res.OldExternalID != old {
		t.Errorf("re-run result %+v", res)
	}
	rec, _ = journal.Load(st.Path)
	if rec.Rotation != nil || rec.Role.ExternalID != newExternalID {
		t.Errorf("record after the re-run: %+v %+v", rec.Rotation, rec.Role)
	}
	if s := roleStatus(t, f, st.Path); s.Drift() || len(s.Notes) != 0 {
		t.Errorf("status after the re-run: failed %+v, notes %v", s.Failed(), s.Notes)
	}
}

// A kill after the record took the new id, before the proof: the re-run
// proves and ends the rotation without another update.
func TestRotateRoleKilledBeforeProof(t *testing.T) {
	f, st := roleLinked(t)
	_, _, err := rotateRoleAt(t, f, st.Path, RoleRotateOptions{AfterStage: func(s string) error {
		if s == journal.RotateTrustUpdated {
			return errKilled
		}
		return nil
	}})
	if err != errKilled {
		t.Fatalf("err = %v", err)
	}
	s := roleStatus(t, f, st.Path)
	if s.Drift() || len(s.Notes) != 1 || !strings.Contains(s.Notes[0], "give the platform the new id") {
		t.Errorf("status: failed %+v, notes %v", s.Failed(), s.Notes)
	}
	n := f.Count("UpdateAssumeRolePolicy")
	proofs := 0
	_, res, err := rotateRoleAt(t, f, st.Path, RoleRotateOptions{Prove: func(context.Context, string, string) (string, error) { proofs++; return "ok", nil }})
	if err != nil || !res.Proven || proofs != 1 || f.Count("UpdateAssumeRolePolicy") != n {
		t.Fatalf("re-run: %v, %+v, proofs %d, updates %d→%d", err, res, proofs, n, f.Count("UpdateAssumeRolePolicy"))
	}
	if rec, _ := journal.Load(st.Path); rec.Rotation != nil || rec.Role.ExternalID != newExternalID {
		t.Errorf("record: %+v %+v", rec.Rotation, rec.Role)
	}
}
