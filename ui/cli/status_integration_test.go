//go:build e2e

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runAt is run with the clock set to now, for key ages.
func (e *env) runAt(now time.Time, args ...string) (code int, stdout, stderr string) {
	e.t.Helper()
	var out, errb bytes.Buffer
	g := &Globals{In: strings.NewReader(""), Out: &out, Err: &errb, Now: func() time.Time { return now }}
	code = Execute(context.Background(), g, append(args, "--endpoint-url", e.endpoint))
	return code, out.String(), errb.String()
}

// linkedEnv is a moto with one headless setup done: bucket media, prefix
// path/to/files, the key in key.csv.
func linkedEnv(t *testing.T) (e *env, csvPath, recPath string) {
	t.Helper()
	e = newEnv(t)
	csvPath = filepath.Join(e.dir, "key.csv")
	code, out, stderr := e.run("setup", "--non-interactive", "--bucket", "media", "--region", "us-east-1",
		"--prefix", "path/to/files", "--csv", csvPath)
	if code != 0 {
		t.Fatalf("setup exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	recs := e.records()
	if len(recs) != 1 {
		t.Fatalf("records after setup = %v, want 1", recs)
	}
	return e, csvPath, recs[0]
}

func TestStatusOfACleanLinkExitsZero(t *testing.T) {
	e, _, rec := linkedEnv(t)
	code, out, stderr := e.run("status")
	if code != 0 {
		t.Fatalf("status exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	for _, want := range []string{
		"Link s3://media/path/to/files/ for user crowdai-platform-access",
		"✓ block public access: all four settings on",
		"✓ default encryption: SSE-S3",
		"✓ policy document: policy CrowdAI-Platform-Access says exactly what s3link generates",
		"✓ policy attachments: attached to user crowdai-platform-access only",
		"✓ user policies: only s3link's policy",
		// moto 5.2.1 keeps no permissions boundaries; on AWS this line
		// names the policy.
		"! permissions boundary: not checked",
		"All as set up.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("status output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "✗") {
		t.Errorf("clean link shows drift:\n%s", out)
	}
	t.Logf("status on a clean link:\n%s", out)

	// The same as JSON, by the shared contract.
	code, out, _ = e.run("status", "--record", rec, "--json")
	if code != 0 {
		t.Fatalf("status --json exit %d:\n%s", code, out)
	}
	var rep struct {
		Version  int    `json:"version"`
		Command  string `json:"command"`
		Complete bool   `json:"complete"`
		Drift    bool   `json:"drift"`
		Links    []struct {
			Drift bool `json:"drift"`
			Keys  []struct {
				ID       string   `json:"id"`
				Ours     bool     `json:"ours"`
				Warnings []string `json:"warnings"`
			} `json:"keys"`
		} `json:"links"`
		Failed      []any `json:"failed"`
		FailedCount int   `json:"failedCount"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("decode status --json: %v\n%s", err, out)
	}
	if rep.Version != 1 || rep.Command != "status" || !rep.Complete || rep.Drift || rep.Failed == nil || rep.FailedCount != 0 ||
		len(rep.Links) != 1 || len(rep.Links[0].Keys) != 1 || !rep.Links[0].Keys[0].Ours || rep.Links[0].Keys[0].Warnings == nil {
		t.Errorf("status --json = %+v", rep)
	}
}

func TestStatusFindsAPolicyEditedByHand(t *testing.T) {
	e, _, _ := linkedEnv(t)
	wider := `{"Version":"2012-10-17","Statement":[{"Sid":"AllowObjectAccess","Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::media/*"]}]}`
	e.aws(nil, "iam", "create-policy-version", "--policy-arn", "arn:aws:iam::123456789012:policy/CrowdAI-Platform-Access",
		"--policy-document", wider, "--set-as-default")
	code, out, stderr := e.run("status")
	if code != 1 {
		t.Fatalf("status exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	for _, want := range []string{
		"✗ policy document: The default version of policy CrowdAI-Platform-Access differs",
		`    -         "arn:aws:s3:::media/path/to/files/*"`,
		`    +         "arn:aws:s3:::media/*"`,
		`    -       "Sid": "AllowObjectsListing1"`,
		"Drift: 1 check differs from what setup made (policy document).",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("status output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(stderr, "not as setup made it") {
		t.Errorf("stderr = %q, want the drift sentence", stderr)
	}
	t.Logf("status on a drifted policy:\n%s", out)
}

func TestStatusFindsBlockPublicAccessOff(t *testing.T) {
	e, _, _ := linkedEnv(t)
	e.aws(nil, "s3api", "delete-public-access-block", "--bucket", "media")
	code, out, _ := e.run("status")
	if code != 1 {
		t.Fatalf("status exit %d, want 1:\n%s", code, out)
	}
	want := "✗ block public access: Block Public Access on bucket media is no longer fully on (off: BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets)"
	if !strings.Contains(out, want) {
		t.Errorf("status output lacks %q:\n%s", want, out)
	}
	t.Logf("status with Block Public Access off:\n%s", out)
}

func TestStatusWarnsAboutAnOldKey(t *testing.T) {
	e, _, _ := linkedEnv(t)
	later := time.Now().Add(91 * 24 * time.Hour)
	code, out, stderr := e.runAt(later, "status")
	if code != 0 {
		t.Fatalf("status exit %d, want 0 (a warning is not drift)\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	for _, want := range []string{"91 days old, past 90 days; rotate it with 's3link rotate'", "never used in 91 days; check that the platform still has it", "All as set up."} {
		if !strings.Contains(out, want) {
			t.Errorf("status output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(out, "! access key ") {
		t.Errorf("the old key is not marked as a warning:\n%s", out)
	}
	// Thirty-one days: not old, but unused.
	_, out, _ = e.runAt(time.Now().Add(31*24*time.Hour), "status")
	if strings.Contains(out, "past 90 days") || !strings.Contains(out, "never used in 31 days") {
		t.Errorf("status at 31 days:\n%s", out)
	}
}

func TestStatusProbesWithThePlatformKey(t *testing.T) {
	e, csvPath, rec := linkedEnv(t)
	e.aws(nil, "s3api", "put-object", "--bucket", "media", "--key", "path/to/files/a.jpg", "--body", csvPath)
	// moto enforces no IAM here, so the key may read anything: the probe
	// must notice that an object outside the location is not refused.
	code, out, _ := e.run("status", "--record", rec, "--csv", csvPath)
	if code != 1 {
		t.Fatalf("status --csv exit %d, want 1:\n%s", code, out)
	}
	for _, want := range []string{
		"✓ probe: list: the platform's key lists s3://media/path/to/files/",
		"✓ probe: read: the platform's key reads s3://media/path/to/files/a.jpg",
		"✗ probe: outside: The platform's key may read s3://media/path/to/files-s3link-status-probe, outside the location",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("status output lacks %q:\n%s", want, out)
		}
	}
	t.Logf("status --csv against moto without IAM enforcement:\n%s", out)

	// A key file of someone else's key.
	other := filepath.Join(e.dir, "other.csv")
	if err := os.WriteFile(other, []byte("Access key ID,Secret access key\nAKIAIOSFODNN7EXAMPLE,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ = e.run("status", "--record", rec, "--csv", other)
	if code != 1 || !strings.Contains(out, "✗ probe key: The key AKIAIOSFODNN7EXAMPLE (from "+other+") is not one of user crowdai-platform-access's keys") {
		t.Errorf("status with another key's file: exit %d:\n%s", code, out)
	}
	if strings.Contains(out, "wJalrXUtnFEMI") {
		t.Errorf("status printed the secret:\n%s", out)
	}
}

func TestStatusInAnotherAccount(t *testing.T) {
	e, _, rec := linkedEnv(t)
	data, err := os.ReadFile(rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rec, bytes.Replace(data, []byte(`"account": "123456789012"`), []byte(`"account": "210987654321"`), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ := e.run("status")
	if code != 1 || !strings.Contains(out, "✗ account: The record belongs to AWS account 210987654321, but your credentials are for account 123456789012") {
		t.Errorf("status in another account: exit %d:\n%s", code, out)
	}
	if strings.Contains(out, "✓ bucket") {
		t.Errorf("status checked another account's resources:\n%s", out)
	}
}
