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
		w, ok := x.want[rel]
		switch {
		case !ok:
			t.Errorf("unexpected file %s", rel)
		case !bytes.Equal(b, w):
			t.Errorf("CORRUPT: %s has %d bytes that differ from the %d-byte object", rel, len(b), len(w))
		default:
			done[rel] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	failed := map[string]bool{}
	for _, f := range res.Failed {
		rel := strings.TrimPrefix(f.Key, "media/")
		failed[rel] = true
		if f.Reason == "" || strings.ContainsAny(f.Reason, "\r\n") {
			t.Errorf("failure of %s has no one-line reason: %q", f.Key, f.Reason)
		}
		if done[rel] {
			t.Errorf("%s is both complete and named as failed", rel)
		}
	}
	if int64(len(res.Failed)) != res.FailedCount {
		t.Errorf("%d failures listed, %d counted", len(res.Failed), res.FailedCount)
	}
	if runErr == nil {
		for rel := range x.want {
			if !done[rel] && !failed[rel] {
				t.Errorf("%s is neither complete nor named as failed", rel)
			}
		}
		if got := res.Done + res.Skipped + res.FailedCount; got != int64(len(x.want)) {
			t.Errorf("downloaded %d + unchanged %d + failed %d != %d objects", res.Done, res.Skipped, res.FailedCount, len(x.want))
		}
	}
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
	if len(done) != len(x.want) || res.FailedCount != 0 {
		t.Fatalf("clean re-run: %d of %d files complete, %d failed", len(done), len(x.want), res.FailedCount)
	}
	after := x.perKey.Snapshot()
	for k, n := range after {
		if n > before[k] && doneBefore[strings.TrimPrefix(k, "media/")] {
			t.Errorf("re-run fetched %s again although it was complete", k)
		}
	}
	if res.Skipped != int64(len(doneBefore)) {
		t.Errorf("re-run skipped %d, want the %d complete files", res.Skipped, len(doneBefore))
	}
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
	cases := []struct {
		name   string
		inject func(t *testing.T, x *toxicS3)
		// counter names the fault counter to report; "resets" counts the
		// ECONNRESETs the client saw (reset_peer cannot be wrapped).
		counter string
		// mustFault: at least one fault must have been injected.
		mustFault bool
		// oneRequestPerConn turns keep-alive off at the server, so a fault
		// rolled per connection (toxicity < 1) is rolled per request: with
		// ~35 requests, "no fault at all" has odds below 1e-9.
		oneRequestPerConn bool
	}{
		{name: "latency", counter: "latency", mustFault: true, inject: func(t *testing.T, x *toxicS3) {
			x.proxy.Add(t, "lat-down", faultproxy.Latency, "downstream", 1, `{"latency":40,"jitter":20}`)
			x.proxy.Add(t, "lat-up", faultproxy.Latency, "upstream", 1, `{"latency":10,"jitter":5}`)
		}},
		{name: "bandwidth", counter: "bandwidth", mustFault: true, inject: func(t *testing.T, x *toxicS3) {
			x.proxy.Add(t, "bw", faultproxy.Bandwidth, "downstream", 1, `{"rate":2048}`)
		}},
		{name: "slicer", counter: "slicer", mustFault: true, inject: func(t *testing.T, x *toxicS3) {
			// Many small TCP segments: bodies arrive in odd pieces.
			x.proxy.Add(t, "slice", faultproxy.Slicer, "downstream", 1, `{"average_size":1500,"size_variation":1400,"delay":20}`)
		}},
		{name: "limit_data", counter: "limit_data", mustFault: true, inject: func(t *testing.T, x *toxicS3) {
			// Every connection ends after 100 KB: mid-body for the larger
			// objects, between responses for others.
			x.proxy.Add(t, "cut", faultproxy.LimitData, "downstream", 1, `{"bytes":102400}`)
		}},
		{name: "reset_peer", counter: "resets", mustFault: true, oneRequestPerConn: true, inject: func(t *testing.T, x *toxicS3) {
			// Half the connections swallow their first response and are
			// reset (RST) 30 ms later. toxiproxy only sets SO_LINGER 0 for
			// its own reset_peer type, so this one is counted where the
			// client sees ECONNRESET.
			x.proxy.Add(t, "rst", "reset_peer", "downstream", 0.5, `{"timeout":30}`)
		}},
		{name: "timeout", counter: "timeout", mustFault: true, oneRequestPerConn: true, inject: func(t *testing.T, x *toxicS3) {
			// Half the connections swallow everything and close after
			// 150 ms: requests with no response at all.
			x.proxy.Add(t, "blackhole", faultproxy.Timeout, "downstream", 0.5, `{"timeout":150}`)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x := newToxicS3(t)
			x.seed()
			x.srv.Config.SetKeepAlivesEnabled(!tc.oneRequestPerConn)
			tc.inject(t, x)
			before := faultproxy.Count(tc.counter)
			dest := t.TempDir()
			res, err := runSafely(t, x.store(), dest, 90*time.Second)
			n := faultproxy.Count(tc.counter) - before
			if tc.mustFault && n == 0 {
				t.Fatalf("no %s fault was injected; the test proves nothing", tc.name)
			}
			done := x.checkOutcome(t, dest, res, err)
			t.Logf("FAULTS %s: %d injected; %d complete, %d named failed, run error: %v", tc.name, n, len(done), res.FailedCount, err)
			x.rerunClean(t, dest, done)
		})
	}
}

// TestToxiproxyDownAndUp stops the proxy while GETs are in flight (every
// connection closes, new ones are refused) and starts it again, several
// times. The engine's SDK retries and Range resumes should carry most
// objects through; whatever they cannot must be named.
func TestToxiproxyDownAndUp(t *testing.T) {
	x := newToxicS3(t)
	x.seed()
	// A bandwidth cap keeps transfers in flight long enough to be cut.
	x.proxy.Add(t, "bw", faultproxy.Bandwidth, "downstream", 1, `{"rate":1024}`)
	dest := t.TempDir()
	var outages atomic.Int64
	stop := make(chan struct{})
	flapped := make(chan struct{})
	go func() {
		defer close(flapped)
		for i := 0; i < 3; i++ {
			// Wait for traffic, then cut it.
			for x.gets.Load() < int64(4+8*i) {
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
			x.proxy.Stop()
			outages.Add(1)
			select {
			case <-stop:
			case <-time.After(300 * time.Millisecond):
			}
			if err := x.proxy.Start(); err != nil {
				t.Errorf("restart proxy: %v", err)
				return
			}
		}
	}()
	res, err := runSafely(t, x.store(), dest, 90*time.Second)
	close(stop)
	<-flapped
	if outages.Load() == 0 {
		t.Fatal("the proxy never went down; the test proves nothing")
	}
	done := x.checkOutcome(t, dest, res, err)
	t.Logf("FAULTS proxy-down: %d outages; %d complete, %d named failed, run error: %v", outages.Load(), len(done), res.FailedCount, err)
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
	x.seed()
	x.proxy.Add(t, "bw", faultproxy.Bandwidth, "downstream", 1, `{"rate":512}`)
	dest := t.TempDir()
	eng, err := download.New(x.store(), download.Options{Bucket: toxBucket, Prefix: "media", Dest: dest, Concurrency: 4, PartSize: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type outcome struct {
		res download.Result
		err error
	}
	ran := make(chan outcome, 1)
	go func() {
		res, err := eng.Run(ctx)
		ran <- outcome{res, err}
	}()
	// Stall once bytes are flowing into the larger objects.
	for eng.Snapshot().BytesDone < 200<<10 {
		select {
		case o := <-ran:
			t.Fatalf("finished before the stall could be injected: %+v %v", o.res, o.err)
		case <-time.After(5 * time.Millisecond):
		}
	}
	before := faultproxy.Count("timeout")
	x.proxy.Add(t, "stall", faultproxy.Timeout, "downstream", 1, `{"timeout":0}`)
	// Let the stall bite: progress stops.
	time.Sleep(300 * time.Millisecond)
	cancel()
	var o outcome
	select {
	case o = <-ran:
	case <-time.After(30 * time.Second):
		t.Fatal("HANG: the engine did not return 30 s after cancellation of a stalled transfer")
	}
	if n := faultproxy.Count("timeout") - before; n == 0 {
		t.Fatal("no connection was stalled; the test proves nothing")
	} else {
		t.Logf("FAULTS stall: %d connections stalled, then cancelled", n)
	}
	if !errors.Is(o.err, context.Canceled) {
		t.Errorf("run error = %v, want context.Canceled", o.err)
	}
	done := x.checkOutcome(t, dest, o.res, o.err)
	x.rerunClean(t, dest, done)
}
