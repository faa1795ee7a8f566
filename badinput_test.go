//go:build e2e

package main

// Hostile local input, end to end: a damaged or truncated setup record and
// an unreadable or garbled AWS config must each end in one plain error line
// and a non-zero exit, never a panic, and must not create anything.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/s3link/s3link/awsops/emulator/mototest"
)

// oneErrorLine checks the CLI's failure shape: exit non-zero, no crash, and
// exactly one "Error: " line on stderr that reads as a sentence.
func oneErrorLine(t *testing.T, what string, code int, stdout, stderr string) string {
	t.Helper()
	assertNoPanic(t, what, stdout+stderr)
	if code == 0 {
		t.Fatalf("%s: exit 0, want a failure\nstdout:\n%s\nstderr:\n%s", what, stdout, stderr)
	}
	var lines []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "Error: ") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 {
		t.Fatalf("%s: want exactly one error line, got %d\nstderr:\n%s", what, len(lines), stderr)
	}
	l := lines[0]
	if !strings.HasSuffix(l, ".") || len(l) > 600 {
		t.Errorf("%s: the error line is not a plain sentence: %q", what, l)
	}
	return l
}

func TestBadRecordAndConfigGiveOneSentence(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	const account, user = "123456789012", "bad-input-user"
	valid := `{"version":1,"account":"123456789012","caller_arn":"arn:aws:iam::123456789012:user/moto","region":"us-east-1",` +
		`"bucket":{"name":"bad-input-bucket","region":"us-east-1","created":true},"prefix":"media",` +
		`"policy":{"name":"P","arn":"arn:aws:iam::123456789012:policy/P","version_id":"v1","created":true,"new_version":false},` +
		`"user":{"name":"bad-input-user","arn":"arn:aws:iam::123456789012:user/bad-input-user","created":true,"attached":true},` +
		`"access_keys":[{"id":"AKIAEXAMPLE","created":"2026-01-01T00:00:00Z"}],"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}`
	records := []struct {
		name string
		data string
	}{
		{"truncated", valid[:len(valid)/2]},
		{"garbage", "\x00\xff\xfe not json at all \xc0\xae"},
		{"empty", ""},
		{"wrong-shape", `{"version":1,"access_keys":"none","bucket":[1,2,3]}`},
		{"future-version", strings.Replace(valid, `"version":1`, `"version":99`, 1)},
		{"deep-nesting", strings.Repeat("[", 100000)},
	}
	tried := 0
	for _, rc := range records {
		t.Run("record-"+rc.name, func(t *testing.T) {
			e := newSandboxEnv(t)
			path := filepath.Join(e.cfg, "setups", account+"-"+user+".json")
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(rc.data), 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := e.run(60*time.Second, "teardown", "--yes", "--endpoint-url", moto.URL())
			line := oneErrorLine(t, "teardown with a "+rc.name+" record", code, out, errOut)
			t.Logf("%s record, teardown: %s", rc.name, line)
			tried++
			if !strings.Contains(line, path) {
				t.Errorf("the error does not name the record file: %q", line)
			}
			code, out, errOut = e.run(60*time.Second, "setup", "--non-interactive", "--bucket", "bad-input-bucket",
				"--user", user, "--csv", filepath.Join(e.work, "k.csv"), "--endpoint-url", moto.URL())
			oneErrorLine(t, "setup with a "+rc.name+" record", code, out, errOut)
			tried++
			// The damaged record may be the only list of what to remove:
			// it must be left exactly as it was.
			if b, err := os.ReadFile(path); err != nil || string(b) != rc.data {
				t.Errorf("the damaged record was changed or removed (%v)", err)
			}
			if _, err := os.Stat(filepath.Join(e.work, "k.csv")); err == nil {
				t.Error("a credentials CSV was written")
			}
		})
	}

	configs := []struct {
		name  string
		setup func(t *testing.T, e *sandboxEnv) []string // returns extra env
	}{
		{"config-is-a-directory", func(t *testing.T, e *sandboxEnv) []string {
			d := filepath.Join(e.home, "cfgdir")
			if err := os.MkdirAll(d, 0o700); err != nil {
				t.Fatal(err)
			}
			return []string{"AWS_CONFIG_FILE=" + d, "AWS_PROFILE=default"}
		}},
		{"credentials-is-a-directory", func(t *testing.T, e *sandboxEnv) []string {
			d := filepath.Join(e.home, "creddir")
			if err := os.MkdirAll(d, 0o700); err != nil {
				t.Fatal(err)
			}
			return []string{"AWS_SHARED_CREDENTIALS_FILE=" + d, "AWS_PROFILE=default"}
		}},
		{"config-garbage", func(t *testing.T, e *sandboxEnv) []string {
			p := filepath.Join(e.home, "garbage")
			if err := os.WriteFile(p, []byte("\x00\xff[profile default\nregion = = =\n[[[\x7f\xc0\xae\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			return []string{"AWS_CONFIG_FILE=" + p, "AWS_PROFILE=default"}
		}},
		{"profile-missing", func(t *testing.T, e *sandboxEnv) []string {
			return []string{"AWS_PROFILE=no-such-profile"}
		}},
	}
	for _, cc := range configs {
		t.Run(cc.name, func(t *testing.T) {
			e := newSandboxEnv(t)
			e.extra = cc.setup(t, e)
			src := filepath.Join(e.work, "src")
			if err := os.MkdirAll(src, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(src, "a.jpg"), []byte("jpg"), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{
				{"setup", "--non-interactive", "--bucket", "cfg-bucket", "--csv", filepath.Join(e.work, "k.csv")},
				{"sync", "s3://cfg-bucket/media", filepath.Join(e.work, "dest"), "--no-tui"},
				{"upload", src, "s3://cfg-bucket/media", "--no-tui"},
			} {
				code, out, errOut := e.run(60*time.Second, append(args, "--endpoint-url", moto.URL())...)
				t.Logf("%s %s: %s", cc.name, args[0], oneErrorLine(t, cc.name+": "+args[0], code, out, errOut))
				tried++
			}
		})
	}
	if inv := inventory(t, moto.URL()); !inv.empty() {
		t.Errorf("bad input created resources: %+v", inv)
	}
	t.Logf("BAD INPUT: %d runs, each one error line, no panic", tried)
}
