package transfer

import (
	"context"
	"time"
)

// Core is the part of an engine both directions keep alike: the live
// Progress, the request Limiter every request takes a slot of, the failure
// log, and the run they belong to. It gives the Controls a caller drives an
// engine with, and the fields of the Result and the Snapshot that come from
// it; the engine adds its own.
type Core struct {
	P        *Progress
	Limit    *Limiter
	Failures Failures[Failure]
	DryRun   bool

	// run is the engine's run: the whole job when retry is nil, otherwise
	// the failures in retry again.
	run func(ctx context.Context, retry []Failure) (Result, error)
}

// NewCore returns the Core of an engine with workers workers and as many
// request slots, whose run is run.
func NewCore(workers int, dryRun bool, run func(ctx context.Context, retry []Failure) (Result, error)) *Core {
	return &Core{P: NewProgress(workers), Limit: NewLimiter(workers), DryRun: dryRun, run: run}
}

// Begin claims the Core for a run and resets the progress and the failure
// log; false when a run is already in progress. End releases it.
func (c *Core) Begin() bool {
	if !c.P.Running.CompareAndSwap(false, true) {
		return false
	}
	c.P.Reset()
	c.Failures.Reset()
	return true
}

// End releases the Core after a run Begin claimed.
func (c *Core) End() { c.P.Running.Store(false) }

// Fail counts a failure and keeps it for the result and a retry.
func (c *Core) Fail(f Failure) {
	c.P.FilesFailed.Add(1)
	c.Failures.Add(f)
}

// Result is the run's result as far as the Core knows it: counts, bytes,
// duration and failures.
func (c *Core) Result() Result {
	return Result{
		Done:        c.P.FilesDone.Load(),
		Skipped:     c.P.FilesSkipped.Load(),
		Failed:      c.Failures.Kept(),
		FailedCount: c.P.FilesFailed.Load(),
		Bytes:       c.P.BytesDone.Load(),
		Duration:    c.P.Duration(),
		DryRun:      c.DryRun,
	}
}

// Snapshot is the progress now, with the most recent failures.
func (c *Core) Snapshot() Snapshot {
	return Snapshot{Stats: c.P.Stats(time.Now()), Failures: c.Failures.Recent(), DryRun: c.DryRun}
}

// Controls returns the methods a caller drives the engine with; the
// engine embeds them.
func (c *Core) Controls() Controls { return Controls{c: c} }

// Controls are the methods both engines offer alike. An Engine embeds
// them; its own documentation says what its run does.
type Controls struct{ c *Core }

// Pause stops workers from taking new items and holds request bodies in
// flight until Resume. A server may drop a connection idle for long: a
// download then resumes its bodies with range requests, an upload's SDK
// retries the request from the start of its part.
func (c Controls) Pause() { c.c.P.Gate.Pause() }

// Resume undoes Pause.
func (c Controls) Resume() { c.c.P.Gate.Resume() }

// Run does the whole job. Per-item failures are in the Result; the error
// is for the run as a whole (the source or the destination is unusable,
// ctx was cancelled), and even then the Result counts what was done.
func (c Controls) Run(ctx context.Context) (Result, error) { return c.c.run(ctx, nil) }

// RetryFailed moves again what failed in the previous run, without
// listing or walking again; with no failures kept it does nothing.
// Failures that cannot be retried are carried over into the new result as
// they were.
func (c Controls) RetryFailed(ctx context.Context) (Result, error) {
	prev := c.c.Failures.Kept()
	if prev == nil {
		prev = []Failure{}
	}
	return c.c.run(ctx, prev)
}
