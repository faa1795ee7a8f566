package transfer

import "context"

// Limiter bounds the requests in flight across an engine: every GET, PUT
// and part of either direction takes a slot for as long as it runs. The
// zero Limiter is not usable; make one with NewLimiter.
type Limiter struct {
	slots chan struct{}
}

// NewLimiter returns a Limiter of n slots (at least one).
func NewLimiter(n int) *Limiter {
	return &Limiter{slots: make(chan struct{}, max(n, 1))}
}

// Acquire takes a slot, waiting for one while ctx lasts. Once ctx has
// ended it never hands out a slot, even one that was free, so that no
// request starts after a cancellation.
func (l *Limiter) Acquire(ctx context.Context) error {
	select {
	case l.slots <- struct{}{}:
		if err := ctx.Err(); err != nil {
			<-l.slots
			return err
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Release gives back a slot Acquire took.
func (l *Limiter) Release() { <-l.slots }
