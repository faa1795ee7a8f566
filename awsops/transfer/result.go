package transfer

import "time"

// Reason explains a decision about one object or file (move it or skip
// it) in a few words; both engines give them from this one set.
type Reason string

// The reasons the engines' strategies give.
const (
	ReasonNew          Reason = "new"
	ReasonSize         Reason = "size differs"
	ReasonTime         Reason = "modification time differs"
	ReasonChecksum     Reason = "checksum differs"
	ReasonUnchanged    Reason = "unchanged"
	ReasonSameChecksum Reason = "same checksum"
	ReasonSameSize     Reason = "same size"
	ReasonSameTime     Reason = "same size and modification time"
	ReasonUnknown      Reason = "cannot tell whether it is the same"
	ReasonDirInTheWay  Reason = "a directory is in the way"
	ReasonNotRegular   Reason = "not a regular file"
	ReasonExists       Reason = "already there (no-clobber)"
)

// Failure is an object or file that could not be moved, with a one-line
// reason.
type Failure struct {
	// Key is the object's key; for a download's DeleteFailed, the path
	// below the destination.
	Key string
	// Path is an upload's file, relative to the folder and
	// slash-separated; "" for a download.
	Path   string
	Reason string
	// Retryable is false when running again cannot help: the key or the
	// file's name itself is refused, say.
	Retryable bool

	// retry is the engine's own record of the item, for RetryFailed.
	retry any
}

// Name is what the failure is about in the person's terms: the file for an
// upload, the key for a download.
func (f Failure) Name() string {
	if f.Path != "" {
		return f.Path
	}
	return f.Key
}

// WithRetry returns f carrying v, the engine's own record of the item,
// which RetryFailed gets back from Retry.
func (f Failure) WithRetry(v any) Failure {
	f.retry = v
	return f
}

// Retry is what WithRetry stored; nil when nothing was.
func (f Failure) Retry() any { return f.retry }

// Ignored is a folder entry an upload does not send because it is not a
// regular file inside the folder (a device, a socket, a link to a folder
// or to a place outside), or could not be read. Reason is one line.
type Ignored struct {
	Path   string
	Reason string
}

// Result summarises a run of either engine. The fields after DryRun
// belong to one direction and stay zero in the other.
type Result struct {
	// Done counts the objects downloaded or the files uploaded (in a dry
	// run: that would be); Skipped those already in place and unchanged.
	Done, Skipped int64
	// Failed lists failures in the order they happened (the first
	// MaxFailuresKept; FailedCount counts them all).
	Failed      []Failure
	FailedCount int64
	// Bytes is the number of bytes moved (in a dry run: that would be).
	Bytes    int64
	Duration time.Duration
	DryRun   bool

	// Dirs counts a download's directory markers (keys ending in "/")
	// made into folders.
	Dirs int64
	// SizeOnly counts the objects downloaded whose composite checksum
	// could not be computed again (their upload's parts were not all the
	// size of part 1) and that have no plain-MD5 ETag: the size alone
	// vouched for them.
	SizeOnly int64
	// Deleted lists the local files a download with Delete removed (in a
	// dry run: would remove), as paths joined with the destination;
	// DeleteFailed the ones it could not, Key being the path below it.
	Deleted      []string
	DeleteFailed []Failure

	// Filtered counts the files an upload left out by the media filter or
	// the globs.
	Filtered int64
	// Ignored lists the first entries an upload found that are not
	// regular files inside the folder; IgnoredCount counts them all.
	Ignored      []Ignored
	IgnoredCount int64
	// ListWarning is set when an upload could not list the destination
	// (the credentials may upload but not list, say): nothing was skipped
	// then, every file was uploaded.
	ListWarning string
}

// Retryable counts the failures kept that a retry may fix.
func (r Result) Retryable() int64 {
	var n int64
	for _, f := range r.Failed {
		if f.Retryable {
			n++
		}
	}
	return n
}

// Merge adds retry, the result of a RetryFailed, to r, the job's result
// so far: the retry counts only what it retried, and its failures replace
// the earlier ones. What the first run filtered, ignored or could not
// list stays as it found it.
func (r Result) Merge(retry Result) Result {
	retry.Done += r.Done
	retry.Skipped += r.Skipped
	retry.Dirs += r.Dirs
	retry.Bytes += r.Bytes
	retry.Duration += r.Duration
	retry.Filtered, retry.Ignored, retry.IgnoredCount = r.Filtered, r.Ignored, r.IgnoredCount
	if retry.ListWarning == "" {
		retry.ListWarning = r.ListWarning
	}
	return retry
}

// Snapshot is an engine's progress at one instant, cheap to take: the UI
// samples it on a tick (~100 ms) instead of receiving a message per event.
// In the embedded Stats, bytes are those written by downloads or sent for
// uploads, and the files are those found so far that passed the filters (a
// file already in place and unchanged counts as skipped). The fields after
// DryRun belong to one direction and stay zero in the other.
type Snapshot struct {
	Stats
	// Failures holds the most recent failures, at most
	// MaxFailuresInSnapshot; FilesFailed counts them all.
	Failures []Failure
	DryRun   bool

	// Dirs counts a download's directory markers made into folders.
	Dirs int64

	// FilesFiltered counts files an upload left out by the media filter
	// or the Include/Exclude globs; they are not part of FilesTotal.
	FilesFiltered int64
	// FilesIgnored counts entries that are not regular files inside the
	// folder (devices, sockets, links leading outside); see
	// Result.Ignored.
	FilesIgnored int64
	// RemoteObjects counts the objects already under an upload's
	// destination prefix, as listed so far; Preparing is true until that
	// listing, which runs before any upload, has ended.
	RemoteObjects int64
	Preparing     bool
}

// Planned is one transfer a dry run would make, as an engine's OnPlan hook
// hears of it: Key and Path as in Item.
type Planned struct {
	Key    string
	Path   string
	Size   int64
	Reason Reason
}

// Item is one object or file as an engine's OnFile hook hears of it.
type Item struct {
	// Key is the object's key; "" when an upload's filters left the file
	// out.
	Key string
	// Path is a download's local path ("" when the filter left the key
	// out), or an upload's file relative to the folder, slash-separated.
	Path string
	Size int64
	// Reason says why it was moved, skipped or left out.
	Reason string
}

// Tell calls hook with ev when hook is set: the engines' OnFile and OnPlan
// hooks, which are optional.
func Tell[E any](hook func(E), ev E) {
	if hook != nil {
		hook(ev)
	}
}
