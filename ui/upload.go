package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/awsops/transfer/upload"
	"github.com/s3link/s3link/steps"
	"github.com/s3link/s3link/ui/text"
)

// uploadChoice is the Upload step's answer: a folder to upload once the
// plan has run, or none.
type uploadChoice struct {
	Chosen bool
	Dir    string
	All    bool
	Files  int64
	Bytes  int64
}

// Rows of the upload screen, top to bottom.
const (
	uploadRowFolder = iota
	uploadRowFilter
	uploadRowSkip
)

// uploadScreen offers, for an empty location, to upload a local folder
// into it. It only chooses: nothing is uploaded before the review is
// confirmed, and a new bucket does not exist before the plan has run, so
// the upload itself runs after the key screen (steps.Uploading).
type uploadScreen struct {
	c     *Common
	spin  spinner.Model
	input textinput.Model
	row   int
	all   bool

	keymap uploadKeys

	bucket, prefix string

	// reqID is the latest preview (and completion) request; older results
	// are dropped, since the folder has changed since.
	reqID    int
	counting bool
	preview  *uploadPreviewedMsg
	note     string
}

func newUploadScreen(c *Common, defaultDir string) uploadScreen {
	s := uploadScreen{
		c:     c,
		spin:  spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(c.Styles.Spinner)),
		input: newInput(c, "", "path/to/folder"),
	}
	s.keymap = newUploadKeys(c.Keys)
	s.input.ShowSuggestions = true
	s.input.SetValue(defaultDir)
	return s
}

// enter (re)opens the screen for a location and counts the folder if the
// count is missing or stale.
func (s *uploadScreen) enter(bucket, prefix string) tea.Cmd {
	s.bucket, s.prefix = bucket, prefix
	s.note = ""
	cmds := []tea.Cmd{s.focusRow()}
	if !s.fresh() {
		cmds = append(cmds, s.count())
	}
	return tea.Batch(cmds...)
}

// reset forgets the count, for Machine.Invalidates.
func (s *uploadScreen) reset() { s.preview = nil }

// fresh reports whether the count is about what is chosen now.
func (s uploadScreen) fresh() bool {
	return s.preview != nil && s.preview.Dir == s.dir() && s.preview.All == s.all
}

func (s uploadScreen) dir() string { return strings.TrimSpace(s.input.Value()) }

// count asks for a count of the folder now, dropping earlier requests.
func (s *uploadScreen) count() tea.Cmd {
	s.reqID++
	return s.countAsLatest()
}

// countAsLatest counts under the latest request id.
func (s *uploadScreen) countAsLatest() tea.Cmd {
	if s.dir() == "" {
		s.counting = false
		return nil
	}
	s.counting = true
	return tea.Batch(s.spin.Tick, previewUploadCmd(s.c.Ctx, s.reqID, s.dir(), s.all, s.prefix))
}

func (s *uploadScreen) focusRow() tea.Cmd {
	if s.row == uploadRowFolder {
		return s.input.Focus()
	}
	s.input.Blur()
	return nil
}

// Paths may contain "?", so on the folder row it is typed, not help.
func (s uploadScreen) acceptsQuestionMark() bool { return s.row == uploadRowFolder }

// answer is the choice made, and whether it can be acted on.
func (s uploadScreen) answer() (uploadChoice, bool) {
	if s.row == uploadRowSkip {
		return uploadChoice{}, true
	}
	if !s.fresh() || s.preview.Err != nil || s.preview.Scan.Files == 0 {
		return uploadChoice{}, false
	}
	return uploadChoice{Chosen: true, Dir: s.dir(), All: s.all, Files: s.preview.Scan.Files, Bytes: s.preview.Scan.Bytes}, true
}

// Update handles one message and never blocks: the folder is read in Cmds.
func (s uploadScreen) Update(msg tea.Msg) (uploadScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if !s.counting {
			return s, nil
		}
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg)
		return s, cmd
	case stylesChangedMsg:
		s.input.SetStyles(s.c.Styles.Input)
		return s, nil
	case uploadSettledMsg:
		if msg.ID != s.reqID {
			return s, nil
		}
		return s, s.countAsLatest()
	case uploadPreviewedMsg:
		if msg.ID != s.reqID {
			return s, nil
		}
		s.counting = false
		s.preview = &msg
		return s, nil
	case dirsListedMsg:
		if msg.ID != s.reqID || msg.Typed != s.input.Value() {
			return s, nil
		}
		s.input.SetSuggestions(msg.Dirs)
		return s, nil
	case tea.KeyPressMsg:
		return s.updateKey(msg)
	}
	return s, nil
}

func (s uploadScreen) updateKey(msg tea.KeyPressMsg) (uploadScreen, tea.Cmd) {
	k := s.keymap
	s.note = ""
	switch {
	case key.Matches(msg, k.Back):
		return s, goBack
	case key.Matches(msg, k.Up):
		s.row = max(s.row-1, 0)
		return s, s.focusRow()
	case key.Matches(msg, k.Down):
		s.row = min(s.row+1, uploadRowSkip)
		return s, s.focusRow()
	case key.Matches(msg, k.Next):
		if _, ok := s.answer(); ok {
			return s, goNext
		}
		s.note = s.why()
		return s, nil
	}
	switch s.row {
	case uploadRowFilter:
		if key.Matches(msg, k.Toggle) {
			s.all = !s.all
			return s, s.count()
		}
		return s, nil
	case uploadRowFolder:
		before := s.input.Value()
		var cmd tea.Cmd
		s.input, cmd = s.input.Update(msg)
		if s.input.Value() == before {
			return s, cmd
		}
		s.reqID++
		s.counting = false
		return s, tea.Batch(cmd, listDirsCmd(s.reqID, s.input.Value()), settleUploadCmd(s.reqID))
	}
	return s, nil
}

// why says what keeps enter from choosing the upload.
func (s uploadScreen) why() string {
	switch {
	case s.dir() == "":
		return "Type the folder to upload, or choose Skip."
	case !s.fresh():
		return "Still counting the folder; press enter again in a moment."
	case s.preview.Err != nil:
		return "That folder cannot be read: choose another, or Skip."
	}
	return "Nothing to upload there: choose another folder, allow every file, or Skip."
}

func (s uploadScreen) help() helpKeys {
	k := s.keymap
	short := []key.Binding{withHelp(k.Next, "choose"), withHelp(k.Down, "next row")}
	switch s.row {
	case uploadRowFolder:
		short = append(short, withHelp(k.Accept, "complete folder"))
	case uploadRowFilter:
		short = append(short, withHelp(k.Toggle, "switch"))
	}
	return helpKeys{short: append(short, k.Back, withHelp(k.Help, "more keys (f1)"))}
}

// View draws the screen as text; the root adds the frame.
func (s uploadScreen) View() string {
	st := s.c.Styles
	w := s.c.Width
	where := setup.Location(s.bucket, s.prefix)
	parts := []string{
		wrap("Nothing is in "+where+" yet. Upload a folder of media into it, so the platform's key has something to prove it can read?", w),
		st.Muted.Render(wrap("Nothing runs now: the upload is listed on the review screen and runs after the access key is handed over, with your own credentials (the platform's key can only read).", w)),
		"",
	}
	mark := func(row int, label string) string {
		if s.row == row {
			return st.Selected.Render("> " + fmt.Sprintf("%-7s", label))
		}
		return "  " + st.Label.Render(fmt.Sprintf("%-7s", label))
	}
	parts = append(parts, mark(uploadRowFolder, "Folder")+" "+s.input.View())
	parts = append(parts, "          "+s.previewLine(w-10))
	media, every := "(•) only images and videos", "( ) every file"
	if s.all {
		media, every = "( ) only images and videos", "(•) every file"
	}
	parts = append(parts, mark(uploadRowFilter, "Files")+" "+media+"  "+every)
	parts = append(parts, mark(uploadRowSkip, "Skip")+" "+"leave the location empty for now")
	if s.note != "" {
		parts = append(parts, "", st.Warn.Render(wrap(s.note, w)))
	}
	return strings.Join(parts, "\n")
}

// previewLine says what the folder holds, as far as counted.
func (s uploadScreen) previewLine(w int) string {
	st := s.c.Styles
	switch {
	case s.dir() == "":
		return st.Muted.Render("tab completes folder names")
	case s.counting || !s.fresh():
		return s.spin.View() + " Counting…"
	}
	m := s.preview
	if m.Err != nil {
		return st.Error.Render(wrap("✗ "+text.FolderRefused(m.Err), w))
	}
	sc := m.Scan
	line := fmt.Sprintf("%d %s, %s to upload", sc.Files, Plural(sc.Files, "file", "files"), HumanBytes(sc.Bytes))
	if sc.Files == 0 {
		line = "Nothing to upload"
	}
	if sc.Filtered > 0 {
		line += fmt.Sprintf(" · %d other %s left out", sc.Filtered, Plural(sc.Filtered, "file", "files"))
	}
	if sc.Files == 0 {
		return st.Warn.Render(wrap(line, w))
	}
	return st.OK.Render("✓ ") + wrap(line, w)
}

// uploadPlanLine is the review screen's last action for a chosen upload.
func uploadPlanLine(u uploadChoice, bucket, prefix string) (title, command string) {
	dest := setup.Location(bucket, prefix)
	title = fmt.Sprintf("Upload %d %s (%s) from %s to %s, after the key is handed over",
		u.Files, Plural(u.Files, "file", "files"), HumanBytes(u.Bytes), u.Dir, dest)
	command = "s3link upload " + shellWord(u.Dir) + " " + dest
	if u.All {
		command += " --all"
	}
	return title, command
}

// shellWord quotes s for a POSIX shell when it needs it.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-~+=:,@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

type uploadingPhase int

const (
	uploadingBuilding uploadingPhase = iota
	uploadingFailed
	uploadingRunning
)

// uploadingScreen runs the upload chosen before the review: it builds the
// engine with the caller's credentials, then shows the transfer screen.
type uploadingScreen struct {
	c      *Common
	keymap uploadingKeys
	spin   spinner.Model
	choice uploadChoice
	where  string
	build  func() tea.Cmd

	phase uploadingPhase
	err   error
	xfer  transferScreen
}

func newUploadingScreen(c *Common, d Deps, cfg awsops.Config, spec setup.Spec, u uploadChoice) uploadingScreen {
	opts := upload.Options{Bucket: spec.Bucket, Prefix: spec.Prefix, All: u.All, Concurrency: d.Concurrency}
	return uploadingScreen{
		c:      c,
		keymap: newUploadingKeys(c.Keys),
		spin:   spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(c.Styles.Spinner)),
		choice: u,
		where:  setup.Location(spec.Bucket, spec.Prefix),
		build: func() tea.Cmd {
			return buildUploadCmd(c.Ctx, d.NewUpload, cfg, u.Dir, opts)
		},
	}
}

func (s *uploadingScreen) start() tea.Cmd {
	s.phase, s.err = uploadingBuilding, nil
	return tea.Batch(s.spin.Tick, s.build())
}

// running reports whether the upload runs, when ctrl+c cancels it.
func (s uploadingScreen) running() bool { return s.phase == uploadingRunning && s.xfer.running() }

// Update handles one message and never blocks: the engine runs in a Cmd.
func (s uploadingScreen) Update(msg tea.Msg) (uploadingScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if s.phase != uploadingBuilding {
			return s, nil
		}
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg)
		return s, cmd
	case uploadBuiltMsg:
		if s.phase != uploadingBuilding {
			return s, nil
		}
		if msg.Err != nil {
			s.phase, s.err = uploadingFailed, msg.Err
			return s, nil
		}
		s.phase = uploadingRunning
		s.xfer = newTransferScreen(s.c, msg.Transfer, uploadLabels(s.choice.Dir, s.where))
		return s, s.xfer.start(false)
	case transferTickMsg, transferDoneMsg, tea.KeyPressMsg:
		if s.phase == uploadingRunning {
			var cmd tea.Cmd
			s.xfer, cmd = s.xfer.Update(msg)
			return s, cmd
		}
		if k, ok := msg.(tea.KeyPressMsg); ok && s.phase == uploadingFailed {
			switch {
			case key.Matches(k, s.keymap.Retry):
				return s, s.start()
			case key.Matches(k, s.keymap.Next):
				return s, goNext
			}
		}
	}
	return s, nil
}

// outcome is the line the done screen shows about the upload.
func (s uploadingScreen) outcome() string {
	if s.phase != uploadingRunning || !s.xfer.finished() {
		return "not done"
	}
	return s.xfer.outcome("from " + s.choice.Dir + " to " + s.where)
}

func (s uploadingScreen) help() helpKeys {
	k := s.keymap
	switch s.phase {
	case uploadingRunning:
		return s.xfer.help()
	case uploadingFailed:
		return helpKeys{short: []key.Binding{withHelp(k.Retry, "try again"), withHelp(k.Next, "skip the upload"), k.Help, k.Quit}}
	}
	return helpKeys{short: []key.Binding{k.Help, k.Quit}}
}

// View draws the screen as text; the root adds the frame.
func (s uploadingScreen) View() string {
	st := s.c.Styles
	w := s.c.Width
	switch s.phase {
	case uploadingRunning:
		return s.xfer.View()
	case uploadingFailed:
		sentence, detail := explain(s.err, "")
		parts := []string{st.Error.Render(wrap("✗ The upload could not start. "+sentence, w))}
		if detail != "" {
			parts = append(parts, st.Muted.Render(wrap(detail, w)))
		}
		return strings.Join(append(parts, "", st.Muted.Render(wrap("r tries again · enter skips the upload", w))), "\n")
	}
	return s.spin.View() + " " + wrap("Preparing the upload of "+s.choice.Dir+" with your own credentials…", w-2)
}

// hasAnswers is true: the bucket was chosen before.
func (s uploadScreen) hasAnswers() bool { return true }

// enterWith shows the upload into the chosen location.
func (s *uploadScreen) enterWith(w *wizard, _ steps.Step) tea.Cmd {
	return s.enter(w.spec.Bucket, w.spec.Prefix)
}

// answerTo sets the upload chosen, or none.
func (s uploadScreen) answerTo(w *wizard, _ steps.Step) (answered, bool) {
	u, ok := s.answer()
	if !ok {
		return answered{}, false
	}
	w.upload = u
	return answered{result: steps.Result{UploadChosen: u.Chosen}}, true
}

// interrupt cancels the upload while it runs.
func (s *uploadingScreen) interrupt() bool {
	if !s.running() {
		return false
	}
	s.xfer.stop()
	return true
}

// report adds how the upload went.
func (s uploadingScreen) report(o *outcome) { o.Uploaded = s.outcome() }

// progressBar is the terminal's bar while the upload runs.
func (s uploadingScreen) progressBar() *tea.ProgressBar {
	if s.phase != uploadingRunning {
		return nil
	}
	return s.xfer.nativeBar()
}
