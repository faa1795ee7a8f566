//go:build e2e

package download_test

// Network faults at the TCP level: Shopify's toxiproxy, in process, sits
// between the engine's real S3 client and gofakes3 on 127.0.0.1 and adds
// latency, limits bandwidth, cuts connections mid-body (limit_data,
// reset_peer, timeout), chops the stream into tiny segments (slicer), stalls
// connections, or goes down and comes back. Whatever the fault, every file
// must end byte-for-byte correct or be named as failed, no temporary file
// may be left, and a clean re-run must fetch only what failed.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/s3link/s3link/awsops/transfer"
	"github.com/s3link/s3link/awsops/transfer/download"
	"github.com/s3link/s3link/awsops/transfer/faultproxy"
	"github.com/s3link/s3link/awsops/transfer/transfertest"
)

const toxBucket = "toxic-media"

// toxicS3 is gofakes3 behind toxiproxy, with counters at the server side
// of the proxy: object GETs per key and TCP connections the proxy opened.
type toxicS3 struct {
	t       *testing.T
	backend *s3mem.Backend
	srv     *httptest.Server
	proxy   *faultproxy.Proxy

	conns  atomic.Int64
	perKey transfertest.Counts // object GETs
	gets   atomic.Int64
	want   map[string][]byte // relative path -> content
}

// Rig implements faultproxy.Rig.
func (x *toxicS3) Rig() (*faultproxy.Proxy, *http.Server) { return x.proxy, x.srv.Config }

// newToxicS3 starts the server and the proxy for one test, seeded with the
// test data.
func newToxicS3(t *testing.T) *toxicS3 {
	t.Helper()
	x := &toxicS3{t: t, backend: s3mem.New(), want: map[string][]byte{}}
	x.srv = transfertest.StartS3(t, x.backend, toxBucket, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if key, ok := transfertest.ObjectKey(r, toxBucket); ok && r.Method == http.MethodGet {
				x.gets.Add(1)
				x.perKey.Add(key)
			}
			next.ServeHTTP(w, r)
		})
	}, func(s *http.Server) {
		s.ConnState = func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				x.conns.Add(1)
			}
		}
	})
	x.proxy = faultproxy.Start(t, x.srv.Listener.Addr().String())
	x.seed()
	return x
}

func (x *toxicS3) put(rel string, b []byte) {
	x.t.Helper()
	if _, err := x.backend.PutObject(toxBucket, "media/"+rel, map[string]string{}, bytes.NewReader(b), int64(len(b)), nil); err != nil {
		x.t.Fatal(err)
	}
	x.want[rel] = b
}

// seed puts a mix of sizes: empty, small single GETs, and objects large
// enough for parallel ranged GETs at the 256 KiB part size used below.
func (x *toxicS3) seed() {
	x.put("empty.jpg", nil)
	for i := range 24 {
		x.put(fmt.Sprintf("small/%02d.jpg", i), transfertest.Content(fmt.Sprint("s", i), 1+i*7919))
	}
	x.put("big/a.tif", transfertest.Content("a", 1<<20+4321))
	x.put("big/b.tif", transfertest.Content("b", 700<<10))
}

// store is the production S3 client (download.NewS3Client) aimed at the
// proxy; only the retry backoff is shortened so a test takes seconds.
func (x *toxicS3) store() download.Store {
	return download.NewS3Store(transfertest.Client(transfer.Download, "http://"+x.proxy.Listen, 4,
		download.MaxRequestAttempts, 250*time.Millisecond, func(o *s3.Options) {
			o.HTTPClient = transfertest.ResetCounter{Next: o.HTTPClient}
		}))
}

// checkOutcome is the invariant for a run under faults: every file under
// dest has exactly its source's bytes, no temporary file is left, every
// object absent from dest is named in the failures (unless the run as a
// whole failed, which must then be reported as an error), and nothing else
// is named. It returns the relative paths that are complete.
func (x *toxicS3) checkOutcome(t *testing.T, dest string, res download.Result, runErr error) map[string]bool {
	t.Helper()
	done := map[string]bool{}
	err := filepath.WalkDir(dest, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dest, p)
		rel = filepath.ToSlash(rel)
		if download.IsTempName(d.Name()) {
			t.Errorf("temporary file left behind: %s", rel)
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		transfertest.CheckItem(t, x.want, done, rel, b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	transfertest.CheckFailures(t, res, runErr, x.want, done, func(f transfer.Failure) string {
		return strings.TrimPrefix(f.Key, "media/")
	}, func(rel string) { t.Errorf("%s is both complete and named as failed", rel) })
	return done
}

// rerunClean removes every toxic, runs again, and checks that all files are
// now correct and that only objects not complete before were fetched.
func (x *toxicS3) rerunClean(t *testing.T, dest string, doneBefore map[string]bool) {
	t.Helper()
	x.proxy.Toxics.ResetToxics(context.Background())
	before := x.perKey.Snapshot()
	res, err := runSafely(t, x.store(), dest, 60*time.Second)
	if err != nil {
		t.Fatalf("clean re-run: %v", err)
	}
	done := x.checkOutcome(t, dest, res, nil)
	transfertest.CheckRerun(t, res, x.want, done, doneBefore, before, x.perKey.Snapshot(), func(k string) string {
		return strings.TrimPrefix(k, "media/")
	})
}

// runSafely runs the engine under a context deadline, the safety net
// against a hang: a run that reaches it fails the test.
func runSafely(t *testing.T, store download.Store, dest string, limit time.Duration) (download.Result, error) {
	t.Helper()
	eng, err := download.New(store, download.Options{Bucket: toxBucket, Prefix: "media", Dest: dest, Concurrency: 4, PartSize: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	res, err := eng.Run(ctx)
	if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
		t.Fatalf("HANG: the run was still going after %v (safety deadline): %v", limit, err)
	}
	return res, err
}

// TestToxiproxyFaults runs a sync through each TCP fault, checks the
// outcome invariant, then re-runs without faults.
func TestToxiproxyFaults(t *testing.T) {
	faultproxy.Each(t, faultproxy.Faults(false), newToxicS3, func(t *testing.T, x *toxicS3) func(int64) {
		dest := t.TempDir()
		res, err := runSafely(t, x.store(), dest, 90*time.Second)
		return func(n int64) {
			done := x.checkOutcome(t, dest, res, err)
			t.Logf("FAULTS %s: %d injected; %d complete, %d named failed, run error: %v", t.Name(), n, len(done), res.FailedCount, err)
			x.rerunClean(t, dest, done)
		}
	})
}

// TestToxiproxyDownAndUp stops the proxy while GETs are in flight (every
// connection closes, new ones are refused) and starts it again, several
// times. The engine's SDK retries and Range resumes should carry most
// objects through; whatever they cannot must be named.
func TestToxiproxyDownAndUp(t *testing.T) {
	x := newToxicS3(t)
	// A bandwidth cap keeps transfers in flight long enough to be cut.
	x.proxy.Add(t, "bw", faultproxy.Bandwidth, "downstream", 1, `{"rate":1024}`)
	dest := t.TempDir()
	// Wait for traffic before each cut.
	stop := x.proxy.Flap(t, 3, func(i int) bool { return x.gets.Load() >= int64(4+8*i) })
	res, err := runSafely(t, x.store(), dest, 90*time.Second)
	outages := stop()
	done := x.checkOutcome(t, dest, res, err)
	t.Logf("FAULTS proxy-down: %d outages; %d complete, %d named failed, run error: %v", outages, len(done), res.FailedCount, err)
	x.rerunClean(t, dest, done)
}

// TestToxiproxyStallThenCancel stalls every connection mid-transfer (a
// timeout toxic with no timeout swallows all data and never closes) and
// then cancels, as Ctrl-C does. The engine must return promptly with the
// cancellation, leave no temporary file and no partial file under a final
// name. Without the cancellation a stalled body would wait for TCP
// keep-alive; the engine sets no read deadline of its own (see the report).
func TestToxiproxyStallThenCancel(t *testing.T) {
	x := newToxicS3(t)
	x.proxy.Add(t, "bw", faultproxy.Bandwidth, "downstream", 1, `{"rate":512}`)
	dest := t.TempDir()
	eng, err := download.New(x.store(), download.Options{Bucket: toxBucket, Prefix: "media", Dest: dest, Concurrency: 4, PartSize: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	// Stall once bytes are flowing into the larger objects.
	res, err := transfertest.StallThenCancel(t, x.proxy, "downstream", eng.Run,
		func() bool { return eng.Snapshot().BytesDone >= 200<<10 }, nil, 30*time.Second)
	done := x.checkOutcome(t, dest, res, err)
	x.rerunClean(t, dest, done)
}
