//go:build e2e

package upload

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/emulator/mototest"
	"github.com/s3link/s3link/awsops/transfer/transfertest"
)

// recorder counts S3 requests by operation as they leave the client, and
// lets a test act when one starts.
type recorder struct {
	next s3.HTTPClient
	mu   sync.Mutex
	ops  map[string]int
	// before, if set, runs before a request is sent.
	before atomic.Pointer[func(op string)]
}

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	q := req.URL.Query()
	op := req.Method
	switch {
	case req.Method == http.MethodPut && q.Has("partNumber"):
		op = "UploadPart"
	case req.Method == http.MethodPut:
		op = "PutObject"
	case req.Method == http.MethodPost && q.Has("uploads"):
		op = "CreateMultipartUpload"
	case req.Method == http.MethodPost && q.Has("uploadId"):
		op = "CompleteMultipartUpload"
	case req.Method == http.MethodDelete && q.Has("uploadId"):
		op = "AbortMultipartUpload"
	case req.Method == http.MethodGet && q.Get("list-type") == "2":
		op = "ListObjectsV2"
	case req.Method == http.MethodHead:
		op = "HeadObject"
	}
	r.mu.Lock()
	r.ops[op]++
	r.mu.Unlock()
	if f := r.before.Load(); f != nil {
		(*f)(op)
	}
	return r.next.Do(req)
}

func (r *recorder) count(ops ...string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, op := range ops {
		n += r.ops[op]
	}
	return n
}

func (r *recorder) reset() {
	r.mu.Lock()
	r.ops = map[string]int{}
	r.mu.Unlock()
}

// writes are the requests that change the bucket.
var writes = []string{"PutObject", "UploadPart", "CreateMultipartUpload", "CompleteMultipartUpload"}

type fixture struct {
	t   *testing.T
	api *s3.Client // through rec
	raw *s3.Client // for checks, not counted
	rec *recorder
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	srv := mototest.Start(t)
	c := mototest.Config(srv)
	cfg, err := awsops.LoadAWSConfig(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{ops: map[string]int{}}
	api := NewS3Client(cfg, 4, awsops.S3Options(c), func(o *s3.Options) {
		rec.next = o.HTTPClient
		o.HTTPClient = rec
	})
	return &fixture{t: t, api: api, raw: s3.NewFromConfig(cfg, awsops.S3Options(c)), rec: rec}
}

func (f *fixture) bucket(name string) string {
	f.t.Helper()
	if _, err := f.raw.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		f.t.Fatal(err)
	}
	return name
}

func (f *fixture) run(ctx context.Context, dir string, opts Options) (Result, error) {
	f.t.Helper()
	if opts.PartSize == 0 {
		opts.PartSize = MinPartSize
	}
	if opts.Concurrency == 0 {
		opts.Concurrency = 4
	}
	e, err := New(f.api, dir, opts)
	if err != nil {
		f.t.Fatal(err)
	}
	return e.Run(ctx)
}

func (f *fixture) keys(bucket string) []string {
	f.t.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(f.raw, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			f.t.Fatal(err)
		}
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	sort.Strings(keys)
	return keys
}

func (f *fixture) get(bucket, key string) []byte {
	f.t.Helper()
	out, err := f.raw.GetObject(context.Background(), &s3.GetObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled,
	})
	if err != nil {
		f.t.Fatalf("get %s: %v", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		f.t.Fatalf("read %s: %v", key, err)
	}
	return b
}

func (f *fixture) openUploads(bucket string) int {
	f.t.Helper()
	out, err := f.raw.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	if err != nil {
		f.t.Fatal(err)
	}
	return len(out.Uploads)
}

func randomBytes(t testing.TB, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// One moto_server serves every subtest (it takes most of a second to
// start); each subtest has its own bucket.
func TestUploadMoto(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()

	dir := t.TempDir()
	small := map[string]string{
		"top.jpg":                   "top",
		"Été 2024/plage à midi.JPG": "plage",
		"a b/c d.mp4":               "video bytes",
		"x/y/z/deep.png":            "deep",
		"notes.txt":                 "not media",
		"empty.gif":                 "",
	}
	writeFiles(t, dir, small)
	big := randomBytes(t, 20<<20+12345)
	if err := os.WriteFile(filepath.Join(dir, "big.mov"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	mediaKeys := []string{"in/a b/c d.mp4", "in/big.mov", "in/empty.gif", "in/top.jpg", "in/x/y/z/deep.png", "in/Été 2024/plage à midi.JPG"}
	sort.Strings(mediaKeys)

	t.Run("uploads media, then nothing, then what changed", func(t *testing.T) {
		b := f.bucket("upload-main")
		f.rec.reset()
		res, err := f.run(ctx, dir, Options{Bucket: b, Prefix: "in"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Done != 6 || res.Filtered != 1 || res.FailedCount != 0 || res.Bytes != int64(len(big))+3+5+11+4 {
			t.Fatalf("first run: %+v", res)
		}
		if got := f.keys(b); strings.Join(got, "|") != strings.Join(mediaKeys, "|") {
			t.Fatalf("keys = %q\nwant %q", got, mediaKeys)
		}
		// 20 MiB in 5 MiB parts: four full parts and a short one.
		if n := f.rec.count("UploadPart"); n != 5 {
			t.Errorf("UploadPart requests = %d, want 5", n)
		}
		if n := f.rec.count("CompleteMultipartUpload"); n != 1 {
			t.Errorf("CompleteMultipartUpload requests = %d, want 1", n)
		}
		if got := f.get(b, "in/big.mov"); !bytes.Equal(got, big) {
			t.Fatalf("big.mov came back as %d different bytes", len(got))
		}
		for rel, body := range small {
			if rel == "notes.txt" {
				continue
			}
			if got := string(f.get(b, "in/"+rel)); got != body {
				t.Errorf("%s = %q, want %q", rel, got, body)
			}
		}
		if n := f.openUploads(b); n != 0 {
			t.Errorf("%d multipart uploads left open", n)
		}

		f.rec.reset()
		res, err = f.run(ctx, dir, Options{Bucket: b, Prefix: "in"})
		if err != nil {
			t.Fatal(err)
		}
		if n := f.rec.count(writes...); n != 0 || res.Done != 0 || res.Skipped != 6 {
			t.Fatalf("second run: %d write requests, result %+v", n, res)
		}

		// Same size, other content: only the MD5 can tell. And the big
		// file touched: only its mtime metadata can tell.
		writeFiles(t, dir, map[string]string{"top.jpg": "TOP"})
		later := time.Now().Add(time.Hour)
		if err := os.Chtimes(filepath.Join(dir, "big.mov"), later, later); err != nil {
			t.Fatal(err)
		}
		f.rec.reset()
		res, err = f.run(ctx, dir, Options{Bucket: b, Prefix: "in"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Done != 2 || res.Skipped != 4 || f.rec.count("PutObject") != 1 || f.rec.count("CompleteMultipartUpload") != 1 {
			t.Fatalf("third run: result %+v, requests %v", res, f.rec.ops)
		}
		if got := string(f.get(b, "in/top.jpg")); got != "TOP" {
			t.Errorf("top.jpg = %q after the change", got)
		}
		writeFiles(t, dir, map[string]string{"top.jpg": "top"})
	})

	t.Run("all includes non-media at the bucket root", func(t *testing.T) {
		b := f.bucket("upload-all")
		res, err := f.run(ctx, dir, Options{Bucket: b, All: true, Exclude: []string{"big.mov"}})
		if err != nil || res.Done != 6 || res.Filtered != 1 {
			t.Fatalf("result %+v, %v", res, err)
		}
		if got := string(f.get(b, "notes.txt")); got != "not media" {
			t.Errorf("notes.txt = %q", got)
		}
	})

	t.Run("dry run uploads nothing", func(t *testing.T) {
		b := f.bucket("upload-dry")
		var mu sync.Mutex
		var planned []string
		f.rec.reset()
		res, err := f.run(ctx, dir, Options{Bucket: b, Prefix: "in", DryRun: true, OnPlan: func(p Planned) {
			mu.Lock()
			planned = append(planned, p.Key)
			mu.Unlock()
		}})
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(planned)
		if strings.Join(planned, "|") != strings.Join(mediaKeys, "|") || !res.DryRun || res.Done != 6 {
			t.Errorf("planned %q, result %+v", planned, res)
		}
		if n := f.rec.count(writes...); n != 0 {
			t.Errorf("dry run made %d write requests", n)
		}
		if keys := f.keys(b); len(keys) != 0 {
			t.Errorf("dry run left %q", keys)
		}
	})

	t.Run("cancel aborts the multipart upload", func(t *testing.T) {
		b := f.bucket("upload-cancel")
		only := t.TempDir()
		if err := os.WriteFile(filepath.Join(only, "big.mov"), big, 0o644); err != nil {
			t.Fatal(err)
		}
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		hook := func(op string) {
			if op == "UploadPart" {
				cancel()
			}
		}
		f.rec.before.Store(&hook)
		defer f.rec.before.Store(nil)
		f.rec.reset()
		res, err := f.run(cctx, only, Options{Bucket: b, Prefix: "in"})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run error = %v, want context.Canceled", err)
		}
		if res.Done != 0 || res.FailedCount != 0 {
			t.Errorf("result %+v: a cancelled upload is neither done nor failed", res)
		}
		if f.rec.count("AbortMultipartUpload") != 1 || f.rec.count("CompleteMultipartUpload") != 0 {
			t.Errorf("requests %v: want one abort and no complete", f.rec.ops)
		}
		if n := f.openUploads(b); n != 0 {
			t.Errorf("%d multipart uploads left open", n)
		}
		if keys := f.keys(b); len(keys) != 0 {
			t.Errorf("cancelled upload left %q", keys)
		}
	})

	t.Run("missing bucket fails per file, retry succeeds", func(t *testing.T) {
		e, err := New(f.api, dir, Options{Bucket: "upload-late", Prefix: "in", Exclude: []string{"big.mov"}, PartSize: MinPartSize})
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if res.ListWarning == "" || res.FailedCount != 5 || len(res.Failed) != 5 || res.Done != 0 {
			t.Fatalf("result %+v", res)
		}
		for _, fl := range res.Failed {
			if !strings.Contains(fl.Reason, awsops.ErrNoSuchBucket.Error()) || strings.Contains(fl.Reason, "\n") || !fl.Retryable {
				t.Errorf("failure %+v", fl)
			}
		}
		if s := e.Snapshot(); s.FilesFailed != 5 || len(s.Failures) != 5 || s.BytesTotal != 0 {
			t.Errorf("snapshot after failures: %+v", s)
		}
		f.bucket("upload-late")
		f.rec.reset()
		res, err = e.RetryFailed(ctx)
		if err != nil || res.Done != 5 || res.FailedCount != 0 || f.rec.count("ListObjectsV2") != 0 {
			t.Fatalf("retry: %+v, %v, requests %v", res, err, f.rec.ops)
		}
		if got := len(f.keys("upload-late")); got != 5 {
			t.Errorf("%d objects after the retry, want 5", got)
		}
	})
}

func TestSnapshotAndPause(t *testing.T) {
	f := newFixture(t)
	b := f.bucket("upload-pause")
	dir := t.TempDir()
	for i := range 5 {
		writeFiles(t, dir, map[string]string{string(rune('a'+i)) + ".jpg": strings.Repeat("x", 1000)})
	}
	e, err := New(f.api, dir, Options{Bucket: b, Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	// Pausing before the run holds every file until Resume: no write may
	// happen while paused, whatever the timing.
	e.Pause()
	if !e.Snapshot().Paused {
		t.Fatal("Snapshot does not show the pause")
	}
	done := make(chan Result)
	go func() {
		res, err := e.Run(context.Background())
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	// The queue holds all five files, so the walk ends while paused.
	transfertest.WaitFor(t, 60*time.Second, "the walk to end", func() bool { return e.Snapshot().ListingDone })
	if s := e.Snapshot(); s.FilesTotal != 5 || s.FilesDone != 0 || !s.Running || !s.Paused {
		t.Errorf("while paused: %+v", s)
	}
	if n := f.rec.count(writes...); n != 0 {
		t.Errorf("%d writes while paused", n)
	}
	e.Resume()
	res := <-done
	s := e.Snapshot()
	if res.Done != 5 || s.FilesDone != 5 || s.FilesTotal != 5 || s.BytesDone != 5000 || s.BytesTotal != 5000 ||
		!s.ListingDone || s.Preparing || s.Running || len(s.Active) != 0 {
		t.Errorf("result %+v, snapshot %+v", res, s)
	}
}
