package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/steps"
)

// locationScreen asks for the path inside the bucket, shows it normalised
// as it is typed and, for an existing bucket, what already sits under it.
type locationScreen struct {
	c        *Common
	keymap   locationKeys
	ops      Ops
	spin     spinner.Model
	input    textinput.Model
	bucket   string
	existing bool

	prefix string
	err    error

	// reqID is the latest summary request; results for older ones are
	// dropped, since the prefix has changed since.
	reqID     int
	counting  bool
	summary   *prefixSummarizedMsg
	lastAsked string

	// The folder picker (existing buckets): the folders listed per level
	// ("" is the root, "photos/" one below), the level asked for last, and
	// the highlighted match.
	folders    map[string][]string
	folderErr  error
	folderID   int
	folderAsk  string
	folderPick int
}

// maxFolderRows is how many matching folders the picker shows at once.
const maxFolderRows = 5

func newLocationScreen(c *Common, ops Ops, preset string) locationScreen {
	s := locationScreen{
		c:      c,
		keymap: newLocationKeys(c.Keys),
		ops:    ops,
		spin:   spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(c.Styles.Spinner)),
		input:  newInput(c, "Path  ", "path/to/files (empty = the whole bucket)"),
	}
	s.input.CharLimit = awsops.MaxPrefixLen + 16
	s.input.SetValue(preset)
	return s
}

// enter (re)opens the screen for bucket; a different bucket drops the
// summary, which was about the old one.
func (s *locationScreen) enter(bucket string, existing bool) tea.Cmd {
	if bucket != s.bucket || existing != s.existing {
		s.summary, s.lastAsked = nil, "\x00"
		s.folders, s.folderErr, s.folderAsk = map[string][]string{}, nil, "\x00"
	}
	s.bucket, s.existing = bucket, existing
	s.normalise()
	return tea.Batch(s.input.Focus(), s.settle(), s.listFolders())
}

// level is the folder level being typed: the input up to its last slash
// ("" for the root, "photos/2026/"), and the rest, which filters it.
func (s locationScreen) level() (string, string) {
	v := s.input.Value()
	i := strings.LastIndex(v, "/") + 1
	head := v[:i]
	// Listed and shown as S3 holds it: "/a//b/" is the folder "a/b/".
	if n, err := awsops.NormalizePrefix(head); err == nil {
		head = n
		if head != "" {
			head += "/"
		}
	}
	return head, v[i:]
}

// listFolders asks for the folders of the level being typed, once per
// level.
func (s *locationScreen) listFolders() tea.Cmd {
	lvl, _ := s.level()
	if !s.existing || s.folders == nil || lvl == s.folderAsk {
		return nil
	}
	if _, ok := s.folders[lvl]; ok {
		return nil
	}
	if _, err := awsops.NormalizePrefix(lvl); err != nil {
		return nil
	}
	s.folderID++
	s.folderAsk = lvl
	return listFoldersCmd(s.c.Ctx, s.ops, s.folderID, s.bucket, lvl)
}

// matches are the listed folders of the level whose last part holds what
// was typed after the last slash.
func (s locationScreen) matches() []string {
	lvl, rest := s.level()
	var out []string
	for _, f := range s.folders[lvl] {
		name := strings.TrimSuffix(strings.TrimPrefix(f, lvl), "/")
		if strings.Contains(strings.ToLower(name), strings.ToLower(rest)) {
			out = append(out, f)
		}
	}
	return out
}

// reset forgets what was counted, for Machine.Invalidates.
func (s *locationScreen) reset() { s.summary, s.lastAsked = nil, "\x00" }

func (s *locationScreen) normalise() {
	s.prefix, s.err = awsops.NormalizePrefix(s.input.Value())
}

// settle schedules a count once typing pauses.
func (s *locationScreen) settle() tea.Cmd {
	if !s.existing || s.err != nil || s.prefix == s.lastAsked {
		return nil
	}
	s.reqID++
	return settlePrefixCmd(s.reqID)
}

// S3 keys may contain "?", so on this screen it is typed, not help.

func (s locationScreen) answer() (string, bool) { return s.prefix, s.err == nil }

// empty reports whether nothing is under the prefix yet, which is when an
// upload is offered: always for a new bucket, and for an existing one when
// the count came back with no objects. A count still running or failed
// counts as not empty; the upload is a help, not a step to force.
func (s locationScreen) empty() bool {
	if !s.existing {
		return true
	}
	m := s.summary
	return m != nil && m.Prefix == s.prefix && m.Err == nil && m.Summary.Objects == 0 && !m.Summary.Truncated
}

// Update handles one message and never blocks: I/O goes out as Cmds.
func (s locationScreen) Update(msg tea.Msg) (locationScreen, tea.Cmd) {
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
	case prefixSettledMsg:
		if msg.ID != s.reqID || s.err != nil {
			return s, nil
		}
		s.counting, s.lastAsked = true, s.prefix
		return s, tea.Batch(s.spin.Tick, summarizePrefixCmd(s.c.Ctx, s.ops, s.reqID, s.bucket, s.prefix))
	case foldersListedMsg:
		if msg.ID != s.folderID || msg.Bucket != s.bucket {
			return s, nil
		}
		s.folderAsk = "\x00"
		s.folderErr = msg.Err
		if msg.Err == nil {
			s.folders[msg.Prefix] = msg.Folders
		}
		return s, nil
	case prefixSummarizedMsg:
		if msg.ID != s.reqID {
			return s, nil
		}
		s.counting = false
		s.summary = &msg
		return s, nil
	case tea.PasteMsg:
		msg.Content = strings.Map(func(r rune) rune {
			if r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, msg.Content)
		return s.edit(msg)
	case tea.KeyPressMsg:
		k := s.keymap
		switch {
		case key.Matches(msg, k.Back):
			return s, goBack
		case key.Matches(msg, k.Next):
			if s.err != nil {
				return s, nil
			}
			return s, goNext
		case s.existing && key.Matches(msg, k.Up):
			s.folderPick = max(s.folderPick-1, 0)
			return s, nil
		case s.existing && key.Matches(msg, k.Down):
			s.folderPick = min(s.folderPick+1, max(len(s.matches())-1, 0))
			return s, nil
		case s.existing && key.Matches(msg, k.Accept):
			return s.complete()
		}
		return s.edit(msg)
	}
	return s, nil
}

// complete is tab: the highlighted folder becomes the path, and its own
// folders are listed, one level further down.
func (s locationScreen) complete() (locationScreen, tea.Cmd) {
	ms := s.matches()
	if len(ms) == 0 {
		return s, nil
	}
	s.input.SetValue(ms[min(s.folderPick, len(ms)-1)])
	s.input.CursorEnd()
	return s.changed(nil)
}

// edit passes typing or a paste to the input, and schedules a count when
// the path changed.
func (s locationScreen) edit(msg tea.Msg) (locationScreen, tea.Cmd) {
	before := s.input.Value()
	var cmd tea.Cmd
	s.input, cmd = s.input.Update(msg)
	if s.input.Value() == before {
		return s, cmd
	}
	return s.changed(cmd)
}

func (s locationScreen) changed(cmd tea.Cmd) (locationScreen, tea.Cmd) {
	s.normalise()
	s.folderPick = 0
	return s, tea.Batch(cmd, s.settle(), s.listFolders())
}

func (s locationScreen) help() helpKeys {
	k := s.keymap
	if s.existing {
		tab := withHelp(k.Accept, "complete folder")
		return helpKeys{
			short: []key.Binding{k.Next, tab, k.Back, withHelp(k.Help, "more keys (f1)"), k.Quit},
			full:  [][]key.Binding{{k.Next, tab, k.Back}, {withHelp(k.Up, "previous folder"), withHelp(k.Down, "next folder")}, {k.Quit}},
		}
	}
	return helpKeys{short: []key.Binding{k.Next, k.Back, withHelp(k.Help, "more keys (f1)"), k.Quit}}
}

// viewFolders draws the folders of the level being typed that match.
func (s locationScreen) viewFolders(st *Styles, w int) []string {
	lvl, _ := s.level()
	list, ok := s.folders[lvl]
	switch {
	case s.folderErr != nil && !ok:
		sentence, _ := explain(s.folderErr, "")
		return []string{st.Warn.Render(wrap("Could not list the folders: "+sentence, w))}
	case !ok:
		return []string{st.Muted.Render("Listing the folders…")}
	case len(list) == 0:
		return []string{st.Muted.Render("No folders in " + setup.Location(s.bucket, strings.TrimSuffix(lvl, "/")) + ".")}
	}
	ms := s.matches()
	out := []string{st.Label.Render(fmt.Sprintf("Folders in %s (tab completes):", setup.Location(s.bucket, strings.TrimSuffix(lvl, "/"))))}
	if len(ms) == 0 {
		return append(out, st.Muted.Render("  none matches"))
	}
	pick := min(s.folderPick, len(ms)-1)
	start := max(pick-maxFolderRows+1, 0)
	for i := start; i < len(ms) && i < start+maxFolderRows; i++ {
		line := ansi.Truncate(strings.TrimPrefix(ms[i], lvl), max(w-4, 10), "…")
		if i == pick {
			out = append(out, st.Selected.Render("> "+line))
		} else {
			out = append(out, "  "+line)
		}
	}
	if more := len(ms) - start - maxFolderRows; more > 0 {
		out = append(out, st.Muted.Render(fmt.Sprintf("  ↓ %d more (type to filter)", more)))
	}
	return out
}

// View draws the screen as text; the root adds the frame.
func (s locationScreen) View() string {
	st := s.c.Styles
	w := s.c.Width
	parts := []string{
		wrap("Which folder in "+s.bucket+" holds the platform's media? Leave it empty for the whole bucket.", w),
		"",
		s.input.View(),
	}
	if s.err != nil {
		parts = append(parts, st.Error.Render(wrap("✗ "+refused(s.err), w)))
		return strings.Join(parts, "\n")
	}
	shown := s.prefix
	if shown == "" {
		shown = "(the bucket root)"
	}
	parts = append(parts,
		field(st, "Prefix", st.Value.Render(shown)),
		field(st, "Location", setup.Location(s.bucket, s.prefix)),
		"",
	)
	if s.existing {
		parts = append(parts, s.viewFolders(st, w)...)
		parts = append(parts, "")
	}
	switch {
	case !s.existing:
		parts = append(parts, st.Muted.Render(wrap("The bucket is new, so nothing is there yet.", w)))
	case s.counting:
		parts = append(parts, s.spin.View()+" Counting what is there…")
	case s.summary != nil && s.summary.Prefix == s.prefix:
		parts = append(parts, s.viewSummary(st, w))
	}
	return strings.Join(parts, "\n")
}

func (s locationScreen) viewSummary(st *Styles, w int) string {
	m := s.summary
	if m.Err != nil {
		sentence, _ := explain(m.Err, "")
		return st.Warn.Render(wrap("Could not count what is there: "+sentence, w))
	}
	n := m.Summary.Objects
	if n == 0 {
		return st.Muted.Render("Nothing is there yet.")
	}
	at := ""
	if m.Summary.Truncated {
		at = "at least "
	}
	verb := "are"
	if n == 1 && !m.Summary.Truncated {
		verb = "is"
	}
	return fmt.Sprintf("There %s %s%d %s (%s%s) under it.", verb, at, n, Plural(n, "object", "objects"), at, HumanBytes(m.Summary.Bytes))
}

// acceptsQuestionMark is true: a prefix may hold "?".
func (s locationScreen) acceptsQuestionMark() bool { return true }

// pastesWhole is true: a pasted prefix is counted once, not once per
// character.
func (s locationScreen) pastesWhole() bool { return true }

// hasAnswers is true: the bucket was chosen before.
func (s locationScreen) hasAnswers() bool { return true }

// enterWith shows the location in the chosen bucket.
func (s *locationScreen) enterWith(w *wizard, _ steps.Step) tea.Cmd {
	return s.enter(w.spec.Bucket, w.spec.ExistingBucket)
}

// answerTo sets the prefix; a location that is not empty drops an upload
// chosen for it.
func (s locationScreen) answerTo(w *wizard, _ steps.Step) (answered, bool) {
	p, ok := s.answer()
	if !ok {
		return answered{}, false
	}
	a := answered{changed: p != w.spec.Prefix}
	w.spec.Prefix = p
	a.result.LocationEmpty = s.empty()
	if !a.result.LocationEmpty {
		w.upload = uploadChoice{}
	}
	return a, true
}
