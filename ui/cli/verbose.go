package cli

import (
	"fmt"
	"io"
	"sync"

	"github.com/s3link/s3link/awsops/transfer/download"
	"github.com/s3link/s3link/awsops/transfer/upload"
	"github.com/s3link/s3link/ui"
)

// verboseWriter serialises --verbose lines from the engines' goroutines.
type verboseWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (v *verboseWriter) printf(format string, a ...any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	fmt.Fprintf(v.w, format+"\n", a...)
}

// verboseSyncLines is sync's --verbose: a line for each object downloaded,
// skipped or left out, with the reason. A dry run's downloads are already
// listed (or in the JSON), so there it names only what it leaves alone.
func verboseSyncLines(w io.Writer, dryRun bool) func(download.FileEvent) {
	v := &verboseWriter{w: w}
	return func(ev download.FileEvent) {
		switch {
		case ev.Downloaded && !dryRun:
			v.printf("downloaded %s -> %s (%s, %s)", printable(ev.Key), printable(ev.Path), ev.Reason, ui.HumanBytes(ev.Size))
		case !ev.Downloaded:
			v.printf("skipped %s: %s", printable(ev.Key), ev.Reason)
		}
	}
}

// verboseUploadLines is upload's --verbose, worded like sync's.
func verboseUploadLines(w io.Writer, bucket string, dryRun bool) func(upload.FileEvent) {
	v := &verboseWriter{w: w}
	return func(ev upload.FileEvent) {
		switch {
		case ev.Uploaded && !dryRun:
			v.printf("uploaded %s -> s3://%s/%s (%s, %s)", printable(ev.Path), bucket, printable(ev.Key), ev.Reason, ui.HumanBytes(ev.Size))
		case !ev.Uploaded:
			v.printf("skipped %s: %s", printable(ev.Path), ev.Reason)
		}
	}
}
