//go:build e2e

package ui

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/emulator/mototest"
	"github.com/s3link/s3link/awsops/setup/journal"
	"github.com/s3link/s3link/steps"
)

// TestFlowMoto runs the whole wizard against moto_server with the real
// awsops.Client, uploads a folder into the new bucket with the caller's
// credentials, saves the key as CSV, downloads the location with the new
// key, and then checks what exists with the SDK (through awsops) and with
// the AWS CLI, and that the download is byte for byte what was uploaded.
func TestFlowMoto(t *testing.T) {
	srv := mototest.Start(t)
	cfg := mototest.Config(srv)
	ctx := context.Background()
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
	const bucket, prefix = "s3link-wizard-test", "media/2026"
	csvPath := filepath.Join(t.TempDir(), "platform_accessKeys.csv")

	f := startFlow(t, deps)
	f.waitFor("Account")
	f.press("enter")
	f.waitFor("Create a new bucket")
	f.press("enter")
	f.typeText(bucket)
	f.waitFor("valid name")
	f.press("tab")
	f.typeText(mototest.Region)
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

	pab, err := client.BucketPublicAccess(ctx, bucket)
	if err != nil || !pab.AllBlocked() {
		t.Errorf("public access = %+v, %v; want all four on", pab, err)
	}
	info, err := client.InspectPolicy(ctx, DefaultPolicyName, awsops.PolicyDocument(bucket, prefix))
	if err != nil || !info.Exists || !info.SameDocument {
		t.Errorf("policy = %+v, %v; want it with PolicyDocument's document", info, err)
	}
	keys, err := client.ListAccessKeys(ctx, DefaultUserName)
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys = %+v, %v; want one", keys, err)
	}

	st, err := os.Stat(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("CSV mode = %v, want 0600", st.Mode().Perm())
	}
	fh, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(fh).ReadAll()
	fh.Close()
	if err != nil || len(rows) != 2 || len(rows[1]) != 2 {
		t.Fatalf("CSV has %d rows, %v; want a header and one key", len(rows), err)
	}
	if strings.Join(rows[0], ",") != "Access key ID,Secret access key" {
		t.Errorf("CSV header = %q", rows[0])
	}
	if rows[1][0] != keys[0].ID {
		t.Errorf("CSV key id %q is not the user's key %q", rows[1][0], keys[0].ID)
	}
	// The saved secret signs requests as the new user.
	keyCfg := cfg
	keyCfg.Static = &awsops.StaticCredentials{AccessKeyID: rows[1][0], Secret: awsops.NewSecret(rows[1][1])}
	keyClient, err := awsops.New(ctx, keyCfg)
	if err != nil {
		t.Fatal(err)
	}
	who, err := keyClient.WhoAmI(ctx)
	if err != nil || !strings.HasSuffix(who.ARN, ":user/"+DefaultUserName) {
		t.Errorf("the CSV's key belongs to %q (%v), want user %s", who.ARN, err, DefaultUserName)
	}

	// The AWS CLI, an independent client, sees the attachment.
	cmd := exec.Command("aws", "iam", "list-attached-user-policies", "--user-name", DefaultUserName,
		"--endpoint-url", cfg.EndpointURL, "--region", mototest.Region, "--output", "json")
	// Only the emulator's dummy credentials: no AWS_* from the caller.
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "AWS_") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	cmd.Env = append(cmd.Env,
		"AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
		"AWS_CONFIG_FILE="+filepath.Join(t.TempDir(), "none"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(t.TempDir(), "none"))
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("aws iam list-attached-user-policies: %v: %s", err, stderr)
	}
	var attached struct {
		AttachedPolicies []struct{ PolicyName, PolicyArn string }
	}
	if err := json.Unmarshal(out, &attached); err != nil {
		t.Fatal(err)
	}
	if len(attached.AttachedPolicies) != 1 || attached.AttachedPolicies[0].PolicyArn != info.ARN {
		t.Errorf("attached policies = %+v, want only %s", attached.AttachedPolicies, info.ARN)
	}

	rec, err := journal.Load(recordPathFor(t, deps.RecordDir, DefaultUserName))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Bucket.Name != bucket || !rec.Bucket.Created || rec.Policy.ARN != info.ARN || !rec.User.Attached ||
		len(rec.AccessKeys) != 1 || rec.AccessKeys[0].ID != keys[0].ID || !rec.Sandbox {
		t.Errorf("record = %+v", rec)
	}

	// The new key downloaded exactly what the caller uploaded.
	requireSameTree(t, dest, media)
	if !strings.Contains(app.Summary(), fmt.Sprintf("downloaded %d files", len(media))) {
		t.Errorf("summary does not report the download:\n%s", app.Summary())
	}
}
