//go:build e2e

package main

// End-to-end reliability and security tests of the built s3link binary.
// TestMain builds it once; every test runs it as a user would, with a
// private HOME, config folder and working folder, against servers on
// 127.0.0.1 only (moto_server, gofakes3, or purpose-built handlers).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// bin is the s3link binary TestMain built; genserverBin the scale test's
// S3 endpoint (testdata/genserver), built without the race detector.
var bin, genserverBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "s3link-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: temp dir:", err)
		os.Exit(2)
	}
	bin = filepath.Join(dir, "s3link")
	genserverBin = filepath.Join(dir, "genserver")
	for _, b := range [][2]string{{bin, "."}, {genserverBin, "./testdata/genserver"}} {
		build := exec.Command("go", "build", "-o", b[0], b[1])
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: FAILED to build %s (go build -o %s %s): %v\n", filepath.Base(b[0]), b[0], b[1], err)
			os.RemoveAll(dir)
			os.Exit(2)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// sandboxEnv is a private world for one binary run: HOME, s3link's config
// folder, the AWS shared files and a working folder, all in one temp tree
// so a test can search everything s3link wrote.
type sandboxEnv struct {
	t    *testing.T
	root string // everything s3link could write to lives under here
	home string
	cfg  string // S3LINK_CONFIG_DIR
	work string // working directory of the process
	// extra are KEY=VALUE entries added to (or overriding) the base env.
	extra []string
}

func newSandboxEnv(t *testing.T) *sandboxEnv {
	t.Helper()
	root := t.TempDir()
	e := &sandboxEnv{t: t, root: root,
		home: filepath.Join(root, "home"),
		cfg:  filepath.Join(root, "home", ".config", "s3link"),
		work: filepath.Join(root, "work"),
	}
	for _, d := range []string{e.home, e.work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// environ is the process environment: the caller's PATH and little else,
// dummy AWS credentials the emulators accept, and every file s3link or the
// SDK might touch inside root.
func (e *sandboxEnv) environ() []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + e.home,
		"XDG_CONFIG_HOME=" + filepath.Join(e.home, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(e.home, ".cache"),
		"TMPDIR=" + filepath.Join(e.root, "tmp"),
		"S3LINK_CONFIG_DIR=" + e.cfg,
		"AWS_ACCESS_KEY_ID=testing",
		"AWS_SECRET_ACCESS_KEY=testing",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(e.home, ".aws", "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(e.home, ".aws", "credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"NO_COLOR=1",
	}
	_ = os.MkdirAll(filepath.Join(e.root, "tmp"), 0o700)
	return mergeEnv(env, e.extra)
}

// mergeEnv overrides entries of base by key with those of over.
func mergeEnv(base, over []string) []string {
	out := append([]string(nil), base...)
	for _, kv := range over {
		k, _, _ := strings.Cut(kv, "=")
		replaced := false
		for i, b := range out {
			if bk, _, _ := strings.Cut(b, "="); bk == k {
				out[i] = kv
				replaced = true
			}
		}
		if !replaced {
			out = append(out, kv)
		}
	}
	return out
}

// lockedBuffer collects a child's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// proc is a running s3link.
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr *lockedBuffer
	done           chan struct{}
	waitErr        error
}

func (e *sandboxEnv) start(args ...string) *proc {
	e.t.Helper()
	p := &proc{stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Dir = e.work
	p.cmd.Env = e.environ()
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		e.t.Fatalf("start s3link: %v", err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		close(p.done)
	}()
	e.t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// wait waits for the process to end, failing the test if it is still
// running after limit (a hang). It returns the exit code, or -1 and the
// signal when a signal ended it.
func (p *proc) wait(t *testing.T, limit time.Duration) (code int, sig syscall.Signal) {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(limit):
		_ = p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("HANG: s3link %s still running after %v\nstdout:\n%s\nstderr:\n%s",
			strings.Join(p.cmd.Args[1:], " "), limit, p.stdout, p.stderr)
	}
	ws := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return -1, ws.Signal()
	}
	return ws.ExitStatus(), 0
}

// run starts s3link and waits for it.
func (e *sandboxEnv) run(limit time.Duration, args ...string) (code int, stdout, stderr string) {
	e.t.Helper()
	p := e.start(args...)
	code, sig := p.wait(e.t, limit)
	if sig != 0 {
		e.t.Fatalf("s3link %s died of %v\nstderr:\n%s", strings.Join(args, " "), sig, p.stderr)
	}
	return code, p.stdout.String(), p.stderr.String()
}

// assertNoPanic fails on Go runtime crash output.
func assertNoPanic(t *testing.T, what, out string) {
	t.Helper()
	for _, marker := range []string{"panic:", "goroutine ", "runtime error", "SIGSEGV"} {
		if strings.Contains(out, marker) {
			t.Fatalf("%s: crash output (%q):\n%s", what, marker, out)
		}
	}
}

// seededRand returns a generator whose seed is logged, and can be set with
// S3LINK_E2E_SEED to replay a run.
func seededRand(t *testing.T) *rand.Rand {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("S3LINK_E2E_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("S3LINK_E2E_SEED=%q: %v", s, err)
		}
		seed = v
	}
	t.Logf("random seed %d (replay with S3LINK_E2E_SEED=%d)", seed, seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// awsCLI runs the AWS CLI against endpoint with the emulator's dummy
// credentials and decodes its JSON answer into v.
func awsCLI(t *testing.T, endpoint string, v any, args ...string) {
	t.Helper()
	cmd := exec.Command("aws", append([]string{"--endpoint-url", endpoint, "--region", "us-east-1", "--output", "json"}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	none := filepath.Join(t.TempDir(), "none")
	cmd.Env = append(cmd.Env, "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
		"AWS_CONFIG_FILE="+none, "AWS_SHARED_CREDENTIALS_FILE="+none)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("aws %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	if v != nil && len(bytes.TrimSpace(out)) > 0 {
		if err := json.Unmarshal(out, v); err != nil {
			t.Fatalf("aws %s: decode: %v", strings.Join(args, " "), err)
		}
	}
}

// awsInventory is what exists in the emulator, as the AWS CLI sees it.
type awsInventory struct {
	Users    []string
	Policies map[string]string // name -> ARN (customer-managed only)
	Buckets  []string
	Keys     map[string][]string // user -> access key ids
}

func inventory(t *testing.T, endpoint string) awsInventory {
	t.Helper()
	inv := awsInventory{Policies: map[string]string{}, Keys: map[string][]string{}}
	var (
		users struct{ Users []struct{ UserName string } }
		pols  struct {
			Policies []struct{ PolicyName, Arn string }
		}
		bs struct{ Buckets []struct{ Name string } }
		wg sync.WaitGroup
	)
	// Three CLI processes at once: each spends most of its time starting.
	wg.Add(3)
	go func() { defer wg.Done(); awsCLI(t, endpoint, &users, "iam", "list-users") }()
	go func() { defer wg.Done(); awsCLI(t, endpoint, &pols, "iam", "list-policies", "--scope", "Local") }()
	go func() { defer wg.Done(); awsCLI(t, endpoint, &bs, "s3api", "list-buckets") }()
	wg.Wait()
	for _, u := range users.Users {
		inv.Users = append(inv.Users, u.UserName)
		var keys struct {
			AccessKeyMetadata []struct{ AccessKeyId string }
		}
		awsCLI(t, endpoint, &keys, "iam", "list-access-keys", "--user-name", u.UserName)
		for _, k := range keys.AccessKeyMetadata {
			inv.Keys[u.UserName] = append(inv.Keys[u.UserName], k.AccessKeyId)
		}
	}
	for _, p := range pols.Policies {
		inv.Policies[p.PolicyName] = p.Arn
	}
	for _, b := range bs.Buckets {
		inv.Buckets = append(inv.Buckets, b.Name)
	}
	return inv
}

func (inv awsInventory) empty() bool {
	return len(inv.Users) == 0 && len(inv.Policies) == 0 && len(inv.Buckets) == 0
}

// filesUnder lists every regular file under root (following no links).
func filesUnder(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.Type().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// withTimeout is a context for helper calls that must not hang a test.
func withTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
