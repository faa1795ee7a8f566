package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/s3link/s3link/awsops/transfer"
	"github.com/s3link/s3link/ui"
)

// syncServer serves bucket "media" from memory on loopback and points the
// AWS SDK's environment at nothing real.
func syncServer(t *testing.T, objects map[string]string) string {
	t.Helper()
	be := s3mem.New()
	if err := be.CreateBucket("media"); err != nil {
		t.Fatal(err)
	}
	for k, v := range objects {
		if _, err := be.PutObject("media", k, map[string]string{}, strings.NewReader(v), int64(len(v)), nil); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewUnstartedServer(gofakes3.New(be).Server())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_ENDPOINT_URL_S3", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return srv.URL
}

func TestSyncUsageErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, []byte("x"), 0o644)
	dest := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no arguments", []string{"sync"}, "two arguments"},
		{"one argument", []string{"sync", "s3://media"}, "two arguments"},
		{"three arguments", []string{"sync", "s3://media", dest, "extra"}, "two arguments"},
		{"not an s3 url", []string{"sync", "media/photos", dest}, "not an S3 URL"},
		{"https url", []string{"sync", "https://media.s3.amazonaws.com/x", dest}, "not an S3 URL"},
		{"no bucket", []string{"sync", "s3:///photos", dest}, "names no bucket"},
		{"bad bucket", []string{"sync", "s3://me dia/x", dest}, "not a valid bucket name"},
		{"dest is a file", []string{"sync", "s3://media/x", file}, "is a file"},
		{"bad part size", []string{"sync", "s3://media", dest, "--part-size", "8XB"}, "not a size"},
		{"part size too small", []string{"sync", "s3://media", dest, "--part-size", "1K"}, "between 64KiB and 5GiB"},
		{"bad concurrency", []string{"sync", "s3://media", dest, "--concurrency", "0"}, "--concurrency"},
		{"bad glob", []string{"sync", "s3://media", dest, "--include", "[a-"}, "Bad glob pattern"},
		{"unknown flag", []string{"sync", "s3://media", dest, "--fast"}, "Unknown flag: --fast"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := execute(tt.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2 (stderr %q)", code, stderr)
			}
			if out != "" {
				t.Errorf("stdout should be empty, got %q", out)
			}
			line := strings.TrimSpace(stderr)
			if strings.Contains(line, "\n") || !strings.Contains(line, tt.want) || !strings.HasSuffix(line, ".") {
				t.Errorf("stderr should be one sentence containing %q, got %q", tt.want, stderr)
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"1048576": 1 << 20, "8MiB": 8 << 20, "16M": 16 << 20, "16MB": 16 << 20, "64k": 64 << 10,
		"1G": 1 << 30, "512 KiB": 512 << 10, "100B": 100,
		// The spellings the upload command took before the parsers merged.
		"16m": 16 << 20, "5242880": 5 << 20, "1GiB": 1 << 30, "64KB": 64 << 10, "8Mi": 8 << 20,
	} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "MiB", "8XB", "-1", "1.5M", "99999999999999999999G", "-5MiB", "8TiB", "eight"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) accepted", bad)
		}
	}
}

func TestSyncJSONSummary(t *testing.T) {
	url := syncServer(t, map[string]string{
		"photos/a.jpg":      "aaaa",
		"photos/sub/b.jpg":  "bb",
		"photos/c.png":      "c",
		"other/not-me.jpg":  "no",
		"photos/empty-dir/": "",
	})
	dest := filepath.Join(t.TempDir(), "media")
	code, out, stderr := execute("sync", "s3://media/photos/", dest, "--endpoint-url", url, "--region", "us-east-1",
		"--json", "--exclude", "*.png")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	want := map[string]any{
		"version": 1.0, "command": "sync", "complete": true,
		"source": "s3://media/photos", "dest": dest, "dryRun": false,
		"downloaded": 2.0, "skipped": 0.0, "failedCount": 0.0, "dirs": 1.0, "bytes": 6.0,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if f, ok := got["failed"].([]any); !ok || len(f) != 0 {
		t.Errorf("failed = %v, want []", got["failed"])
	}
	if _, ok := got["seconds"].(float64); !ok {
		t.Errorf("seconds missing: %v", got)
	}
	if b, err := os.ReadFile(filepath.Join(dest, "sub", "b.jpg")); err != nil || string(b) != "bb" {
		t.Errorf("sub/b.jpg = %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(dest, "c.png")); !os.IsNotExist(err) {
		t.Error("excluded file was written")
	}

	// Again, without --region: the region comes from the bucket (gofakes3
	// sends no header, so the default stands), and nothing is fetched again.
	code, out, _ = execute("sync", "s3://media/photos", dest, "--endpoint-url", url, "--no-tui", "--exclude", "*.png")
	if code != 0 || !strings.Contains(out, "Downloaded 0 files") || !strings.Contains(out, "2 unchanged, 0 failed") {
		t.Errorf("re-sync: exit %d, %q", code, out)
	}
}

func TestSyncExitsOneAndListsFailures(t *testing.T) {
	url := syncServer(t, map[string]string{
		"ok.jpg":                 "fine",
		"../escape.jpg":          "nope",
		"../evil\u202e\tgpj.exe": "nope",
		"x//double.jpg":          "nope",
		"deep/ok-too.jpeg":       "fine",
	})
	dest := t.TempDir()
	code, out, stderr := execute("sync", "s3://media", dest, "--endpoint-url", url, "--region", "us-east-1")
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %q", code, stderr)
	}
	if !strings.Contains(out, "Downloaded 2 files") || !strings.Contains(out, "3 failed") {
		t.Errorf("summary: %q", out)
	}
	for _, k := range []string{"../escape.jpg", "x//double.jpg"} {
		if !strings.Contains(out, "  "+k+": ") {
			t.Errorf("failure %q not listed in %q", k, out)
		}
	}
	// Every control sequence is removed (SGR included), not quoted.
	if strings.ContainsAny(out+stderr, "\u202e\t\x1b") || !strings.Contains(out, "  ../evil gpj.exe: ") {
		t.Errorf("a key's control characters reached the output: %q", out)
	}
	if !strings.Contains(stderr, "3 of 5 objects could not be downloaded") {
		t.Errorf("stderr %q", stderr)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dest), "escape.jpg")); !os.IsNotExist(err) {
		t.Error("a key escaped the destination")
	}
}

func TestSyncDryRun(t *testing.T) {
	url := syncServer(t, map[string]string{"p/a.jpg": "aaaa", "p/b.jpg": "bbbbbbbb"})
	dest := filepath.Join(t.TempDir(), "new")
	code, out, stderr := execute("sync", "s3://media/p", dest, "--endpoint-url", url, "--region", "us-east-1", "--dry-run")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "would download p/a.jpg -> "+filepath.Join(dest, "a.jpg")) || !strings.Contains(out, "Would download 2 files (12 B)") {
		t.Errorf("output %q", out)
	}
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Error("dry run created the destination")
	}
	var buf bytes.Buffer
	buf.WriteString(out)
}

func TestTransferLine(t *testing.T) {
	mib := int64(1 << 20)
	running := transfer.Stats{FilesTotal: 5000, FilesDone: 300, FilesSkipped: 8, FilesFailed: 2,
		BytesDone: 96 * mib, BytesTotal: 160 * mib, Rate: 42.1 * float64(mib), ETA: 3 * time.Second, ListingDone: true, Running: true}
	tests := []struct {
		name   string
		st     transfer.Stats
		dryRun bool
		want   string
	}{
		{"settled", running, false, "310/5000 files (8 unchanged, 2 failed)  96.0 MiB/160.0 MiB  42.1 MiB/s  ETA 3s"},
		{"no ETA before the rate settles", func() transfer.Stats { s := running; s.ETA = 0; return s }(), false,
			"310/5000 files (8 unchanged, 2 failed)  96.0 MiB/160.0 MiB  42.1 MiB/s"},
		{"a lower bound while listing", func() transfer.Stats { s := running; s.ListingDone = false; return s }(), false,
			"310/5000+ files (8 unchanged, 2 failed)  96.0 MiB/160.0 MiB  42.1 MiB/s  ETA 3s+  listing"},
		{"under a second", func() transfer.Stats { s := running; s.ETA = 400 * time.Millisecond; return s }(), false,
			"310/5000 files (8 unchanged, 2 failed)  96.0 MiB/160.0 MiB  42.1 MiB/s  ETA <1s"},
		{"dry run", func() transfer.Stats { s := running; s.FilesSkipped, s.FilesFailed = 0, 0; return s }(), true,
			"300/5000 files  96.0 MiB/160.0 MiB  (dry run)"},
		{"paused", func() transfer.Stats { s := running; s.Paused = true; return s }(), false,
			"310/5000 files (8 unchanged, 2 failed)  96.0 MiB/160.0 MiB  42.1 MiB/s  ETA 3s  paused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := transferLine(tt.st, tt.dryRun); got != tt.want {
				t.Errorf("transferLine =\n  %q\nwant\n  %q", got, tt.want)
			}
		})
	}
	// Sync and upload print the same line for the same progress.
	up := uploadProgressLine(transfer.Snapshot{Stats: running}, s3Location{Bucket: "b"})
	if down := transferLine(transfer.Snapshot{Stats: running}.Stats, false); up != down {
		t.Errorf("upload says %q, sync says %q", up, down)
	}
	if got := uploadProgressLine(transfer.Snapshot{RemoteObjects: 1, Preparing: true}, s3Location{Bucket: "b", Prefix: "p"}); got != "listing s3://b/p/: 1 object there so far" {
		t.Errorf("upload listing line %q", got)
	}
	for d, want := range map[time.Duration]string{0: "0.0s", 12449 * time.Millisecond: "12.4s", 61500 * time.Millisecond: "1m2s"} {
		if got := formatElapsed(d); got != want {
			t.Errorf("formatElapsed(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestProgressLine(t *testing.T) {
	if got := ui.HumanBytes(1536); got != "1.5 KiB" {
		t.Errorf("HumanBytes = %q", got)
	}
	if got := printable("a\nb\x1b[8mc"); got != "a bc" {
		t.Errorf("printable = %q", got)
	}
}

func TestParseS3URL(t *testing.T) {
	tests := []struct {
		name, in string
		strict   bool
		want     s3Location
		wantErr  string
	}{
		{name: "bucket", in: "s3://media", want: s3Location{Bucket: "media"}},
		{name: "prefix loses outer slashes", in: "s3://media//a/b/", want: s3Location{Bucket: "media", Prefix: "a/b"}},
		{name: "legacy bucket name when reading", in: "s3://Old_Bucket/x", want: s3Location{Bucket: "Old_Bucket", Prefix: "x"}},
		{name: "strict prefix is normalised", in: "s3://media//a//b/", strict: true, want: s3Location{Bucket: "media", Prefix: "a/b"}},
		{name: "not s3", in: "media/x", wantErr: "not an S3 URL"},
		{name: "no bucket", in: "s3:///x", strict: true, wantErr: "names no bucket"},
		{name: "bad loose bucket", in: "s3://me dia", wantErr: "not a valid bucket name"},
		{name: "strict bucket rules", in: "s3://Old_Bucket", strict: true, wantErr: "Old_Bucket"},
		{name: "strict refuses dot-dot", in: "s3://media/a/../b", strict: true, wantErr: `"." or ".."`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseS3URL(tt.in, "an S3 URL", tt.strict)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseS3URL(%q) = %+v, %v; want an error with %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("parseS3URL(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

// A sync that cannot reach the endpoint says so in one sentence and does
// not also claim the prefix is empty.
func TestSyncUnreachableEndpointIsOneSentence(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	code, out, stderr := execute("sync", "--no-tui", "--region", "us-east-1", "--endpoint-url", "http://"+addr,
		"s3://media-ok/p", t.TempDir())
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if strings.Contains(out, "Nothing to download") {
		t.Errorf("stdout claims an empty prefix: %q", out)
	}
	if strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "AWS cannot be reached") {
		t.Errorf("stderr should be one sentence saying AWS cannot be reached, got %q", stderr)
	}
}

// filesUnder lists the regular files below dir, slash-separated and sorted.
func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var got []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			got = append(got, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(got)
	return got
}

func TestSyncFilterOrderAsAWSCLI(t *testing.T) {
	url := syncServer(t, map[string]string{
		"p/a.jpg": "a", "p/b.png": "b", "p/raw/c.jpg": "c", "p/raw/d.tif": "d",
	})
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--exclude", "*", "--include", "*.jpg"}, "[a.jpg raw/c.jpg]"},
		{[]string{"--include", "*.jpg", "--exclude", "*"}, "[]"},
		{[]string{"--exclude", "raw/**", "--include", "raw/*.tif"}, "[a.jpg b.png raw/d.tif]"},
		{[]string{"--include", "*.jpg", "--exclude", "raw/**"}, "[a.jpg]"},
	}
	for _, tt := range tests {
		dest := t.TempDir()
		args := append([]string{"sync", "s3://media/p", dest, "--endpoint-url", url, "--region", "us-east-1", "--no-tui"}, tt.args...)
		if code, _, stderr := execute(args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", tt.args, code, stderr)
		}
		if got := fmt.Sprint(filesUnder(t, dest)); got != tt.want {
			t.Errorf("%v wrote %s, want %s", tt.args, got, tt.want)
		}
	}
}

func TestSyncCompareFlags(t *testing.T) {
	url := syncServer(t, map[string]string{"p/a.jpg": "aaaa"})
	dest := t.TempDir()
	local := filepath.Join(dest, "a.jpg")
	sync := func(flags ...string) (int, string, string) {
		return execute(append([]string{"sync", "s3://media/p", dest, "--endpoint-url", url, "--region", "us-east-1", "--no-tui"}, flags...)...)
	}
	old := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	put := func(content string) {
		t.Helper()
		if err := os.WriteFile(local, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(local, old, old); err != nil {
			t.Fatal(err)
		}
	}
	read := func() string { b, _ := os.ReadFile(local); return string(b) }

	put("XXXX") // same size, other time
	if code, out, _ := sync("--size-only"); code != 0 || read() != "XXXX" || !strings.Contains(out, "1 unchanged") {
		t.Errorf("--size-only replaced a same-size file: exit %d, %q, %q", code, read(), out)
	}
	put("XXXXXXXX") // other size
	if code, _, _ := sync("--no-clobber"); code != 0 || read() != "XXXXXXXX" {
		t.Errorf("--no-clobber replaced a file: exit %d, %q", code, read())
	}
	if code, _, _ := sync("--exact-timestamps"); code != 0 || read() != "aaaa" {
		t.Errorf("--exact-timestamps did not replace a changed file: exit %d, %q", code, read())
	}
	if code, out, _ := sync("--exact-timestamps"); code != 0 || !strings.Contains(out, "1 unchanged") {
		t.Errorf("--exact-timestamps fetched again a file it wrote itself: %q", out)
	}
	os.Remove(local)
	if code, _, _ := sync("--no-clobber"); code != 0 || read() != "aaaa" {
		t.Errorf("--no-clobber did not download a missing file: exit %d, %q", code, read())
	}
	if code, _, stderr := sync("--size-only", "--checksum"); code != 2 || !strings.Contains(stderr, "size-only") {
		t.Errorf("--size-only --checksum: exit %d, %q", code, stderr)
	}
}

func TestSyncQuiet(t *testing.T) {
	url := syncServer(t, map[string]string{"p/a.jpg": "aaaa", "../p/bad.jpg": "x"})
	dest := t.TempDir()
	code, out, stderr := execute("sync", "s3://media/p", dest, "--endpoint-url", url, "--region", "us-east-1", "-q")
	if code != 0 || out != "" || stderr != "" {
		t.Errorf("quiet success: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if read, _ := os.ReadFile(filepath.Join(dest, "a.jpg")); string(read) != "aaaa" {
		t.Errorf("a.jpg = %q", read)
	}
	os.Remove(filepath.Join(dest, "a.jpg"))
	code, out, _ = execute("sync", "s3://media/p", dest, "--endpoint-url", url, "--region", "us-east-1", "--quiet", "--dry-run")
	if code != 0 || !strings.HasPrefix(out, "would download p/a.jpg") || strings.Contains(out, "Would download") {
		t.Errorf("quiet dry run: exit %d, %q", code, out)
	}
}

func TestSyncDelete(t *testing.T) {
	url := syncServer(t, map[string]string{"p/a.jpg": "a"})
	outside := filepath.Join(t.TempDir(), "target.jpg")
	if err := os.WriteFile(outside, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	dest := t.TempDir()
	for _, n := range []string{"old1.jpg", "old2.jpg"} {
		if err := os.WriteFile(filepath.Join(dest, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(dest, "link.jpg")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	sync := func(flags ...string) (int, string, string) {
		return execute(append([]string{"sync", "s3://media/p", dest, "--endpoint-url", url, "--region", "us-east-1", "--no-tui"}, flags...)...)
	}
	code, out, _ := sync("--delete", "--dry-run")
	if code != 0 || !strings.Contains(out, "would delete "+filepath.Join(dest, "old1.jpg")) || !strings.Contains(out, "Would delete 2 files") {
		t.Errorf("dry run: exit %d, %q", code, out)
	}
	code, _, stderr := sync("--delete", "--max-delete", "1")
	if code != 1 || !strings.Contains(stderr, "more than --max-delete 1 allows; deleted none") {
		t.Errorf("max-delete: exit %d, %q", code, stderr)
	}
	if got := fmt.Sprint(filesUnder(t, dest)); got != "[a.jpg old1.jpg old2.jpg]" {
		t.Errorf("after the refusal: %s", got)
	}
	code, out, _ = sync("--delete")
	if code != 0 || !strings.Contains(out, "Deleted 2 files under") {
		t.Errorf("delete: exit %d, %q", code, out)
	}
	if got := fmt.Sprint(filesUnder(t, dest)); got != "[a.jpg]" {
		t.Errorf("after --delete: %s", got)
	}
	if _, err := os.Lstat(filepath.Join(dest, "link.jpg")); err != nil {
		t.Errorf("the link was removed: %v", err)
	}
	if b, _ := os.ReadFile(outside); string(b) != "precious" {
		t.Errorf("the link's target changed: %q", b)
	}
	if code, _, stderr := sync("--max-delete", "3"); code != 2 || !strings.Contains(stderr, "add --delete") {
		t.Errorf("--max-delete without --delete: exit %d, %q", code, stderr)
	}
}

func TestSyncQuietListsFailuresAndJSONDeletions(t *testing.T) {
	url := syncServer(t, map[string]string{"p/a.jpg": "a", "p/x//double.jpg": "nope"})
	dest := t.TempDir()
	if err := os.WriteFile(filepath.Join(dest, "old.jpg"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := execute("sync", "s3://media/p", dest, "--endpoint-url", url, "--region", "us-east-1", "-q", "--delete")
	if code != 1 || !strings.HasPrefix(out, "failed p/x//double.jpg: ") || strings.Contains(out, "Downloaded") {
		t.Errorf("quiet with a failure: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if _, err := os.Stat(filepath.Join(dest, "old.jpg")); !os.IsNotExist(err) {
		t.Errorf("old.jpg not deleted: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dest, "old2.jpg"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, out, _ = execute("sync", "s3://media/p", dest, "--endpoint-url", url, "--region", "us-east-1", "--json", "--delete", "--dry-run")
	var got struct {
		Deleted []string `json:"deleted"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Deleted) != 1 || got.Deleted[0] != filepath.Join(dest, "old2.jpg") {
		t.Errorf("json deleted = %v, %v; %s", got.Deleted, err, out)
	}
}
