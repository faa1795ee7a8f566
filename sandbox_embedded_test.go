//go:build e2e

package main

// The sandbox on a machine with Go and nothing else: the built binary runs
// with a PATH holding only the go tool's folder and an empty one, so
// moto_server cannot be found and --sandbox must fall back to the embedded
// emulator, for the headless setup and for the proof download with the new
// key.

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/emulator"
)

// goOnlyPath is a PATH with the go tool's folder and an empty folder.
func goOnlyPath(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Dir(goBin) + string(os.PathListSeparator) + t.TempDir()
	for _, dir := range filepath.SplitList(p) {
		if _, err := os.Stat(filepath.Join(dir, "moto_server")); err == nil {
			t.Fatalf("moto_server is in %s, beside go; this test needs a PATH without it", dir)
		}
	}
	return p
}

func readKeyCSV(t *testing.T, path string) (id, secret string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) != 2 || len(rows[1]) != 2 {
		t.Fatalf("key CSV: %d rows, %v", len(rows), err)
	}
	return rows[1][0], rows[1][1]
}

func TestSandboxWithoutMotoRunsEmbedded(t *testing.T) {
	t.Parallel()
	e := newSandboxEnv(t)
	e.extra = []string{"PATH=" + goOnlyPath(t)}
	csvPath := filepath.Join(e.work, "k.csv")
	code, out, stderr := e.run(60*time.Second, "--sandbox", "setup", "--non-interactive", "--json",
		"--existing-bucket", "--bucket", emulator.DemoBucket, "--prefix", emulator.DemoPrefix, "--csv", csvPath)
	if code != 0 {
		t.Fatalf("sandbox setup without moto_server: exit %d\n%s\n%s", code, out, stderr)
	}
	for _, want := range []string{"moto_server is not installed, so the embedded emulator runs", "embedded emulator at http://127.0.0.1:", "evaluate no IAM policy"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the banner lacks %q:\n%s", want, stderr)
		}
	}
	var sum struct {
		Location  string
		Sandbox   bool
		AccessKey struct{ ID string }
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("summary: %v\n%s", err, out)
	}
	id, _ := readKeyCSV(t, csvPath)
	if sum.Location != "s3://"+emulator.DemoBucket+"/"+emulator.DemoPrefix+"/" || !sum.Sandbox || sum.AccessKey.ID != id {
		t.Errorf("summary = %+v, CSV key %s", sum, id)
	}

	if code, _, stderr := e.run(30*time.Second, "--sandbox=moto", "setup", "--non-interactive", "--bucket", "x-media", "--csv", filepath.Join(e.work, "k2.csv")); code == 0 || !strings.Contains(stderr, "--sandbox=embedded") {
		t.Errorf("--sandbox=moto without moto_server: exit %d, want a failure that offers --sandbox=embedded:\n%s", code, stderr)
	}
}

// TestEmbeddedSandboxProofDownload runs the sandbox's embedded emulator,
// seeded exactly as --sandbox seeds it, and drives it with separate s3link
// processes, as the platform would: headless setup with the sandbox's
// credentials, then the proof download (s3link sync) with the new key from
// the CSV. A wrong secret must fail: the emulator checks signatures.
func TestEmbeddedSandboxProofDownload(t *testing.T) {
	t.Parallel()
	sb, err := emulator.Start(t.Context(), emulator.Embedded)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Stop)
	if sb.Kind != emulator.Embedded {
		t.Fatalf("sandbox kind %q", sb.Kind)
	}
	url := sb.Config.EndpointURL
	path := goOnlyPath(t)

	e := newSandboxEnv(t)
	e.extra = []string{"PATH=" + path,
		"AWS_ACCESS_KEY_ID=" + emulator.Credentials.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + emulator.Credentials.Secret.Reveal()}
	csvPath := filepath.Join(e.work, "k.csv")
	code, out, stderr := e.run(60*time.Second, "setup", "--non-interactive", "--endpoint-url", url,
		"--existing-bucket", "--bucket", emulator.DemoBucket, "--prefix", emulator.DemoPrefix, "--csv", csvPath)
	if code != 0 {
		t.Fatalf("setup: exit %d\n%s\n%s", code, out, stderr)
	}
	id, secret := readKeyCSV(t, csvPath)

	proof := newSandboxEnv(t)
	proof.extra = []string{"PATH=" + path, "AWS_ACCESS_KEY_ID=" + id, "AWS_SECRET_ACCESS_KEY=" + secret}
	dest := filepath.Join(proof.work, "proof")
	src := "s3://" + emulator.DemoBucket + "/" + emulator.DemoPrefix + "/"
	code, out, stderr = proof.run(120*time.Second, "sync", src, dest, "--no-tui", "--endpoint-url", url)
	if code != 0 {
		t.Fatalf("proof download with the new key: exit %d\n%s\n%s", code, out, stderr)
	}
	for i, f := range emulator.DemoImages(emulator.DemoCount, 1) {
		got, err := os.ReadFile(filepath.Join(dest, filepath.FromSlash(f.Name)))
		if err != nil {
			t.Fatalf("demo image %d: %v", i, err)
		}
		if !bytes.Equal(got, f.Body) {
			t.Fatalf("demo image %s differs from what the sandbox seeded", f.Name)
		}
	}

	wrong := newSandboxEnv(t)
	wrong.extra = []string{"PATH=" + path, "AWS_ACCESS_KEY_ID=" + id, "AWS_SECRET_ACCESS_KEY=" + secret + "x"}
	code, out, stderr = wrong.run(60*time.Second, "sync", src, filepath.Join(wrong.work, "proof"), "--no-tui", "--endpoint-url", url)
	if code == 0 {
		t.Errorf("a wrong secret downloaded:\n%s\n%s", out, stderr)
	}
	assertNoPanic(t, "sync with a wrong secret", stderr)

	// Teardown removes the user, its key and the policy, each proven by
	// the setup's tag; the demo bucket existed before setup (seeded
	// untagged, used as an existing bucket) and stays.
	code, out, stderr = e.run(60*time.Second, "teardown", "--yes", "--endpoint-url", url)
	if code != 0 {
		t.Fatalf("teardown: exit %d\n%s\n%s", code, out, stderr)
	}
	for _, want := range []string{
		"✓ delete IAM user crowdai-platform-access with its access keys " + id,
		"✓ delete IAM policy CrowdAI-Platform-Access",
		"Everything this setup created is gone.",
		"is removed: nothing it lists is left.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("teardown output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "bucket "+emulator.DemoBucket) {
		t.Errorf("teardown names the pre-existing demo bucket:\n%s", out)
	}
	client, err := awsops.New(t.Context(), sb.Config)
	if err != nil {
		t.Fatal(err)
	}
	if u, err := client.InspectUser(t.Context(), "crowdai-platform-access"); u.Exists || err != nil {
		t.Errorf("the user survived teardown (%+v, %v)", u, err)
	}
	if p, err := client.InspectPolicy(t.Context(), "CrowdAI-Platform-Access", awsops.PolicyDocument(emulator.DemoBucket, emulator.DemoPrefix)); p.Exists || err != nil {
		t.Errorf("the policy survived teardown (%+v, %v)", p, err)
	}
	if b, err := client.InspectBucket(t.Context(), emulator.DemoBucket); !b.Owned || b.SetupID != "" || err != nil {
		t.Errorf("teardown removed or changed the pre-existing demo bucket (%+v, %v)", b, err)
	}
	if sum, err := client.SummarizePrefix(t.Context(), emulator.DemoBucket, emulator.DemoPrefix); err != nil || sum.Objects != int64(emulator.DemoCount) {
		t.Errorf("the demo images after teardown = %+v, %v; want %d", sum, err, emulator.DemoCount)
	}
}
