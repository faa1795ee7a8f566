package download

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s3link/s3link/awsops/transfer"
	"github.com/s3link/s3link/awsops/transfer/transfertest"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

const testBucket = "media"

// fault is what the fault-injecting handler does to one object GET.
type fault int

const (
	faultNone fault = iota
	faultReset
	faultSlowDown
	faultTruncate
	faultFlip
	faultLatency
	faultStall
)

func (f fault) String() string {
	return [...]string{"none", "reset", "slowdown", "truncate", "flip", "latency", "stall"}[f]
}

// fakeS3 is gofakes3 over s3mem behind an httptest server, with a handler
// that counts requests and injects faults into object GETs.
type fakeS3 struct {
	t       testing.TB
	backend *s3mem.Backend
	clock   *testClock
	srv     *httptest.Server
	client  *s3.Client

	gets, rangedGets, lists atomic.Int64
	perKey                  sync.Map // key -> *atomic.Int64 (GETs seen)

	// checksums makes whole-object GETs that ask for it (x-amz-checksum-mode)
	// carry the object's full-object CRC64NVME, as S3 does by default.
	checksums atomic.Bool
	crcs      sync.Map // key -> base64 CRC64NVME of what put stored

	mu sync.Mutex
	// decide picks the fault for the n-th GET (from 1) of a key.
	decide func(key string, n int64) fault
}

// testClock is a goroutine-safe clock for the backend's LastModified, so a
// test can make an object newer without sleeping.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}
func (c *testClock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newFakeS3(t testing.TB) *fakeS3 {
	t.Helper()
	f := &fakeS3{t: t, clock: &testClock{t: time.Date(2025, 3, 1, 12, 0, 0, 123e6, time.UTC)}}
	f.backend = s3mem.New(s3mem.WithTimeSource(f.clock))
	f.srv = transfertest.StartS3(t, f.backend, testBucket, f.wrap, nil)
	// The production backoff (up to seconds) would make fault tests slow.
	f.client = transfertest.Client(transfer.Download, f.srv.URL, 16, 4, 20*time.Millisecond)
	return f
}

func (f *fakeS3) store() *S3Store { return NewS3Store(f.client) }

func (f *fakeS3) setFaults(decide func(key string, n int64) fault) {
	f.mu.Lock()
	f.decide = decide
	f.mu.Unlock()
}

func (f *fakeS3) put(key string, body []byte) {
	f.t.Helper()
	if _, err := f.backend.PutObject(testBucket, key, map[string]string{}, bytes.NewReader(body), int64(len(body)), nil); err != nil {
		f.t.Fatalf("put %q: %v", key, err)
	}
	f.crcs.Store(key, crcOf("CRC64NVME", body).Value)
}

func (f *fakeS3) getsOf(key string) int64 {
	if v, ok := f.perKey.Load(key); ok {
		return v.(*atomic.Int64).Load()
	}
	return 0
}

func (f *fakeS3) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimPrefix(r.URL.Path, "/")
		bucket, key, hasKey := strings.Cut(p, "/")
		if r.Method != http.MethodGet || bucket != testBucket || !hasKey || key == "" {
			if r.URL.Query().Get("list-type") == "2" {
				f.lists.Add(1)
			}
			next.ServeHTTP(w, r)
			return
		}
		f.gets.Add(1)
		if r.Header.Get("Range") != "" {
			f.rangedGets.Add(1)
		} else if f.checksums.Load() && strings.EqualFold(r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") {
			if v, ok := f.crcs.Load(key); ok {
				w.Header().Set("X-Amz-Checksum-Crc64nvme", v.(string))
				w.Header().Set("X-Amz-Checksum-Type", "FULL_OBJECT")
			}
		}
		v, _ := f.perKey.LoadOrStore(key, new(atomic.Int64))
		n := v.(*atomic.Int64).Add(1)
		f.mu.Lock()
		decide := f.decide
		f.mu.Unlock()
		flt := faultNone
		if decide != nil {
			flt = decide(key, n)
		}
		switch flt {
		case faultSlowDown:
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`)
			return
		case faultLatency:
			time.Sleep(20 * time.Millisecond)
			next.ServeHTTP(w, r)
			return
		case faultReset, faultTruncate, faultFlip, faultStall:
			next.ServeHTTP(&faultWriter{ResponseWriter: w, fault: flt, done: r.Context().Done()}, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// faultWriter damages a response body: it cuts the connection (reset),
// stops short of the declared Content-Length (truncate), or flips one byte.
type faultWriter struct {
	http.ResponseWriter
	fault   fault
	status  int
	written int64
	cut     bool
	// done closes when the client abandons the request (faultStall).
	done <-chan struct{}
}

func (fw *faultWriter) WriteHeader(code int) {
	if fw.cut || fw.status != 0 {
		return // gofakes3 tries to send an error after the body broke
	}
	fw.status = code
	fw.ResponseWriter.WriteHeader(code)
}

func (fw *faultWriter) Write(p []byte) (int, error) {
	if fw.cut {
		return 0, errors.New("fault: cut")
	}
	if fw.status >= 300 {
		return fw.ResponseWriter.Write(p)
	}
	cl := fw.Header().Get("Content-Length")
	var total int64
	fmt.Sscan(cl, &total)
	half := total / 2
	switch fw.fault {
	case faultFlip:
		q := append([]byte(nil), p...) // the backend hands out its own slice
		if at := half - fw.written; at >= 0 && at < int64(len(q)) {
			q[at] ^= 0xff
		}
		fw.written += int64(len(q))
		return fw.ResponseWriter.Write(q)
	case faultStall:
		// Send half, then keep the connection open and silent until the
		// client gives up on it.
		if fw.written+int64(len(p)) <= half {
			fw.written += int64(len(p))
			return fw.ResponseWriter.Write(p)
		}
		if keep := half - fw.written; keep > 0 {
			fw.ResponseWriter.Write(p[:keep])
		}
		if fl, ok := fw.ResponseWriter.(http.Flusher); ok {
			fl.Flush()
		}
		fw.cut = true
		<-fw.done
		return 0, errors.New("fault: stalled")
	case faultReset, faultTruncate:
		if fw.written+int64(len(p)) <= half {
			fw.written += int64(len(p))
			return fw.ResponseWriter.Write(p)
		}
		keep := half - fw.written
		if keep > 0 {
			fw.ResponseWriter.Write(p[:keep])
		}
		fw.cut = true
		if fw.fault == faultReset {
			if fl, ok := fw.ResponseWriter.(http.Flusher); ok {
				fl.Flush()
			}
			if conn, _, err := http.NewResponseController(fw.ResponseWriter).Hijack(); err == nil {
				if tc, ok := conn.(*net.TCPConn); ok {
					tc.SetLinger(0) // RST instead of FIN
				}
				conn.Close()
			}
		}
		return 0, errors.New("fault: cut")
	}
	return fw.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the real writer for Hijack.
func (fw *faultWriter) Unwrap() http.ResponseWriter { return fw.ResponseWriter }

// body makes deterministic content for a key.
func body(key string, size int) []byte {
	b := make([]byte, size)
	seed := md5.Sum([]byte(key))
	for i := 0; i < size; i += 16 {
		copy(b[i:], seed[:])
		seed[0]++
		if seed[0] == 0 {
			seed[1]++
		}
	}
	return b
}

// checkDest walks dest and fails the test on any leftover temporary file or
// any file whose bytes differ from want (keyed by slash path relative to
// dest). It returns the files found.
func checkDest(t testing.TB, dest string, want map[string][]byte) map[string]bool {
	t.Helper()
	found := map[string]bool{}
	err := filepath.WalkDir(dest, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dest, p)
		rel = filepath.ToSlash(rel)
		if IsTempName(d.Name()) {
			t.Errorf("temporary file left behind: %s", rel)
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		w, ok := want[rel]
		if !ok {
			t.Errorf("unexpected file %s", rel)
		} else if !bytes.Equal(b, w) {
			t.Errorf("file %s: %d bytes differ from the %d-byte source", rel, len(b), len(w))
		}
		found[rel] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func runEngine(t testing.TB, store Store, opts Options) (*Engine, Result) {
	t.Helper()
	e, err := New(store, opts)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Run(context.Background())
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return e, res
}
