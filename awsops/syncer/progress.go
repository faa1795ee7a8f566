package syncer

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Snapshot is the engine's progress at one instant, cheap to take: the UI
// samples it on a tick (~100 ms) instead of receiving a message per event.
type Snapshot struct {
	// BytesDone counts bytes written so far by downloads; BytesTotal is the
	// bytes of every object listed so far that needs downloading.
	BytesDone, BytesTotal int64
	// FilesTotal counts the objects listed so far that passed the filters.
	// Until ListingDone it grows; every one of them ends up done, skipped
	// or failed.
	FilesTotal, FilesDone, FilesSkipped, FilesFailed int64
	// Dirs counts directory markers (keys ending in "/") made into folders.
	Dirs int64
	// ListingDone is true once the whole listing has been read, so the
	// totals are final.
	ListingDone bool
	// Active lists transfers in flight, at most MaxActiveInSnapshot.
	Active []Transfer
	// Rate is the download rate in bytes per second, averaged over the last
	// few seconds.
	Rate float64
	// ETA estimates the time left from Rate; zero when unknown. It only
	// covers what has been listed so far until ListingDone.
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

// Transfer is one download in flight.
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

// transfer is the live state of one object download; its slot in
// Engine.slots publishes it to Snapshot without a lock.
type transfer struct {
	key  string
	size int64
	done atomic.Int64
}

// counters are updated atomically by workers and read by Snapshot.
type counters struct {
	bytesDone, bytesTotal                          atomic.Int64
	filesTotal, filesDone, filesSkipped, filesFail atomic.Int64
	dirs                                           atomic.Int64
	listingDone, running                           atomic.Bool
	start, end                                     atomic.Int64 // unix nanoseconds
}

func (c *counters) reset() {
	for _, v := range []*atomic.Int64{&c.bytesDone, &c.bytesTotal, &c.filesTotal, &c.filesDone,
		&c.filesSkipped, &c.filesFail, &c.dirs, &c.end} {
		v.Store(0)
	}
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
// atomic load, cheap enough to check on every buffer of every body.
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
