package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/record"
	"github.com/s3link/s3link/awsops/sandbox"
	"github.com/s3link/s3link/steps"
)

// TestFlowEmbeddedSandbox is TestFlowMoto on the sandbox's embedded
// emulator, started and seeded as `s3link --sandbox` does without
// moto_server: the whole wizard with the real awsops.Client, an upload into
// a new bucket, the key saved as CSV, and the proof download with the new
// key, which the emulator accepts only with the secret IAM handed out.
func TestFlowEmbeddedSandbox(t *testing.T) {
	ctx := context.Background()
	sb, err := sandbox.Start(ctx, sandbox.Embedded)
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
	f.typeText(sandbox.DemoRegion)
	f.press("enter")
	f.waitFor("Which folder in " + bucket)
	f.typeText(prefix)
	f.press("enter")
	f.waitFor("Upload a folder of media", fmt.Sprintf("%d files,", len(media)))
	f.press("enter")
	f.waitFor("What it allows")
	f.press("enter")
	f.waitFor("The platform signs in")
	f.press("enter")
	f.waitFor("Nothing has been created yet", fmt.Sprintf("Upload %d files", len(media)))
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

	pab, err := client.BucketPublicAccess(ctx, bucket)
	if err != nil || !pab.AllBlocked() {
		t.Errorf("public access = %+v, %v; want all four on", pab, err)
	}
	info, err := client.LookupPolicy(ctx, DefaultPolicyName, awsops.PolicyDocument(bucket, prefix))
	if err != nil || !info.Exists || !info.SameDocument {
		t.Errorf("policy = %+v, %v; want it with PolicyDocument's document", info, err)
	}
	keys, err := client.ListAccessKeys(ctx, DefaultUserName)
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys = %+v, %v; want one", keys, err)
	}
	// The proof download used the new key: the emulator saw it.
	if keys[0].LastUsed.IsZero() {
		t.Errorf("the new key %s was never used; the proof download did not sign with it", keys[0].ID)
	}
	rec, err := record.Load(record.PathFor(deps.RecordDir, app.identity.Account, DefaultUserName))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Bucket.Name != bucket || !rec.Bucket.Created || rec.Policy.ARN != info.ARN || !rec.User.Attached ||
		len(rec.AccessKeys) != 1 || rec.AccessKeys[0].ID != keys[0].ID || !rec.Sandbox {
		t.Errorf("record = %+v", rec)
	}
	requireSameTree(t, dest, media)
	if !strings.Contains(app.Summary(), fmt.Sprintf("downloaded %d files", len(media))) {
		t.Errorf("summary does not report the download:\n%s", app.Summary())
	}

	// Teardown's calls clear what the wizard made.
	if err := client.DeleteUser(ctx, DefaultUserName); err != nil {
		t.Fatal(err)
	}
	if err := client.DeletePolicy(ctx, info.ARN); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := client.FindUser(ctx, DefaultUserName); ok || err != nil {
		t.Errorf("user left after teardown: %v, %v", ok, err)
	}
}
