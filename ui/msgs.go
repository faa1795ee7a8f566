package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/awsops/transfer"
	"github.com/s3link/s3link/awsops/transfer/download"
	"github.com/s3link/s3link/awsops/transfer/upload"
	"github.com/s3link/s3link/steps"
)

// Messages are past-tense facts. Results that can arrive late (a lookup
// for a name the user has since changed) carry the id of the request, and
// the screen drops any whose id is no longer its latest.

// profilesLoadedMsg: the shared config's profile names were read.
type profilesLoadedMsg struct {
	Names []string
	// EnvProfile is AWS_PROFILE, which counts as a choice already made.
	EnvProfile string
	Err        error
}

// opsBuiltMsg: clients for another profile were built.
type opsBuiltMsg struct {
	ID      int
	Profile string
	Ops     Ops
	Err     error
}

// identityResolvedMsg: STS said who the credentials belong to.
type identityResolvedMsg struct {
	ID       int
	Identity awsops.Identity
	Err      error
}

// bucketsListedMsg: the account's buckets were listed.
type bucketsListedMsg struct {
	Buckets []awsops.Bucket
	Err     error
}

// bucketInspectedMsg: one existing bucket's region and Block Public Access
// state were read.
type bucketInspectedMsg struct {
	Bucket string
	Region string
	Access awsops.PublicAccess
	Owned  bool
	Err    error
}

// prefixSettledMsg: the prefix input has been still long enough to look up
// what sits under it.
type prefixSettledMsg struct{ ID int }

// prefixSummarizedMsg: the objects under a prefix were counted.
type prefixSummarizedMsg struct {
	ID      int
	Bucket  string
	Prefix  string
	Summary awsops.PrefixSummary
	Err     error
}

// foldersListedMsg: the folders directly under Prefix in Bucket were
// listed, for the location's folder picker.
type foldersListedMsg struct {
	ID      int
	Bucket  string
	Prefix  string
	Folders []string
	Err     error
}

// policyLookedUpMsg: IAM said whether a policy name is taken.
type policyLookedUpMsg struct {
	ID   int
	Name string
	Info awsops.PolicyFacts
	Err  error
}

// accessKeysListedMsg: an existing user's keys were listed, or the user
// turned out not to exist.
type accessKeysListedMsg struct {
	ID     int
	User   string
	Exists bool
	Keys   []awsops.KeyInfo
	Err    error
}

// setupPlannedMsg: the setup engine read what exists and made its plan
// (nothing was created).
type setupPlannedMsg struct {
	ID      int
	Plan    *setup.Plan
	Journal setup.Journal
	Err     error
	// Existing is the status of the chosen user's earlier link, when a
	// record of this account names the user; nil otherwise.
	Existing *setup.Status
}

// bucketCheckedMsg: a bucket name typed for a new bucket was looked up:
// whether it exists, whose it is, where, and what it holds.
type bucketCheckedMsg struct {
	ID      int
	Name    string
	Facts   awsops.BucketFacts
	Objects awsops.PrefixSummary
	// Setup is the id of the local setup record whose bucket this is.
	Setup string
	Err   error
}

// actionRanMsg: one action of the plan finished. State is the plan's state
// after it, a copy owned by the receiver.
type actionRanMsg struct {
	RunID  int
	Index  int
	Note   string
	State  setup.State
	Err    error
	Record recordResult
}

// recordResult says whether the local record was written after an action.
type recordResult struct {
	Path string
	Err  error
}

// rollbackStep is one undo call and how it went.
type rollbackStep struct {
	Title string
	Err   error
}

// rolledBackMsg: every undo call ran; Steps says how each went.
type rolledBackMsg struct {
	Steps  []rollbackStep
	Record recordResult
}

// clipboardCopiedMsg: a value was sent to the terminal (OSC 52) and handed
// to the native clipboard, which may have failed.
type clipboardCopiedMsg struct {
	What      string
	NativeErr error
}

// csvSavedMsg: the credentials CSV was written, or refused.
type csvSavedMsg struct {
	Path string
	Err  error
	// Encrypted is true when the file is age-encrypted.
	Encrypted bool
}

// keyDeletedMsg: the new, unsaved key was deleted at the user's request.
type keyDeletedMsg struct {
	KeyID  string
	Err    error
	Record recordResult
}

// transferTickMsg: a transfer screen's engine was sampled. Screen and Run
// say for which screen and which run, so a sample of an ended run or of
// another screen is dropped.
type transferTickMsg struct {
	Screen   int64
	Run      int
	Snapshot transfer.Snapshot
}

// transferDoneMsg: a run of a Transfer ended, with Final its last sample.
type transferDoneMsg struct {
	Screen int64
	Run    int
	Result transfer.Result
	Err    error
	Final  transfer.Snapshot
}

// uploadSettledMsg: the upload folder input has been still long enough to
// count what is in the folder.
type uploadSettledMsg struct{ ID int }

// uploadPreviewedMsg: the files an upload of Dir would consider were
// counted (upload.Preview).
type uploadPreviewedMsg struct {
	ID   int
	Dir  string
	All  bool
	Scan upload.Scan
	Err  error
}

// dirsListedMsg: the folders that complete what was typed were listed, for
// tab completion.
type dirsListedMsg struct {
	ID    int
	Typed string
	Dirs  []string
}

// uploadBuiltMsg: the upload engine was built, or could not be.
type uploadBuiltMsg struct {
	Transfer Transfer
	Err      error
}

// storeConnectedMsg: the proof download's store was built with the new
// key, at At by the wizard's clock.
type storeConnectedMsg struct {
	ID    int
	Store download.Store
	At    time.Time
	Err   error
}

// keyProbedMsg: one attempt to list (and read) the location with the new
// key ended; Err is nil when the key works.
type keyProbedMsg struct {
	ID      int
	Attempt int
	At      time.Time
	Err     error
}

// probeDueMsg: the wait before the next attempt is over.
type probeDueMsg struct {
	ID      int
	Attempt int
}

// syncClockMsg: a second passed while waiting for the key, for the
// countdown.
type syncClockMsg struct {
	ID int
	At time.Time
}

// nextMsg: the current screen has its answer and asks to move on. The
// root stamps the step it came from, so a second enter pressed before the
// first was handled cannot skip the next screen.
type nextMsg struct{ from stepStamp }

// backMsg: the current screen asks to go back; stamped like nextMsg.
type backMsg struct{ from stepStamp }

// quitMsg: the user chose to leave; the root quits.
type quitMsg struct{}

func goNext() tea.Msg { return nextMsg{} }
func goBack() tea.Msg { return backMsg{} }
func goQuit() tea.Msg { return quitMsg{} }

// planExportedMsg: the reviewed plan (of review request ID) was written
// in Format into the new folder Dir, as Files, or could not be.
type planExportedMsg struct {
	ID     int
	Format string
	Dir    string
	Files  []string
	Err    error
}

// commandsWrittenMsg: the plan's AWS CLI equivalents were written into
// Dir, or could not be.
type commandsWrittenMsg struct {
	Dir string
	Err error
}

// The results below belong to one step's screen: the root hands them to
// it wherever the wizard is (see routed).

func (profilesLoadedMsg) forStep() steps.Step   { return steps.Identity }
func (opsBuiltMsg) forStep() steps.Step         { return steps.Identity }
func (identityResolvedMsg) forStep() steps.Step { return steps.Identity }

func (bucketsListedMsg) forStep() steps.Step   { return steps.Bucket }
func (bucketInspectedMsg) forStep() steps.Step { return steps.Bucket }
func (bucketCheckedMsg) forStep() steps.Step   { return steps.Bucket }

func (prefixSettledMsg) forStep() steps.Step    { return steps.Location }
func (prefixSummarizedMsg) forStep() steps.Step { return steps.Location }
func (foldersListedMsg) forStep() steps.Step    { return steps.Location }

func (policyLookedUpMsg) forStep() steps.Step { return steps.Policy }

func (accessKeysListedMsg) forStep() steps.Step { return steps.User }

func (setupPlannedMsg) forStep() steps.Step { return steps.Review }
func (actionRanMsg) forStep() steps.Step    { return steps.Review }
func (rolledBackMsg) forStep() steps.Step   { return steps.Review }
func (planExportedMsg) forStep() steps.Step { return steps.Review }

func (clipboardCopiedMsg) forStep() steps.Step { return steps.Key }
func (csvSavedMsg) forStep() steps.Step        { return steps.Key }
func (keyDeletedMsg) forStep() steps.Step      { return steps.Key }

func (uploadSettledMsg) forStep() steps.Step   { return steps.Upload }
func (uploadPreviewedMsg) forStep() steps.Step { return steps.Upload }
func (dirsListedMsg) forStep() steps.Step      { return steps.Upload }

func (uploadBuiltMsg) forStep() steps.Step { return steps.Uploading }

func (storeConnectedMsg) forStep() steps.Step { return steps.Sync }
func (keyProbedMsg) forStep() steps.Step      { return steps.Sync }
func (probeDueMsg) forStep() steps.Step       { return steps.Sync }
func (syncClockMsg) forStep() steps.Step      { return steps.Sync }
