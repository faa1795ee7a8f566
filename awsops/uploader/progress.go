package uploader

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Snapshot is the engine's progress at one instant, cheap to take: the UI
// samples it on a tick (~100 ms) instead of receiving a message per event.
// Its fields mirror syncer.Snapshot so one progress screen can show either.
type Snapshot struct {
	// BytesDone counts bytes sent so far for files that are uploading or
	// uploaded; BytesTotal is the bytes of every file found so far that
	// needs uploading.
	BytesDone, BytesTotal int64
	// FilesTotal counts the files found so far that passed the filters.
	// Until ListingDone it grows; every one of them ends up done, skipped
	// (already in the bucket, unchanged) or failed.
	FilesTotal, FilesDone, FilesSkipped, FilesFailed int64
	// FilesFiltered counts files left out by the media filter or the
	// Include/Exclude globs; they are not part of FilesTotal.
	FilesFiltered int64
	// FilesIgnored counts entries that are not regular files inside the
	// folder (devices, sockets, links leading outside); see Result.Ignored.
	FilesIgnored int64
	// RemoteObjects counts the objects already under the destination
	// prefix, as listed so far; RemoteListed is true once that listing,
	// which runs before any upload, has ended.
	RemoteObjects int64
	RemoteListed  bool
	// ListingDone is true once the whole local folder has been walked, so
	// the totals are final.
	ListingDone bool
	// Active lists uploads in flight, at most MaxActiveInSnapshot.
	Active []Transfer
	// Rate is the upload rate in bytes per second, averaged over the last
	// few seconds.
	Rate float64
	// ETA estimates the time left from Rate; zero when unknown. It only
	// covers what has been found so far until ListingDone.
	ETA time.Duration
	// Failures holds the most recent failures, at most
	// MaxFailuresInSnapshot; FilesFailed counts them all.
	Failures []Failure
	Elapsed  time.Duration
	Paused   bool
	// Running is true from the start of Run (or RetryFailed) until it returns.
	Running bool
	DryRun  bool
}

// Transfer is one file upload in flight. Key is the object key; a multipart
// upload shows as one Transfer whose Done sums its parts.
type Transfer struct {
	Key  string
	Done int64
	Size int64
}

// Limits on what a Snapshot carries, so taking one stays cheap however large
// the run.
const (
	MaxActiveInSnapshot   = 64
	MaxFailuresInSnapshot = 20
)

// transfer is the live state of one file upload; its slot in Engine.slots
// publishes it to Snapshot without a lock.
type transfer struct {
	key  string
	size int64
	done atomic.Int64
}

// counters are updated atomically by workers and read by Snapshot.
type counters struct {
	bytesDone, bytesTotal                          atomic.Int64
	filesTotal, filesDone, filesSkipped, filesFail atomic.Int64
	filtered, ignored, remote                      atomic.Int64
	remoteListed, listingDone, running             atomic.Bool
	start, end                                     atomic.Int64 // unix nanoseconds
}

func (c *counters) reset() {
	for _, v := range []*atomic.Int64{&c.bytesDone, &c.bytesTotal, &c.filesTotal, &c.filesDone,
		&c.filesSkipped, &c.filesFail, &c.filtered, &c.ignored, &c.remote, &c.end} {
		v.Store(0)
	}
	c.remoteListed.Store(false)
	c.listingDone.Store(false)
	c.start.Store(time.Now().UnixNano())
}

// rateMeter turns byte counts sampled at Snapshot time into a rate over a
// sliding window, so the rate reacts to stalls within a few seconds but does
// not jitter with every tick.
type rateMeter struct {
	samples [64]rateSample
	n, head int
}

type rateSample struct {
	t     time.Time
	bytes int64
}

const (
	rateWindow   = 5 * time.Second
	rateMinSpace = 100 * time.Millisecond
)

func (m *rateMeter) reset() { m.n, m.head = 0, 0 }

// observe records a sample and returns the rate over the window. start is
// when the run began, used until the window has two samples.
func (m *rateMeter) observe(now time.Time, bytes int64, start time.Time) float64 {
	if m.n == 0 || now.Sub(m.samples[(m.head+m.n-1)%len(m.samples)].t) >= rateMinSpace {
		if m.n == len(m.samples) {
			m.head = (m.head + 1) % len(m.samples)
			m.n--
		}
		m.samples[(m.head+m.n)%len(m.samples)] = rateSample{now, bytes}
		m.n++
	}
	for m.n > 2 && now.Sub(m.samples[(m.head+1)%len(m.samples)].t) >= rateWindow {
		m.head = (m.head + 1) % len(m.samples)
		m.n--
	}
	old := m.samples[m.head]
	if m.n < 2 || now.Sub(old.t) < time.Second {
		// Too little history: average since the start instead.
		if d := now.Sub(start).Seconds(); d > 0 {
			return float64(bytes) / d
		}
		return 0
	}
	return float64(bytes-old.bytes) / now.Sub(old.t).Seconds()
}

// gate blocks workers while the engine is paused. The unpaused path is one
// atomic load, cheap enough to check on every buffer of every request body.
type gate struct {
	paused atomic.Bool
	mu     sync.Mutex
	ch     chan struct{} // closed on resume
}

func (g *gate) pause() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.paused.Load() {
		g.ch = make(chan struct{})
		g.paused.Store(true)
	}
}

func (g *gate) resume() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.paused.Load() {
		close(g.ch)
		g.paused.Store(false)
	}
}

func (g *gate) wait(ctx context.Context) error {
	if !g.paused.Load() {
		return nil
	}
	g.mu.Lock()
	ch, p := g.ch, g.paused.Load()
	g.mu.Unlock()
	if !p {
		return nil
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
