package upload

import "github.com/s3link/s3link/awsops/transfer"

// Snapshot is the engine's progress at one instant, cheap to take: the UI
// samples it on a tick (~100 ms) instead of receiving a message per event.
// Its Stats are the download engine's, so one progress screen can show either: bytes
// are those sent for files uploading or uploaded, the files are those found
// so far that passed the filters, and a file already in the bucket and
// unchanged counts as skipped.
type Snapshot struct {
	transfer.Stats
	// FilesFiltered counts files left out by the media filter or the
	// Include/Exclude globs; they are not part of FilesTotal.
	FilesFiltered int64
	// FilesIgnored counts entries that are not regular files inside the
	// folder (devices, sockets, links leading outside); see Result.Ignored.
	FilesIgnored int64
	// RemoteObjects counts the objects already under the destination
	// prefix, as listed so far; RemoteListed is true once that listing,
	// which runs before any upload, has ended.
	RemoteObjects int64
	RemoteListed  bool
	// Failures holds the most recent failures, at most
	// transfer.MaxFailuresInSnapshot; FilesFailed counts them all.
	Failures []Failure
	DryRun   bool
}
