package ui

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/awsops/setup/journal"
	"github.com/s3link/s3link/steps"
	"github.com/s3link/s3link/ui/text"
)

type reviewPhase int

const (
	reviewInspecting reviewPhase = iota
	reviewInspectFailed
	reviewPlanning
	reviewRunning
	reviewFailed
	reviewRollingBack
	reviewRolledBack
	reviewApplied
)

type rowStatus int

const (
	rowPending rowStatus = iota
	rowRunning
	rowDone
	rowFailed
)

type actionRow struct {
	status rowStatus
	note   string
}

// reviewScreen lists the plan, and after confirmation runs it one action at
// a time as a live checklist; on a failure it offers retry, rollback or
// quit.
type reviewScreen struct {
	c       *Common
	keymap  reviewKeys
	ops     Ops
	spin    spinner.Model
	vp      viewport.Model
	profile string

	spec setup.Spec
	// decided is the engine's plan; plan is its list of calls.
	decided *setup.Plan
	journal setup.Journal
	// existing is the status of the user's earlier link, if it has one.
	prior   *setup.Status
	plan    []setup.Action
	planID  int
	planErr error
	// upload is the folder chosen to upload after the plan, listed last;
	// it is not an action of the plan (it runs after the key screen).
	upload uploadChoice
	rows   []actionRow
	st     setup.State
	// recordDir and base are where records live and what a new one holds.
	recordDir string
	base      journal.Record

	phase     reviewPhase
	runID     int
	current   int
	failErr   error
	record    recordResult
	undo      []rollbackStep
	askedQuit bool

	// workDir is where an export's folder is made ("" is the current
	// folder). exportAsk is true while the form is being chosen;
	// exporting while it is written; exported is the last export.
	workDir   string
	exportAsk bool
	exporting bool
	exported  *planExportedMsg
}

// exportChoices are the forms the export offers, by the digit that picks
// them.
var exportChoices = []struct{ key, format, label string }{
	{"1", setup.FormatText, "text"},
	{"2", setup.FormatJSON, "JSON"},
	{"3", setup.FormatCLI, "AWS CLI script"},
	{"4", setup.FormatCloudFormation, "CloudFormation"},
	{"5", setup.FormatTerraform, "Terraform"},
}

func newReviewScreen(c *Common, ops Ops, profile string) reviewScreen {
	s := reviewScreen{
		c:       c,
		keymap:  newReviewKeys(c.Keys),
		ops:     ops,
		spin:    spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(c.Styles.Spinner)),
		vp:      viewport.New(),
		profile: profile,
	}
	k := s.keymap
	s.vp.KeyMap = viewport.KeyMap{Up: k.Up, Down: k.Down, PageUp: k.PageUp, PageDown: k.PageDown}
	return s
}

// enter asks the setup engine for the plan for spec (it reads what exists
// first), and shows the upload chosen to follow it. Nothing is created
// until start.
func (s *reviewScreen) enter(spec setup.Spec, recordDir string, base journal.Record, upload uploadChoice) tea.Cmd {
	if s.phase > reviewPlanning && s.decided != nil && len(s.st.Done) > 0 {
		// Applying started: the plan stays what it was.
		s.refresh()
		return nil
	}
	s.spec, s.recordDir, s.base, s.upload = spec, recordDir, base, upload
	s.decided, s.plan, s.rows, s.planErr, s.prior = nil, nil, nil, nil, nil
	s.exportAsk, s.exporting, s.exported = false, false, nil
	s.phase = reviewInspecting
	s.planID++
	s.refresh()
	s.vp.GotoTop()
	return tea.Batch(s.spin.Tick, planSetupCmd(s.c.Ctx, s.ops, s.planID, spec, recordDir, base, s.c.Now))
}

// planned takes the engine's plan.
func (s reviewScreen) planned(msg setupPlannedMsg) reviewScreen {
	if msg.ID != s.planID || s.phase != reviewInspecting {
		return s
	}
	if msg.Err != nil {
		s.phase, s.planErr = reviewInspectFailed, msg.Err
		s.refresh()
		return s
	}
	s.decided, s.journal, s.prior = msg.Plan, msg.Journal, msg.Existing
	s.spec = msg.Plan.Spec
	s.plan = msg.Plan.Actions
	s.rows = make([]actionRow, len(s.plan))
	s.phase = reviewPlanning
	s.refresh()
	return s
}

// refused reports whether the plan cannot run as the answers stand.
func (s reviewScreen) refused() bool { return s.decided != nil && s.decided.Err() != nil }

// start runs the plan from its first action not done yet.
func (s *reviewScreen) start() tea.Cmd {
	s.phase = reviewRunning
	s.failErr = nil
	s.askedQuit = false
	s.runID++
	for i, a := range s.plan {
		if !s.st.Completed(a.Kind) {
			return s.run(i)
		}
	}
	s.phase = reviewApplied
	return goNext
}

func (s *reviewScreen) run(i int) tea.Cmd {
	s.current = i
	s.rows[i] = actionRow{status: rowRunning}
	s.refresh()
	return tea.Batch(s.spin.Tick, runActionCmd(s.c.Ctx, s.ops, s.runID, i, s.journal, s.decided, s.st))
}

// busy reports whether AWS calls are in flight, when quitting needs a
// second thought.
func (s reviewScreen) busy() bool {
	return s.phase == reviewRunning || s.phase == reviewRollingBack || s.phase == reviewInspecting
}

// created reports whether this run made anything that a quit would leave
// behind (in the record, for teardown).
func (s reviewScreen) created() bool { return len(s.st.Done) > 0 && s.phase != reviewRolledBack }

// progress is the share of the plan done, for the terminal's progress bar.
func (s reviewScreen) progress() int {
	if len(s.plan) == 0 {
		return 0
	}
	n := 0
	for _, r := range s.rows {
		if r.status == rowDone {
			n++
		}
	}
	return n * 100 / len(s.plan)
}

// Update handles one message and never blocks: I/O goes out as Cmds.
func (s reviewScreen) Update(msg tea.Msg) (reviewScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		s.refresh()
		return s, nil
	case spinner.TickMsg:
		if !s.busy() {
			return s, nil
		}
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg)
		s.refresh()
		return s, cmd
	case stylesChangedMsg:
		s.refresh()
		return s, nil
	case setupPlannedMsg:
		return s.planned(msg), nil
	case planExportedMsg:
		if msg.ID != s.planID || !s.exporting {
			return s, nil
		}
		s.exporting = false
		s.exported = &msg
		s.refresh()
		return s, nil
	case actionRanMsg:
		if msg.RunID != s.runID || s.phase != reviewRunning {
			return s, nil
		}
		return s.actionRan(msg)
	case rolledBackMsg:
		s.phase = reviewRolledBack
		s.undo = msg.Steps
		s.record = msg.Record
		s.st = setup.State{}
		for i := range s.rows {
			s.rows[i] = actionRow{}
		}
		s.refresh()
		return s, nil
	case tea.KeyPressMsg:
		return s.updateKey(msg)
	}
	return s, nil
}

func (s reviewScreen) actionRan(msg actionRanMsg) (reviewScreen, tea.Cmd) {
	i := msg.Index
	if msg.Err != nil {
		s.rows[i] = actionRow{status: rowFailed}
		s.phase, s.failErr = reviewFailed, msg.Err
		s.refresh()
		return s, nil
	}
	s.st = msg.State
	note := msg.Note
	if note == "done earlier" && s.rows[i].note != "" {
		note = s.rows[i].note
	}
	s.rows[i] = actionRow{status: rowDone, note: note}
	s.record = msg.Record
	if i+1 < len(s.plan) {
		return s, s.run(i + 1)
	}
	s.phase = reviewApplied
	s.refresh()
	return s, goNext
}

func (s reviewScreen) updateKey(msg tea.KeyPressMsg) (reviewScreen, tea.Cmd) {
	k := s.keymap
	if s.askedQuit {
		switch {
		case key.Matches(msg, k.Ask.Yes):
			return s, goQuit
		case key.Matches(msg, k.Ask.No):
			s.askedQuit = false
		}
		return s, nil
	}
	if s.exportAsk {
		return s.updateExportKey(msg)
	}
	if key.Matches(msg, k.Back) {
		// The machine refuses once applying started, and says why.
		return s, goBack
	}
	switch s.phase {
	case reviewInspectFailed:
		if key.Matches(msg, k.Retry) {
			return s, s.enter(s.spec, s.recordDir, s.base, s.upload)
		}
	case reviewPlanning:
		switch {
		case key.Matches(msg, k.Next) && !s.refused():
			return s, goNext
		case key.Matches(msg, k.Export) && !s.refused() && !s.exporting:
			s.exportAsk = true
			s.refresh()
			return s, nil
		case key.Matches(msg, k.NewKey) && s.decided != nil && s.decided.Key.Decision == setup.Reuse:
			// The person asks for a new key instead of the earlier run's.
			spec := s.spec
			spec.NewKey = true
			return s, s.enter(spec, s.recordDir, s.base, s.upload)
		}
	case reviewFailed:
		switch {
		case key.Matches(msg, k.Retry):
			return s, s.start()
		case key.Matches(msg, k.Rollback):
			s.phase = reviewRollingBack
			s.refresh()
			return s, tea.Batch(s.spin.Tick, rollbackCmd(s.c.Ctx, s.ops, s.journal, s.decided, s.st))
		case key.Matches(msg, k.Stop):
			return s, goQuit
		}
	case reviewRolledBack:
		switch {
		case key.Matches(msg, k.Retry):
			s.undo = nil
			return s, s.start()
		case key.Matches(msg, k.Stop):
			return s, goQuit
		}
	}
	var cmd tea.Cmd
	s.vp, cmd = s.vp.Update(msg)
	return s, cmd
}

// updateExportKey picks the export's form by its digit, or cancels.
func (s reviewScreen) updateExportKey(msg tea.KeyPressMsg) (reviewScreen, tea.Cmd) {
	if key.Matches(msg, s.keymap.Back) {
		s.exportAsk = false
		s.refresh()
		return s, nil
	}
	for _, c := range exportChoices {
		if msg.String() == c.key {
			s.exportAsk, s.exporting, s.exported = false, true, nil
			s.refresh()
			return s, exportPlanCmd(s.planID, s.workDir, s.decided, c.format)
		}
	}
	return s, nil
}

// exportLines are the footer's lines about the export: the choice of
// forms, or where the last export went.
func (s reviewScreen) exportLines(st *Styles, w int) []string {
	switch {
	case s.exportAsk:
		var forms []string
		for _, c := range exportChoices {
			forms = append(forms, c.key+" "+c.label)
		}
		return []string{wrap("Export the plan (nothing is created) as: "+strings.Join(forms, " · ")+" — or esc.", w)}
	case s.exporting:
		return []string{st.Muted.Render("Writing the plan…")}
	case s.exported == nil:
		return nil
	case s.exported.Err != nil:
		return []string{st.Error.Render(wrap("✗ The plan could not be exported: "+oneLine(s.exported.Err.Error()), w))}
	}
	return []string{wrap(fmt.Sprintf("✓ Wrote %s into %s%c (plan only: nothing was created).",
		strings.Join(s.exported.Files, ", "), s.exported.Dir, filepath.Separator), w)}
}

// askQuit is the ctrl+c guard while AWS calls run.
func (s *reviewScreen) askQuit() { s.askedQuit = true; s.refresh() }

func (s reviewScreen) help() helpKeys {
	k := s.keymap
	switch {
	case s.askedQuit:
		return helpKeys{short: []key.Binding{withHelp(k.Ask.Yes, "quit now"), withHelp(k.Ask.No, "keep going")}}
	case s.exportAsk:
		pick := key.NewBinding(key.WithKeys("1", "2", "3", "4", "5"), key.WithHelp("1-5", "choose the form"))
		return helpKeys{short: []key.Binding{pick, withHelp(k.Back, "cancel"), k.Quit}}
	}
	switch s.phase {
	case reviewInspecting:
		return helpKeys{short: []key.Binding{k.Back, k.Help, k.Quit}}
	case reviewInspectFailed:
		return helpKeys{short: []key.Binding{withHelp(k.Retry, "read again"), k.Back, k.Help, k.Quit}}
	case reviewPlanning:
		if s.refused() {
			return helpKeys{
				short: []key.Binding{withHelp(k.Back, "change the answers"), withHelp(k.Down, "scroll"), k.Help, k.Quit},
				full:  [][]key.Binding{{withHelp(k.Back, "change the answers")}, s.scrollKeys(), {k.Quit}},
			}
		}
		b := []key.Binding{withHelp(k.Next, "create all of this"), withHelp(k.Down, "scroll")}
		first := []key.Binding{withHelp(k.Next, "create all of this")}
		if s.decided != nil && s.decided.Key.Decision == setup.Reuse {
			b = append(b, k.NewKey)
			first = append(first, k.NewKey)
		}
		b = append(b, withHelp(k.Export, "export"))
		first = append(first, k.Export)
		return helpKeys{
			short: append(b, k.Back, k.Help, k.Quit),
			full:  [][]key.Binding{append(first, k.Back), s.scrollKeys(), {k.Quit}},
		}
	case reviewFailed:
		return helpKeys{short: []key.Binding{k.Retry, k.Rollback, k.Stop, k.Help}}
	case reviewRolledBack:
		return helpKeys{short: []key.Binding{withHelp(k.Retry, "run the plan again"), withHelp(k.Stop, "quit"), k.Help}}
	}
	return helpKeys{short: []key.Binding{k.Help, k.Quit}}
}

// scrollKeys are the keys that scroll the list, for the full help.
func (s reviewScreen) scrollKeys() []key.Binding {
	k := s.keymap
	return []key.Binding{withHelp(k.Up, "scroll up"), withHelp(k.Down, "scroll down"), withHelp(k.PageUp, "page up"), withHelp(k.PageDown, "page down")}
}

// refresh re-renders the checklist into the viewport and sizes it to what
// is left under it.
func (s *reviewScreen) refresh() {
	footer := s.footer()
	fh := strings.Count(wrap(s.header(), s.c.Width), "\n")
	if footer != "" {
		fh += strings.Count(footer, "\n") + 2
	}
	s.vp.SetWidth(s.c.Width)
	content := s.checklist()
	h := max(s.c.Height-fh-2, 3)
	if strings.Count(content, "\n")+1 > h {
		// One line goes to the mark that says more is below.
		h = max(h-1, 2)
	}
	s.vp.SetHeight(h)
	s.vp.SetContent(content)
	if s.phase == reviewRunning {
		// Keep the running action in view on a short terminal.
		s.vp.EnsureVisible(s.rowLine(s.current), 0, 0)
	}
}

// existingLink says the user already has a link, and how it stands: the
// summary and only the lines that are not plainly as set up.
func (s reviewScreen) existingLink() string {
	e := s.prior
	if e == nil {
		return ""
	}
	st := s.c.Styles
	w := s.c.Width
	rec := e.Record
	lines := []string{ansi.Truncate(fmt.Sprintf("This user already has a link: %s (setup %s).", setup.Location(rec.Bucket.Name, rec.Prefix), rec.SetupID), w, "…")}
	for _, c := range e.Checks {
		switch {
		case !c.OK:
			lines = append(lines, st.Error.Render(ansi.Truncate("  ✗ "+c.What+": "+c.Detail, w, "…")))
		case c.Warning:
			lines = append(lines, st.Warn.Render(ansi.Truncate("  ! "+c.What+": "+c.Detail, w, "…")))
		}
	}
	for _, n := range e.Notes {
		lines = append(lines, st.Warn.Render(ansi.Truncate("  · "+n, w, "…")))
	}
	lines = append(lines, st.Muted.Render(ansi.Truncate("  "+setup.StatusSummary(e), w, "…")))
	return strings.Join(lines, "\n")
}

func (s reviewScreen) rowLine(i int) int {
	if s.phase == reviewPlanning {
		top := 0
		if e := s.existingLink(); e != "" {
			top = strings.Count(e, "\n") + 2
		}
		if d := len(s.decisions()); d > 0 {
			return top + i*2 + d + 1
		}
		return top + i*2
	}
	return i
}

func (s reviewScreen) header() string {
	switch s.phase {
	case reviewInspecting:
		return "Reading what already exists (nothing is created yet)…"
	case reviewInspectFailed:
		return "Could not read what already exists."
	case reviewPlanning:
		if s.refused() {
			return "Nothing has been created. This plan cannot run as the answers stand:"
		}
		return "Nothing has been created yet. Confirming runs these AWS calls, in order:"
	case reviewRunning:
		return "Creating… (each step is saved to the local record as it completes)"
	case reviewFailed:
		return "Stopped at a failure."
	case reviewRollingBack:
		return "Rolling back what this run created…"
	case reviewRolledBack:
		return "Rolled back."
	}
	return "Everything is in place."
}

// decisions lists, per resource, what the plan does with it and why.
func (s reviewScreen) decisions() []string {
	if s.decided == nil {
		return nil
	}
	st := s.c.Styles
	w := s.c.Width
	var out []string
	for _, it := range s.decided.Items() {
		if it.Decision == setup.Create {
			continue // the numbered calls below are what gets created
		}
		var mark string
		switch it.Decision {
		case setup.Create:
			mark = st.OK.Render("+ create")
		case setup.Reuse:
			mark = st.Muted.Render("= reuse ")
		case setup.Change:
			mark = st.Warn.Render("~ change")
		case setup.Refuse:
			mark = st.Error.Render("✗ refuse")
		}
		line := mark + " " + it.What + " " + it.Name + st.Muted.Render(" — "+it.Reason)
		if it.Decision == setup.Refuse {
			line = mark + " " + it.What + " " + it.Name
		}
		out = append(out, ansi.Truncate(line, w, "…"))
	}
	return out
}

func (s reviewScreen) checklist() string {
	st := s.c.Styles
	w := s.c.Width
	var b strings.Builder
	switch s.phase {
	case reviewInspecting:
		return s.spin.View() + " Looking up the bucket, policy, user and earlier setups…"
	case reviewInspectFailed:
		sentence, detail := explain(s.planErr, s.profile)
		out := st.Error.Render(wrap("✗ "+sentence, w))
		if detail != "" {
			out += "\n" + st.Muted.Render(wrap(detail, w))
		}
		return out
	case reviewPlanning:
		if e := s.existingLink(); e != "" {
			b.WriteString(e + "\n\n")
		}
		if d := s.decisions(); len(d) > 0 {
			b.WriteString(strings.Join(d, "\n"))
			b.WriteString("\n\n")
		}
		if s.refused() {
			for _, r := range s.decided.Refusals {
				b.WriteString(st.Error.Render(wrap("✗ "+r, w)) + "\n")
			}
			b.WriteString(wrap("Press esc to change the answers.", w))
			return b.String()
		}
	}
	for i, a := range s.plan {
		if i > 0 {
			b.WriteString("\n")
		}
		switch s.phase {
		case reviewPlanning:
			b.WriteString(fmt.Sprintf("%2d. %s\n", i+1, ansi.Truncate(a.Title, w-4, "…")))
			b.WriteString(st.Muted.Render("    $ " + ansi.Truncate(a.Command, w-6, "…")))
			continue
		}
		r := s.rows[i]
		var icon string
		switch r.status {
		case rowPending:
			icon = st.Muted.Render("·")
		case rowRunning:
			icon = s.spin.View()
		case rowDone:
			icon = st.OK.Render("✓")
		case rowFailed:
			icon = st.Error.Render("✗")
		}
		line := icon + " " + a.Title
		if r.note != "" {
			line += st.Muted.Render(" — " + r.note)
		}
		b.WriteString(ansi.Truncate(line, w, "…"))
	}
	if s.upload.Chosen {
		title, command := uploadPlanLine(s.upload, s.spec.Bucket, s.spec.Prefix)
		if s.phase == reviewPlanning {
			// Wrapped, not cut: the folder and the count are the point.
			title = strings.ReplaceAll(wrap(title, w-4), "\n", "\n    ")
			b.WriteString(fmt.Sprintf("\n%2d. %s\n", len(s.plan)+1, title))
			b.WriteString(st.Muted.Render("    $ " + ansi.Truncate(command, w-6, "…")))
		} else {
			b.WriteString("\n" + ansi.Truncate(st.Muted.Render("· "+title), w, "…"))
		}
	}
	return b.String()
}

func (s reviewScreen) footer() string {
	st := s.c.Styles
	w := s.c.Width
	var parts []string
	switch s.phase {
	case reviewPlanning:
		if s.decided != nil {
			for _, wn := range s.decided.Warnings {
				parts = append(parts, st.Warn.Render(wrap("⚠ "+wn, w)))
			}
		}
		parts = append(parts, st.Muted.Render(wrap(fmt.Sprintf("Location %s · region %s · the full commands are on the last screen.", setup.Location(s.spec.Bucket, s.spec.Prefix), s.spec.Region), w)))
		parts = append(parts, s.exportLines(st, w)...)
	case reviewFailed:
		sentence, detail := explain(s.failErr, s.profile)
		var kl *awsops.KeyLimitError
		if errors.As(s.failErr, &kl) {
			sentence = text.KeyLimitInApply
		}
		parts = append(parts, st.Error.Render(wrap("✗ "+s.plan[s.current].Title+" failed. "+sentence, w)))
		if detail != "" {
			parts = append(parts, st.Muted.Render(wrap(detail, w)))
		}
		parts = append(parts, wrap("Already in place: "+s.existing()+".", w))
		if s.record.Path != "" && s.record.Err == nil {
			parts = append(parts, st.Muted.Render(wrap("Quitting keeps the record "+s.record.Path+" for `s3link teardown`.", w)))
		}
	case reviewRollingBack:
		parts = append(parts, s.spin.View()+" Deleting, newest first…")
	case reviewRolledBack:
		parts = append(parts, s.viewUndo(st, w)...)
	}
	if s.st.DeletedKeyID != "" {
		parts = append(parts, st.Warn.Render(wrap("The old access key "+s.st.DeletedKeyID+" was deleted and cannot be restored.", w)))
	}
	if s.askedQuit {
		parts = append(parts, st.Warn.Render(wrap("Quit now? What was created so far stays in the local record for `s3link teardown`. (y/n)", w)))
	}
	return strings.Join(parts, "\n")
}

// existing lists what the plan made or found so far, in plain words.
func (s reviewScreen) existing() string {
	var out []string
	if s.st.Completed(setup.ActCreateBucket) {
		out = append(out, "bucket "+s.spec.Bucket)
	}
	if s.st.Completed(setup.ActCreatePolicy) {
		out = append(out, "policy "+s.spec.PolicyName)
	}
	if s.st.Completed(setup.ActCreateUser) {
		out = append(out, "user "+s.spec.UserName)
	}
	if s.st.Attached {
		out = append(out, "the policy attachment")
	}
	if len(out) == 0 {
		return "nothing yet"
	}
	return strings.Join(out, ", ")
}

func (s reviewScreen) viewUndo(st *Styles, w int) []string {
	var parts []string
	failed := false
	for _, u := range s.undo {
		if u.Err != nil {
			failed = true
			sentence, _ := explain(u.Err, s.profile)
			parts = append(parts, st.Error.Render(ansi.Truncate("✗ "+u.Title+": "+sentence, w, "…")))
			continue
		}
		parts = append(parts, st.OK.Render("✓ ")+u.Title)
	}
	if len(s.undo) == 0 {
		parts = append(parts, "Nothing had been created, so nothing needed deleting.")
	}
	switch {
	case failed:
		parts = append(parts, wrap("Some things could not be removed; the local record keeps them for `s3link teardown`.", w))
	case s.record.Err != nil:
		parts = append(parts, st.Warn.Render(wrap("Everything was removed, but the local record could not be updated: "+oneLine(s.record.Err.Error()), w)))
	default:
		parts = append(parts, wrap("Nothing from this run is left in AWS.", w))
	}
	return parts
}

// moreMark says how much of the list is out of view, "" when all of it
// fits.
func (s reviewScreen) moreMark() string {
	total, shown := s.vp.TotalLineCount(), s.vp.Height()
	if total <= shown {
		return ""
	}
	vp := s.vp
	below := total - vp.YOffset() - shown
	if below > 0 {
		return s.c.Styles.Muted.Render(fmt.Sprintf("↓ %d more %s (↓/pgdn to scroll)", below, Plural(int64(below), "line", "lines")))
	}
	above := vp.YOffset()
	return s.c.Styles.Muted.Render(fmt.Sprintf("↑ %d more %s above (↑/pgup to scroll)", above, Plural(int64(above), "line", "lines")))
}

// View draws the screen as text; the root adds the frame.
func (s reviewScreen) View() string {
	parts := []string{wrap(s.header(), s.c.Width), "", s.vp.View()}
	if m := s.moreMark(); m != "" {
		parts = append(parts, m)
	}
	if f := s.footer(); f != "" {
		parts = append(parts, "", f)
	}
	return strings.Join(parts, "\n")
}

// hasAnswers is true: every answer so far is on review.
func (s reviewScreen) hasAnswers() bool { return true }

// enterWith plans the answers on Review and runs the plan on Apply. A plan
// with nothing to run is applied at once: its goNext must count as coming
// from Apply.
func (s *reviewScreen) enterWith(w *wizard, at steps.Step) tea.Cmd {
	if at == steps.Apply {
		return stamp(s.start(), steps.Apply)
	}
	return s.enter(w.spec, w.deps.RecordDir, w.recordBase(), w.upload)
}

// answerTo says on Review whether the plan was confirmed and on Apply
// whether it finished, handing over what it made. The plan may have
// resolved answers (an existing bucket's region).
func (s reviewScreen) answerTo(w *wizard, at steps.Step) (answered, bool) {
	var a answered
	if at != steps.Apply {
		a.result.Confirmed = s.phase == reviewPlanning
		return a, true
	}
	a.result.Applied = s.phase == reviewApplied
	w.spec, w.plan, w.state, w.journal = s.spec, s.decided, s.st, s.journal
	return a, true
}

// interrupt asks before quitting while AWS calls run.
func (s *reviewScreen) interrupt() bool {
	if s.busy() {
		s.askQuit()
		return true
	}
	return false
}

// report adds the plan, what it made and where its record is.
func (s reviewScreen) report(o *outcome) {
	o.Plan, o.State, o.RecordPath = s.decided, s.st, s.record.Path
}

// left reports where the record is when the run made something.
func (s reviewScreen) left() (string, bool) { return s.record.Path, s.created() }

// progressBar follows the plan as it runs.
func (s reviewScreen) progressBar() *tea.ProgressBar {
	switch s.phase {
	case reviewRunning:
		return tea.NewProgressBar(tea.ProgressBarDefault, s.progress())
	case reviewFailed:
		return tea.NewProgressBar(tea.ProgressBarError, s.progress())
	case reviewRollingBack:
		return tea.NewProgressBar(tea.ProgressBarIndeterminate, 0)
	}
	return nil
}
