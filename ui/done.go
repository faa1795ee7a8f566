package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup"
)

// outcome is what a finished run made, for the done screen and for the
// text printed after the program exits. It never holds the secret.
type outcome struct {
	Plan       *setup.Plan
	Spec       setup.Spec
	State      setup.State
	KeyID      string
	KeyDeleted bool
	RecordPath string
	// Uploaded and Downloaded say, in a line each, how the upload and the
	// proof download went; empty when they were not part of the run.
	Uploaded   string
	Downloaded string
	// Sandbox marks a run whose resources vanish with the emulator.
	Sandbox bool
}

func newOutcome(plan *setup.Plan, st setup.State, keyDeleted bool, recordPath string) outcome {
	if plan == nil {
		plan = &setup.Plan{}
	}
	o := outcome{Plan: plan, Spec: plan.Spec, State: st, KeyDeleted: keyDeleted, RecordPath: recordPath, KeyID: st.Key.ID}
	if o.KeyID == "" {
		o.KeyID = plan.ExistingKeyID
	}
	// The state's key holds the secret; the outcome keeps the id only.
	o.State.Key = awsops.AccessKey{}
	return o
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

// created lists label/value pairs of what exists now.
func (o outcome) created() [][2]string {
	rows := [][2]string{
		{"Bucket", fmt.Sprintf("%s (%s)", o.Spec.Bucket, o.bucketNote())},
		{"Prefix", o.prefix()},
		{"Region", o.Spec.Region},
		{"Policy", fmt.Sprintf("%s (%s)", o.policyARN(), o.policyNote())},
		{"User", fmt.Sprintf("%s (%s)", o.Spec.UserName, pickStr(o.Plan.User.Decision == setup.Reuse, "reused", "created"))},
	}
	if o.KeyDeleted {
		rows = append(rows, [2]string{"Key id", o.KeyID + " (deleted: create a new one with `aws iam create-access-key`)"})
	} else {
		rows = append(rows, [2]string{"Key id", o.KeyID})
	}
	if o.RecordPath != "" {
		rows = append(rows, [2]string{"Record", o.RecordPath})
	}
	return rows
}

// transfers lists label/value pairs of the upload and the proof download.
func (o outcome) transfers() [][2]string {
	var rows [][2]string
	if o.Uploaded != "" {
		rows = append(rows, [2]string{"Uploaded", o.Uploaded})
	}
	if o.Downloaded != "" {
		rows = append(rows, [2]string{"Proof", "downloaded " + o.Downloaded})
		if o.Downloaded == "skipped" {
			rows[len(rows)-1][1] = "skipped (run `s3link sync` with the new key to try it later)"
		}
	}
	return rows
}

// paste is what the platform's form asks for. The secret is not here: it
// went to the clipboard or the CSV.
func (o outcome) paste() [][2]string {
	return [][2]string{
		{"Bucket", o.Spec.Bucket},
		{"Prefix", o.Spec.Prefix},
		{"Region", o.Spec.Region},
		{"Key id", o.KeyID},
	}
}

func pickStr(c bool, yes, no string) string {
	if c {
		return yes
	}
	return no
}

// Text renders the outcome without styles, for the terminal after the
// program exits.
func (o outcome) Text() string {
	var b strings.Builder
	b.WriteString("s3link: the platform's S3 access is set up.\n\n")
	for _, r := range o.created() {
		fmt.Fprintf(&b, "  %-8s %s\n", r[0], r[1])
	}
	if t := o.transfers(); len(t) > 0 {
		b.WriteString("\n")
		for _, r := range t {
			fmt.Fprintf(&b, "  %-8s %s\n", r[0], r[1])
		}
	}
	b.WriteString("\nPaste into the platform:\n")
	for _, r := range o.paste() {
		fmt.Fprintf(&b, "  %-8s %s\n", r[0], r[1])
	}
	b.WriteString("  (the secret access key is the one you copied or saved; it is not shown again)\n")
	switch {
	case o.Sandbox:
		b.WriteString("\nThis was the sandbox: everything above lived in the local emulator and is gone now.\n")
	case o.RecordPath != "":
		b.WriteString("\nTo remove all of this later: s3link teardown\n")
	}
	return b.String()
}

// doneScreen is the last screen: what was made, what to paste into the
// platform, and the AWS CLI commands that would have done the same.
type doneScreen struct {
	c  *Common
	vp viewport.Model
	o  outcome
}

func newDoneScreen(c *Common, o outcome) doneScreen {
	s := doneScreen{c: c, vp: viewport.New(), o: o}
	s.vp.SoftWrap = true
	s.vp.KeyMap = viewport.KeyMap{Up: c.Keys.Up, Down: c.Keys.Down, PageUp: c.Keys.PageUp, PageDown: c.Keys.PageDown}
	s.layout()
	return s
}

func (s *doneScreen) layout() {
	s.vp.SetWidth(s.c.Width)
	s.vp.SetHeight(max(s.c.Height, 3))
	s.vp.SetContent(s.content())
}

func (s doneScreen) acceptsQuestionMark() bool { return false }

// Update handles one message and never blocks: I/O goes out as Cmds.
func (s doneScreen) Update(msg tea.Msg) (doneScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg, stylesChangedMsg:
		s.layout()
		return s, nil
	case tea.KeyPressMsg:
		k := s.c.Keys
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
	k := s.c.Keys
	return helpKeys{
		short: []key.Binding{withHelp(k.Next, "finish"), withHelp(k.Down, "scroll"), k.PageDown, k.Help},
		full:  [][]key.Binding{{withHelp(k.Next, "finish")}, {withHelp(k.Up, "scroll up"), withHelp(k.Down, "scroll down"), withHelp(k.PageUp, "page up"), withHelp(k.PageDown, "page down")}, {k.Quit}},
	}
}

func (s doneScreen) content() string {
	st := s.c.Styles
	var parts []string
	if s.o.KeyDeleted {
		parts = append(parts, st.Warn.Render("Set up, but the unsaved access key was deleted."))
	} else {
		parts = append(parts, st.OK.Render("✓ The platform's S3 access is set up."))
	}
	parts = append(parts, "", st.Bold.Render("What exists now"))
	for _, r := range s.o.created() {
		parts = append(parts, "  "+field(st, r[0], r[1]))
	}
	if t := s.o.transfers(); len(t) > 0 {
		parts = append(parts, "", st.Bold.Render(pickStr(s.o.Uploaded != "", "Upload and proof download", "Proof download")))
		for _, r := range t {
			parts = append(parts, "  "+field(st, r[0], r[1]))
		}
	}
	var box []string
	for _, r := range s.o.paste() {
		v := r[1]
		if v == "" && r[0] == "Prefix" {
			v = "(empty: the whole bucket)"
		}
		box = append(box, field(st, r[0], st.Value.Render(v)))
	}
	parts = append(parts, "", st.Bold.Render("Paste into the platform"), st.Box.Render(strings.Join(box, "\n")),
		st.Muted.Render("The secret access key is the one you copied or saved."))
	parts = append(parts, "", st.Bold.Render("The same with the AWS CLI"))
	for _, a := range s.o.Plan.Actions {
		parts = append(parts, st.Muted.Render("# "+a.Title), "$ "+a.Command)
	}
	return strings.Join(parts, "\n")
}

// View draws the screen as text; the root adds the frame.
func (s doneScreen) View() string { return s.vp.View() }
