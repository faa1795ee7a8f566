//go:build e2e

package ui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/emulator"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/awsops/setup/journal"
	"github.com/s3link/s3link/steps"
)

// TestFlowEmbeddedSandbox is TestFlowMoto on the sandbox's embedded
// emulator, started and seeded as `s3link --sandbox` does without
// moto_server: the whole wizard with the real awsops.Client, an upload into
// a new bucket, the key saved as CSV, and the proof download with the new
// key, which the emulator accepts only with the secret IAM handed out.
func TestFlowEmbeddedSandbox(t *testing.T) {
	ctx := context.Background()
	sb, err := emulator.Start(ctx, emulator.Embedded)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Stop)
	cfg := sb.Config
	client, err := awsops.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	media := writeMedia(t, src)
	dest := filepath.Join(t.TempDir(), "proof")
	deps := Deps{
		Ctx:         ctx,
		Ops:         client,
		RecordDir:   t.TempDir(),
		Sandbox:     true,
		EndpointURL: cfg.EndpointURL,
		NoColor:     true,
		AWS:         cfg,
		DemoDir:     src,
		WorkDir:     t.TempDir(),
	}
	const bucket, prefix = "s3link-embed-test", "media/2026"
	csvPath := filepath.Join(t.TempDir(), "platform_accessKeys.csv")

	f := startFlow(t, deps)
	f.waitFor("Account", "123456789012")
	f.press("enter")
	f.waitFor("Create a new bucket")
	f.press("enter")
	f.typeText(bucket)
	f.waitFor("valid name")
	f.press("tab")
	f.typeText(emulator.DemoRegion)
	f.press("enter")
	f.waitFor("Which folder in " + bucket)
	f.typeText(prefix)
	f.press("enter")
	f.waitFor("Upload a folder of media", fmt.Sprintf("%d files,", len(media)))
	f.press("enter")
	f.waitFor("What it allows")
	f.press("enter")
	f.waitFor("How does the platform read")
	f.press("enter")
	f.waitFor("The platform signs in")
	f.press("enter")
	f.waitFor("Nothing has been created yet", "more lines")
	// The upload is the last line of the list, below the fold at 80x24.
	f.press("pgdown")
	f.waitFor(fmt.Sprintf("Upload %d files", len(media)))
	f.press("enter")
	f.waitFor("AWS shows the secret")
	f.press("w", "ctrl+u")
	f.typeText(csvPath)
	f.press("enter")
	f.waitFor("Saved the key to")
	f.press("enter")
	f.waitFor(fmt.Sprintf("Uploaded %d files", len(media)))
	f.press("enter")
	f.waitFor("Prove that the key works")
	f.press("ctrl+u")
	f.typeText(dest)
	f.press("enter")
	f.waitFor(fmt.Sprintf("Downloaded %d files", len(media)))
	f.press("enter")
	f.waitFor("Paste into the platform")
	f.press("enter")
	app := f.final()
	if app.Step() != steps.Done || app.Err() != nil {
		t.Fatalf("ended on %v with %v", app.Step(), app.Err())
	}

	rec, err := journal.Load(recordPathFor(t, deps.RecordDir, DefaultUserName))
	if err != nil {
		t.Fatal(err)
	}
	// The new bucket, the policy and the user carry the setup's id, set in
	// their create calls.
	b, err := client.InspectBucket(ctx, bucket)
	if err != nil || !b.Owned || b.Region != emulator.DemoRegion || b.SetupID != rec.SetupID || !b.PublicAccess.AllBlocked() {
		t.Errorf("bucket = %+v, %v; want it in %s, tagged %s, with all four Block Public Access settings on", b, err, emulator.DemoRegion, rec.SetupID)
	}
	info, err := client.InspectPolicy(ctx, DefaultPolicyName, awsops.PolicyDocument(bucket, prefix))
	if err != nil || !info.Exists || !info.SameDocument || info.SetupID != rec.SetupID {
		t.Errorf("policy = %+v, %v; want it with PolicyDocument's document, tagged %s", info, err, rec.SetupID)
	}
	user, err := client.InspectUser(ctx, DefaultUserName)
	if err != nil || user.SetupID != rec.SetupID || user.Boundary != info.ARN || !user.HasPolicy(info.ARN) || len(user.Keys) != 1 {
		t.Fatalf("user = %+v, %v; want it tagged %s, bounded by and attached to %s, with one key", user, err, rec.SetupID, info.ARN)
	}
	keys := user.Keys
	// The proof download used the new key: the emulator saw it.
	if keys[0].LastUsed.IsZero() {
		t.Errorf("the new key %s was never used; the proof download did not sign with it", keys[0].ID)
	}
	if rec.Bucket.Name != bucket || !rec.Bucket.Created || rec.Policy.ARN != info.ARN || !rec.User.Attached ||
		len(rec.AccessKeys) != 1 || rec.AccessKeys[0].ID != keys[0].ID || !rec.Sandbox {
		t.Errorf("record = %+v", rec)
	}
	requireSameTree(t, dest, media)
	if !strings.Contains(app.Summary(), fmt.Sprintf("downloaded %d files", len(media))) {
		t.Errorf("summary does not report the download:\n%s", app.Summary())
	}

	// Teardown (the engine `s3link teardown` runs) proves each resource by
	// its tag and removes the user with its key and the policy; the bucket
	// stays unless asked for, and holds the upload anyway.
	st := setup.Stored{Path: recordPathFor(t, deps.RecordDir, DefaultUserName), Record: rec}
	if err := setup.CheckAccount(ctx, client, st); err != nil {
		t.Fatal(err)
	}
	undo, err := setup.PlanUndo(ctx, client, st, setup.UndoOptions{Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	res, err := undo.Run(ctx, client, nil)
	if err != nil || len(res.Failed) != 0 || len(res.Removed) != 2 || res.RecordRemoved {
		t.Fatalf("teardown = %+v, %v; want the user and the policy removed, the record kept for the bucket", res, err)
	}
	if got, want := undo.Summary(res), "Everything else this setup created is gone; left in place: bucket "+bucket+"."; got != want {
		t.Errorf("teardown summary = %q, want %q", got, want)
	}
	if u, err := client.InspectUser(ctx, DefaultUserName); u.Exists || err != nil {
		t.Errorf("user left after teardown: %+v, %v", u, err)
	}
	if p, err := client.InspectPolicy(ctx, DefaultPolicyName, ""); p.Exists || err != nil {
		t.Errorf("policy left after teardown: %+v, %v", p, err)
	}
	if err := client.DeleteBucket(ctx, bucket); !errors.Is(err, awsops.ErrBucketNotEmpty) {
		t.Errorf("DeleteBucket of the uploaded-to bucket: %v, want ErrBucketNotEmpty", err)
	}
}
