//go:build e2e

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup/journal"
)

// validReport checks that stdout is exactly one JSON object, valid for
// the command's schema, and returns it decoded.
func validReport(t *testing.T, schemas map[string]*jsonschema.Schema, command, stdout string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(stdout))
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s: stdout is not a JSON object: %v\n%s", command, err, stdout)
	}
	if dec.More() {
		t.Fatalf("%s: stdout holds more than one JSON value:\n%s", command, stdout)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(stdout))
	if err != nil {
		t.Fatal(err)
	}
	if err := schemas[command].Validate(inst); err != nil {
		t.Fatalf("%s output does not match jsonschema/%s.json: %v\n%s", command, command, err, stdout)
	}
	if v["command"] != command {
		t.Fatalf("command = %v, want %s", v["command"], command)
	}
	return v
}

// wantOutcome checks the envelope's outcome.
func wantOutcome(t *testing.T, v map[string]any, complete bool, reason string) {
	t.Helper()
	if v["complete"] != complete || (reason == "" && v["reason"] != nil) || (reason != "" && v["reason"] != reason) {
		t.Errorf("%s: complete = %v, reason = %v; want %v, %q", v["command"], v["complete"], v["reason"], complete, reason)
	}
	// A declined run had no error; every other incomplete one did.
	if _, has := v["error"]; has != (!complete && reason != reasonDeclined) {
		t.Errorf("%s: error = %v with complete %v, reason %q", v["command"], v["error"], complete, reason)
	}
}

// TestJSONOutputMatchesSchemas runs every command that has --json against
// moto and validates what it prints against its schema: complete runs,
// a failed one, a refused one and a cancelled one.
func TestJSONOutputMatchesSchemas(t *testing.T) {
	schemas := jsonSchemas(t)
	e := newEnv(t)
	work := t.TempDir()

	code, out, stderr := e.run("version", "--json")
	if code != 0 {
		t.Fatalf("version --json: exit %d, %s", code, stderr)
	}
	v := validReport(t, schemas, "version", out)
	wantOutcome(t, v, true, "")
	if v["version"] != 1.0 || v["goVersion"] == "" {
		t.Errorf("version report %v", v)
	}

	setupArgs := []string{"--bucket", "media-schema", "--prefix", "path/to/files", "--region", "us-east-1"}
	code, out, stderr = e.run(append([]string{"setup", "--plan", "--format", "json"}, setupArgs...)...)
	if code != 0 {
		t.Fatalf("plan: exit %d, %s", code, stderr)
	}
	v = validReport(t, schemas, "plan", out)
	wantOutcome(t, v, true, "")
	if a, _ := v["actions"].([]any); len(a) != 7 {
		t.Errorf("plan actions = %v", v["actions"])
	}

	csvPath := filepath.Join(work, "key.csv")
	code, out, stderr = e.run(append([]string{"setup", "--non-interactive", "--json", "--csv", csvPath}, setupArgs...)...)
	if code != 0 {
		t.Fatalf("setup: exit %d, %s", code, stderr)
	}
	v = validReport(t, schemas, "setup", out)
	wantOutcome(t, v, true, "")
	if a, _ := v["actions"].([]any); len(a) != 7 || v["location"] != "s3://media-schema/path/to/files/" {
		t.Errorf("setup report: actions %v, location %v", v["actions"], v["location"])
	}

	// A plan that refuses: a user s3link did not make.
	e.aws(nil, "iam", "create-user", "--user-name", "outsider")
	code, out, _ = e.run("setup", "--plan", "--json", "--bucket", "media-schema-2", "--region", "us-east-1", "--user", "outsider")
	if code != 1 {
		t.Fatalf("refused plan: exit %d", code)
	}
	v = validReport(t, schemas, "plan", out)
	wantOutcome(t, v, false, reasonRefused)
	if r, _ := v["refusals"].([]any); len(r) != 1 || !strings.Contains(v["error"].(string), "outsider") {
		t.Errorf("refused plan: refusals %v, error %v", v["refusals"], v["error"])
	}

	src := filepath.Join(work, "shoot")
	for name, body := range map[string]string{"a.jpg": "aaaa", "sub/b.jpg": "bb", "notes.txt": "n"} {
		os.MkdirAll(filepath.Dir(filepath.Join(src, name)), 0o755)
		if err := os.WriteFile(filepath.Join(src, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, stderr = e.run("upload", src, "s3://media-schema/path/to/files", "--json")
	if code != 0 {
		t.Fatalf("upload: exit %d, %s", code, stderr)
	}
	v = validReport(t, schemas, "upload", out)
	wantOutcome(t, v, true, "")
	if v["uploaded"] != 2.0 || v["filtered"] != 1.0 || v["failedCount"] != 0.0 {
		t.Errorf("upload report %v", v)
	}

	code, out, stderr = e.run("upload", src, "s3://media-schema/other", "--json", "--dry-run")
	if code != 0 {
		t.Fatalf("upload --dry-run: exit %d, %s", code, stderr)
	}
	v = validReport(t, schemas, "upload", out)
	wantOutcome(t, v, true, "")
	if p, _ := v["planned"].([]any); len(p) != 2 || v["dryRun"] != true {
		t.Errorf("upload dry run: planned %v", v["planned"])
	}

	// A part-way failure: every file fails, the report still comes.
	code, out, _ = e.run("upload", src, "s3://no-such-schema-bucket", "--json")
	if code != 1 {
		t.Fatalf("failed upload: exit %d", code)
	}
	v = validReport(t, schemas, "upload", out)
	wantOutcome(t, v, false, reasonFailed)
	if f, _ := v["failed"].([]any); len(f) != 2 || v["failedCount"] != 2.0 {
		t.Errorf("failed upload: failed %v, failedCount %v", v["failed"], v["failedCount"])
	}

	dest := filepath.Join(work, "media")
	code, out, stderr = e.run("sync", "s3://media-schema/path/to/files", dest, "--json", "--csv", csvPath)
	if code != 0 {
		t.Fatalf("sync: exit %d, %s", code, stderr)
	}
	v = validReport(t, schemas, "sync", out)
	wantOutcome(t, v, true, "")
	if v["downloaded"] != 2.0 || v["bytes"] != 6.0 {
		t.Errorf("sync report %v", v)
	}
	os.WriteFile(filepath.Join(dest, "stray.jpg"), []byte("x"), 0o644)
	os.Remove(filepath.Join(dest, "a.jpg"))
	code, out, stderr = e.run("sync", "s3://media-schema/path/to/files", dest, "--json", "--dry-run", "--delete")
	if code != 0 {
		t.Fatalf("sync --dry-run: exit %d, %s", code, stderr)
	}
	v = validReport(t, schemas, "sync", out)
	wantOutcome(t, v, true, "")
	if p, _ := v["planned"].([]any); len(p) != 1 || v["dryRun"] != true {
		t.Errorf("dry run: planned %v", v["planned"])
	}
	if d, _ := v["deleted"].([]any); len(d) != 1 {
		t.Errorf("dry run: deleted %v", v["deleted"])
	}

	// status: a clean link, then drift (a finding: complete, exit 1), then
	// a record that cannot be read (failed).
	records := e.records()
	if len(records) != 1 {
		t.Fatalf("records = %v, want the one setup made", records)
	}
	recPath := records[0]
	code, out, stderr = e.run("status", "--json")
	if code != 0 {
		t.Fatalf("status: exit %d\n%s\n%s", code, out, stderr)
	}
	v = validReport(t, schemas, "status", out)
	wantOutcome(t, v, true, "")
	if links, _ := v["links"].([]any); len(links) != 1 || v["drift"] != false || v["failedCount"] != 0.0 {
		t.Errorf("clean status %v", v)
	}
	e.aws(nil, "s3api", "delete-public-access-block", "--bucket", "media-schema")
	code, out, stderr = e.run("status", "--json")
	if code != 1 || !strings.Contains(stderr, "not as setup made it") {
		t.Fatalf("drifted status: exit %d\n%s\n%s", code, out, stderr)
	}
	v = validReport(t, schemas, "status", out)
	wantOutcome(t, v, true, "")
	if links, _ := v["links"].([]any); len(links) != 1 || v["drift"] != true || links[0].(map[string]any)["drift"] != true {
		t.Errorf("drifted status %v", v)
	}
	code, out, _ = e.run("status", "--json", "--record", filepath.Join(work, "no-such-record.json"))
	if code != 1 {
		t.Fatalf("status of a missing record: exit %d", code)
	}
	v = validReport(t, schemas, "status", out)
	wantOutcome(t, v, false, reasonFailed)
	if f, _ := v["failed"].([]any); len(f) != 1 || v["failedCount"] != 1.0 || f[0].(map[string]any)["reason"] == "" {
		t.Errorf("failed status: failed %v", v["failed"])
	}

	// rotate: a full rotation, then one stopped after the proof (failed,
	// the stage in failed), which the next run finishes.
	code, out, stderr = e.run("rotate", "--json", "--non-interactive", "--delete-old", "--csv", filepath.Join(work, "rotated.csv"))
	if code != 0 {
		t.Fatalf("rotate: exit %d\n%s\n%s", code, out, stderr)
	}
	v = validReport(t, schemas, "rotate", out)
	wantOutcome(t, v, true, "")
	if st, _ := v["steps"].([]any); len(st) != 5 || v["oldKey"] != "deleted" || v["newKeyId"] == "" || v["record"] != recPath ||
		v["csv"] != filepath.Join(work, "rotated.csv") || strings.Contains(out, "ecret") {
		t.Errorf("rotate report %v", v)
	}
	rotateAfterStage = func(s string) error {
		if s == journal.RotateProven {
			return errors.New("killed")
		}
		return nil
	}
	code, out, _ = e.run("rotate", "--json", "--non-interactive", "--delete-old", "--csv", filepath.Join(work, "rotated-2.csv"))
	rotateAfterStage = nil
	if code != 1 {
		t.Fatalf("stopped rotate: exit %d\n%s", code, out)
	}
	v = validReport(t, schemas, "rotate", out)
	wantOutcome(t, v, false, reasonFailed)
	if f, _ := v["failed"].([]any); len(f) != 1 || v["failedCount"] != 1.0 || f[0].(map[string]any)["step"] != journal.RotateProven ||
		!strings.Contains(v["error"].(string), "run 's3link rotate' again") {
		t.Errorf("stopped rotate: %v", v)
	}
	code, out, stderr = e.run("rotate", "--json", "--non-interactive", "--delete-old")
	if code != 0 {
		t.Fatalf("finishing rotate: exit %d\n%s\n%s", code, out, stderr)
	}
	v = validReport(t, schemas, "rotate", out)
	wantOutcome(t, v, true, "")
	if v["oldKey"] != "deleted" {
		t.Errorf("finishing rotate %v", v)
	}

	// Cancelled: the report says so and the exit code is 130, however
	// early the cancel came (here before the first call).
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, args := range [][]string{
		{"sync", "s3://media-schema/path/to/files", filepath.Join(work, "cancelled"), "--json"},
		{"setup", "--non-interactive", "--json", "--bucket", "media-cancelled", "--region", "us-east-1", "--csv", filepath.Join(work, "cancelled.csv")},
		{"setup", "--plan", "--json", "--bucket", "media-cancelled", "--region", "us-east-1"},
		{"upload", src, "s3://media-schema/cancelled", "--json"},
		{"status", "--json"},
		{"rotate", "--json", "--non-interactive", "--csv", filepath.Join(work, "cancelled-rotate.csv")},
	} {
		var outb, errb bytes.Buffer
		g := &Globals{In: strings.NewReader(""), Out: &outb, Err: &errb}
		code = Execute(ctx, g, append(args, "--endpoint-url", e.endpoint))
		if code != 130 {
			t.Fatalf("cancelled %s: exit %d\n%s\n%s", args[0], code, outb.String(), errb.String())
		}
		command := args[0]
		if args[1] == "--plan" {
			command = "plan"
		}
		v = validReport(t, schemas, command, outb.String())
		wantOutcome(t, v, false, reasonCancelled)
	}

	// Declined: answered no on a terminal; nothing removed, exit 0.
	var outb, errb bytes.Buffer
	g := &Globals{In: strings.NewReader("n\n"), Out: &outb, Err: &errb, IsTerminal: true}
	if code = Execute(context.Background(), g, []string{"teardown", "--json", "--endpoint-url", e.endpoint}); code != 0 {
		t.Fatalf("declined teardown: exit %d\n%s", code, errb.String())
	}
	v = validReport(t, schemas, "teardown", outb.String())
	wantOutcome(t, v, false, reasonDeclined)
	if !strings.Contains(errb.String(), "Remove these? [y/N]") || v["removedCount"] != 0.0 {
		t.Errorf("declined teardown: stderr %q, report %v", errb.String(), v)
	}

	code, out, stderr = e.run("teardown", "--yes", "--json")
	if code != 0 {
		t.Fatalf("teardown: exit %d, %s", code, stderr)
	}
	v = validReport(t, schemas, "teardown", out)
	wantOutcome(t, v, true, "")
	recs, _ := v["records"].([]any)
	if len(recs) != 1 {
		t.Fatalf("teardown records %v", v["records"])
	}
	rec := recs[0].(map[string]any)
	left, _ := rec["left"].([]any)
	if removed, _ := rec["removed"].([]any); len(removed) != 2 || v["removedCount"] != float64(len(removed)) || len(left) != 1 ||
		!strings.Contains(left[0].(map[string]any)["what"].(string), "bucket media-schema") || left[0].(map[string]any)["ours"] != true {
		t.Errorf("teardown record %v", rec)
	}
	if !strings.Contains(stderr, "✓ ") {
		t.Errorf("teardown --json does not say its steps on stderr: %s", stderr)
	}

	// A record that cannot be read: failed, with the sentence.
	code, out, _ = e.run("teardown", "--yes", "--json", "--record", filepath.Join(work, "no-such-record.json"))
	if code != 1 {
		t.Fatalf("teardown of a missing record: exit %d", code)
	}
	v = validReport(t, schemas, "teardown", out)
	wantOutcome(t, v, false, reasonFailed)
}

// TestJSONRotateRefused: rotate refuses a user it cannot prove is
// s3link's (its tag gone, no key the record names), changes nothing, and
// says so by the contract.
func TestJSONRotateRefused(t *testing.T) {
	schemas := jsonSchemas(t)
	e, csvPath, rec := linkedEnv(t)
	const user = "crowdai-platform-access"
	e.aws(nil, "iam", "untag-user", "--user-name", user, "--tag-keys", awsops.SetupTagKey)
	e.aws(nil, "iam", "delete-access-key", "--user-name", user, "--access-key-id", readCSV(t, csvPath))
	e.aws(nil, "iam", "create-access-key", "--user-name", user)
	before := e.accessKeyIDs(user)
	refused := filepath.Join(e.dir, "refused.csv")
	code, out, stderr := e.run("rotate", "--json", "--non-interactive", "--record", rec, "--csv", refused)
	if code != 1 {
		t.Fatalf("refused rotate: exit %d\n%s\n%s", code, out, stderr)
	}
	v := validReport(t, schemas, "rotate", out)
	wantOutcome(t, v, false, reasonRefused)
	if !strings.Contains(v["error"].(string), "does not carry this setup's tag") || v["user"] != user {
		t.Errorf("refused rotate: %v", v)
	}
	if _, err := os.Stat(refused); err == nil {
		t.Errorf("refused rotate wrote its key file")
	}
	if after := e.accessKeyIDs(user); !slices.Equal(after, before) {
		t.Errorf("keys %v after the refusal, %v before", after, before)
	}
}
