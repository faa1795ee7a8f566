package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup"
)

// keyHandOver is how the key screen ended: the state, and the facts the
// later screens name (the CSV's path, the clipboards a copy went to).
type keyHandOver struct {
	State     handOver
	CSVPath   string
	CopiedVia string
	// Sealed is true when the file at CSVPath is encrypted with age for
	// the platform, not a plain CSV.
	Sealed bool
}

// outcome is what a finished run made, for the done screen and for the
// text printed after the program exits. It never holds the secret.
type outcome struct {
	Plan       *setup.Plan
	Spec       setup.Spec
	State      setup.State
	KeyID      string
	Hand       keyHandOver
	RecordPath string
	// Uploaded and Downloaded say, in a line each, how the upload and the
	// proof download went; empty when they were not part of the run.
	Uploaded   string
	Downloaded string
	// ProofEmpty is a proof that listed the location and found nothing:
	// the key can list, but reading an object is not proven.
	ProofEmpty bool
	// Commands is the folder the AWS CLI equivalents were written to;
	// CommandsErr says why they could not be.
	Commands    string
	CommandsErr string
	// Sandbox marks a run whose resources vanish with the emulator.
	Sandbox bool
}

// settle fills in what follows from the plan and its state once the
// screens have reported, and drops the secret.
func (o *outcome) settle() {
	if o.Plan == nil {
		o.Plan = &setup.Plan{}
	}
	o.Spec, o.KeyID = o.Plan.Spec, o.State.Key.ID
	if o.KeyID == "" {
		o.KeyID = o.Plan.ExistingKeyID
	}
	// The state's key holds the secret; the outcome keeps the id only.
	o.State.Key = awsops.AccessKey{}
}

// warned reports whether the run ends with something the person must act
// on: no usable secret, or a hand-over nobody confirmed, or a proof that
// proved nothing.
func (o outcome) warned() bool {
	switch o.Hand.State {
	case handDeleted, handLeft, handUnconfirmed, handPending:
		return true
	}
	return o.ProofEmpty
}

// headline is the first line: set up, and how the secret was handed over.
func (o outcome) headline() string {
	switch o.Hand.State {
	case handDeleted:
		return "⚠ Set up, but the access key was deleted: the platform has no key yet."
	case handLeft, handPending:
		return "⚠ Set up, but the secret was neither copied nor saved: it is lost."
	case handUnconfirmed:
		return "⚠ Set up, but nobody confirmed the copied secret arrived."
	case handSaved, handConfirmed, handOwn, handKept:
		if o.ProofEmpty {
			return "⚠ Set up; the proof found nothing to download yet."
		}
	}
	return "✓ The platform's S3 access is set up."
}

// secretLine says where the secret is, in one sentence; empty when there
// is none to hand over.
func (o outcome) secretLine() string {
	if o.Spec.Role() {
		return "No secret: only account " + o.Spec.TrustedAccount + " may assume the role, and only with the external id."
	}
	u := o.Spec.UserName
	newKey := "`aws iam create-access-key --user-name " + u + "`"
	switch o.Hand.State {
	case handSaved:
		if o.Hand.Sealed {
			return "Secret access key: in " + o.Hand.CSVPath + ", encrypted with age for the platform's key (send the file as it is; no plain-text copy was written)."
		}
		return "Secret access key: in " + o.Hand.CSVPath + " (the AWS console's CSV layout, readable only by you)."
	case handConfirmed:
		return "Secret access key: the one you copied and confirmed pasting."
	case handOwn:
		return "Secret access key: you said you have it; it was neither copied nor saved here."
	case handKept:
		return "Secret access key: handed over by the earlier run that made " + o.KeyID + "."
	case handUnconfirmed:
		return "Secret access key: sent to " + o.Hand.CopiedVia + ", never confirmed pasted. If the platform does not have it, make a new key: " + newKey + "."
	case handDeleted:
		return "The key was deleted before its secret was saved. Make a new one: " + newKey + ", or run s3link again with the same answers."
	}
	return "Its secret cannot be shown again. Make a new key: " + newKey + ", then delete " + o.KeyID + ": `aws iam delete-access-key --user-name " + u + " --access-key-id " + o.KeyID + "`."
}

func (o outcome) prefix() string {
	if o.Spec.Prefix == "" {
		return "(the bucket root)"
	}
	return o.Spec.Prefix
}

func (o outcome) bucketNote() string {
	switch {
	case o.Spec.ExistingBucket:
		return "existing"
	case o.Plan.Bucket.Decision == setup.Reuse:
		return "made by this setup earlier"
	}
	return "created"
}

func (o outcome) policyNote() string {
	switch o.Plan.Policy.Decision {
	case setup.Reuse:
		return "reused"
	case setup.Change:
		return "new version " + o.State.Policy.VersionID
	}
	return "created"
}

func (o outcome) policyARN() string {
	if o.State.Policy.ARN != "" {
		return o.State.Policy.ARN
	}
	return o.Plan.Policy.ARN
}

// keyNote is the key id as the lists show it, with its state.
func (o outcome) keyNote() string {
	switch o.Hand.State {
	case handDeleted:
		return o.KeyID + " (deleted)"
	case handLeft, handPending:
		return o.KeyID + " (its secret is lost)"
	case handUnconfirmed:
		return o.KeyID + " (secret copied, not confirmed)"
	}
	return o.KeyID
}

// created lists label/value pairs of what exists now.
func (o outcome) created() [][2]string {
	rows := [][2]string{
		{"Bucket", fmt.Sprintf("%s (%s)", o.Spec.Bucket, o.bucketNote())},
		{"Prefix", o.prefix()},
		{"Region", o.Spec.Region},
		{"Policy", fmt.Sprintf("%s (%s)", o.policyARN(), o.policyNote())},
	}
	if o.Spec.Role() {
		rows = append(rows, [2]string{"Role", fmt.Sprintf("%s (%s)", o.Plan.RoleARN(o.State), pickStr(o.Plan.Role.Decision == setup.Reuse, "reused", "created"))},
			[2]string{"Trusts", "account " + o.Spec.TrustedAccount + ", with the external id"})
	} else {
		rows = append(rows, [2]string{"User", fmt.Sprintf("%s (%s)", o.Spec.UserName, pickStr(o.Plan.User.Decision == setup.Reuse, "reused", "created"))},
			[2]string{"Key id", o.keyNote()})
	}
	if o.RecordPath != "" {
		rows = append(rows, [2]string{"Record", o.RecordPath})
	}
	return rows
}

// syncLater is the exact command that runs the proof with the new key.
func (o outcome) syncLater() string {
	csv := o.Hand.CSVPath
	if csv == "" || o.Hand.Sealed {
		csv = "KEY.csv"
	}
	return "s3link sync --csv " + shellWord(csv) + " " + setup.Location(o.Spec.Bucket, o.Spec.Prefix) + " " + shellWord(defaultDest(o.Spec.Bucket, o.Spec.Prefix))
}

// transfers lists label/value pairs of the upload and the proof download.
func (o outcome) transfers() [][2]string {
	var rows [][2]string
	if o.Uploaded != "" {
		rows = append(rows, [2]string{"Uploaded", o.Uploaded})
	}
	switch {
	case o.Downloaded == "":
	case o.ProofEmpty:
		rows = append(rows, [2]string{"Proof", "⚠ " + o.Downloaded})
	case o.Downloaded == "skipped" && (o.Hand.State == handSaved || o.Hand.State == handConfirmed || o.Hand.State == handOwn || o.Hand.State == handUnconfirmed):
		later := "skipped; to run it later: " + o.syncLater()
		if o.Hand.CSVPath == "" || o.Hand.Sealed {
			later += " (KEY.csv: a CSV with the new key, header `Access key ID,Secret access key`)"
		}
		rows = append(rows, [2]string{"Proof", later})
	case o.Downloaded == "skipped":
		rows = append(rows, [2]string{"Proof", "skipped"})
	default:
		rows = append(rows, [2]string{"Proof", "downloaded " + o.Downloaded})
	}
	return rows
}

// paste is what the platform's form asks for. The secret is not here: it
// went to the clipboard or the CSV. A deleted key, or one whose secret is
// lost, is not offered.
func (o outcome) paste() [][2]string {
	if o.Spec.Role() {
		return [][2]string{
			{"Bucket", o.Spec.Bucket},
			{"Prefix", o.Spec.Prefix},
			{"Region", o.Spec.Region},
			{"Role ARN", o.Plan.RoleARN(o.State)},
			{"Ext. id", o.Plan.ExternalID},
		}
	}
	id := o.KeyID
	switch o.Hand.State {
	case handDeleted:
		id = "none: the key was deleted; make one with `aws iam create-access-key --user-name " + o.Spec.UserName + "`"
	case handLeft, handPending:
		id = "none: " + o.KeyID + " has no secret anywhere; make a new key"
	}
	return [][2]string{
		{"Bucket", o.Spec.Bucket},
		{"Prefix", o.Spec.Prefix},
		{"Region", o.Spec.Region},
		{"Key id", id},
	}
}

func pickStr(c bool, yes, no string) string {
	if c {
		return yes
	}
	return no
}

// commandsLine says where the AWS CLI equivalents are.
func (o outcome) commandsLine() string {
	switch {
	case o.Commands != "":
		files := setup.PolicyFile
		if o.Plan.BoundaryDocument != "" {
			files += ", " + setup.BoundaryFile
		}
		if o.Plan.TrustDocument != "" && o.Plan.Role.Decision == setup.Create {
			files += ", " + setup.TrustFile
		}
		return "Written with " + files + " to " + shellWord(o.Commands) + "/" + setup.ScriptFile + " (run it with bash; the commands below read " + setup.PolicyFile + " from that folder)."
	case o.CommandsErr != "":
		return "Not written to a folder: " + o.CommandsErr
	}
	return ""
}

// Text renders the outcome without styles, for the terminal after the
// program exits. Lines are wrapped at spaces only, never inside a word.
func (o outcome) Text() string {
	var b strings.Builder
	const w = 80
	b.WriteString(strings.Join(softWrap("s3link: "+strings.TrimSpace(strings.TrimLeft(o.headline(), "✓⚠")), w, ""), "\n") + "\n\n")
	row := func(r [2]string) {
		ls := hang(r[1], w, 11)
		ls[0] = fmt.Sprintf("  %-8s %s", r[0], ls[0])
		b.WriteString(strings.Join(ls, "\n") + "\n")
	}
	for _, r := range o.created() {
		row(r)
	}
	if t := o.transfers(); len(t) > 0 {
		b.WriteString("\n")
		for _, r := range t {
			row(r)
		}
	}
	b.WriteString("\nPaste into the platform:\n")
	for _, r := range o.paste() {
		row(r)
	}
	b.WriteString(strings.Join(softWrap("  "+o.secretLine(), w, "  "), "\n") + "\n")
	if l := o.commandsLine(); l != "" {
		b.WriteString("\nThe same with the AWS CLI:\n" + strings.Join(softWrap("  "+l, w, "  "), "\n") + "\n")
	}
	switch {
	case o.Sandbox:
		b.WriteString("\nThis was the sandbox: everything above lived in the local emulator and is gone now.\n")
	case o.RecordPath != "":
		b.WriteString("\nTo remove all of this later: s3link teardown\n")
	}
	return b.String()
}

// doneScreen is the last screen: what was made, what to paste into the
// platform, and the AWS CLI commands that would have done the same. It
// wraps at spaces only, so every word, path, ARN and flag copies whole; a
// token wider than the screen runs past its edge (← → scroll sideways).
type doneScreen struct {
	c      *Common
	keymap doneKeys
	vp     viewport.Model
	o      outcome
	base   string
}

// Sideways scrolling on the done screen, for commands wider than it.
var (
	doneLeft  = key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "scroll left"))
	doneRight = key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "scroll right"))
)

// newDoneScreen builds the screen; base is the folder the commands folder
// is made in ("" is the current directory).
func newDoneScreen(c *Common, o outcome, base string) doneScreen {
	s := doneScreen{c: c, keymap: newDoneKeys(c.Keys), vp: viewport.New(), o: o, base: base}
	s.vp.SoftWrap = false
	s.vp.SetHorizontalStep(20)
	k := s.keymap
	s.vp.KeyMap = viewport.KeyMap{Up: k.Up, Down: k.Down, PageUp: k.PageUp, PageDown: k.PageDown, Left: k.Left, Right: k.Right}
	s.layout()
	return s
}

// init writes the AWS CLI equivalents, when the plan made any call.
func (s doneScreen) init() tea.Cmd {
	if len(s.o.Plan.Actions) == 0 {
		return nil
	}
	return writeCommandsCmd(s.base, s.o.Plan)
}

func (s *doneScreen) layout() {
	s.vp.SetWidth(s.c.Width)
	s.vp.SetHeight(max(s.c.Height, 3))
	s.vp.SetContent(s.content())
}

// Update handles one message and never blocks: I/O goes out as Cmds.
func (s doneScreen) Update(msg tea.Msg) (doneScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg, stylesChangedMsg:
		s.layout()
		return s, nil
	case commandsWrittenMsg:
		s.o.Commands = msg.Dir
		if msg.Err != nil {
			s.o.Commands, s.o.CommandsErr = "", oneLine(msg.Err.Error())
		}
		s.layout()
		return s, nil
	case tea.KeyPressMsg:
		k := s.keymap
		if key.Matches(msg, k.Next, k.Stop) {
			return s, goQuit
		}
		var cmd tea.Cmd
		s.vp, cmd = s.vp.Update(msg)
		return s, cmd
	}
	return s, nil
}

func (s doneScreen) help() helpKeys {
	k := s.keymap
	return helpKeys{
		short: []key.Binding{withHelp(k.Next, "finish"), withHelp(k.Down, "scroll"), k.PageDown, k.Help},
		full:  [][]key.Binding{{withHelp(k.Next, "finish")}, {withHelp(k.Up, "scroll up"), withHelp(k.Down, "scroll down"), withHelp(k.PageUp, "page up"), withHelp(k.PageDown, "page down")}, {withHelp(k.Left, "scroll left"), withHelp(k.Right, "scroll right")}, {k.Quit}},
	}
}

func (s doneScreen) content() string {
	st := s.c.Styles
	w := s.c.Width
	var parts []string
	add := func(style func(...string) string, ls []string) {
		for _, l := range ls {
			parts = append(parts, style(l))
		}
	}
	plain := func(s ...string) string { return strings.Join(s, " ") }
	head := st.OK.Render
	if s.o.warned() {
		head = st.Warn.Render
	}
	add(head, softWrap(s.o.headline(), w, "  "))
	parts = append(parts, "", st.Bold.Render("What exists now"))
	// Rows: "  Label      value", continuation lines under the value.
	rows := func(rs [][2]string, indent string) {
		for _, r := range rs {
			for i, l := range hang(r[1], w, len(indent)+11) {
				if i == 0 {
					parts = append(parts, indent+field(st, r[0], l))
				} else {
					parts = append(parts, l)
				}
			}
		}
	}
	rows(s.o.created(), "  ")
	if t := s.o.transfers(); len(t) > 0 {
		parts = append(parts, "", st.Bold.Render(pickStr(s.o.Uploaded != "", "Upload and proof download", "Proof download")))
		rows(t, "  ")
	}
	parts = append(parts, "", st.Bold.Render("Paste into the platform"))
	var box []string
	for _, r := range s.o.paste() {
		v := r[1]
		if v == "" && r[0] == "Prefix" {
			v = "(empty: the whole bucket)"
		}
		// The box's border and padding take 4 columns.
		for i, l := range softWrap(v, max(w-4-11, 20), "") {
			if i == 0 {
				box = append(box, field(st, r[0], st.Value.Render(l)))
			} else {
				box = append(box, strings.Repeat(" ", 11)+st.Value.Render(l))
			}
		}
	}
	parts = append(parts, st.Box.Render(strings.Join(box, "\n")))
	add(st.Muted.Render, softWrap(s.o.secretLine(), w, ""))
	parts = append(parts, "", st.Bold.Render("The same with the AWS CLI"))
	if l := s.o.commandsLine(); l != "" {
		add(plain, softWrap(l, w, ""))
	}
	for _, a := range s.o.Plan.Actions {
		add(st.Muted.Render, softWrap("# "+a.Title, w, "# "))
		add(plain, wrapCommand(a.Command, w))
	}
	return strings.Join(parts, "\n")
}

// View draws the screen as text; the root adds the frame.
func (s doneScreen) View() string { return s.vp.View() }

// hang wraps a value that starts at column at: the first line is the bare
// value, later lines are indented to the same column.
func hang(value string, width, at int) []string {
	ls := softWrap(value, max(width-at, 20), "")
	for i := 1; i < len(ls); i++ {
		ls[i] = strings.Repeat(" ", at) + ls[i]
	}
	return ls
}

// softWrap breaks s into lines of at most width columns, at spaces only:
// a word, path, ARN or flag is never split. A word wider than width gets a
// line of its own and runs past the edge. A command in backticks is kept
// on one line, like a word. Lines after the first start with indent.
func softWrap(s string, width int, indent string) []string {
	lead := s[:len(s)-len(strings.TrimLeft(s, " "))]
	words := proseWords(s)
	if len(words) == 0 || width <= 0 {
		return []string{s}
	}
	var out []string
	line := lead + words[0]
	for _, w := range words[1:] {
		if ansi.StringWidth(line)+1+ansi.StringWidth(w) <= width {
			line += " " + w
			continue
		}
		out = append(out, line)
		line = indent + w
	}
	return append(out, line)
}

// proseWords splits s at spaces, except inside `backticks`.
func proseWords(s string) []string {
	var words []string
	var cur strings.Builder
	code := false
	for _, r := range s {
		switch {
		case r == '`':
			code = !code
			cur.WriteRune(r)
		case r == ' ' && !code:
			if cur.Len() > 0 {
				words = append(words, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		words = append(words, cur.String())
	}
	return words
}

// shellWords splits a command into its shell words, keeping quoted spaces
// inside their word. It knows the quoting setup's commands use: single
// and double quotes, no escapes outside them.
func shellWords(cmd string) []string {
	var words []string
	var cur strings.Builder
	var quote rune
	for _, r := range cmd {
		switch {
		case quote != 0:
			cur.WriteRune(r)
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
			cur.WriteRune(r)
		case r == ' ':
			if cur.Len() > 0 {
				words = append(words, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		words = append(words, cur.String())
	}
	return words
}

// wrapCommand lays a shell command out in lines of at most width columns,
// breaking only between shell words and ending each broken line with " \",
// so the lines pasted into a shell are still the one command.
func wrapCommand(cmd string, width int) []string {
	words := shellWords(cmd)
	if len(words) == 0 {
		return nil
	}
	const indent = "    "
	var out []string
	line := words[0]
	for _, w := range words[1:] {
		// Room for " \" after the word, unless it ends the command.
		if ansi.StringWidth(line)+1+ansi.StringWidth(w)+2 <= width {
			line += " " + w
			continue
		}
		out = append(out, line+" \\")
		line = indent + w
	}
	return append(out, line)
}

// report adds the folder of AWS CLI commands, once written.
func (s doneScreen) report(o *outcome) {
	o.Commands, o.CommandsErr = s.o.Commands, s.o.CommandsErr
}
