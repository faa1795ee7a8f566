// Package transfertest holds what the download and upload engines' tests
// share: an in-process S3 (gofakes3 over s3mem) behind an httptest server,
// the production client of either direction aimed at it with test
// credentials and a short retry backoff, per-key request counts,
// deterministic content, a connection-reset counter and a server that
// answers every request with one S3 error. Only tests import it.
package transfertest

import (
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
