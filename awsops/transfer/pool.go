package transfer

import (
	"context"
	"sync"
)

// Run feeds jobs to a pool of workers through a queue of 4×workers: the
// bound is what keeps memory flat however long the listing. Before each job
// a worker waits at p.Gate; once ctx ends it drops the jobs left (through
// drop, which may be nil) instead of doing them, so feed never blocks on a
// full queue. ListingDone is set as soon as feed returns, the totals being
// final then. Run returns feed's error once every worker has finished.
func Run[J any](ctx context.Context, p *Progress, workers int, feed func(jobs chan<- J) error, do func(slot int, j J), drop func(J)) error {
	jobs := make(chan J, 4*workers)
	var wg sync.WaitGroup
	for slot := range workers {
		wg.Go(func() {
			for j := range jobs {
				if p.Gate.Wait(ctx) != nil || ctx.Err() != nil {
					if drop != nil {
						drop(j)
					}
					continue
				}
				do(slot, j)
			}
		})
	}
	err := feed(jobs)
	close(jobs)
	p.ListingDone.Store(true)
	wg.Wait()
	return err
}
