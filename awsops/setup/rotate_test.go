package setup

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/awsopstest"
	"github.com/s3link/s3link/awsops/setup/journal"
	"github.com/s3link/s3link/awsops/setup/keyfile"
)

var errKilled = errors.New("killed")

func rotateOpts(f *awsopstest.Fake, csvPath string, deleteOld bool) RotateOptions {
	return RotateOptions{
		Delivery:  Delivery{CSVPath: csvPath},
		Probe:     func(context.Context, awsops.AccessKey, string) (awsops.Prober, error) { return f, nil },
		ReadKey:   keyfile.ReadCredentialsCSV,
		Wait:      func(context.Context, time.Duration) error { return nil },
		DeleteOld: func(string) bool { return deleteOld },
		Now:       f.Now,
	}
}

// rotate loads the record at path afresh, plans and runs a rotation.
func rotate(t *testing.T, f *awsopstest.Fake, path string, opt RotateOptions) (RotateResult, error) {
	t.Helper()
	rec, err := journal.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := PlanRotation(context.Background(), f, Stored{Path: path, Record: rec}, nil)
	if err != nil {
		t.Fatalf("PlanRotation: %v", err)
	}
	return Rotate(context.Background(), f, p, opt, nil)
}

func TestRotateFullRun(t *testing.T) {
	f, st := linked(t)
	old := st.Record.AccessKeys[0].ID
	csvPath := filepath.Join(t.TempDir(), "new.csv")
	res, err := rotate(t, f, st.Path, rotateOpts(f, csvPath, true))
	if err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	if res.NewKeyID == "" || res.NewKeyID == old || !res.OldDeleted || !res.Saved.CSV {
		t.Fatalf("result = %+v", res)
	}
	saved, err := keyfile.ReadCredentialsCSV(csvPath)
	if err != nil || saved.ID != res.NewKeyID {
		t.Fatalf("CSV holds %q, %v; want the new key %s", saved.ID, err, res.NewKeyID)
	}
	if ids, _ := f.UserKeys("platform"); !slices.Equal(ids, []string{res.NewKeyID}) {
		t.Errorf("user keys = %v, want only the new key", ids)
	}
	rec, _ := journal.Load(st.Path)
	if rec.Rotation != nil || len(rec.AccessKeys) != 1 || rec.AccessKeys[0].ID != res.NewKeyID || rec.Pending != nil {
		t.Errorf("record after rotation: rotation %+v, keys %+v, pending %+v", rec.Rotation, rec.AccessKeys, rec.Pending)
	}
	// The order of calls: create, prove with the new key, deactivate, delete.
	var got []string
	for _, c := range f.Calls() {
		switch c.Method {
		case "CreateAccessKey", "ProbeList", "SetAccessKeyStatus", "DeleteAccessKey":
			got = append(got, c.String())
		}
	}
	want := []string{
		"CreateAccessKey(platform)", "CreateAccessKey(platform)",
		"ProbeList(acme-media, imports)",
		fmt.Sprintf("SetAccessKeyStatus(platform, %s, false)", old),
		fmt.Sprintf("DeleteAccessKey(platform, %s)", old),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s := status(t, f, Stored{Path: st.Path, Record: rec}, StatusOptions{}); s.Drift() || len(s.Notes) != 0 {
		t.Errorf("status after rotation:\n%s", strings.Join(StatusLines(s), "\n"))
	}
}

func TestRotateKeepsTheOldKeyInactiveUnlessAsked(t *testing.T) {
	f, st := linked(t)
	old := st.Record.AccessKeys[0].ID
	res, err := rotate(t, f, st.Path, rotateOpts(f, filepath.Join(t.TempDir(), "new.csv"), false))
	if err != nil {
		t.Fatal(err)
	}
	if res.OldDeleted || f.KeyStatus("platform", old) != "Inactive" {
		t.Fatalf("old key: deleted %v, status %q; want kept, inactive", res.OldDeleted, f.KeyStatus("platform", old))
	}
	rec, _ := journal.Load(st.Path)
	if rec.Rotation == nil || rec.Rotation.Stage != journal.RotateDeactivated || !rec.HasKey(old) || !rec.HasKey(res.NewKeyID) {
		t.Fatalf("record: rotation %+v, keys %+v; want both keys, waiting at deactivated", rec.Rotation, rec.AccessKeys)
	}
	// Declined again: nothing changes. Confirmed: the old key goes and the
	// rotation ends.
	opt := rotateOpts(f, "", false)
	if _, err := rotate(t, f, st.Path, opt); err != nil || f.KeyStatus("platform", old) != "Inactive" {
		t.Fatalf("declined re-run: %v, old key %q", err, f.KeyStatus("platform", old))
	}
	opt = rotateOpts(f, "", true)
	if _, err := rotate(t, f, st.Path, opt); err != nil {
		t.Fatal(err)
	}
	if ids, _ := f.UserKeys("platform"); !slices.Equal(ids, []string{res.NewKeyID}) {
		t.Errorf("keys after confirming = %v", ids)
	}
	rec, _ = journal.Load(st.Path)
	if rec.Rotation != nil || rec.HasKey(old) {
		t.Errorf("record after confirming: rotation %+v, keys %+v", rec.Rotation, rec.AccessKeys)
	}
}

func TestRotateAtTheKeyLimitNamesTheKeyThatGoes(t *testing.T) {
	f, st := linked(t)
	old := st.Record.AccessKeys[0].ID
	// Someone made a second key for the s3link user.
	extra, err := f.CreateAccessKey(context.Background(), "platform")
	if err != nil {
		t.Fatal(err)
	}
	p, err := PlanRotation(context.Background(), f, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.OldKeyID != old || p.FreeKeyID != extra.ID || p.FreeWhy != "an older key of this s3link user that no record names" {
		t.Fatalf("plan: old %s, free %s (%s)", p.OldKeyID, p.FreeKeyID, p.FreeWhy)
	}
	opt := rotateOpts(f, filepath.Join(t.TempDir(), "new.csv"), true)
	n := len(f.Calls())
	if _, err := Rotate(context.Background(), f, p, opt, nil); err == nil || !strings.Contains(err.Error(), "needs your confirmation") {
		t.Fatalf("Rotate without confirming the free key: %v", err)
	}
	if calls := f.Calls()[n:]; len(calls) != 0 {
		t.Fatalf("unconfirmed rotation made calls: %v", calls)
	}
	opt.FreeKeyID = extra.ID
	res, err := Rotate(context.Background(), f, p, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ids, _ := f.UserKeys("platform"); !slices.Equal(ids, []string{res.NewKeyID}) {
		t.Errorf("keys after rotation = %v", ids)
	}

	// A user s3link did not create: an unrecorded second key is not its to delete.
	f2, st2 := linked(t)
	f2.TagUser("platform", "")
	if _, err := f2.CreateAccessKey(context.Background(), "platform"); err != nil {
		t.Fatal(err)
	}
	p2, err := PlanRotation(context.Background(), f2, st2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p2.Err() == nil || !strings.Contains(p2.Err().Error(), "is not s3link's (no record names it)") {
		t.Errorf("plan for a foreign second key: %v", p2.Err())
	}
}

func TestRotateRefusesAUserItCannotProve(t *testing.T) {
	f, st := linked(t)
	f.TagUser("platform", "someone-else")
	st.Record.AccessKeys = nil
	p, err := PlanRotation(context.Background(), f, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Err() == nil || !strings.Contains(p.Err().Error(), "cannot prove its keys are s3link's") {
		t.Fatalf("plan error = %v", p.Err())
	}
	if _, err := Rotate(context.Background(), f, p, rotateOpts(f, filepath.Join(t.TempDir(), "k.csv"), true), nil); !errors.Is(err, ErrRefused) {
		t.Fatalf("Rotate = %v, want refusal", err)
	}
	if f.Count("CreateAccessKey") != 1 {
		t.Errorf("refused rotation made a key: %v", f.Methods())
	}
}

// TestRotateInterruptedAtEveryStage stops the rotation after each stage it
// saves, as a kill would, and checks that status explains the record and
// that a re-run finishes with one working key.
func TestRotateInterruptedAtEveryStage(t *testing.T) {
	for _, tt := range []struct {
		stage string
		note  string
	}{
		{journal.RotateCreating, "A key rotation was interrupted while the new key was being created (old key %[1]s still active)"},
		{journal.RotateCreated, "A key rotation was interrupted: new key %[2]s created, its secret not yet saved (old key %[1]s still active); rotate deletes it and makes another"},
		{journal.RotateDelivered, "A key rotation was interrupted: new key %[2]s created and saved (old key %[1]s still active), not yet proven"},
		{journal.RotateProven, "A key rotation was interrupted: new key %[2]s created and proven; old key %[1]s still active"},
		{journal.RotateDeactivated, "A key rotation is waiting: new key %[2]s in use; old key %[1]s still inactive, to be deleted"},
	} {
		t.Run(tt.stage, func(t *testing.T) {
			f, st := linked(t)
			old := st.Record.AccessKeys[0].ID
			dir := t.TempDir()
			opt := rotateOpts(f, filepath.Join(dir, "new.csv"), true)
			opt.AfterStage = func(s string) error {
				if s == tt.stage {
					return errKilled
				}
				return nil
			}
			if tt.stage == journal.RotateCreating {
				// The kill lands while CreateAccessKey is in flight: AWS
				// made the key, s3link never heard of it.
				opt.AfterStage = func(s string) error {
					if s == journal.RotateCreating {
						_, _ = f.CreateAccessKey(context.Background(), "platform")
						return errKilled
					}
					return nil
				}
			}
			res, err := rotate(t, f, st.Path, opt)
			if !errors.Is(err, errKilled) {
				t.Fatalf("Rotate = %v, want the kill", err)
			}
			rec, _ := journal.Load(st.Path)
			if rec.Rotation == nil || rec.Rotation.Stage != tt.stage {
				t.Fatalf("record rotation = %+v, want stage %s", rec.Rotation, tt.stage)
			}
			s := status(t, f, Stored{Path: st.Path, Record: rec}, StatusOptions{})
			want := fmt.Sprintf(tt.note, old, res.NewKeyID) + "; run s3link rotate again to finish it."
			if len(s.Notes) != 1 || s.Notes[0] != want {
				t.Errorf("status notes = %q\nwant %q", s.Notes, want)
			}
			if s.Drift() {
				t.Errorf("an interrupted rotation shows as drift:\n%s", strings.Join(StatusLines(s), "\n"))
			}

			// The re-run: a new CSV path when the first never got the key.
			opt.AfterStage = nil
			if tt.stage == journal.RotateCreating || tt.stage == journal.RotateCreated {
				opt.Delivery.CSVPath = filepath.Join(dir, "again.csv")
			}
			res2, err := rotate(t, f, st.Path, opt)
			if err != nil {
				t.Fatalf("re-run: %v", err)
			}
			ids, _ := f.UserKeys("platform")
			if len(ids) != 1 || ids[0] == old {
				t.Fatalf("keys after the re-run = %v, want one new key", ids)
			}
			if tt.stage != journal.RotateCreating && tt.stage != journal.RotateCreated && ids[0] != res.NewKeyID {
				t.Errorf("re-run replaced the saved key %s with %s", res.NewKeyID, ids[0])
			}
			saved, err := keyfile.ReadCredentialsCSV(opt.Delivery.CSVPath)
			if err != nil || saved.ID != ids[0] {
				t.Errorf("key file holds %q (%v), the user %v", saved.ID, err, ids)
			}
			rec, _ = journal.Load(st.Path)
			if rec.Rotation != nil || rec.Pending != nil || len(rec.AccessKeys) != 1 || rec.AccessKeys[0].ID != ids[0] {
				t.Errorf("record after re-run: rotation %+v, pending %+v, keys %+v", rec.Rotation, rec.Pending, rec.AccessKeys)
			}
			if s := status(t, f, Stored{Path: st.Path, Record: rec}, StatusOptions{}); s.Drift() || len(s.Notes) > 0 {
				t.Errorf("status after re-run:\n%s", strings.Join(StatusLines(s), "\n"))
			}
			_ = res2
		})
	}
}

func TestRotateProofWaitsForPropagation(t *testing.T) {
	f, st := linked(t)
	refusals := 3
	f.Probe = func(bucket, key string) error {
		if refusals > 0 {
			refusals--
			return fmt.Errorf("head: %w", awsops.ErrInvalidCredentials)
		}
		return nil
	}
	var waited []time.Duration
	opt := rotateOpts(f, filepath.Join(t.TempDir(), "new.csv"), true)
	opt.Wait = func(_ context.Context, d time.Duration) error { waited = append(waited, d); return nil }
	if _, err := rotate(t, f, st.Path, opt); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(waited, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}) {
		t.Errorf("waits = %v", waited)
	}

	// A key AWS never accepts: the old key stays active.
	f2, st2 := linked(t)
	old := st2.Record.AccessKeys[0].ID
	f2.Probe = func(string, string) error { return fmt.Errorf("head: %w", awsops.ErrAccessDenied) }
	opt = rotateOpts(f2, filepath.Join(t.TempDir(), "new.csv"), true)
	f2.ProbeFirst["acme-media/imports"] = "imports/a.jpg"
	_, err := rotate(t, f2, st2.Path, opt)
	if err == nil || !strings.Contains(err.Error(), "so the old key stays active") {
		t.Fatalf("Rotate with a refused key = %v", err)
	}
	if f2.KeyStatus("platform", old) != "Active" || f2.Count("SetAccessKeyStatus") != 0 {
		t.Errorf("old key touched though the new one was never proven: %v", f2.Methods())
	}
	rec, _ := journal.Load(st2.Path)
	if rec.Rotation == nil || rec.Rotation.Stage != journal.RotateDelivered {
		t.Errorf("rotation = %+v, want it waiting at delivered", rec.Rotation)
	}
}

// TestTeardownAfterAnInterruptedRotation: teardown removes both keys of an
// interrupted rotation with the user, and the record with them.
func TestTeardownAfterAnInterruptedRotation(t *testing.T) {
	f, st := linked(t)
	opt := rotateOpts(f, filepath.Join(t.TempDir(), "new.csv"), true)
	opt.AfterStage = func(s string) error {
		if s == journal.RotateDelivered {
			return errKilled
		}
		return nil
	}
	if _, err := rotate(t, f, st.Path, opt); !errors.Is(err, errKilled) {
		t.Fatalf("Rotate = %v", err)
	}
	rec, _ := journal.Load(st.Path)
	// The bucket stays (no --delete-bucket), so the record does too, but
	// without the rotation of a user that is gone.
	undo, err := PlanUndo(context.Background(), f, Stored{Path: st.Path, Record: rec}, UndoOptions{Now: awsopstest.Epoch})
	if err != nil {
		t.Fatal(err)
	}
	res, err := undo.Run(context.Background(), f, nil)
	if err != nil || len(res.Failed) > 0 || res.RecordRemoved {
		t.Fatalf("teardown: %+v, %v", res, err)
	}
	if _, ok := f.UserKeys("platform"); ok {
		t.Error("the user is still there")
	}
	rec, _ = journal.Load(st.Path)
	if rec.Rotation != nil || len(rec.AccessKeys) != 0 {
		t.Errorf("record after teardown: rotation %+v, keys %+v", rec.Rotation, rec.AccessKeys)
	}
}

// TestRotateTheSecondLocationOfAUser: the second link of a user shares the
// first link's key; rotating from the second record retires that key, and
// both records stay consistent with what exists.
func TestRotateTheSecondLocationOfAUser(t *testing.T) {
	f := awsopstest.New(t)
	dir := t.TempDir()
	apply(t, f, plan(t, f, spec(), nil), dir)
	s2 := Spec{Bucket: "acme-other", Region: "eu-west-1", Prefix: "two", PolicyName: "Platform", UserName: "platform"}
	facts, err := Inspect(context.Background(), f, s2, records(t, dir), awsopstest.Epoch)
	if err != nil {
		t.Fatal(err)
	}
	apply(t, f, Decide(s2, facts, "s3l-second"), dir)
	recs := records(t, dir)
	var second Stored
	for _, st := range recs {
		if st.Record.SetupID == "s3l-second" {
			second = st
		}
	}
	if len(second.Record.AccessKeys) != 0 {
		t.Fatalf("the second record names keys %+v; the first link's key was to be kept", second.Record.AccessKeys)
	}
	ids, _ := f.UserKeys("platform")
	old := ids[0]
	p, err := PlanRotation(context.Background(), f, second, recs)
	if err != nil || p.Err() != nil || p.OldKeyID != old {
		t.Fatalf("plan: %+v, %v", p, err)
	}
	res, err := Rotate(context.Background(), f, p, rotateOpts(f, filepath.Join(t.TempDir(), "k.csv"), true), nil)
	if err != nil {
		t.Fatal(err)
	}
	if ids, _ := f.UserKeys("platform"); !slices.Equal(ids, []string{res.NewKeyID}) {
		t.Errorf("keys = %v", ids)
	}
	recs = records(t, dir)
	for _, st := range recs {
		if st.Record.HasKey(old) {
			t.Errorf("record %s still names the deleted key", st.Record.SetupID)
		}
		if s := status(t, f, st, StatusOptions{Records: recs}); s.Drift() {
			t.Errorf("status of %s after the rotation:\n%s", st.Record.SetupID, strings.Join(StatusLines(s), "\n"))
		}
	}
}
