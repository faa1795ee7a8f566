package setup

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/s3link/s3link/awsops"
)

// PropagationWait is how long a proof keeps trying a new key that AWS
// refuses: IAM takes seconds, rarely a minute, to spread a new key and its
// policy to S3. The wizard's sync step and rotate wait the same.
const PropagationWait = 2 * time.Minute

// PropagationBackoff is the pause before attempt n+1: 1 s, doubling, at
// most 10 s, so a key that works after 3 s is used after 3 s, and one that
// takes a minute costs a dozen requests.
func PropagationBackoff(n int) time.Duration {
	return min(time.Second<<min(max(n-1, 0), 4), 10*time.Second)
}

// NotYetAccepted reports whether err is what a new key or a new policy
// gets until IAM has spread it: an unknown key id, a signature S3 cannot
// check yet, or access denied.
func NotYetAccepted(err error) bool {
	return errors.Is(err, awsops.ErrAccessDenied) || errors.Is(err, awsops.ErrInvalidCredentials)
}

// ProveKey shows that the key behind probe reads the location: it lists
// under the prefix and reads the first object there (or, in an empty
// location, is told the probe object is missing rather than refused). A
// refusal is retried with PropagationBackoff until PropagationWait has
// passed; wait sleeps (nil: the real clock) and tried hears of each
// refused attempt.
func ProveKey(ctx context.Context, probe awsops.Prober, bucket, prefix string, wait func(context.Context, time.Duration) error, tried func(attempt int, err error)) error {
	if wait == nil {
		wait = sleep
	}
	var spent time.Duration
	for attempt := 1; ; attempt++ {
		err := proveOnce(ctx, probe, bucket, prefix)
		if err == nil || !NotYetAccepted(err) {
			return err
		}
		if tried != nil {
			tried(attempt, err)
		}
		d := PropagationBackoff(attempt)
		if spent+d > PropagationWait {
			return fmt.Errorf("AWS still refuses the new key after %s: %w", PropagationWait, err)
		}
		if err := wait(ctx, d); err != nil {
			return err
		}
		spent += d
	}
}

func proveOnce(ctx context.Context, probe awsops.Prober, bucket, prefix string) error {
	first, err := probe.ProbeList(ctx, bucket, prefix)
	if err != nil {
		return err
	}
	if first != "" {
		return probe.ProbeHead(ctx, bucket, first)
	}
	if err := probe.ProbeHead(ctx, bucket, joinKey(prefix, probeKey)); err != nil && !errors.Is(err, awsops.ErrNotFound) {
		return err
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
