package transfer

import (
	"context"
	"sync"
	"sync/atomic"
)

// Gate blocks workers while an engine is paused. The zero Gate is open. The
// unpaused path is one atomic load, cheap enough to check on every buffer of
// every body.
type Gate struct {
	paused atomic.Bool
	mu     sync.Mutex
	ch     chan struct{} // closed on resume
	// waiting counts the workers blocked in Wait.
	waiting atomic.Int32
}

// Pause closes the gate; Wait blocks from now on until Resume.
func (g *Gate) Pause() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.paused.Load() {
		g.ch = make(chan struct{})
		g.paused.Store(true)
	}
}

// Resume opens the gate and releases every waiter.
func (g *Gate) Resume() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.paused.Load() {
		close(g.ch)
		g.paused.Store(false)
	}
}

// Waiting reports how many workers are blocked at the closed gate, so a
// caller (a test) can know that none of them can move until Resume.
func (g *Gate) Waiting() int { return int(g.waiting.Load()) }

// Paused reports whether the gate is closed.
func (g *Gate) Paused() bool { return g.paused.Load() }

// Wait returns at once when the gate is open, otherwise when it opens or ctx
// ends, with ctx's error then.
func (g *Gate) Wait(ctx context.Context) error {
	if !g.paused.Load() {
		return nil
	}
	g.mu.Lock()
	ch, p := g.ch, g.paused.Load()
	g.mu.Unlock()
	if !p {
		return nil
	}
	g.waiting.Add(1)
	defer g.waiting.Add(-1)
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
