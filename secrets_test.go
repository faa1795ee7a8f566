//go:build e2e

package main

// Secret hygiene: the secret access key setup creates may be written only
// to the credentials CSV. The tests learn the secret from the IAM answer
// itself (a proxy in front of moto reads it), then search everything
// s3link wrote (every file under the temp HOME, config and working
// folders), its stdout and stderr, for it, in the forms a leak would take.
// The secret is never printed: comparisons report only where it was found.

import (
	"encoding/base64"
	"encoding/csv"
	"encoding/xml"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s3link/s3link/awsops/emulator/mototest"
)

// capturedKey is what the proxy saw in CreateAccessKey answers.
type capturedKey struct {
	mu      sync.Mutex
	secrets []string
	ids     []string
}

func (c *capturedKey) hook(action string, body []byte) {
	if action != "CreateAccessKey" {
		return
	}
	var resp struct {
		Result struct {
			AccessKey struct {
				AccessKeyID     string `xml:"AccessKeyId"`
				SecretAccessKey string `xml:"SecretAccessKey"`
			} `xml:"AccessKey"`
		} `xml:"CreateAccessKeyResult"`
	}
	if xml.Unmarshal(body, &resp) != nil || resp.Result.AccessKey.SecretAccessKey == "" {
		return
	}
	c.mu.Lock()
	c.secrets = append(c.secrets, resp.Result.AccessKey.SecretAccessKey)
	c.ids = append(c.ids, resp.Result.AccessKey.AccessKeyID)
	c.mu.Unlock()
}

func (c *capturedKey) last(t *testing.T) (id, secret string) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.secrets) == 0 {
		t.Fatal("no CreateAccessKey answer passed the proxy")
	}
	return c.ids[len(c.ids)-1], c.secrets[len(c.secrets)-1]
}

// leakForms are the shapes a leaked secret could take in a log or file.
func leakForms(secret string) []string {
	forms := []string{
		secret,
		url.QueryEscape(secret),
		strings.ReplaceAll(secret, "/", `\/`),
		base64.StdEncoding.EncodeToString([]byte(secret)),
	}
	// A prefix long enough to be unmistakable catches truncated copies.
	if len(secret) > 24 {
		forms = append(forms, secret[:24])
	}
	return forms
}

// leaks returns where the secret appears: file paths under roots (except
// allowed) and the names of the given outputs. It never returns the secret.
func leaks(t *testing.T, secret string, roots []string, allowed map[string]bool, outputs map[string]string) []string {
	t.Helper()
	var where []string
	forms := leakForms(secret)
	check := func(name string, data []byte) {
		for _, f := range forms {
			if strings.Contains(string(data), f) {
				where = append(where, name)
				return
			}
		}
	}
	files := 0
	for _, root := range roots {
		for _, p := range filesUnder(t, root) {
			files++
			if allowed[p] {
				continue
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatalf("read %s: %v", p, err)
			}
			check(p, b)
		}
	}
	for name, out := range outputs {
		check(name, []byte(out))
	}
	t.Logf("searched %d files and %d output streams for the secret", files, len(outputs))
	return where
}

// csvSecretMatches reports whether the CSV holds exactly id and secret,
// without revealing either in a failure.
func csvSecretMatches(t *testing.T, path, id, secret string) bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) != 2 || len(rows[1]) != 2 {
		t.Fatalf("credentials CSV does not have the console layout")
	}
	return rows[1][0] == id && rows[1][1] == secret
}

func TestSecretNeverLeavesTheCSV(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	proxy := newSlowAWS(t, moto.URL(), 0)
	var keys capturedKey
	hook := keys.hook
	proxy.onResponse.Store(&hook)
	leaked := 0

	for _, mode := range []struct {
		name string
		args []string
	}{
		{"plain", nil},
		{"json", []string{"--json"}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			e := newSandboxEnv(t)
			csvPath := filepath.Join(e.work, "keys.csv")
			args := append([]string{"setup", "--non-interactive", "--debug", "--bucket", "sec-" + mode.name, "--prefix", "media",
				"--user", "sec-user-" + mode.name, "--policy-name", "sec-pol-" + mode.name, "--csv", csvPath,
				"--endpoint-url", proxy.srv.URL}, mode.args...)
			code, out, errOut := e.run(90*time.Second, args...)
			if code != 0 {
				t.Fatalf("setup exit %d\nstderr:\n%s", code, errOut)
			}
			assertNoPanic(t, "setup", out+errOut)
			id, secret := keys.last(t)
			if !csvSecretMatches(t, csvPath, id, secret) {
				t.Fatal("the CSV does not hold the key IAM created")
			}
			if fi, err := os.Stat(csvPath); err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("CSV mode: %v %v", fi, err)
			}
			debugLog := filepath.Join(e.cfg, "debug.log")
			if b, err := os.ReadFile(debugLog); err != nil || !strings.Contains(string(b), "CreateAccessKey") {
				t.Fatalf("the debug log does not show the CreateAccessKey call (%v)", err)
			}
			where := leaks(t, secret, []string{e.root}, map[string]bool{csvPath: true}, map[string]string{"stdout": out, "stderr": errOut})
			if len(where) > 0 {
				leaked += len(where)
				t.Errorf("LEAK: the secret appears in %v", where)
			}
			// Teardown leaves nothing, and says nothing secret either.
			code, tout, terr := e.run(90*time.Second, "teardown", "--yes", "--delete-bucket", "--endpoint-url", moto.URL())
			if code != 0 {
				t.Fatalf("teardown exit %d\n%s\n%s", code, tout, terr)
			}
			if where := leaks(t, secret, []string{e.root}, map[string]bool{csvPath: true}, map[string]string{"teardown stdout": tout, "teardown stderr": terr}); len(where) > 0 {
				t.Errorf("LEAK after teardown: %v", where)
			}
		})
	}
	t.Logf("SECRETS: %d leaks found", leaked)
}

// TestSecretCSVWriteFailsAfterKeyCreated makes the CSV's folder vanish
// after the path was validated and while CreateAccessKey is on its way, so
// the write fails with the key already made. s3link must delete the key
// (its secret can never be shown again), say so in a sentence, and the
// secret must appear nowhere.
func TestSecretCSVWriteFailsAfterKeyCreated(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	proxy := newSlowAWS(t, moto.URL(), 0)
	var keys capturedKey
	onResp := keys.hook
	proxy.onResponse.Store(&onResp)

	e := newSandboxEnv(t)
	csvDir := filepath.Join(e.work, "handover")
	if err := os.Mkdir(csvDir, 0o700); err != nil {
		t.Fatal(err)
	}
	csvPath := filepath.Join(csvDir, "keys.csv")
	var vanished atomic.Bool
	onReq := func(action string) {
		if action == "CreateAccessKey" && !vanished.Swap(true) {
			if err := os.RemoveAll(csvDir); err != nil {
				t.Errorf("remove the CSV folder: %v", err)
			}
		}
	}
	proxy.onRequest.Store(&onReq)
	code, out, errOut := e.run(90*time.Second, "setup", "--non-interactive", "--debug", "--bucket", "sec-vanish", "--prefix", "media",
		"--user", "sec-vanish-user", "--policy-name", "sec-vanish-pol", "--csv", csvPath, "--endpoint-url", proxy.srv.URL)
	proxy.onRequest.Store(nil)
	if !vanished.Load() {
		t.Fatalf("CreateAccessKey never ran; exit %d\n%s", code, errOut)
	}
	assertNoPanic(t, "setup", out+errOut)
	if code == 0 {
		t.Fatal("setup succeeded although the CSV could not be written")
	}
	var errLines []string
	for _, l := range strings.Split(errOut, "\n") {
		if strings.HasPrefix(l, "Error: ") {
			errLines = append(errLines, l)
		}
	}
	if len(errLines) != 1 || !strings.Contains(errLines[0], "was deleted again") {
		t.Errorf("want one error line saying the key was deleted again, got:\n%s", errOut)
	}
	id, secret := keys.last(t)
	var ak struct {
		AccessKeyMetadata []struct{ AccessKeyId string }
	}
	awsCLI(t, moto.URL(), &ak, "iam", "list-access-keys", "--user-name", "sec-vanish-user")
	for _, k := range ak.AccessKeyMetadata {
		if k.AccessKeyId == id {
			t.Errorf("ORPHAN: access key %s still exists although its secret was lost", id)
		}
	}
	if where := leaks(t, secret, []string{e.root}, nil, map[string]string{"stdout": out, "stderr": errOut}); len(where) > 0 {
		t.Errorf("LEAK: the secret of the deleted key appears in %v", where)
	}
	rec := loadOnlyRecord(t, e.cfg)
	for _, k := range rec.AccessKeys {
		if k.ID == id {
			t.Errorf("the record still lists the deleted key %s", id)
		}
	}
	// The rest of what setup made is recorded; teardown removes it all.
	if code, tout, terr := e.run(90*time.Second, "teardown", "--yes", "--delete-bucket", "--endpoint-url", moto.URL()); code != 0 {
		t.Fatalf("teardown exit %d\n%s\n%s", code, tout, terr)
	}
	if inv := inventory(t, moto.URL()); !inv.empty() {
		t.Errorf("left behind after teardown: %+v", inv)
	}
}
