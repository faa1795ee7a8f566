package transfer

import "time"

// RateMeter turns byte counts sampled at Snapshot time into a rate over a
// sliding window, so the rate reacts to stalls within a few seconds but does
// not jitter with every tick. It is not safe for concurrent use; Progress
// guards its own.
type RateMeter struct {
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

// Reset forgets every sample, for a new run.
func (m *RateMeter) Reset() { m.n, m.head = 0, 0 }

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
	if m.n < 2 || now.Sub(old.t) < time.Second {
		// Too little history: average since the start instead.
		if d := now.Sub(start).Seconds(); d > 0 {
			return float64(bytes) / d
		}
		return 0
	}
	return float64(bytes-old.bytes) / now.Sub(old.t).Seconds()
}
