package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/awsops/transfer"
	"github.com/s3link/s3link/ui"
)

// What "s3link sync" and "s3link upload" share: reading their s3:// and
// size arguments, the headless progress loop and the JSON summary.

// s3Location is a parsed s3://BUCKET[/PREFIX]; Prefix has no outer slashes.
type s3Location struct {
	Bucket, Prefix string
}

// URL renders the location as a folder, the way the user would type it.
func (l s3Location) URL() string { return setup.Location(l.Bucket, l.Prefix) }

// parseS3URL splits s3://BUCKET[/PREFIX]; what names the argument in its
// messages ("an S3 URL"). A download reads what exists (strict false): bucket
// names are checked only loosely, since old buckets may carry names today's
// rules refuse and S3 itself is the authority on whether one exists, and the
// prefix is kept as written but for its outer slashes. An upload writes keys
// (strict true): the bucket name must follow today's rules and the prefix
// must pass awsops.NormalizePrefix.
func parseS3URL(s, what string, strict bool) (s3Location, error) {
	rest, ok := strings.CutPrefix(s, "s3://")
	if !ok {
		return s3Location{}, usageError("%q is not %s; write it as s3://BUCKET or s3://BUCKET/PREFIX.", s, what)
	}
	bucket, prefix, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return s3Location{}, usageError("%q names no bucket; write it as s3://BUCKET or s3://BUCKET/PREFIX.", s)
	}
	if !strict {
		if len(bucket) < 3 || len(bucket) > 255 || strings.Trim(bucket, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") != "" {
			return s3Location{}, usageError("%q is not a valid bucket name; bucket names use letters, digits, dots and hyphens.", bucket)
		}
		return s3Location{Bucket: bucket, Prefix: strings.Trim(prefix, "/")}, nil
	}
	if err := awsops.ValidateBucketName(bucket); err != nil {
		return s3Location{}, usageError("%v", err)
	}
	p, err := awsops.NormalizePrefix(prefix)
	if err != nil {
		return s3Location{}, usageError("%v", err)
	}
	return s3Location{Bucket: bucket, Prefix: p}, nil
}

// parseSize reads a byte count: plain bytes, or K/M/G with optional "B",
// "i" or "iB", in any case. All units are binary (8M = 8MiB), as in the AWS
// CLI's S3 settings and S3's part limits.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := len(t)
	for i > 0 && (t[i-1] < '0' || t[i-1] > '9') {
		i--
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	var mult int64
	switch unit {
	case "", "b":
		mult = 1
	case "k", "kb", "ki", "kib":
		mult = 1 << 10
	case "m", "mb", "mi", "mib":
		mult = 1 << 20
	case "g", "gb", "gi", "gib":
		mult = 1 << 30
	default:
		return 0, fmt.Errorf("bad size unit %q", unit)
	}
	if n > (1<<62)/mult {
		return 0, fmt.Errorf("size %q too large", s)
	}
	return n * mult, nil
}

// progressInterval is how often headless mode prints a progress line:
// enough to show life in a CI log without flooding it.
const progressInterval = time.Second

// engine is what the headless loop drives: either transfer engine, read
// through the kernel's one shape.
type engine interface {
	Run(ctx context.Context) (transfer.Result, error)
	Snapshot() transfer.Snapshot
}

// runHeadless runs e and prints a progress line to w (stderr) at most
// once per progressInterval until it returns, and only when it changed
// since the last line (or the start): a run that makes no progress, such
// as one retrying an unreachable endpoint, prints nothing but its outcome.
// line words a Snapshot without the elapsed time, which runHeadless puts
// in front (it changes every time, so it is left out of the comparison).
// The engine never waits for the printing: line draws from a Snapshot.
func runHeadless(ctx context.Context, w io.Writer, e engine, line func(transfer.Snapshot) string) (transfer.Result, error) {
	last := line(e.Snapshot())
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(progressInterval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				s := e.Snapshot()
				if l := line(s); l != last {
					fmt.Fprintf(w, "%s  %s\n", formatElapsed(s.Elapsed), l)
					last = l
				}
			}
		}
	}()
	res, err := e.Run(ctx)
	close(done)
	wg.Wait()
	return res, err
}

// formatElapsed is the elapsed time at the head of a progress line: tenths
// of a second for the first minute, then whole seconds.
func formatElapsed(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Round(time.Second).String()
}

// transferLine is the progress of a sync or an upload, after the elapsed
// time, in the same words and layout for both:
//
//	310/5000 files  96.0 MiB/160 MiB  42.1 MiB/s  ETA 3s
//
// Files count those done, unchanged or failed of all found ("5000+" while
// the listing goes on), with the unchanged and failed in brackets. The ETA
// shows only once the rate has settled (transfer.Stats.ETA), so an early
// guess never shows; while the listing goes on it covers what was found so
// far, so it reads "ETA 6s+", at least that. A dry run moves nothing, so it
// shows no rate either.
func transferLine(s transfer.Stats, dryRun bool) string {
	var b strings.Builder
	of := fmt.Sprint(s.FilesTotal)
	if !s.ListingDone {
		of += "+"
	}
	fmt.Fprintf(&b, "%d/%s files", s.FilesDone+s.FilesSkipped+s.FilesFailed, of)
	var notes []string
	if s.FilesSkipped > 0 {
		notes = append(notes, fmt.Sprintf("%d unchanged", s.FilesSkipped))
	}
	if s.FilesFailed > 0 {
		notes = append(notes, fmt.Sprintf("%d failed", s.FilesFailed))
	}
	if len(notes) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(notes, ", "))
	}
	fmt.Fprintf(&b, "  %s/%s", ui.HumanBytes(s.BytesDone), ui.HumanBytes(s.BytesTotal))
	if dryRun {
		b.WriteString("  (dry run)")
	} else {
		fmt.Fprintf(&b, "  %s/s", ui.HumanBytes(int64(s.Rate)))
		if s.ETA > 0 {
			eta := "<1s"
			if s.ETA >= time.Second {
				eta = s.ETA.Round(time.Second).String()
			}
			if !s.ListingDone {
				eta += "+"
			}
			b.WriteString("  ETA " + eta)
		}
	}
	if !s.ListingDone {
		b.WriteString("  listing")
	}
	if s.Paused {
		b.WriteString("  paused")
	}
	return b.String()
}

// writeJSON prints v as indented JSON, the --json output of the commands.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// Commands hold && and quotes: keep them as typed.
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
