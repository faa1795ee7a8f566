package ui

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/steps"
)

// DefaultUserName is the IAM user the platform's key belongs to.
const DefaultUserName = "crowdai-platform-access"

type userPhase int

const (
	userEditing userPhase = iota
	userLooking
	userExists
	userFull
	userLookupFailed
)

// userAnswer is what the user screen decided.
type userAnswer struct {
	Name        string
	Tags        map[string]string
	DeleteKeyID string
}

// userScreen asks for the IAM user's name and tags and, for an existing
// user at the two-key limit, whether to delete the oldest key.
type userScreen struct {
	c      *Common
	keymap userKeys
	ops    Ops
	spin   spinner.Model
	name   textinput.Model
	tags   textinput.Model
	focus  int

	nameErr error
	tagsErr error
	parsed  map[string]string

	phase   userPhase
	reqID   int
	keys    []awsops.KeyInfo
	oldest  awsops.KeyInfo
	lookErr error
	choice  choice
}

func newUserScreen(c *Common, ops Ops, pre Preset) userScreen {
	s := userScreen{
		c:      c,
		keymap: newUserKeys(c.Keys),
		ops:    ops,
		spin:   spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(c.Styles.Spinner)),
		name:   newInput(c, "User name  ", DefaultUserName),
		tags:   newInput(c, "Tags       ", "optional: team=media, owner=ops"),
	}
	name := pre.UserName
	if name == "" {
		name = DefaultUserName
	}
	s.name.SetValue(name)
	s.name.CharLimit = awsops.MaxUserNameLen + 16
	s.nameErr = awsops.ValidateUserName(name)
	if len(pre.Tags) > 0 {
		s.tags.SetValue(strings.Join(pre.Tags, ", "))
		s.parsed, s.tagsErr = awsops.ParseTags(pre.Tags)
	}
	return s
}

func (s *userScreen) enter() tea.Cmd {
	if s.focus == 1 {
		return s.tags.Focus()
	}
	return s.name.Focus()
}

// reset forgets the lookup, for Machine.Invalidates.
func (s *userScreen) reset() {
	s.phase, s.keys, s.lookErr = userEditing, nil, nil
}

func (s userScreen) userName() string { return strings.TrimSpace(s.name.Value()) }

func (s userScreen) answer() (userAnswer, bool) {
	a := userAnswer{Name: s.userName(), Tags: s.parsed}
	switch s.phase {
	case userEditing, userLooking, userLookupFailed:
		return a, s.phase == userEditing && s.keys != nil
	case userFull:
		if s.choice.cursor != 0 {
			return a, false
		}
		a.DeleteKeyID = s.oldest.ID
	}
	return a, true
}

// tagItems splits the tags field on commas: IAM tag text cannot hold one.
func tagItems(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Update handles one message and never blocks: I/O goes out as Cmds.
func (s userScreen) Update(msg tea.Msg) (userScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if s.phase != userLooking {
			return s, nil
		}
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg)
		return s, cmd
	case stylesChangedMsg:
		s.name.SetStyles(s.c.Styles.Input)
		s.tags.SetStyles(s.c.Styles.Input)
		return s, nil
	case accessKeysListedMsg:
		if msg.ID != s.reqID || msg.User != s.userName() {
			return s, nil
		}
		switch {
		case msg.Err != nil:
			s.phase, s.lookErr = userLookupFailed, msg.Err
			return s, nil
		case !msg.Exists:
			s.phase, s.keys = userEditing, []awsops.KeyInfo{}
			return s, goNext
		}
		s.keys = msg.Keys
		sort.Slice(s.keys, func(i, j int) bool { return s.keys[i].Created.Before(s.keys[j].Created) })
		if len(s.keys) < 2 {
			s.phase = userExists
			return s, nil
		}
		s.phase, s.oldest = userFull, s.keys[0]
		s.choice = choice{options: []string{
			fmt.Sprintf("Delete the oldest key %s (created %s) and create the new one", s.oldest.ID, age(s.c.Now(), s.oldest.Created)),
			"Choose another user name",
		}}
		s.name.Blur()
		s.tags.Blur()
		return s, nil
	case tea.KeyPressMsg:
		return s.updateKey(msg)
	}
	return s, nil
}

func (s userScreen) updateKey(msg tea.KeyPressMsg) (userScreen, tea.Cmd) {
	k := s.keymap
	if key.Matches(msg, k.Back) {
		return s, goBack
	}
	switch s.phase {
	case userLooking:
		return s, nil
	case userExists:
		if key.Matches(msg, k.Next) {
			return s, goNext
		}
	case userFull:
		if key.Matches(msg, k.Next) {
			if s.choice.cursor == 0 {
				return s, goNext
			}
			s.reset()
			s.focus = 0
			return s, s.name.Focus()
		}
		s.choice = s.choice.Update(msg, listKeys{k.Up, k.Down})
		return s, nil
	}
	switch {
	case key.Matches(msg, k.Switch):
		s.focus = 1 - s.focus
		if s.focus == 1 {
			s.name.Blur()
			return s, s.tags.Focus()
		}
		s.tags.Blur()
		return s, s.name.Focus()
	case key.Matches(msg, k.Next):
		if s.nameErr != nil || s.tagsErr != nil {
			return s, nil
		}
		s.phase = userLooking
		s.reqID++
		return s, tea.Batch(s.spin.Tick, listAccessKeysCmd(s.c.Ctx, s.ops, s.reqID, s.userName()))
	}
	var cmd tea.Cmd
	if s.focus == 0 {
		before := s.name.Value()
		s.name, cmd = s.name.Update(msg)
		if s.name.Value() != before {
			s.nameErr = awsops.ValidateUserName(s.userName())
			s.reset()
		}
		return s, cmd
	}
	before := s.tags.Value()
	s.tags, cmd = s.tags.Update(msg)
	if s.tags.Value() != before {
		s.parsed, s.tagsErr = awsops.ParseTags(tagItems(s.tags.Value()))
		s.phase = userEditing
	}
	return s, cmd
}

func (s userScreen) help() helpKeys {
	k := s.keymap
	if s.phase == userFull {
		return helpKeys{short: []key.Binding{withHelp(k.Next, "choose"), k.Up, k.Down, k.Back, k.Help, k.Quit}}
	}
	return helpKeys{short: []key.Binding{k.Next, k.Switch, k.Back, k.Help, k.Quit}}
}

// View draws the screen as text; the root adds the frame.
func (s userScreen) View() string {
	st := s.c.Styles
	w := s.c.Width
	parts := []string{
		wrap("The platform signs in as this IAM user, which holds only the policy you just named.", w),
		"",
		s.name.View(),
	}
	if s.nameErr != nil {
		parts = append(parts, st.Error.Render(wrap("✗ "+refused(s.nameErr), w)))
	}
	parts = append(parts, s.tags.View())
	switch {
	case s.tagsErr != nil:
		parts = append(parts, st.Error.Render(wrap("✗ "+refused(s.tagsErr), w)))
	default:
		parts = append(parts, st.Muted.Render(wrap("Tags are key=value pairs separated by commas; they apply to a new user only.", w)))
	}
	parts = append(parts, "")
	switch s.phase {
	case userLooking:
		parts = append(parts, s.spin.View()+" Checking whether the user exists…")
	case userExists:
		parts = append(parts, st.Warn.Render(wrap(fmt.Sprintf("⚠ %s exists (it holds %d access %s). Continuing gives it this location's policy and, unless an earlier s3link key is kept, a new key; review says whether s3link made the user, and teardown removes only what s3link added. Press enter to use it, or change the name.", s.userName(), len(s.keys), Plural(int64(len(s.keys)), "key", "keys")), w)))
		parts = append(parts, s.keyTable(st)...)
	case userFull:
		parts = append(parts, st.Warn.Render(wrap(fmt.Sprintf("⚠ %s exists and already holds 2 access keys, the most AWS allows:", s.userName()), w)))
		parts = append(parts, s.keyTable(st)...)
		parts = append(parts, "", s.choice.View(st, w))
	case userLookupFailed:
		sentence, _ := explain(s.lookErr, "")
		parts = append(parts, st.Error.Render(wrap("✗ Could not check the user. "+sentence, w)))
	}
	return strings.Join(parts, "\n")
}

func (s userScreen) keyTable(st *Styles) []string {
	out := make([]string, 0, len(s.keys))
	for _, k := range s.keys {
		used := "never used"
		if !k.LastUsed.IsZero() {
			used = "last used " + age(s.c.Now(), k.LastUsed)
		}
		out = append(out, st.Muted.Render(fmt.Sprintf("  %s  %-8s created %s, %s", k.ID, k.Status, age(s.c.Now(), k.Created), used)))
	}
	return out
}

// waiting reports whether the user's keys are being looked up.
func (s userScreen) waiting() bool { return s.phase == userLooking }

// hasAnswers is true: the bucket was chosen before.
func (s userScreen) hasAnswers() bool { return true }

// enterWith focuses the name.
func (s *userScreen) enterWith(*wizard, steps.Step) tea.Cmd { return s.enter() }

// answerTo sets the user. An existing user was shown as such here, and
// review says again whether s3link made it: using it is a knowing choice.
func (s userScreen) answerTo(w *wizard, _ steps.Step) (answered, bool) {
	ans, ok := s.answer()
	if !ok {
		return answered{}, false
	}
	w.spec.UserName, w.spec.Tags, w.spec.DeleteKeyID = ans.Name, ans.Tags, ans.DeleteKeyID
	w.spec.ExistingUser, w.spec.RotateOldest = true, ans.DeleteKeyID != ""
	return answered{}, true
}
