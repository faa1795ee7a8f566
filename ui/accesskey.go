package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/awsops/setup/keyfile"
	"github.com/s3link/s3link/steps"
)

type keyPhase int

const (
	keyShowing keyPhase = iota
	keySaving
	keyGuard
	keyDeleting
	// keyRecipient asks whom to encrypt the key file for (age).
	keyRecipient
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
	c      *Common
	keymap keyKeys
	ops    setup.KeyDeleter
	spin   spinner.Model
	clip   func(string) error

	spec setup.Spec
	st   setup.State
	j    setup.Journal
	// kept is the earlier run's key the plan kept; no new key was made.
	kept string

	phase    keyPhase
	revealed bool
	// copied is set once the secret went to a clipboard; copiedVia says
	// which ones, in words. confirmed is the person's y: they pasted it.
	copied    bool
	copiedVia string
	confirmed bool
	saved     string
	deleted   bool
	left      bool
	// own is the knowing choice to leave: the person says they have the
	// secret by other means.
	own    bool
	intent leaveIntent
	path   textinput.Model
	// recipient is the age public key (or recipients file) typed for an
	// encrypted key file; encryptTo is the one the save in progress uses,
	// and sealed is true once the saved file is encrypted.
	recipient textinput.Model
	encryptTo string
	sealed    bool
	status    string
	failed    bool
	record    recordResult
}

func newKeyScreen(c *Common, ops setup.KeyDeleter, clip func(string) error, spec setup.Spec, st setup.State, j setup.Journal, kept string) keyScreen {
	s := keyScreen{
		c:      c,
		keymap: newKeyKeys(c.Keys),
		ops:    ops,
		spin:   spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(c.Styles.Spinner)),
		clip:   clip,
		spec:   spec,
		st:     st,
		j:      j,
		kept:   kept,
		path:   newInput(c, "Save to  ", ""),
		// A prompt as wide as "Save to  ", so the two inputs line up.
		recipient: newInput(c, "For      ", "age1... or a recipients file"),
	}
	// An age public key is 62 characters: show it whole where it fits.
	s.recipient.SetWidth(max(min(c.Width-len("For      ")-2, 66), 10))
	s.path.SetValue(defaultCSVPath(spec.UserName))
	return s
}

// defaultCSVPath is the file name the AWS console gives the same download.
func defaultCSVPath(user string) string { return "./" + user + "_accessKeys.csv" }

// guardHaveIt is the guard's knowing choice: leave without the secret
// here, because the person has it by other means.
var guardHaveIt = key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "I already have it"))

// keyEncrypt saves the key file encrypted for the platform's age key.
var keyEncrypt = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "save encrypted (age)"))

// secured reports whether leaving needs no guard: the secret was saved or
// confirmed pasted, the key deleted, or the user chose to leave anyway.
// A copy alone is not enough: OSC 52 cannot be confirmed.
func (s keyScreen) secured() bool {
	return s.saved != "" || s.confirmed || s.deleted || s.left || s.own || s.st.Key.ID == ""
}

// handOver is the state the secret's hand-over is in now.
func (s keyScreen) handOver() handOver {
	switch {
	case s.deleted:
		return handDeleted
	case s.st.Key.ID == "":
		return handKept
	case s.saved != "":
		return handSaved
	case s.copied && s.confirmed:
		return handConfirmed
	case s.own:
		return handOwn
	case s.copied:
		return handUnconfirmed
	case s.left:
		return handLeft
	}
	return handPending
}

// CSV paths may contain "?" while the path is being typed.
func (s keyScreen) acceptsQuestionMark() bool { return s.phase == keySaving || s.phase == keyRecipient }

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
		s.recipient.SetStyles(s.c.Styles.Input)
		return s, nil
	case clipboardCopiedMsg:
		s.failed = false
		s.status = copyStatus(msg)
		if msg.What == "secret" {
			s.copied, s.confirmed = true, false
			s.copiedVia = pickStr(msg.NativeErr == nil, "the native clipboard and OSC 52", "OSC 52 only (no native clipboard)")
		}
		return s, nil
	case csvSavedMsg:
		s.phase = keyShowing
		s.path.Blur()
		s.encryptTo = ""
		if msg.Err != nil {
			s.failed = true
			s.status = oneLine(msg.Err.Error())
			return s, nil
		}
		s.saved, s.failed, s.sealed = msg.Path, false, msg.Encrypted
		s.status = "Saved the key to " + msg.Path + " (readable only by you). Keep it somewhere safe, or delete it once the platform has it."
		if msg.Encrypted {
			s.status = "Saved the key to " + msg.Path + ", encrypted with age for the platform's key; no plain-text copy was written. Send the file as it is."
		}
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
	k := s.keymap
	switch s.phase {
	case keyDeleting:
		return s, nil
	case keyGuard:
		switch {
		case key.Matches(msg, k.Guard.Back):
			s.phase, s.failed, s.status = keyShowing, false, ""
		case key.Matches(msg, k.Guard.Delete):
			s.phase = keyDeleting
			return s, tea.Batch(s.spin.Tick, deleteKeyCmd(s.c.Ctx, s.ops, s.j, s.spec.UserName, s.st.Key.ID))
		case key.Matches(msg, k.Guard.Pasted) && s.copied:
			s.confirmed = true
			return s, s.leave()
		case key.Matches(msg, k.Guard.HaveIt):
			s.own = true
			return s, s.leave()
		case key.Matches(msg, k.Guard.Leave):
			s.left = true
			return s, s.leave()
		}
		return s, nil
	case keyRecipient:
		switch {
		case key.Matches(msg, k.Back):
			s.phase = keyShowing
			s.recipient.Blur()
			return s, nil
		case key.Matches(msg, k.Next):
			r := strings.TrimSpace(s.recipient.Value())
			if r == "" {
				return s, nil
			}
			// A typed public key is checked here, so a mistake is fixed in
			// the field it was made in (a recipients file is read when the
			// key is saved, off the update loop).
			if strings.HasPrefix(r, "age1") {
				if _, err := keyfile.ParseRecipients(r); err != nil {
					s.failed, s.status = true, oneLine(err.Error())
					return s, nil
				}
			}
			s.failed, s.status = false, ""
			s.encryptTo, s.phase = r, keySaving
			s.recipient.Blur()
			if p := strings.TrimSpace(s.path.Value()); !strings.HasSuffix(p, ".age") {
				s.path.SetValue(p + ".age")
			}
			s.path.CursorEnd()
			return s, s.path.Focus()
		}
		var cmd tea.Cmd
		s.recipient, cmd = s.recipient.Update(msg)
		return s, cmd
	case keySaving:
		switch {
		case key.Matches(msg, k.Back):
			s.phase, s.encryptTo = keyShowing, ""
			s.path.Blur()
			return s, nil
		case key.Matches(msg, k.Next):
			p := strings.TrimSpace(s.path.Value())
			if p == "" {
				return s, nil
			}
			if s.encryptTo != "" {
				return s, saveEncryptedCSVCmd(p, s.encryptTo, s.st.Key)
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
	case key.Matches(msg, k.Pasted) && s.copied && !s.confirmed:
		s.confirmed, s.failed = true, false
		s.status = ""
		return s, nil
	case key.Matches(msg, k.Save):
		s.phase, s.encryptTo = keySaving, ""
		s.status = ""
		s.path.SetValue(strings.TrimSuffix(s.path.Value(), ".age"))
		s.path.CursorEnd()
		return s, s.path.Focus()
	case key.Matches(msg, k.Encrypt):
		s.phase = keyRecipient
		s.status = ""
		s.recipient.CursorEnd()
		return s, s.recipient.Focus()
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

// handOverInfo is the state with what later screens name.
func (s keyScreen) handOverInfo() keyHandOver {
	return keyHandOver{State: s.handOver(), CSVPath: s.saved, CopiedVia: s.copiedVia, Sealed: s.sealed}
}

// leave finishes what the guard interrupted.
func (s keyScreen) leave() tea.Cmd {
	if s.intent == leaveQuit {
		return goQuit
	}
	return goNext
}

// copyStatus says which clipboards a copy reached. OSC 52 goes to the
// terminal, which never answers, so it is never reported as done.
func copyStatus(msg clipboardCopiedMsg) string {
	if msg.What == "secret" {
		if msg.NativeErr == nil {
			return "Native clipboard: ✓ secret copied. OSC 52: sent to the terminal, which cannot be confirmed. Paste it where it belongs, then press y."
		}
		return "Native clipboard: ✗ none here (" + oneLine(msg.NativeErr.Error()) + "). OSC 52: sent to the terminal, which cannot be confirmed; some (tmux by default) ignore it. Paste it somewhere to check, then press y, or press w to save a CSV."
	}
	if msg.NativeErr == nil {
		return "Native clipboard: ✓ " + msg.What + " copied. OSC 52: sent to the terminal, which cannot be confirmed."
	}
	return "Native clipboard: ✗ none here. OSC 52: " + msg.What + " sent to the terminal, which cannot be confirmed."
}

func (s keyScreen) help() helpKeys {
	k := s.keymap
	switch s.phase {
	case keyGuard:
		if s.copied {
			return helpKeys{short: []key.Binding{k.Guard.Back, withHelp(k.Guard.Pasted, "I pasted it"), k.Guard.HaveIt, k.Guard.Delete, k.Guard.Leave}}
		}
		return helpKeys{short: []key.Binding{k.Guard.Back, k.Guard.HaveIt, k.Guard.Delete, k.Guard.Leave}}
	case keySaving:
		return helpKeys{short: []key.Binding{withHelp(k.Next, "save"), withHelp(k.Back, "cancel"), withHelp(k.Help, "more keys (f1)")}}
	case keyRecipient:
		return helpKeys{short: []key.Binding{withHelp(k.Next, "next: where to save"), withHelp(k.Back, "cancel"), withHelp(k.Help, "more keys (f1)")}}
	case keyDeleting:
		return helpKeys{}
	}
	if s.copied && !s.confirmed && s.saved == "" {
		return helpKeys{
			short: []key.Binding{withHelp(k.Pasted, "I pasted it"), k.CopySecret, k.Save, withHelp(k.Next, "done"), k.Help},
			full:  [][]key.Binding{{k.Reveal, k.CopySecret, k.CopyID, k.Save, k.Encrypt}, {withHelp(k.Pasted, "I pasted it"), withHelp(k.Next, "done"), k.Quit, k.Help}},
		}
	}
	return helpKeys{
		short: []key.Binding{k.Reveal, k.CopySecret, k.CopyID, k.Save, withHelp(k.Next, "done"), k.Help},
		full:  [][]key.Binding{{k.Reveal, k.CopySecret, k.CopyID, k.Save, k.Encrypt}, {withHelp(k.Next, "done"), k.Quit, k.Help}},
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
	case keyRecipient:
		parts = append(parts, s.recipient.View(), st.Muted.Render(wrap("The key file is encrypted with age for this public key (age1..., from the platform) or for every key in a recipients file, so the secret never rests in plain text; only the platform can open it.", w)))
	case keySaving:
		if s.encryptTo != "" {
			parts = append(parts, s.path.View(), st.Muted.Render(wrap("Encrypted for "+shortRecipient(s.encryptTo)+"; inside, the CSV uses the AWS console's layout. No plain-text copy is written, and an existing file is never overwritten.", w)))
			break
		}
		parts = append(parts, s.path.View(), st.Muted.Render(wrap("The CSV uses the AWS console's layout; an existing file is never overwritten.", w)))
	case keyGuard:
		warn := "⚠ The secret has not been copied or saved. AWS can never show it again: once you leave, the only fix is a new key."
		if s.copied {
			warn = "⚠ The secret was sent to " + s.copiedVia + ", but you have not confirmed pasting it, and s3link cannot check a terminal's clipboard. AWS can never show it again."
		}
		parts = append(parts, st.Warn.Render(wrap(warn, w)), "", "  b  go back and copy or save it")
		if s.copied {
			parts = append(parts, "  y  I pasted it: continue")
		}
		parts = append(parts,
			"  h  I already have the secret: leave without it here",
			"  d  delete the unsaved key, then continue",
			"  l  leave anyway (the key stays in AWS without its secret; ends with a warning)")
	case keyDeleting:
		parts = append(parts, s.spin.View()+" Deleting the unsaved key…")
	default:
		switch {
		case s.saved != "":
			parts = append(parts, st.OK.Render(wrap("✓ Secret saved to "+s.saved+". Press enter to continue.", w)))
		case s.confirmed:
			parts = append(parts, st.OK.Render(wrap("✓ Secret copied and pasted (you confirmed). Press enter to continue.", w)))
		case s.copied:
			parts = append(parts, st.Warn.Render(wrap("⚠ Secret sent to "+s.copiedVia+", not confirmed: press y once you have pasted it.", w)))
		default:
			parts = append(parts, st.Muted.Render(wrap("s shows the secret · c copies it · w saves a CSV · e saves it encrypted (age)", w)))
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

// shortRecipient shortens an age public key for the screen: its start and
// end are what a person compares.
func shortRecipient(r string) string {
	if strings.HasPrefix(r, "age1") && len(r) > 24 {
		return r[:12] + "…" + r[len(r)-8:]
	}
	return r
}

// interrupt is the ctrl+c guard (guardQuit).
func (s *keyScreen) interrupt() bool { return s.guardQuit() }

// answerTo says whether the secret is safe and the key still usable, and
// hands the key to the proof download.
func (s keyScreen) answerTo(w *wizard, _ steps.Step) (answered, bool) {
	w.key = s.st.Key
	return answered{result: steps.Result{KeySecured: s.secured(), KeyUsable: !s.deleted && s.st.Key.ID != ""}}, true
}

// report adds how the secret was handed over.
func (s keyScreen) report(o *outcome) { o.Hand = s.handOverInfo() }
