package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/steps"
)

// DefaultPolicyName is the manual guide's "CrowdAI Platform Access" made
// valid for IAM, which refuses spaces.
const DefaultPolicyName = "CrowdAI-Platform-Access"

type policyPhase int

const (
	policyEditing policyPhase = iota
	policyLooking
	policyFree
	policySame
	policyDifferent
	policyLookupFailed
)

// policyScreen shows the generated policy and asks for its name, checking
// whether the name is taken and by which document.
type policyScreen struct {
	c      *Common
	keymap policyKeys
	ops    Ops
	spin   spinner.Model
	vp     viewport.Model
	input  textinput.Model
	bucket string
	prefix string
	doc    string
	docErr error

	nameErr error
	phase   policyPhase
	reqID   int
	info    awsops.PolicyFacts
	lookErr error
	choice  choice
}

func newPolicyScreen(c *Common, ops Ops, preset string) policyScreen {
	s := policyScreen{
		c:      c,
		keymap: newPolicyKeys(c.Keys),
		ops:    ops,
		spin:   spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(c.Styles.Spinner)),
		vp:     viewport.New(),
		input:  newInput(c, "Policy name  ", DefaultPolicyName),
	}
	s.vp.KeyMap = viewport.KeyMap{
		Up:       c.Keys.Up,
		Down:     c.Keys.Down,
		PageUp:   c.Keys.PageUp,
		PageDown: c.Keys.PageDown,
	}
	s.vp.SoftWrap = true
	if preset == "" {
		preset = DefaultPolicyName
	}
	s.input.SetValue(preset)
	s.input.CharLimit = awsops.MaxPolicyNameLen + 16
	s.nameErr = awsops.ValidatePolicyName(preset)
	return s
}

// enter (re)opens the screen for bucket and prefix. Another document makes
// an earlier lookup stale: the same name may now hold a different one.
func (s *policyScreen) enter(bucket, prefix string) tea.Cmd {
	if bucket != s.bucket || prefix != s.prefix || s.doc == "" {
		s.bucket, s.prefix = bucket, prefix
		s.doc = awsops.PolicyDocument(bucket, prefix)
		s.docErr = awsops.CheckPolicySize(s.doc)
		s.vp.SetContent(s.explanation())
		s.vp.GotoTop()
		s.reset()
	}
	s.layout()
	return s.input.Focus()
}

// reset forgets the lookup, for Machine.Invalidates.
func (s *policyScreen) reset() {
	s.phase = policyEditing
	s.lookErr = nil
	s.info = awsops.PolicyFacts{}
}

// answer is the chosen name once it is known to be free, the same, or
// meant to get a new version.
func (s policyScreen) answer() (string, bool) {
	switch s.phase {
	case policyFree, policySame:
		return s.name(), true
	}
	return "", false
}

// alternative is the name offered when the typed one is taken by another
// document: the name with the location, as setup derives it.
func (s policyScreen) alternative() string {
	return setup.DerivedPolicyName(s.name(), s.bucket, s.prefix)
}

func (s policyScreen) name() string { return strings.TrimSpace(s.input.Value()) }

// explanation is what scrolls with the document: the plain-language
// summary first, then the JSON, then why it differs from the manual guide.
func (s policyScreen) explanation() string {
	st := s.c.Styles
	w := max(s.c.Width-1, 20)
	var parts []string
	parts = append(parts, st.Bold.Render("What it allows"))
	for _, l := range awsops.PolicySummary(s.bucket, s.prefix) {
		parts = append(parts, wrap("• "+l, w))
	}
	parts = append(parts, "", st.Bold.Render("The policy document"), colorJSON(st, s.doc), st.Bold.Render("Why it differs from the manual guide"))
	parts = append(parts, wrap("• "+awsops.PolicyDifferenceHeadObject, w))
	if s.prefix == "" {
		parts = append(parts, wrap("• "+awsops.PolicyDifferenceRoot, w))
	}
	return strings.Join(parts, "\n")
}

// below is what stays under the viewport: the name and its status.
func (s policyScreen) below() string {
	return lines(s.input.View(), s.status(s.c.Styles, s.c.Width))
}

func (s *policyScreen) layout() {
	below := strings.Count(s.below(), "\n") + 1
	s.vp.SetWidth(s.c.Width)
	s.vp.SetHeight(max(s.c.Height-below-2, 3))
}

// Update handles one message and never blocks: I/O goes out as Cmds.
func (s policyScreen) Update(msg tea.Msg) (policyScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		if s.doc != "" {
			s.vp.SetContent(s.explanation())
		}
		s.layout()
		return s, nil
	case spinner.TickMsg:
		if s.phase != policyLooking {
			return s, nil
		}
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg)
		return s, cmd
	case stylesChangedMsg:
		s.input.SetStyles(s.c.Styles.Input)
		s.vp.SetContent(s.explanation())
		return s, nil
	case policyLookedUpMsg:
		if msg.ID != s.reqID || msg.Name != s.name() {
			return s, nil
		}
		switch {
		case msg.Err != nil:
			s.phase, s.lookErr = policyLookupFailed, msg.Err
		case !msg.Info.Exists:
			s.phase = policyFree
			s.layout()
			return s, goNext
		case msg.Info.SameDocument:
			s.phase, s.info = policySame, msg.Info
		default:
			s.phase, s.info = policyDifferent, msg.Info
			s.choice = choice{options: []string{
				"Use " + s.alternative() + " instead",
				"Type another name",
			}}
			s.input.Blur()
		}
		s.layout()
		return s, nil
	case tea.KeyPressMsg:
		return s.updateKey(msg)
	}
	return s, nil
}

func (s policyScreen) updateKey(msg tea.KeyPressMsg) (policyScreen, tea.Cmd) {
	k := s.keymap
	if key.Matches(msg, k.Back) {
		return s, goBack
	}
	if key.Matches(msg, k.Up, k.Down, k.PageUp, k.PageDown) && s.phase != policyDifferent {
		var cmd tea.Cmd
		s.vp, cmd = s.vp.Update(msg)
		return s, cmd
	}
	switch s.phase {
	case policyLooking:
		return s, nil
	case policySame:
		if key.Matches(msg, k.Next) {
			return s, goNext
		}
	case policyDifferent:
		if key.Matches(msg, k.Next) {
			if s.choice.cursor == 0 {
				s.input.SetValue(s.alternative())
				s.nameChanged()
			} else {
				s.reset()
			}
			s.layout()
			return s, s.input.Focus()
		}
		s.choice = s.choice.Update(msg, listKeys{k.Up, k.Down})
		return s, nil
	}
	switch {
	case key.Matches(msg, k.Accept):
		if sug := s.suggestion(); sug != "" {
			s.input.SetValue(sug)
			s.input.CursorEnd()
			s.nameChanged()
		}
		return s, nil
	case key.Matches(msg, k.Next):
		if s.nameErr != nil || s.docErr != nil {
			return s, nil
		}
		s.phase = policyLooking
		s.reqID++
		s.layout()
		return s, tea.Batch(s.spin.Tick, lookupPolicyCmd(s.c.Ctx, s.ops, s.reqID, s.name(), s.doc))
	}
	before := s.input.Value()
	var cmd tea.Cmd
	s.input, cmd = s.input.Update(msg)
	if s.input.Value() != before {
		s.nameChanged()
	}
	return s, cmd
}

func (s *policyScreen) nameChanged() {
	s.nameErr = awsops.ValidatePolicyName(s.name())
	s.phase = policyEditing
	s.lookErr = nil
	s.layout()
}

// suggestion is the valid spelling of an invalid name, such as the manual
// guide's "CrowdAI Platform Access".
func (s policyScreen) suggestion() string {
	if s.nameErr == nil {
		return ""
	}
	sug := awsops.SuggestPolicyName(s.name())
	if sug == "" || sug == s.name() || awsops.ValidatePolicyName(sug) != nil {
		return ""
	}
	return sug
}

func (s policyScreen) status(st *Styles, w int) string {
	switch {
	case s.docErr != nil:
		return st.Error.Render(wrap("✗ "+refused(s.docErr), w))
	case s.nameErr != nil:
		out := st.Error.Render(wrap("✗ "+refused(s.nameErr), w))
		if sug := s.suggestion(); sug != "" {
			out += "\n" + wrap("Use "+st.Value.Render(sug)+" instead? Press tab.", w)
		}
		return out
	}
	switch s.phase {
	case policyLooking:
		return s.spin.View() + " Checking whether the name is taken…"
	case policySame:
		return st.OK.Render(wrap("✓ "+s.name()+" exists with the same document; it will be reused. Press enter.", w))
	case policyDifferent:
		owner := "s3link did not create it"
		if s.info.SetupID != "" {
			owner = "it is s3link's policy for another location"
		}
		return lines(st.Warn.Render(wrap("⚠ "+s.name()+" exists with a different document and "+owner+"; s3link will not change it.", w)), s.choice.View(st, w))
	case policyLookupFailed:
		sentence, _ := explain(s.lookErr, "")
		return st.Error.Render(wrap("✗ Could not check the name. "+sentence, w))
	}
	return st.Muted.Render("Letters, digits and + = , . @ _ - only; up to 128 characters.")
}

func (s policyScreen) help() helpKeys {
	k := s.keymap
	scroll := []key.Binding{withHelp(k.Up, "scroll up"), withHelp(k.Down, "scroll down"), withHelp(k.PageUp, "page up"), withHelp(k.PageDown, "page down")}
	if s.phase == policyDifferent {
		return helpKeys{
			short: []key.Binding{withHelp(k.Next, "choose"), k.Up, k.Down, k.Back, k.Help, k.Quit},
		}
	}
	short := []key.Binding{withHelp(k.Next, "use this name"), withHelp(k.Down, "scroll")}
	if s.suggestion() != "" {
		short = append(short, withHelp(k.Accept, "use suggestion"))
	}
	return helpKeys{
		short: append(short, k.Back, k.Help, k.Quit),
		full:  [][]key.Binding{{k.Next, k.Accept, k.Back}, scroll, {k.Help, k.Quit}},
	}
}

// View draws the screen as text; the root adds the frame.
func (s policyScreen) View() string {
	pos := s.c.Styles.Muted.Render(fmt.Sprintf("── %3.0f%% · ↑/↓ pgup/pgdn scroll ──", s.vp.ScrollPercent()*100))
	return lines(s.vp.View(), pos, s.below())
}

// colorJSON colours a JSON document token by token: keys, strings,
// punctuation and the rest, each with its style. With plain styles the
// text comes back as it went in.
func colorJSON(st *Styles, doc string) string {
	var b strings.Builder
	rs := []rune(doc)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r == '"':
			j := i + 1
			for j < len(rs) && rs[j] != '"' {
				if rs[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(rs))
			tok := string(rs[i:j])
			k := j
			for k < len(rs) && (rs[k] == ' ' || rs[k] == '\t') {
				k++
			}
			if k < len(rs) && rs[k] == ':' {
				b.WriteString(st.JSONKey.Render(tok))
			} else {
				b.WriteString(st.JSONString.Render(tok))
			}
			i = j
		case strings.ContainsRune("{}[],:", r):
			b.WriteString(st.JSONPunct.Render(string(r)))
			i++
		case r == ' ' || r == '\n' || r == '\t' || r == '\r':
			b.WriteRune(r)
			i++
		default:
			j := i
			for j < len(rs) && !strings.ContainsRune("{}[],: \n\t\r\"", rs[j]) {
				j++
			}
			b.WriteString(st.JSONOther.Render(string(rs[i:j])))
			i = j
		}
	}
	return b.String()
}

// waiting reports whether the name is being looked up.
func (s policyScreen) waiting() bool { return s.phase == policyLooking }

// hasAnswers is true: the bucket was chosen before.
func (s policyScreen) hasAnswers() bool { return true }

// enterWith shows the policy for the chosen location.
func (s *policyScreen) enterWith(w *wizard, _ steps.Step) tea.Cmd {
	return s.enter(w.spec.Bucket, w.spec.Prefix)
}

// answerTo sets the policy name: the person saw and confirmed it here.
func (s policyScreen) answerTo(w *wizard, _ steps.Step) (answered, bool) {
	name, ok := s.answer()
	if !ok {
		return answered{}, false
	}
	w.spec.PolicyName, w.spec.PolicyNameChosen = name, true
	return answered{}, true
}
