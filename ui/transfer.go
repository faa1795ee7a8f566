package ui

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/s3link/s3link/awsops/transfer"
	"github.com/s3link/s3link/ui/text"
)

// Transfer is what the live transfer screen drives: a download (package
// download) or an upload (package upload) engine, read through the
// kernel's one shape (transfer.Snapshot, transfer.Result), which both
// engines give as they are. Tests substitute a fake, so the screen is
// tested without a network.
type Transfer interface {
	// Snapshot is the progress now; it must be cheap, as it is sampled
	// every transferTick.
	Snapshot() transfer.Snapshot
	Pause()
	Resume()
	// Run does the whole job and reports how it went.
	Run(ctx context.Context) (transfer.Result, error)
	// RetryFailed runs again what failed in the previous run.
	RetryFailed(ctx context.Context) (transfer.Result, error)
}

// job drives a Transfer for the screen and keeps the result of the whole
// job, a run merged with the retries after it, for the summary and for the
// command that prints it afterwards.
type job struct {
	Transfer
	// mu is held while the engine runs, so result waits for a run a
	// cancelled program left behind.
	mu  sync.Mutex
	res transfer.Result
}

// newJob wraps t, normally an engine.
func newJob(t Transfer) *job { return &job{Transfer: t} }

// Run runs the engine once and reports how it went.
func (j *job) Run(ctx context.Context) (transfer.Result, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	res, err := j.Transfer.Run(ctx)
	j.res = res
	return res, err
}

// RetryFailed runs the engine's failures again; its result covers the
// whole job so far, not only the retried part.
func (j *job) RetryFailed(ctx context.Context) (transfer.Result, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	res, err := j.Transfer.RetryFailed(ctx)
	j.res = j.res.Merge(res)
	return j.res, err
}

// result waits for a run in progress and returns the job's result.
func (j *job) result() transfer.Result {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.res
}

// resultNotes are the further facts of a result worth a line: folders
// made for markers, files left out by the filter or ignored, a listing
// that could not be read.
func resultNotes(r transfer.Result) []string {
	var notes []string
	if r.Dirs > 0 {
		notes = append(notes, fmt.Sprintf("Made %d %s for folder markers.", r.Dirs, Plural(r.Dirs, "folder", "folders")))
	}
	if r.Filtered > 0 {
		notes = append(notes, fmt.Sprintf("Left out %d %s that %s not images or videos.", r.Filtered, Plural(r.Filtered, "file", "files"), Plural(r.Filtered, "is", "are")))
	}
	if r.IgnoredCount > 0 {
		notes = append(notes, fmt.Sprintf("Ignored %d %s that %s not regular files inside the folder.", r.IgnoredCount, Plural(r.IgnoredCount, "entry", "entries"), Plural(r.IgnoredCount, "is", "are")))
	}
	if r.ListWarning != "" {
		notes = append(notes, "Warning: "+r.ListWarning+".")
	}
	return notes
}

// transferTick is how often the screen samples the engine: often enough
// to look live, rarely enough that drawing never slows the transfer.
const transferTick = 100 * time.Millisecond

// transferLabels word one direction of the screen.
type transferLabels struct {
	// Command is the command the screen belongs to, for its header.
	Command string
	// Verb and Past are "Downloading" and "Downloaded", or the upload's.
	Verb, Past string
	// From and To name the two ends.
	From, To string
	// Safe says what a cancel leaves behind, in a sentence.
	Safe string
	// Leave is what enter does on the summary: "continue" in the wizard,
	// "finish" for a command on its own.
	Leave string
	// Empty is the warning for a run that found nothing to move; "" keeps
	// the usual summary.
	Empty string
}

func downloadLabels(from, to string) transferLabels {
	return transferLabels{Command: "sync", Verb: "Downloading", Past: "Downloaded", From: from, To: to,
		Safe:  "Nothing half-written is left under a final name; running again fetches only what is missing.",
		Leave: "continue"}
}

func uploadLabels(from, to string) transferLabels {
	return transferLabels{Command: "upload", Verb: "Uploading", Past: "Uploaded", From: from, To: to,
		Safe:  "No object is left half-written; running again uploads only what is missing.",
		Leave: "continue"}
}

type transferPhase int

const (
	transferIdle transferPhase = iota
	transferRunning
	transferCanceling
	transferFinished
)

// transferIDs numbers transfer screens, so a tick meant for one is never
// taken by another (the upload's and the download's both start at run 1).
var transferIDs atomic.Int64

// transferScreen is the live view of one Transfer: an overall bar, a bar
// per file in flight, recent completions and failures, and at the end a
// summary that offers a retry. It samples the engine on a tick and never
// hears from it otherwise, except for the one message when a run ends.
type transferScreen struct {
	c   *Common
	eng Transfer
	lbl transferLabels
	bar progress.Model

	id    int64
	runID int
	phase transferPhase
	retry bool
	// cancel stops the run in progress; it is a value the Cmd shares, not
	// state that a copy of the model could lose.
	cancel context.CancelFunc

	snap   transfer.Snapshot
	prev   map[string]bool
	recent []string
	paused bool

	res      transfer.Result
	err      error
	canceled bool
}

// maxRecent is how many recently finished files the screen names.
const maxRecent = 4

func newTransferScreen(c *Common, eng Transfer, lbl transferLabels) transferScreen {
	return transferScreen{
		c:   c,
		eng: eng,
		lbl: lbl,
		bar: progress.New(progress.WithoutPercentage(), progress.WithFillCharacters('█', '░')),
		id:  transferIDs.Add(1),
	}
}

// start runs the job (again, after a cancel or a failed run), or retries
// its failures, and starts sampling.
func (s *transferScreen) start(retry bool) tea.Cmd {
	ctx, cancel := context.WithCancel(s.c.Ctx)
	s.cancel = cancel
	s.runID++
	s.phase, s.retry = transferRunning, retry
	s.err, s.canceled, s.paused = nil, false, false
	s.snap, s.prev, s.recent = transfer.Snapshot{Stats: transfer.Stats{Running: true}}, nil, nil
	return tea.Batch(
		runTransferCmd(ctx, s.eng, s.id, s.runID, retry),
		transferTickCmd(s.eng, s.id, s.runID),
	)
}

// running reports whether a run is in progress, when ctrl+c cancels it
// rather than quitting.
func (s transferScreen) running() bool {
	return s.phase == transferRunning || s.phase == transferCanceling
}

// finished reports whether the summary is on show.
func (s transferScreen) finished() bool { return s.phase == transferFinished }

// outcome is the done screen's line about a finished transfer: what moved,
// where (as the caller words it: "into ./media with the new key"), and how
// it ended.
func (s transferScreen) outcome(where string) string {
	t := s.res
	line := fmt.Sprintf("%d %s (%s) %s", t.Done, Plural(t.Done, "file", "files"), HumanBytes(t.Bytes), where)
	if t.Skipped > 0 {
		line += fmt.Sprintf(", %d already there", t.Skipped)
	}
	switch {
	case s.canceled:
		line += " (cancelled)"
	case s.err != nil:
		line += " (stopped by an error)"
	case t.FailedCount > 0:
		line += fmt.Sprintf(", %d failed", t.FailedCount)
	}
	return line
}

// empty reports whether a clean run found nothing at all to move, when the
// labels say what that means.
func (s transferScreen) empty() bool {
	t := s.res
	return s.lbl.Empty != "" && s.cleanFinish() && t.Done+t.Skipped == 0
}

// stop cancels the run in progress; the summary follows when it has ended.
func (s *transferScreen) stop() {
	if s.phase != transferRunning {
		return
	}
	s.phase = transferCanceling
	if s.paused {
		// A paused engine holds its workers; they must see the cancel.
		s.eng.Resume()
	}
	s.cancel()
}

// canRetry reports whether r would do anything: run again after a cancel
// or a failed run, or retry failures a retry may fix.
func (s transferScreen) canRetry() bool {
	return s.phase == transferFinished && (s.canceled || s.err != nil || s.res.Retryable() > 0)
}

// cleanFinish reports whether the transfer ended with everything done:
// not cancelled, no error, no failures.
func (s transferScreen) cleanFinish() bool {
	return s.phase == transferFinished && !s.canceled && s.err == nil && s.res.FailedCount == 0
}

// Update handles one message and never blocks: the engine runs in a Cmd.
func (s transferScreen) Update(msg tea.Msg) (transferScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case transferTickMsg:
		if msg.Screen != s.id || msg.Run != s.runID || !s.running() {
			return s, nil
		}
		s.observe(msg.Snapshot)
		return s, transferTickCmd(s.eng, s.id, s.runID)
	case transferDoneMsg:
		if msg.Screen != s.id || msg.Run != s.runID {
			return s, nil
		}
		s.observe(msg.Final)
		s.phase = transferFinished
		s.res = msg.Result
		s.canceled = errors.Is(msg.Err, context.Canceled)
		if !s.canceled {
			s.err = msg.Err
		}
		s.cancel()
		return s, nil
	case tea.KeyPressMsg:
		return s.updateKey(msg)
	}
	return s, nil
}

func (s transferScreen) updateKey(msg tea.KeyPressMsg) (transferScreen, tea.Cmd) {
	k := s.c.Keys
	switch s.phase {
	case transferRunning:
		switch {
		case key.Matches(msg, k.Pause):
			if s.paused {
				s.eng.Resume()
			} else {
				s.eng.Pause()
			}
			s.paused = !s.paused
			s.snap.Paused = s.paused
		case key.Matches(msg, k.Cancel):
			s.stop()
		}
	case transferFinished:
		switch {
		case key.Matches(msg, k.Retry) && s.canRetry():
			// A cancelled or failed run has no complete list of failures:
			// run it all again (what is in place is skipped).
			return s, s.start(!s.canceled && s.err == nil)
		case key.Matches(msg, k.Next, k.Cancel):
			return s, goNext
		}
	}
	return s, nil
}

// observe takes a sample and notes which files finished since the last:
// the engines list files in flight, not finished ones, so a file that left
// the list without failing is one that finished.
func (s *transferScreen) observe(p transfer.Snapshot) {
	if s.paused && !p.Paused && p.Running {
		// The pause key was pressed after this sample was taken.
		p.Paused = true
	}
	now := make(map[string]bool, len(p.Active))
	for _, f := range p.Active {
		now[f.Key] = true
	}
	failed := make(map[string]bool, len(p.Failures))
	for _, f := range p.Failures {
		failed[f.Key] = true
	}
	if s.phase == transferRunning {
		for _, f := range s.snap.Active {
			if !now[f.Key] && !failed[f.Key] && s.prev[f.Key] {
				s.recent = append(s.recent, f.Key)
			}
		}
		if len(s.recent) > maxRecent {
			s.recent = s.recent[len(s.recent)-maxRecent:]
		}
	}
	s.prev = now
	s.snap = p
}

// fraction is the overall share done, by bytes when there are any.
func fraction(p transfer.Stats) float64 {
	switch {
	case p.BytesTotal > 0:
		return min(float64(p.BytesDone)/float64(p.BytesTotal), 1)
	case p.FilesTotal > 0:
		return float64(p.FilesDone+p.FilesSkipped+p.FilesFailed) / float64(p.FilesTotal)
	}
	return 0
}

// percent is fraction as a whole percentage, the same on screen and on
// the terminal's own indicator.
func percent(p transfer.Stats) int { return int(math.Round(fraction(p) * 100)) }

// nativeBar is the terminal's own progress indicator (tab or task bar)
// for the run on show, or nil when none should show.
func (s transferScreen) nativeBar() *tea.ProgressBar {
	pct := percent(s.snap.Stats)
	switch {
	case s.phase == transferFinished && (s.res.FailedCount > 0 || s.err != nil):
		return tea.NewProgressBar(tea.ProgressBarError, pct)
	case s.phase == transferFinished || s.phase == transferIdle:
		return nil
	case s.snap.Paused:
		return tea.NewProgressBar(tea.ProgressBarWarning, pct)
	case s.snap.BytesTotal == 0 && !s.snap.ListingDone:
		return tea.NewProgressBar(tea.ProgressBarIndeterminate, 0)
	}
	return tea.NewProgressBar(tea.ProgressBarDefault, pct)
}

func (s transferScreen) help() helpKeys {
	k := s.c.Keys
	switch s.phase {
	case transferRunning:
		pause := withHelp(k.Pause, "pause")
		if s.paused {
			pause = withHelp(k.Pause, "resume")
		}
		return helpKeys{short: []key.Binding{pause, withHelp(k.Cancel, "cancel"), k.Help}}
	case transferFinished:
		var short []key.Binding
		if s.canRetry() {
			what := "retry the failed"
			if s.canceled || s.err != nil {
				what = "run again"
			}
			short = append(short, withHelp(k.Retry, what))
		}
		return helpKeys{short: append(short, withHelp(k.Next, s.lbl.Leave), k.Help)}
	}
	return helpKeys{short: []key.Binding{k.Help}}
}

// View draws the screen as text, cut to the height it was given: the bars
// of files in flight take what the other parts leave.
func (s transferScreen) View() string {
	st := s.c.Styles
	w := max(s.c.Width, 20)
	h := max(s.c.Height, 8)
	p := s.snap

	verb := s.lbl.Verb
	if p.DryRun {
		verb = "Checking (dry run)"
	}
	title := st.Bold.Render(verb) + " " + s.lbl.From + st.Muted.Render(" → ") + s.lbl.To
	top := []string{title}
	if ansi.StringWidth(title) > w {
		// Two lines, each end cut from the left: the end of a path names it.
		top = []string{
			st.Bold.Render(verb) + " " + leftTrunc(s.lbl.From, w-len(verb)-1),
			st.Muted.Render("  → ") + leftTrunc(s.lbl.To, w-4),
		}
	}
	top = append(top, "")

	bar := s.bar
	bar.FullColor, bar.EmptyColor = st.BarFull, st.BarEmpty
	bar.SetWidth(max(min(w-6, 72), 10))
	top = append(top, bar.ViewAs(fraction(p.Stats))+fmt.Sprintf(" %3d%%", percent(p.Stats)))

	if s.phase == transferFinished {
		return fitHeight(strings.Join(append(top, s.summary(w)...), "\n"), h)
	}
	top = append(top, s.counts(w)...)

	var bottom []string
	if len(s.recent) > 0 {
		names := make([]string, len(s.recent))
		for i, r := range s.recent {
			names[len(s.recent)-1-i] = leftTrunc(tail(r, 2), 28)
		}
		bottom = append(bottom, ansi.Truncate(st.OK.Render("✓ ")+st.Muted.Render("finished: ")+strings.Join(names, st.Muted.Render(" · ")), w, "…"))
	}
	bottom = append(bottom, s.failureLines(w, 3)...)

	// Left for the bars: all but the blank line and the header above
	// them, and the blank line between them and what follows.
	rows := h - len(top) - len(bottom) - 2
	if len(bottom) > 0 {
		rows--
	}
	mid := []string{""}
	if n := len(p.Active); n > 0 && rows > 0 {
		mid = append(mid, st.Label.Render(fmt.Sprintf("In flight (%d)", n)))
		shown := n
		if n > rows {
			shown = rows - 1 // the last row counts the rest
		}
		for _, f := range p.Active[:shown] {
			mid = append(mid, s.fileRow(f, w))
		}
		if shown < n {
			mid = append(mid, st.Muted.Render(fmt.Sprintf("  … and %d more", n-shown)))
		}
	}
	if len(bottom) > 0 {
		mid = append(mid, "")
	}
	return fitHeight(strings.Join(append(append(top, mid...), bottom...), "\n"), h)
}

// counts are the lines under the overall bar while a run is going.
func (s transferScreen) counts(w int) []string {
	st := s.c.Styles
	p := s.snap
	if s.phase == transferCanceling {
		return []string{st.Warn.Render(wrap("Cancelling: waiting for the requests in flight to stop…", w))}
	}
	if p.Running && p.Preparing {
		// The upload lists the bucket before any file moves.
		what := fmt.Sprintf("Checking what is already in the bucket: %d %s so far…", p.RemoteObjects, Plural(p.RemoteObjects, "object", "objects"))
		return []string{st.Muted.Render(ansi.Truncate(what, w, "…"))}
	}
	files := fmt.Sprintf("%d of %d %s", p.FilesDone+p.FilesSkipped, p.FilesTotal, Plural(p.FilesTotal, "file", "files"))
	if !p.ListingDone {
		files += " so far"
	}
	if s.retry {
		files = "retrying: " + files
	}
	parts := []string{HumanBytes(p.BytesDone) + " of " + HumanBytes(p.BytesTotal), files}
	if p.Rate > 0 && !p.Paused {
		parts = append(parts, HumanBytes(int64(p.Rate))+"/s")
	}
	if p.ETA > 0 && p.ListingDone && !p.Paused {
		parts = append(parts, "about "+roundETA(p.ETA)+" left")
	}
	lines := []string{ansi.Truncate(strings.Join(parts, st.Muted.Render(" · ")), w, "…")}
	var more []string
	if p.Paused {
		more = append(more, st.Warn.Render("⏸ paused")+st.Muted.Render(" (p resumes)"))
	}
	if !p.ListingDone {
		more = append(more, st.Muted.Render("still listing"))
	}
	if p.FilesSkipped > 0 {
		more = append(more, fmt.Sprintf("%d unchanged", p.FilesSkipped))
	}
	if p.FilesFailed > 0 {
		more = append(more, st.Error.Render(fmt.Sprintf("%d failed", p.FilesFailed)))
	}
	if p.Elapsed > 0 {
		more = append(more, st.Muted.Render(roundETA(p.Elapsed)+" elapsed"))
	}
	if len(more) > 0 {
		lines = append(lines, ansi.Truncate(strings.Join(more, st.Muted.Render(" · ")), w, "…"))
	}
	return lines
}

// fileRow is one file in flight: its key cut from the left (the end of a
// key names the file), a bar, and its size.
func (s transferScreen) fileRow(f transfer.Transfer, w int) string {
	st := s.c.Styles
	nameW := max(min(w*2/5, 40), 12)
	size := fmt.Sprintf("%s / %s", HumanBytes(f.Done), HumanBytes(f.Size))
	barW := max(w-2-nameW-1-1-21, 6)
	bar := s.bar
	bar.FullColor, bar.EmptyColor = st.BarFull, st.BarEmpty
	bar.SetWidth(barW)
	frac := 0.0
	if f.Size > 0 {
		frac = min(float64(f.Done)/float64(f.Size), 1)
	}
	name := leftTrunc(f.Key, nameW)
	name += strings.Repeat(" ", max(nameW-ansi.StringWidth(name), 0))
	return ansi.Truncate("  "+name+" "+bar.ViewAs(frac)+" "+st.Muted.Render(size), w, "…")
}

// failureLines are the count of failures and the last few reasons.
func (s transferScreen) failureLines(w, most int) []string {
	st := s.c.Styles
	fs := s.snap.Failures
	n := s.snap.FilesFailed
	if s.phase == transferFinished {
		fs, n = s.res.Failed, s.res.FailedCount
	}
	if n == 0 {
		return nil
	}
	out := []string{st.Error.Render(fmt.Sprintf("Failed: %d", n))}
	from := max(len(fs)-most, 0)
	if s.phase == transferFinished {
		// The summary lists the first ones, in the order they failed.
		fs, from = fs[:min(len(fs), most)], 0
	}
	for _, f := range fs[from:] {
		out = append(out, ansi.Truncate("  "+st.Error.Render("✗ ")+leftTrunc(f.Name(), 26)+st.Muted.Render(": "+oneLine(text.Reason(f.Name(), f.Reason))), w, "…"))
	}
	if shown := int64(len(fs) - from); shown < n {
		out = append(out, st.Muted.Render(fmt.Sprintf("  … %d more", n-shown)))
	}
	return out
}

// summary is what the screen shows once the run has ended.
func (s transferScreen) summary(w int) []string {
	st := s.c.Styles
	t := s.res
	var out []string
	what := fmt.Sprintf("%d %s (%s)", t.Done, Plural(t.Done, "file", "files"), HumanBytes(t.Bytes))
	switch {
	case s.canceled:
		out = append(out, st.Warn.Render(wrap(fmt.Sprintf("Cancelled. %s %s before stopping.", s.lbl.Past, what), w)),
			st.Muted.Render(wrap(s.lbl.Safe, w)))
	case s.err != nil:
		sentence, detail := explain(s.err, "")
		out = append(out, st.Error.Render(wrap("✗ Stopped: "+sentence, w)))
		if detail != "" {
			out = append(out, st.Muted.Render(ansi.Truncate(detail, w, "…")))
		}
		out = append(out, wrap(fmt.Sprintf("%s %s before that.", s.lbl.Past, what), w))
	case t.FailedCount > 0:
		out = append(out, st.Warn.Render(wrap(fmt.Sprintf("%s %s in %s; %d failed.", s.lbl.Past, what, roundETA(t.Duration), t.FailedCount), w)))
	case s.empty():
		out = append(out, st.Warn.Render(wrap("⚠ "+s.lbl.Empty, w)))
	default:
		out = append(out, st.OK.Render(wrap(fmt.Sprintf("✓ %s %s in %s.", s.lbl.Past, what, roundETA(t.Duration)), w)))
	}
	if t.Skipped > 0 {
		out = append(out, fmt.Sprintf("%d %s already in place and unchanged, so skipped.", t.Skipped, Plural(t.Skipped, "file was", "files were")))
	}
	for _, n := range resultNotes(t) {
		out = append(out, st.Muted.Render(wrap(n, w)))
	}
	if fl := s.failureLines(w, 5); len(fl) > 0 {
		out = append(append(out, ""), fl...)
	}
	switch {
	case s.canRetry() && (s.canceled || s.err != nil):
		out = append(out, "", st.Muted.Render(wrap("r runs it again (what is already in place is skipped) · enter "+pickStr(s.lbl.Leave == "continue", "continues", "finishes"), w)))
	case s.canRetry():
		out = append(out, "", st.Muted.Render(wrap(fmt.Sprintf("r retries the %d failed · enter %s", t.Retryable(), pickStr(s.lbl.Leave == "continue", "continues", "finishes")), w)))
	}
	return out
}

// leftTrunc cuts s to width w from the left, keeping its end: the end of
// a key or path is the file's name.
func leftTrunc(s string, w int) string {
	s = oneLine(s)
	if ansi.StringWidth(s) <= w {
		return s
	}
	return "…" + ansi.TruncateLeft(s, ansi.StringWidth(s)-w+1, "")
}

// tail is the last n segments of a slash-separated key: enough to tell
// files apart at a glance.
func tail(key string, n int) string {
	parts := strings.Split(key, "/")
	return strings.Join(parts[max(len(parts)-n, 0):], "/")
}

// roundETA renders a duration as precisely as a person reads it.
func roundETA(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d < time.Hour:
		return d.Round(time.Second).String()
	}
	return d.Round(time.Minute).String()
}
