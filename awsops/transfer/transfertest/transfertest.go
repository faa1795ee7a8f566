// Package transfertest holds what the download and upload engines' tests
// share: an in-process S3 (gofakes3 over s3mem) behind an httptest server,
// the production client of either direction aimed at it with test
// credentials and a short retry backoff, per-key request counts,
// deterministic content, a connection-reset counter and a server that
// answers every request with one S3 error. Only tests import it.
package transfertest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/transfer"
	"github.com/s3link/s3link/awsops/transfer/faultproxy"
)

// StartS3 creates bucket in backend and serves gofakes3 over it on
// loopback until the test ends. wrap, when set, wraps the S3 handler (to
// count or fault requests); configure, when set, adjusts the server before
// it starts. Its error log is discarded: faults make it noisy.
func StartS3(t testing.TB, backend *s3mem.Backend, bucket string, wrap func(http.Handler) http.Handler, configure func(*http.Server)) *httptest.Server {
	t.Helper()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	h := gofakes3.New(backend).Server()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	if configure != nil {
		configure(srv.Config)
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// ObjectKey is the key a path-style request for an object in bucket names;
// ok is false for requests about the bucket itself or another bucket.
func ObjectKey(r *http.Request, bucket string) (key string, ok bool) {
	b, key, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	return key, ok && b == bucket && key != ""
}

// Client is the production S3 client of direction d for concurrency
// requests at once, aimed at endpoint, path-style and with static test
// credentials; only the retry backoff is shortened (attempts attempts,
// jittered from backoff), so a fault test takes seconds. optFns run after
// that.
func Client(d transfer.Direction, endpoint string, concurrency, attempts int, backoff time.Duration, optFns ...func(*s3.Options)) *s3.Client {
	return transfer.NewS3Client(aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "test-secret", ""),
	}, d, concurrency, append([]func(*s3.Options){func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = true
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = attempts
			so.RateLimiter = ratelimit.None
			so.Backoff = retry.NewExponentialJitterBackoff(backoff)
		})
	}}, optFns...)...)
}

// Counts counts requests by key; the zero value is ready and safe for
// concurrent use.
type Counts struct{ m sync.Map } // key -> *atomic.Int64

// Add counts one request for key.
func (c *Counts) Add(key string) {
	v, _ := c.m.LoadOrStore(key, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

// Get is the count for key so far.
func (c *Counts) Get(key string) int64 {
	if v, ok := c.m.Load(key); ok {
		return v.(*atomic.Int64).Load()
	}
	return 0
}

// Snapshot copies the counts so far.
func (c *Counts) Snapshot() map[string]int64 {
	m := map[string]int64{}
	c.m.Range(func(k, v any) bool {
		m[k.(string)] = v.(*atomic.Int64).Load()
		return true
	})
	return m
}

// Content is n bytes of deterministic, incompressible-looking data.
func Content(seed string, n int) []byte {
	b := make([]byte, 0, n+32)
	h := sha256.Sum256([]byte(seed))
	for len(b) < n {
		b = append(b, h[:]...)
		h = sha256.Sum256(h[:])
	}
	return b[:n]
}

// ResetCounter counts, as faultproxy's "resets", the connection resets the
// client sees, on the request or while reading a body.
type ResetCounter struct{ Next s3.HTTPClient }

// Do implements s3.HTTPClient.
func (c ResetCounter) Do(r *http.Request) (*http.Response, error) {
	resp, err := c.Next.Do(r)
	if errors.Is(err, syscall.ECONNRESET) {
		faultproxy.Inject("resets")
	}
	if err == nil {
		resp.Body = &resetBody{ReadCloser: resp.Body}
	}
	return resp, err
}

type resetBody struct{ io.ReadCloser }

func (b *resetBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, syscall.ECONNRESET) {
		faultproxy.Inject("resets")
	}
	return n, err
}

// CredentialError is an S3 answer that means the caller's credentials are
// no good, and the awsops sentinel it must map to.
type CredentialError struct {
	Code   string
	Status int
	Want   error
}

// CredentialErrors are the answers S3 gives to expired or invalid
// credentials.
var CredentialErrors = []CredentialError{
	{"ExpiredToken", http.StatusBadRequest, awsops.ErrExpiredCredentials},
	{"InvalidAccessKeyId", http.StatusForbidden, awsops.ErrInvalidCredentials},
	{"SignatureDoesNotMatch", http.StatusForbidden, awsops.ErrInvalidCredentials},
}

// ErrorS3 serves, until the test ends, an S3 that answers every request
// with ce's code and status.
func ErrorS3(t testing.TB, ce CredentialError) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(ce.Status)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>test: %s</Message><RequestId>T1</RequestId></Error>`, ce.Code, ce.Code)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// CheckItem compares what an item (a file or an object) ended as with the
// content it should hold, and counts it in done when it is intact.
func CheckItem(t testing.TB, want map[string][]byte, done map[string]bool, item string, got []byte) {
	t.Helper()
	w, ok := want[item]
	switch {
	case !ok:
		t.Errorf("unexpected item %s", item)
	case !bytes.Equal(got, w):
		t.Errorf("CORRUPT: %s has %d bytes that differ from the %d bytes of its source", item, len(got), len(w))
	default:
		done[item] = true
	}
}

// CheckFailures is the accounting of a run under faults: every failure has
// a one-line reason, the failures listed are the failures counted, and
// unless the run as a whole failed (which it must then report as an
// error), every item is intact or named as failed and the counts add up to
// all of them. item names the item a failure is about; doneAndFailed
// hears about an item both intact and named as failed.
func CheckFailures(t testing.TB, res transfer.Result, runErr error, want map[string][]byte, done map[string]bool, item func(transfer.Failure) string, doneAndFailed func(item string)) {
	t.Helper()
	failed := map[string]bool{}
	for _, f := range res.Failed {
		it := item(f)
		failed[it] = true
		if f.Reason == "" || strings.ContainsAny(f.Reason, "\r\n") {
			t.Errorf("failure of %s has no one-line reason: %q", f.Key, f.Reason)
		}
		if done[it] {
			doneAndFailed(it)
		}
	}
	if int64(len(res.Failed)) != res.FailedCount {
		t.Errorf("%d failures listed, %d counted", len(res.Failed), res.FailedCount)
	}
	if runErr != nil {
		return
	}
	for it := range want {
		if !done[it] && !failed[it] {
			t.Errorf("%s is neither complete nor named as failed", it)
		}
	}
	if got := res.Done + res.Skipped + res.FailedCount; got != int64(len(want)) {
		t.Errorf("done %d + unchanged %d + failed %d != %d items", res.Done, res.Skipped, res.FailedCount, len(want))
	}
}

// CheckRerun checks a clean re-run after a run under faults: every item
// intact, nothing failed, no item that was intact before (doneBefore) sent
// again, judged by the per-key request counts before and after (item maps
// a counted key to its item), and exactly those items skipped.
func CheckRerun(t testing.TB, res transfer.Result, want map[string][]byte, done, doneBefore map[string]bool, before, after map[string]int64, item func(key string) string) {
	t.Helper()
	if len(done) != len(want) || res.FailedCount != 0 {
		t.Fatalf("clean re-run: %d of %d items complete, %d failed", len(done), len(want), res.FailedCount)
	}
	for k, n := range after {
		if n > before[k] && doneBefore[item(k)] {
			t.Errorf("re-run moved %s again although it was complete", k)
		}
	}
	if res.Skipped != int64(len(doneBefore)) {
		t.Errorf("re-run skipped %d, want the %d complete items", res.Skipped, len(doneBefore))
	}
}

// StallThenCancel runs a transfer and cancels it once its connections are
// stalled, as Ctrl-C does: when flowing reports bytes moving, a timeout
// toxic with no timeout (it swallows all data and never closes) goes on
// stream, the stall bites for 300 ms and the run's context is cancelled;
// after, when set, runs then (to heal the network, say). The run must
// return within limit, with context.Canceled, and a connection must really
// have been stalled. It returns the run's result and error.
func StallThenCancel(t *testing.T, p *faultproxy.Proxy, stream string, run func(context.Context) (transfer.Result, error), flowing func() bool, after func(), limit time.Duration) (transfer.Result, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type outcome struct {
		res transfer.Result
		err error
	}
	ran := make(chan outcome, 1)
	go func() {
		res, err := run(ctx)
		ran <- outcome{res, err}
	}()
	for !flowing() {
		select {
		case o := <-ran:
			t.Fatalf("finished before the stall could be injected: %+v %v", o.res, o.err)
		case <-time.After(5 * time.Millisecond):
		}
	}
	before := faultproxy.Count("timeout")
	p.Add(t, "stall", faultproxy.Timeout, stream, 1, `{"timeout":0}`)
	// Let the stall bite: progress stops.
	time.Sleep(300 * time.Millisecond)
	cancel()
	if after != nil {
		after()
	}
	var o outcome
	select {
	case o = <-ran:
	case <-time.After(limit):
		t.Fatalf("HANG: the engine did not return %v after cancellation of a stalled transfer", limit)
	}
	n := faultproxy.Count("timeout") - before
	if n == 0 {
		t.Fatal("no connection was stalled; the test proves nothing")
	}
	t.Logf("FAULTS stall: %d connections stalled, then cancelled", n)
	if !errors.Is(o.err, context.Canceled) {
		t.Errorf("run error = %v, want context.Canceled", o.err)
	}
	return o.res, o.err
}

// WaitFor polls cond until it holds, failing t with what it was waiting for
// once limit has passed, so a test that waits for an engine to reach a state
// cannot hang.
func WaitFor(t testing.TB, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting for %s", limit, what)
		}
		time.Sleep(time.Millisecond)
	}
}
