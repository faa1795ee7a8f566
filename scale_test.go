//go:build e2e

package main

// Scale: the built binary syncs a prefix of 100,000 objects from an S3
// endpoint that makes the listing and the bodies up on the fly
// (testdata/genserver: ListObjectsV2 with continuation tokens, GetObject),
// and its peak
// resident memory is measured. The bound asserted is deliberately loose,
// a guard against memory that grows with the object count, not a
// benchmark; the measured number is logged for the README.

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// genServer starts testdata/genserver (built by TestMain) with n objects.
type genServer struct {
	url string
}

func startGenServer(t *testing.T, n int) *genServer {
	t.Helper()
	cmd := exec.Command(genserverBin, "-n", strconv.Itoa(n))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("genserver did not start: %v", err)
	}
	return &genServer{url: strings.TrimSpace(line)}
}

func (g *genServer) gets(t *testing.T) int64 {
	t.Helper()
	resp, err := http.Get(g.url + "/_gets")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		t.Fatalf("genserver stats %q: %v", b, err)
	}
	return v
}

// genKey and genBody mirror testdata/genserver.
func genKey(i int) string { return fmt.Sprintf("many/d%03d/obj-%06d.jpg", i%500, i) }

func genBody(i int) []byte {
	n := i % 48
	b := make([]byte, n)
	for j := range b {
		b[j] = byte('a' + (i+j)%26)
	}
	return b
}

// vmHWM reads the peak resident set of a running process, in KiB.
func vmHWM(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			v, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return v
		}
	}
	return 0
}

func TestSync100kObjectsBoundedMemory(t *testing.T) {
	t.Parallel()
	const n = 100_000
	g := startGenServer(t, n)
	e := newSandboxEnv(t)
	dest := filepath.Join(e.work, "many")
	p := e.start("sync", "s3://gen/many", dest, "--no-tui", "--json", "--concurrency", "32",
		"--region", "us-east-1", "--endpoint-url", g.url)
	// VmHWM is the kernel's high-water mark of this process's resident
	// set; it is sampled until the process exits. (rusage maxrss is no
	// use here: Linux carries the parent's high-water mark into a child
	// across fork and exec, and the parent is the race-instrumented test.)
	var hwm int64
	for sampling := true; sampling; {
		select {
		case <-p.done:
			sampling = false
		case <-time.After(50 * time.Millisecond):
			hwm = max(hwm, vmHWM(p.cmd.Process.Pid))
		}
	}
	code, _ := p.wait(t, 5*time.Minute)
	if code != 0 {
		t.Fatalf("sync of %d objects: exit %d\nstderr:\n%s", n, code, tail(p.stderr.String(), 2000))
	}
	if !strings.Contains(p.stdout.String(), fmt.Sprintf(`"downloaded": %d`, n)) {
		t.Fatalf("summary does not report %d downloads:\n%s", n, tail(p.stdout.String(), 2000))
	}
	if got := g.gets(t); got != n {
		t.Errorf("%d GETs for %d objects", got, n)
	}
	// Spot-check content and count files.
	files := 0
	err := filepath.WalkDir(dest, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			files++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files != n {
		t.Errorf("%d files under dest, want %d", files, n)
	}
	for _, i := range []int{0, 1, 4999, 77777, n - 1} {
		b, err := os.ReadFile(filepath.Join(dest, filepath.FromSlash(strings.TrimPrefix(genKey(i), "many/"))))
		if err != nil || string(b) != string(genBody(i)) {
			t.Errorf("object %d: wrong content (%v)", i, err)
		}
	}
	peak := hwm
	t.Logf("SCALE: %d objects synced; peak RSS (VmHWM) %.1f MiB", n, float64(peak)/1024)
	if peak == 0 {
		t.Fatal("could not measure the peak RSS")
	}
	if peak > 300<<10 {
		t.Errorf("peak RSS %.1f MiB exceeds the 300 MiB guard: memory grows with the object count", float64(peak)/1024)
	}
}

// TestSyncEmptyPrefixSaysSo: a prefix with no objects is not an error, and
// the summary says in a sentence that nothing is there.
func TestSyncEmptyPrefixSaysSo(t *testing.T) {
	t.Parallel()
	g := startGenServer(t, 1000)
	e := newSandboxEnv(t)
	code, out, errOut := e.run(60*time.Second, "sync", "s3://gen/nothing-here", filepath.Join(e.work, "d"), "--no-tui",
		"--region", "us-east-1", "--endpoint-url", g.url)
	assertNoPanic(t, "empty sync", out+errOut)
	if code != 0 {
		t.Fatalf("exit %d for an empty prefix\nstderr:\n%s", code, errOut)
	}
	if !strings.Contains(out, "Nothing to download") || !strings.Contains(out, "s3://gen/nothing-here") {
		t.Fatalf("the summary does not say the prefix is empty:\n%s", out)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
