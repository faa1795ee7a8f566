// Package transfer holds what the download engine (package download) and the upload
// engine (package upload) share: the include/exclude glob Filter, the pause Gate,
// the RateMeter, the lock-free Progress counters and the Stats every
// Snapshot starts from, and the bounded Failures log. Keeping one copy means
// a pattern, a pause or a rate behaves the same in both directions.
package transfer

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Limits on what a Snapshot carries, so taking one stays cheap however large
// the run.
const (
	MaxActiveInSnapshot   = 64
	MaxFailuresInSnapshot = 20
)

// MaxFailuresKept bounds the failures kept for a Result and a retry, so a
// run over a million unreadable objects cannot exhaust memory.
const MaxFailuresKept = 100_000

// Transfer is one object or file in flight, as a Snapshot shows it. A
// multipart upload shows as one Transfer whose Done sums its parts.
type Transfer struct {
	Key  string
	Done int64
	Size int64
}

// Live is the state of one transfer in flight; its slot in Progress
// publishes it to Stats without a lock.
type Live struct {
	Key  string
	Size int64
	// Done counts the bytes moved so far; workers add to it as they go.
	Done atomic.Int64
}

// Stats is the progress at one instant that both engines compute the same
// way; each engine's Snapshot embeds it and adds its own counts.
type Stats struct {
	// BytesDone counts bytes moved so far by transfers in flight or done;
	// BytesTotal is the bytes of everything found so far that needs moving.
	BytesDone, BytesTotal int64
	// FilesTotal counts what was found so far that passed the filters.
	// Until ListingDone it grows; every one of them ends up done, skipped
	// or failed.
	FilesTotal, FilesDone, FilesSkipped, FilesFailed int64
	// ListingDone is true once the whole source has been read, so the
	// totals are final.
	ListingDone bool
	// Active lists transfers in flight, at most MaxActiveInSnapshot.
	Active []Transfer
	// Rate is the transfer rate in bytes per second, averaged over the last
	// few seconds.
	Rate float64
	// ETA estimates the time left from Rate; zero when unknown, which
	// includes until the rate has settled (RateMeter.Settled). It only
	// covers what has been found so far until ListingDone.
	ETA     time.Duration
	Elapsed time.Duration
	Paused  bool
	// Running is true from the start of a run (or a retry) until it returns.
	Running bool
}

// Progress is an engine's live progress: counters that workers update
// atomically, the pause Gate, one slot per worker for the transfer in
// flight, and the rate meter behind Stats.
type Progress struct {
	BytesDone, BytesTotal                            atomic.Int64
	FilesTotal, FilesDone, FilesSkipped, FilesFailed atomic.Int64
	ListingDone, Running                             atomic.Bool
	// Gate holds workers while the engine is paused.
	Gate Gate

	start, end atomic.Int64 // unix nanoseconds
	slots      []atomic.Pointer[Live]

	mu   sync.Mutex // guards rate
	rate RateMeter
}

// NewProgress returns a Progress with one slot per worker.
func NewProgress(workers int) *Progress {
	return &Progress{slots: make([]atomic.Pointer[Live], workers)}
}

// Reset zeroes the counters and the rate for a new run, which starts now.
// It leaves Running alone: the run owns that flag.
func (p *Progress) Reset() {
	for _, v := range []*atomic.Int64{&p.BytesDone, &p.BytesTotal, &p.FilesTotal, &p.FilesDone,
		&p.FilesSkipped, &p.FilesFailed, &p.end} {
		v.Store(0)
	}
	p.ListingDone.Store(false)
	p.start.Store(time.Now().UnixNano())
	p.mu.Lock()
	p.rate.Reset()
	p.mu.Unlock()
}

// Finish marks the run's end, which stops the Elapsed clock.
func (p *Progress) Finish() { p.end.Store(time.Now().UnixNano()) }

// Duration is how long the last run took, from Reset to Finish.
func (p *Progress) Duration() time.Duration {
	return time.Duration(p.end.Load() - p.start.Load())
}

// Drop takes an item of size bytes back out of the totals: one found and
// counted that will not run after all (its run was cancelled while it was
// queued or before it moved a byte), so it is neither done, skipped nor
// failed. Both engines count such items alike.
func (p *Progress) Drop(size int64) {
	p.FilesTotal.Add(-1)
	p.BytesTotal.Add(-size)
}

// Begin publishes a transfer in flight in the worker's slot.
func (p *Progress) Begin(slot int, key string, size int64) *Live {
	l := &Live{Key: key, Size: size}
	p.slots[slot].Store(l)
	return l
}

// End clears the worker's slot once its transfer is over.
func (p *Progress) End(slot int) { p.slots[slot].Store(nil) }

// Add counts n bytes moved (negative to take them back) for l and the run.
func (p *Progress) Add(l *Live, n int64) {
	if n != 0 {
		l.Done.Add(n)
		p.BytesDone.Add(n)
	}
}

// Stats returns the progress at now. It takes a short lock and copies at
// most a few dozen entries, so calling it every 100 ms costs nothing
// measurable.
func (p *Progress) Stats(now time.Time) Stats {
	s := Stats{
		BytesDone:    p.BytesDone.Load(),
		BytesTotal:   p.BytesTotal.Load(),
		FilesTotal:   p.FilesTotal.Load(),
		FilesDone:    p.FilesDone.Load(),
		FilesSkipped: p.FilesSkipped.Load(),
		FilesFailed:  p.FilesFailed.Load(),
		ListingDone:  p.ListingDone.Load(),
		Paused:       p.Gate.Paused(),
		Running:      p.Running.Load(),
	}
	start := time.Unix(0, p.start.Load())
	if p.start.Load() != 0 {
		end := now
		if en := p.end.Load(); en != 0 {
			end = time.Unix(0, en)
		}
		s.Elapsed = end.Sub(start)
	}
	for i := range p.slots {
		if t := p.slots[i].Load(); t != nil && len(s.Active) < MaxActiveInSnapshot {
			s.Active = append(s.Active, Transfer{Key: t.Key, Done: t.Done.Load(), Size: t.Size})
		}
	}
	p.mu.Lock()
	settled := false
	if s.Running {
		s.Rate = p.rate.Observe(now, s.BytesDone, start)
		settled = p.rate.Settled()
	} else if s.Elapsed > 0 {
		s.Rate = float64(s.BytesDone) / s.Elapsed.Seconds()
	}
	p.mu.Unlock()
	if s.Running && settled && s.Rate > 0 && s.BytesTotal > s.BytesDone {
		s.ETA = time.Duration(float64(s.BytesTotal-s.BytesDone) / s.Rate * float64(time.Second))
	}
	return s
}

// Failures keeps a run's failures: the first MaxFailuresKept, for the
// result and a retry, and the last MaxFailuresInSnapshot, for snapshots.
// The zero value is empty and ready; it is safe for concurrent use.
type Failures[F any] struct {
	mu     sync.Mutex
	kept   []F
	recent []F
}

// Reset forgets every failure, for a new run.
func (l *Failures[F]) Reset() {
	l.mu.Lock()
	l.kept, l.recent = nil, nil
	l.mu.Unlock()
}

// Add records f.
func (l *Failures[F]) Add(f F) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.kept) < MaxFailuresKept {
		l.kept = append(l.kept, f)
	}
	if len(l.recent) == MaxFailuresInSnapshot {
		copy(l.recent, l.recent[1:])
		l.recent = l.recent[:MaxFailuresInSnapshot-1]
	}
	l.recent = append(l.recent, f)
}

// Kept returns a copy of the kept failures in the order they happened; nil
// when there are none.
func (l *Failures[F]) Kept() []F {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]F(nil), l.kept...)
}

// Recent returns a copy of the most recent failures, oldest first; nil when
// there are none.
func (l *Failures[F]) Recent() []F {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]F(nil), l.recent...)
}

// OneLine keeps a failure reason to one line, whatever the error wraps.
func OneLine(err error) string {
	s := err.Error()
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return s
}
