package download

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s3link/s3link/awsops/transfer"
	"github.com/s3link/s3link/awsops/transfer/transfertest"
)

func TestPauseBlocksNewWorkAndReadsInFlight(t *testing.T) {
	m := newMemStore()
	const size = 4 * copyBufSize
	m.n = 5
	m.gen = func(i int) (Object, []byte) {
		k := fmt.Sprintf("f%02d", i)
		b := body(k, size)
		return Object{Key: k, Size: size, LastModified: memTime}, b
	}
	dest := t.TempDir()
	e, err := New(m, Options{Bucket: "b", Dest: dest, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	// The third Read of the first object pauses the engine from inside the
	// transfer, so the pause lands mid-body deterministically.
	paused := make(chan struct{})
	m.onRead = func(key string, n int) {
		if key == "f00" && n == 3 {
			e.Pause()
			close(paused)
		}
	}
	done := make(chan Result, 1)
	go func() {
		res, err := e.Run(context.Background())
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	<-paused
	// copyBody fills its buffer before it writes and checks the gate, so
	// the first buffer completes (64 reads of 4 KiB); then reading must stop.
	var s transfer.Snapshot
	transfertest.WaitFor(t, 30*time.Second, "the first buffer to complete", func() bool {
		s = e.Snapshot()
		if !s.Paused {
			t.Fatal("snapshot does not say paused")
		}
		return len(s.Active) == 1 && s.Active[0].Done == copyBufSize
	})
	// The one worker is then blocked at the gate: nothing can read until
	// Resume, so what is counted now is final.
	transfertest.WaitFor(t, 30*time.Second, "the worker to stop at the pause", func() bool { return e.core.P.Gate.Waiting() == 1 })
	if got := m.readsOf("f00"); got != copyBufSize/4096 {
		t.Fatalf("%d reads while paused, want %d", got, copyBufSize/4096)
	}
	if s = e.Snapshot(); s.Active[0].Done != copyBufSize {
		t.Fatalf("bytes moved while paused: %+v", s.Active)
	}
	if m.readsOf("f01") != 0 || s.FilesDone != 0 {
		t.Fatalf("new work started while paused: %+v", s)
	}
	if len(s.Active) != 1 || s.Active[0].Key != "f00" || s.Active[0].Size != size {
		t.Fatalf("active: %+v", s.Active)
	}
	e.Resume()
	res := <-done
	if res.Done != 5 || e.Snapshot().Paused {
		t.Fatalf("after resume: %+v", res)
	}
}

func TestCancelWhilePaused(t *testing.T) {
	m := newMemStore("a", "b", "c")
	e, _ := New(m, Options{Bucket: "b", Dest: t.TempDir()})
	e.Pause()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := e.Run(ctx); done <- err }()
	transfertest.WaitFor(t, 30*time.Second, "the listing of 3 files", func() bool { return e.Snapshot().FilesTotal >= 3 })
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("err = %v", err)
	}
	if r := e.Snapshot(); r.FilesDone != 0 {
		t.Errorf("work done while paused: %+v", r)
	}
}

// TestMemoryStaysBounded lists 20,000 objects through a store that makes them
// up as it goes. The listing may run ahead of the downloads only by the
// queue, and the heap must not grow with the number of objects.
func TestMemoryStaysBounded(t *testing.T) {
	const n = 20_000
	m := newMemStore()
	m.n = n
	m.gen = func(i int) (Object, []byte) {
		k := fmt.Sprintf("g%03d/%06d.bin", i/1000, i)
		return Object{Key: k, Size: 16, LastModified: memTime}, []byte(k + "!")
	}
	m.index = func(key string) int {
		var i int
		if _, err := fmt.Sscanf(key[5:], "%06d", &i); err != nil {
			return -1
		}
		return i
	}
	const conc = 8
	e, err := New(m, Options{Bucket: "b", Dest: t.TempDir(), Concurrency: conc})
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)

	var maxAhead, maxHeap atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			s := e.Snapshot()
			ahead := s.FilesTotal - s.FilesDone - s.FilesSkipped - s.FilesFailed
			if ahead > maxAhead.Load() {
				maxAhead.Store(ahead)
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if h := int64(ms.HeapAlloc); h > maxHeap.Load() {
				maxHeap.Store(h)
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	res, err := e.Run(context.Background())
	close(stop)
	<-sampled
	if err != nil || res.Done != n {
		t.Fatalf("%+v %v", res, err)
	}
	// Queue (4×conc) + one per worker + one blocked send.
	if ahead := maxAhead.Load(); ahead > 5*conc+1 {
		t.Errorf("listing ran %d objects ahead of the workers", ahead)
	}
	if grown := maxHeap.Load() - int64(base.HeapAlloc); grown > 48<<20 {
		t.Errorf("heap grew by %d MiB", grown>>20)
	}
}

func TestSnapshotBoundsFailures(t *testing.T) {
	var keys []string
	for i := range 30 {
		keys = append(keys, fmt.Sprintf("../escape-%02d", i))
	}
	keys = append(keys, "fine.jpg")
	e, res := runEngine(t, newMemStore(keys...), Options{Bucket: "b", Dest: t.TempDir()})
	s := e.Snapshot()
	if res.FailedCount != 30 || len(res.Failed) != 30 || res.Done != 1 {
		t.Fatalf("%+v", res)
	}
	if s.FilesFailed != 30 || len(s.Failures) != transfer.MaxFailuresInSnapshot || s.FilesTotal != 31 {
		t.Fatalf("snapshot: failed %d, %d listed, total %d", s.FilesFailed, len(s.Failures), s.FilesTotal)
	}
	// The snapshot keeps the most recent ones.
	if last := s.Failures[len(s.Failures)-1].Key; last != "../escape-29" {
		t.Errorf("last failure %q", last)
	}
	if s.BytesDone != s.BytesTotal || s.BytesTotal != 100 || s.Rate <= 0 || s.Running || !s.ListingDone {
		t.Errorf("snapshot %+v", s)
	}
}
