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
)

type keyPhase int

const (
	keyShowing keyPhase = iota
	keySaving
	keyGuard
	keyDeleting
)

// leaveIntent is what the user was doing when the guard stopped them, so
// that "leave anyway" finishes it.
type leaveIntent int

const (
	leaveNext leaveIntent = iota
	leaveQuit
)

// keyScreen hands over the new access key: the id, and the secret masked
// until asked for, with copy and save. Leaving before the secret is copied
// or saved asks first.
type keyScreen struct {
	c    *Common
	ops  Ops
	spin spinner.Model
	clip func(string) error

	spec setup.Spec
	st   setup.State
	j    setup.Journal
	// kept is the earlier run's key the plan kept; no new key was made.
	kept string

	phase    keyPhase
	revealed bool
	copied   bool
	saved    string
	deleted  bool
	left     bool
	intent   leaveIntent
	path     textinput.Model
	status   string
	failed   bool
	record   recordResult
}

func newKeyScreen(c *Common, ops Ops, clip func(string) error, spec setup.Spec, st setup.State, j setup.Journal, kept string) keyScreen {
	s := keyScreen{
		c:    c,
		ops:  ops,
		spin: spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(c.Styles.Spinner)),
		clip: clip,
		spec: spec,
		st:   st,
		j:    j,
		kept: kept,
		path: newInput(c, "Save to  ", ""),
	}
	s.path.SetValue(defaultCSVPath(spec.UserName))
	return s
}

// defaultCSVPath is the file name the AWS console gives the same download.
func defaultCSVPath(user string) string { return "./" + user + "_accessKeys.csv" }

// secured reports whether leaving loses nothing: the secret was copied or
// saved, the key deleted, or the user chose to leave anyway.
func (s keyScreen) secured() bool {
	return s.copied || s.saved != "" || s.deleted || s.left || s.st.Key.ID == ""
}

// CSV paths may contain "?" while the path is being typed.
func (s keyScreen) acceptsQuestionMark() bool { return s.phase == keySaving }

// guardQuit is the ctrl+c guard: it returns true when quitting must wait,
// because the secret would be lost or the key is being deleted.
func (s *keyScreen) guardQuit() bool {
	switch {
	case s.phase == keyDeleting:
		return true
	case s.secured():
		return false
	}
	s.phase, s.intent = keyGuard, leaveQuit
	s.path.Blur()
	return true
}

// Update handles one message and never blocks: I/O goes out as Cmds.
func (s keyScreen) Update(msg tea.Msg) (keyScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if s.phase != keyDeleting {
			return s, nil
		}
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg)
		return s, cmd
	case stylesChangedMsg:
		s.path.SetStyles(s.c.Styles.Input)
		return s, nil
	case clipboardCopiedMsg:
		if msg.What == "secret" {
			s.copied = true
		}
		s.failed = false
		if msg.NativeErr == nil {
			s.status = fmt.Sprintf("Copied the %s to the clipboard (and sent it to the terminal with OSC 52).", msg.What)
		} else {
			s.status = fmt.Sprintf("Sent the %s to the terminal's clipboard with OSC 52 only: there is no native clipboard here, and some terminals ignore OSC 52, so paste it somewhere to check.", msg.What)
		}
		return s, nil
	case csvSavedMsg:
		s.phase = keyShowing
		s.path.Blur()
		if msg.Err != nil {
			s.failed = true
			s.status = oneLine(msg.Err.Error())
			return s, nil
		}
		s.saved, s.failed = msg.Path, false
		s.status = "Saved the key to " + msg.Path + " (readable only by you). Keep it somewhere safe, or delete it once the platform has it."
		return s, nil
	case keyDeletedMsg:
		if msg.Err != nil {
			s.phase, s.failed = keyGuard, true
			sentence, _ := explain(msg.Err, "")
			s.status = "Could not delete the key: " + sentence
			return s, nil
		}
		s.deleted, s.record = true, msg.Record
		s.st.Key = awsops.AccessKey{}
		if s.intent == leaveQuit {
			return s, goQuit
		}
		return s, goNext
	case tea.KeyPressMsg:
		return s.updateKey(msg)
	}
	return s, nil
}

func (s keyScreen) updateKey(msg tea.KeyPressMsg) (keyScreen, tea.Cmd) {
	k := s.c.Keys
	switch s.phase {
	case keyDeleting:
		return s, nil
	case keyGuard:
		switch {
		case key.Matches(msg, k.GuardBack):
			s.phase, s.failed, s.status = keyShowing, false, ""
		case key.Matches(msg, k.GuardDelete):
			s.phase = keyDeleting
			return s, tea.Batch(s.spin.Tick, deleteKeyCmd(s.c.Ctx, s.ops, s.j, s.spec.UserName, s.st.Key.ID))
		case key.Matches(msg, k.GuardLeave):
			s.left = true
			if s.intent == leaveQuit {
				return s, goQuit
			}
			return s, goNext
		}
		return s, nil
	case keySaving:
		switch {
		case key.Matches(msg, k.Back):
			s.phase = keyShowing
			s.path.Blur()
			return s, nil
		case key.Matches(msg, k.Next):
			p := strings.TrimSpace(s.path.Value())
			if p == "" {
				return s, nil
			}
			return s, saveCSVCmd(p, s.st.Key)
		}
		var cmd tea.Cmd
		s.path, cmd = s.path.Update(msg)
		return s, cmd
	}
	switch {
	case key.Matches(msg, k.Reveal):
		s.revealed = !s.revealed
	case key.Matches(msg, k.CopySecret):
		return s, copyCmd(s.clip, "secret", s.st.Key.Secret.Reveal())
	case key.Matches(msg, k.CopyID):
		return s, copyCmd(s.clip, "key id", s.st.Key.ID)
	case key.Matches(msg, k.Save):
		s.phase = keySaving
		s.status = ""
		s.path.CursorEnd()
		return s, s.path.Focus()
	case key.Matches(msg, k.Next, k.Back):
		if s.secured() {
			if key.Matches(msg, k.Back) {
				s.status = "The key is created; there is no going back from here. Press enter to continue."
				return s, nil
			}
			return s, goNext
		}
		s.phase, s.intent = keyGuard, leaveNext
	}
	return s, nil
}

func (s keyScreen) help() helpKeys {
	k := s.c.Keys
	switch s.phase {
	case keyGuard:
		return helpKeys{short: []key.Binding{k.GuardBack, k.GuardDelete, k.GuardLeave}}
	case keySaving:
		return helpKeys{short: []key.Binding{withHelp(k.Next, "save"), withHelp(k.Back, "cancel"), withHelp(k.Help, "more keys (f1)")}}
	case keyDeleting:
		return helpKeys{}
	}
	return helpKeys{
		short: []key.Binding{k.Reveal, k.CopySecret, k.CopyID, k.Save, withHelp(k.Next, "done"), k.Help},
		full:  [][]key.Binding{{k.Reveal, k.CopySecret, k.CopyID, k.Save}, {withHelp(k.Next, "done"), k.Quit, k.Help}},
	}
}

// masked hides the secret but keeps its length visible, so a user can see
// there is something to copy.
func masked(n int) string { return strings.Repeat("•", n) }

// View draws the screen as text; the root adds the frame.
func (s keyScreen) View() string {
	st := s.c.Styles
	w := s.c.Width
	if s.st.Key.ID == "" {
		return lines(
			wrap("No new access key was made: the platform keeps using "+s.kept+", made by an earlier s3link run for "+s.spec.UserName+"; its secret was handed over then and cannot be shown again.", w),
			"",
			st.Muted.Render(wrap("To hand over a new key instead, go back to review and press n. Press enter to continue.", w)),
		)
	}
	secret := s.st.Key.Secret.Reveal()
	shown := masked(len(secret))
	if s.revealed {
		shown = st.Secret.Render(secret)
	}
	if s.deleted {
		shown = st.Muted.Render("(deleted)")
	}
	parts := []string{
		wrap("The platform's access key for "+s.spec.UserName+". AWS shows the secret exactly once: copy it or save it now.", w),
		"",
		field(st, "Key id", st.Value.Render(s.st.Key.ID)),
		field(st, "Secret", shown),
		"",
	}
	switch s.phase {
	case keySaving:
		parts = append(parts, s.path.View(), st.Muted.Render(wrap("The CSV uses the AWS console's layout; an existing file is never overwritten.", w)))
	case keyGuard:
		parts = append(parts,
			st.Warn.Render(wrap("⚠ The secret has not been copied or saved. AWS can never show it again: once you leave, the only fix is a new key.", w)),
			"",
			"  b  go back and copy or save it",
			"  d  delete the unsaved key, then continue",
			"  l  leave anyway (the key stays in AWS without its secret)")
	case keyDeleting:
		parts = append(parts, s.spin.View()+" Deleting the unsaved key…")
	default:
		done := []string{}
		if s.copied {
			done = append(done, "copied")
		}
		if s.saved != "" {
			done = append(done, "saved")
		}
		if len(done) > 0 {
			parts = append(parts, st.OK.Render("✓ Secret "+strings.Join(done, " and ")+". Press enter to continue."))
		} else {
			parts = append(parts, st.Muted.Render(wrap("s shows the secret · c copies it · w saves a CSV", w)))
		}
	}
	if s.status != "" {
		style := st.Muted
		if s.failed {
			style = st.Error
		}
		parts = append(parts, "", style.Render(wrap(s.status, w)))
	}
	return strings.Join(parts, "\n")
}
