package download

import "github.com/s3link/s3link/awsops/transfer"

// Snapshot is the engine's progress at one instant, cheap to take: the UI
// samples it on a tick (~100 ms) instead of receiving a message per event.
// In the embedded Stats, bytes are those written by downloads and the files
// are the objects listed so far that passed the filters.
type Snapshot struct {
	transfer.Stats
	// Dirs counts directory markers (keys ending in "/") made into folders.
	Dirs int64
	// Failures holds the most recent failures, at most
	// transfer.MaxFailuresInSnapshot; FilesFailed counts them all.
	Failures []Failure
	DryRun   bool
}
