package ui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/awsops/transfer/download"
	"github.com/s3link/s3link/steps"
	"github.com/s3link/s3link/ui/text"
)

// propagationWait, propagationBackoff and notYetAccepted are the setup
// engine's: rotate proves a new key with the same wait.
const propagationWait = setup.PropagationWait

func propagationBackoff(n int) time.Duration { return setup.PropagationBackoff(n) }

func notYetAccepted(err error) bool { return setup.NotYetAccepted(err) }

type syncPhase int

const (
	syncAsk syncPhase = iota
	syncConnecting
	syncWaiting
	syncStuck
	syncTransferring
)

// syncScreen proves the new key: it asks where to download, waits out IAM
// propagation with a countdown, then downloads the location with the key
// while the transfer screen shows it.
type syncScreen struct {
	c     *Common
	spin  spinner.Model
	input textinput.Model

	keymap syncKeys

	connect func(context.Context, awsops.Config, string, int) (download.Store, error)
	// cfg holds the new key. Only Cmds read it; nothing draws it.
	cfg            awsops.Config
	bucket, prefix string
	concurrency    int

	phase   syncPhase
	id      int
	store   download.Store
	dest    string
	destErr string

	since, now, nextAt time.Time
	attempt            int
	lastErr            error
	gaveUp             bool

	xfer    transferScreen
	skipped bool
	// with names the credentials in sentences: "the new key", or "the
	// role" when the proof assumes a role link's role.
	with string
}

func newSyncScreen(c *Common, d Deps, spec setup.Spec, k awsops.AccessKey) syncScreen {
	endpoint := d.AWS.EndpointURL
	if endpoint == "" {
		endpoint = d.EndpointURL
	}
	s := syncScreen{
		c:       c,
		spin:    spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(c.Styles.Spinner)),
		input:   newInput(c, "Into  ", "folder to download into"),
		connect: d.Connect,
		// Only what the key needs: the caller's profile must not leak
		// its own credentials into the proof.
		cfg:         awsops.Config{Region: spec.Region, EndpointURL: endpoint, Static: &awsops.StaticCredentials{AccessKeyID: k.ID, Secret: k.Secret}},
		bucket:      spec.Bucket,
		prefix:      spec.Prefix,
		concurrency: d.Concurrency,
	}
	s.keymap = newSyncKeys(c.Keys)
	s.input.SetValue(defaultDest(spec.Bucket, spec.Prefix))
	s.with = "the new key"
	return s
}

// newRoleSyncScreen proves a role link: the caller's credentials (caller)
// assume the role with its external id, and the download signs with the
// role's temporary credentials.
func newRoleSyncScreen(c *Common, d Deps, caller awsops.Config, spec setup.Spec, roleARN, externalID string) syncScreen {
	s := newSyncScreen(c, d, spec, awsops.AccessKey{})
	caller.Region = spec.Region
	caller.AssumeRole = &awsops.AssumeRole{ARN: roleARN, ExternalID: externalID, SessionName: "s3link-proof"}
	s.cfg = caller
	s.with = "the role"
	return s
}

// defaultDest is ./BUCKET/PREFIX, so the download lands in a folder named
// like the location and never among the user's own files.
func defaultDest(bucket, prefix string) string {
	return "./" + filepath.ToSlash(filepath.Join(bucket, filepath.FromSlash(prefix)))
}

func (s *syncScreen) enter() tea.Cmd {
	if s.phase == syncAsk {
		s.input.CursorEnd()
		return s.input.Focus()
	}
	return nil
}

// running reports whether the download runs, when ctrl+c cancels it.
func (s syncScreen) running() bool { return s.phase == syncTransferring && s.xfer.running() }

// Destinations may contain "?" while being typed.
func (s syncScreen) acceptsQuestionMark() bool { return s.phase == syncAsk }

// Update handles one message and never blocks: AWS is reached in Cmds.
func (s syncScreen) Update(msg tea.Msg) (syncScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if s.phase != syncConnecting && s.phase != syncWaiting {
			return s, nil
		}
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg)
		return s, cmd
	case stylesChangedMsg:
		s.input.SetStyles(s.c.Styles.Input)
		return s, nil
	case storeConnectedMsg:
		if msg.ID != s.id || s.phase != syncConnecting {
			return s, nil
		}
		return s.connected(msg)
	case keyProbedMsg:
		if msg.ID != s.id || msg.Attempt != s.attempt || s.phase != syncWaiting {
			return s, nil
		}
		return s.probed(msg)
	case probeDueMsg:
		if msg.ID != s.id || msg.Attempt != s.attempt || s.phase != syncWaiting {
			return s, nil
		}
		return s, probeKeyCmd(s.c.Ctx, s.store, s.id, s.attempt, s.bucket, s.prefix, s.c.Now)
	case syncClockMsg:
		if msg.ID != s.id || s.phase != syncWaiting {
			return s, nil
		}
		s.now = msg.At
		return s, syncClockCmd(s.id, s.c.Now)
	case transferTickMsg, transferDoneMsg:
		if s.phase != syncTransferring {
			return s, nil
		}
		var cmd tea.Cmd
		s.xfer, cmd = s.xfer.Update(msg)
		if d, ok := msg.(transferDoneMsg); ok && errors.Is(d.Err, download.ErrDestNotDir) && d.Screen == s.xfer.id {
			s.phase, s.destErr = syncAsk, text.DestIsFile
			return s, s.input.Focus()
		}
		return s, cmd
	case tea.KeyPressMsg:
		return s.updateKey(msg)
	}
	return s, nil
}

func (s syncScreen) updateKey(msg tea.KeyPressMsg) (syncScreen, tea.Cmd) {
	k := s.keymap
	switch s.phase {
	case syncAsk:
		switch {
		case key.Matches(msg, k.Skip):
			s.skipped = true
			return s, goNext
		case key.Matches(msg, k.Next):
			d := strings.TrimSpace(s.input.Value())
			if d == "" {
				s.destErr = "Type a folder to download into, or press esc to skip."
				return s, nil
			}
			s.dest, s.destErr = expandHome(d), ""
			s.input.Blur()
			return s, s.reconnect()
		}
		var cmd tea.Cmd
		s.input, cmd = s.input.Update(msg)
		s.destErr = ""
		return s, cmd
	case syncStuck:
		switch {
		case key.Matches(msg, k.Retry):
			return s, s.reconnect()
		case key.Matches(msg, k.Next, k.Skip):
			s.skipped = true
			return s, goNext
		}
	case syncTransferring:
		var cmd tea.Cmd
		s.xfer, cmd = s.xfer.Update(msg)
		return s, cmd
	}
	return s, nil
}

// reconnect builds the store and starts a fresh two-minute wait.
func (s *syncScreen) reconnect() tea.Cmd {
	s.id++
	s.phase, s.lastErr, s.gaveUp, s.attempt = syncConnecting, nil, false, 0
	return tea.Batch(s.spin.Tick, connectStoreCmd(s.c.Ctx, s.connect, s.cfg, s.id, s.bucket, s.dest, s.concurrency, s.c.Now))
}

func (s syncScreen) connected(msg storeConnectedMsg) (syncScreen, tea.Cmd) {
	if msg.Err != nil {
		if errors.Is(msg.Err, download.ErrDestNotDir) {
			s.phase, s.destErr = syncAsk, text.DestIsFile
			return s, s.input.Focus()
		}
		s.phase, s.lastErr = syncStuck, msg.Err
		return s, nil
	}
	s.store = msg.Store
	s.since, s.now, s.nextAt = msg.At, msg.At, msg.At
	s.attempt = 1
	s.phase = syncWaiting
	return s, tea.Batch(probeKeyCmd(s.c.Ctx, s.store, s.id, s.attempt, s.bucket, s.prefix, s.c.Now), syncClockCmd(s.id, s.c.Now))
}

func (s syncScreen) probed(msg keyProbedMsg) (syncScreen, tea.Cmd) {
	s.now = msg.At
	if msg.Err == nil {
		return s.download()
	}
	s.lastErr = msg.Err
	if !notYetAccepted(msg.Err) {
		s.phase = syncStuck
		return s, nil
	}
	wait := propagationBackoff(s.attempt)
	if msg.At.Add(wait).After(s.since.Add(propagationWait)) {
		s.phase, s.gaveUp = syncStuck, true
		return s, nil
	}
	s.attempt++
	s.nextAt = msg.At.Add(wait)
	return s, probeAfterCmd(s.id, s.attempt, wait)
}

// download starts the proof once the key works.
func (s syncScreen) download() (syncScreen, tea.Cmd) {
	eng, err := download.New(s.store, download.Options{Bucket: s.bucket, Prefix: s.prefix, Dest: s.dest, Concurrency: s.concurrency})
	if err != nil {
		s.phase, s.lastErr = syncStuck, err
		return s, nil
	}
	s.phase = syncTransferring
	lbl := downloadLabels(setup.Location(s.bucket, s.prefix), s.dest)
	lbl.Empty = text.Capitalise(s.with) + " listed " + lbl.From + ", but there is nothing to download yet: no file was read, so the proof shows listing works, not reading."
	s.xfer = newTransferScreen(s.c, newJob(eng), lbl)
	return s, s.xfer.start(false)
}

// outcome is the line the done screen shows about the proof.
func (s syncScreen) outcome() string {
	if s.phase != syncTransferring || !s.xfer.finished() {
		return "skipped"
	}
	if s.empty() {
		return s.with + " listed " + setup.Location(s.bucket, s.prefix) + ", but there is nothing to download yet, so reading an object is not proven"
	}
	return s.xfer.outcome("into " + s.dest + " with " + s.with)
}

// empty reports whether the proof ran cleanly and found nothing.
func (s syncScreen) empty() bool {
	return s.phase == syncTransferring && s.xfer.empty()
}

func (s syncScreen) help() helpKeys {
	k := s.keymap
	switch s.phase {
	case syncAsk:
		return helpKeys{short: []key.Binding{withHelp(k.Next, "download"), withHelp(k.Skip, "skip the proof"), withHelp(k.Help, "more keys (f1)"), k.Quit}}
	case syncStuck:
		return helpKeys{short: []key.Binding{withHelp(k.Retry, "try again"), withHelp(k.Next, "skip to the end"), k.Help, k.Quit}}
	case syncTransferring:
		return s.xfer.help()
	}
	return helpKeys{short: []key.Binding{k.Help, k.Quit}}
}

// View draws the screen as text; the root adds the frame.
func (s syncScreen) View() string {
	if s.phase == syncTransferring {
		return s.xfer.View()
	}
	st := s.c.Styles
	w := s.c.Width
	parts := []string{
		wrap(pickStr(s.with == "the role", "Prove that the role works: download", "Prove that the key works: download")+" what is in "+setup.Location(s.bucket, s.prefix)+" with "+pickStr(s.with == "the role", "the role, assumed with its external id", "the new access key")+", exactly as the platform will.", w),
		"",
	}
	switch s.phase {
	case syncAsk:
		parts = append(parts, s.input.View())
		if s.destErr != "" {
			parts = append(parts, st.Error.Render(wrap("✗ "+s.destErr, w)))
		} else {
			parts = append(parts, st.Muted.Render(wrap("The folder is created if missing; files already there and unchanged are skipped.", w)))
		}
	case syncConnecting:
		parts = append(parts, s.spin.View()+" Connecting with "+s.with+"…")
	case syncWaiting:
		parts = append(parts, s.waitView(w)...)
	case syncStuck:
		parts = append(parts, s.stuckView(w)...)
	}
	return strings.Join(parts, "\n")
}

// waitView is the propagation countdown.
func (s syncScreen) waitView(w int) []string {
	st := s.c.Styles
	if s.lastErr == nil {
		return []string{s.spin.View() + " Trying " + s.with + "…"}
	}
	left := max(s.since.Add(propagationWait).Sub(s.now), 0)
	next := max(s.nextAt.Sub(s.now), 0)
	return []string{
		s.spin.View() + " Waiting for AWS to accept " + s.with + "…",
		st.Muted.Render(wrap("A new key and its policy take a few seconds, rarely a minute, to reach S3.", w)),
		"",
		field(st, "Attempt", fmt.Sprintf("%d was refused: %s", s.attempt-1, text.Refusal(s.lastErr))),
		field(st, "Next try", pickStr(next > 0, "in "+text.Clock(next), "now")),
		field(st, "Gives up", "in "+text.Clock(left)),
	}
}

func (s syncScreen) stuckView(w int) []string {
	st := s.c.Styles
	var sentence, detail string
	switch {
	case s.gaveUp:
		sentence = text.ProofGaveUp(s.with, propagationWait, s.lastErr)
		detail = oneLine(s.lastErr.Error())
	default:
		sentence, detail = explain(s.lastErr, "")
	}
	parts := []string{st.Error.Render(wrap("✗ "+sentence, w))}
	if detail != "" {
		parts = append(parts, st.Muted.Render(wrap(detail, w)))
	}
	return append(parts, "", st.Muted.Render(wrap("r tries again · enter skips the proof and goes to the end", w)))
}

// enterWith focuses the destination while it is asked for.
func (s *syncScreen) enterWith(*wizard, steps.Step) tea.Cmd { return s.enter() }

// interrupt cancels the download while it runs.
func (s *syncScreen) interrupt() bool {
	if !s.running() {
		return false
	}
	s.xfer.stop()
	return true
}

// report adds how the proof went.
func (s syncScreen) report(o *outcome) { o.Downloaded, o.ProofEmpty = s.outcome(), s.empty() }

// progressBar is the terminal's bar while the download runs.
func (s syncScreen) progressBar() *tea.ProgressBar {
	if s.phase != syncTransferring {
		return nil
	}
	return s.xfer.nativeBar()
}
