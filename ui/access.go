package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/steps"
)

// accessAnswer is what the access screen decided: an access key (the
// default), or a role the trusted account assumes.
type accessAnswer struct {
	Role    bool
	Account string
}

// accessScreen asks how the platform reads: with an access key of an IAM
// user, as the manual procedure does (the default: the platform's form
// asks for one), or by assuming an IAM role from its own account, with no
// secret to copy. A role needs the platform's account id.
type accessScreen struct {
	c       *Common
	keymap  accessKeys
	choice  choice
	account textinput.Model
	// typing is true while the account id has the focus.
	typing bool
	err    error
}

func newAccessScreen(c *Common, pre Preset) accessScreen {
	s := accessScreen{
		c:      c,
		keymap: newAccessKeys(c.Keys),
		choice: choice{options: []string{
			"An access key, as the manual procedure does (the default)",
			"An IAM role the platform assumes: no secret to copy",
		}},
		account: newInput(c, "Platform account  ", "12 digits"),
	}
	s.account.CharLimit = 20
	if pre.TrustedAccount != "" {
		s.choice.cursor = 1
		s.account.SetValue(pre.TrustedAccount)
	}
	return s
}

func (s *accessScreen) enter() tea.Cmd {
	if s.typing {
		return s.account.Focus()
	}
	return nil
}

func (s accessScreen) answer() (accessAnswer, bool) {
	if s.choice.cursor == 0 {
		return accessAnswer{}, true
	}
	acct := strings.TrimSpace(s.account.Value())
	if !s.typing || awsops.ValidateAccountID(acct) != nil {
		return accessAnswer{}, false
	}
	return accessAnswer{Role: true, Account: acct}, true
}

// Update handles one message and never blocks: checking an account id is
// pure.
func (s accessScreen) Update(msg tea.Msg) (accessScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case stylesChangedMsg:
		s.account.SetStyles(s.c.Styles.Input)
		return s, nil
	case tea.KeyPressMsg:
		k := s.keymap
		if s.typing {
			switch {
			case key.Matches(msg, k.Back):
				s.typing, s.err = false, nil
				s.account.Blur()
				return s, nil
			case key.Matches(msg, k.Next):
				s.err = awsops.ValidateAccountID(strings.TrimSpace(s.account.Value()))
				if s.err != nil {
					return s, nil
				}
				return s, goNext
			}
			var cmd tea.Cmd
			s.account, cmd = s.account.Update(msg)
			s.err = nil
			return s, cmd
		}
		switch {
		case key.Matches(msg, k.Back):
			return s, goBack
		case key.Matches(msg, k.Next):
			if s.choice.cursor == 0 {
				return s, goNext
			}
			s.typing = true
			s.account.CursorEnd()
			return s, s.account.Focus()
		}
		s.choice = s.choice.Update(msg, listKeys{k.Up, k.Down})
		return s, nil
	}
	return s, nil
}

func (s accessScreen) help() helpKeys {
	k := s.keymap
	if s.typing {
		return helpKeys{short: []key.Binding{withHelp(k.Next, "continue"), withHelp(k.Back, "back to the choice"), k.Help, k.Quit}}
	}
	return helpKeys{short: []key.Binding{withHelp(k.Up, "up"), withHelp(k.Down, "down"), withHelp(k.Next, "choose"), k.Back, k.Help, k.Quit}}
}

// View draws the screen as text; the root adds the frame.
func (s accessScreen) View() string {
	st := s.c.Styles
	w := s.c.Width
	parts := []string{
		wrap("How does the platform read the location?", w),
		"",
		s.choice.View(st, w),
		"",
	}
	if s.choice.cursor == 0 {
		parts = append(parts, st.Muted.Render(wrap("s3link makes an IAM user with the policy and an access key, which the platform's form asks for; its secret is shown once, for you to copy or save.", w)))
		return strings.Join(parts, "\n")
	}
	parts = append(parts, st.Muted.Render(wrap("s3link makes an IAM role with the policy that only the platform's AWS account may assume, and only with a random external id. You paste the role ARN and the external id; there is no secret.", w)))
	if s.typing || s.account.Value() != "" {
		parts = append(parts, "", s.account.View())
	}
	if s.err != nil {
		parts = append(parts, st.Error.Render(wrap(refused(s.err), w)))
	}
	return strings.Join(parts, "\n")
}

// hasAnswers is true: the bucket was chosen before.
func (s accessScreen) hasAnswers() bool { return true }

// enterWith focuses what had the focus.
func (s *accessScreen) enterWith(*wizard, steps.Step) tea.Cmd { return s.enter() }

// answerTo sets how the platform reads: a role for an account, named from
// the preset (or the default), with an external id made once so that
// going back and forth plans the same role; or an access key.
func (s accessScreen) answerTo(w *wizard, _ steps.Step) (answered, bool) {
	ans, ok := s.answer()
	if !ok {
		return answered{}, false
	}
	a := answered{changed: ans.Role != w.spec.Role() || ans.Account != w.spec.TrustedAccount}
	a.result.Role = ans.Role
	sp := &w.spec
	if ans.Role {
		sp.Access, sp.TrustedAccount = setup.AccessRole, ans.Account
		sp.RoleName = w.deps.Preset.RoleName
		if sp.RoleName == "" {
			sp.RoleName = DefaultUserName
		}
		if sp.ExternalID == "" {
			sp.ExternalID = awsops.NewExternalID()
		}
		sp.UserName, sp.Tags, sp.DeleteKeyID, sp.ExistingUser, sp.RotateOldest = "", nil, "", false, false
	} else {
		sp.Access, sp.TrustedAccount, sp.RoleName, sp.ExternalID = setup.AccessKey, "", "", ""
	}
	return a, true
}
