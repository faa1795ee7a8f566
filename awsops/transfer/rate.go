package transfer

import "time"

// RateMeter turns byte counts sampled at Snapshot time into a rate over a
// sliding window, so the rate reacts to stalls within a few seconds but does
// not jitter with every tick. It is not safe for concurrent use; Progress
// guards its own.
type RateMeter struct {
	samples [64]rateSample
	n, head int
	settled bool
}

type rateSample struct {
	t     time.Time
	bytes int64
}

const (
	rateWindow   = 5 * time.Second
	rateMinSpace = 100 * time.Millisecond
	// SettleSpan is the least history the rate needs before it may back an
	// ETA: the first second of a run (connections opening, the listing
	// still filling the queue) says little about the rest.
	SettleSpan = 2 * time.Second
	// settleTolerance is how far the rate over the newer half of the
	// history may stray from the rate over all of it for the rate to count
	// as settled.
	settleTolerance = 0.25
)

// Reset forgets every sample, for a new run.
func (m *RateMeter) Reset() { m.n, m.head, m.settled = 0, 0, false }

// Settled reports whether the rate the last Observe returned is steady
// enough to estimate the time left from: it rests on at least SettleSpan of
// samples, and the rate over their newer half is within a quarter of the
// rate over all of them. Until then an ETA would be a guess.
func (m *RateMeter) Settled() bool { return m.settled }

// Observe records a sample and returns the rate over the window. start is
// when the run began, used until the window has two samples.
func (m *RateMeter) Observe(now time.Time, bytes int64, start time.Time) float64 {
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
	m.settled = m.settle()
	if m.n < 2 || now.Sub(old.t) < time.Second {
		// Too little history: average since the start instead.
		if d := now.Sub(start).Seconds(); d > 0 {
			return float64(bytes) / d
		}
		return 0
	}
	return float64(bytes-old.bytes) / now.Sub(old.t).Seconds()
}

// settle computes Settled from the samples in the window.
func (m *RateMeter) settle() bool {
	if m.n < 3 {
		return false
	}
	at := func(i int) rateSample { return m.samples[(m.head+i)%len(m.samples)] }
	first, last := at(0), at(m.n-1)
	span := last.t.Sub(first.t)
	if span < SettleSpan {
		return false
	}
	whole := float64(last.bytes-first.bytes) / span.Seconds()
	if whole <= 0 {
		return false
	}
	// The oldest sample in the newer half of the span.
	mid := first.t.Add(span / 2)
	i := 1
	for i < m.n-1 && at(i).t.Before(mid) {
		i++
	}
	half := last.t.Sub(at(i).t)
	if half <= 0 {
		return false
	}
	recent := float64(last.bytes-at(i).bytes) / half.Seconds()
	return recent >= whole*(1-settleTolerance) && recent <= whole*(1+settleTolerance)
}
