package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/steps"
)

type identityPhase int

const (
	identityLoadingProfiles identityPhase = iota
	identityPicking
	identityResolving
	identityResolved
	identityFailed
)

// identityScreen finds out whose credentials these are, offering a profile
// picker when the shared config has several and none was chosen.
type identityScreen struct {
	c       *Common
	keymap  identityKeys
	phase   identityPhase
	spin    spinner.Model
	sandbox bool
	newOps  func(string) (Ops, error)

	ops      Ops
	profile  string
	profiles []string
	picker   picker
	// picked is set once a profile was chosen in the picker: an answer a
	// quit would lose.
	picked bool
	reqID  int

	identity awsops.Identity
	err      error
	note     string
}

func newIdentityScreen(c *Common, d Deps) identityScreen {
	s := identityScreen{
		c:       c,
		keymap:  newIdentityKeys(c.Keys),
		spin:    spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(c.Styles.Spinner)),
		sandbox: d.Sandbox,
		newOps:  d.NewOps,
		ops:     d.Ops,
		profile: d.Profile,
		picker:  newPicker(c, "profile name"),
	}
	s.picker.height = 8
	// The profile list is read only when a choice may be needed; otherwise
	// STS is asked straight away.
	if s.sandbox || s.profile != "" || s.newOps == nil {
		s.phase, s.reqID = identityResolving, 1
	} else {
		s.phase = identityLoadingProfiles
	}
	return s
}

// Init starts what the constructor chose. It changes nothing: Bubble Tea
// keeps no state from Init.
func (s identityScreen) Init() tea.Cmd {
	if s.phase == identityResolving {
		return tea.Batch(s.spin.Tick, whoAmICmd(s.c.Ctx, s.ops, s.reqID))
	}
	return tea.Batch(s.spin.Tick, loadProfilesCmd())
}

func (s *identityScreen) resolve() tea.Cmd {
	s.phase = identityResolving
	s.err = nil
	s.reqID++
	return tea.Batch(s.spin.Tick, whoAmICmd(s.c.Ctx, s.ops, s.reqID))
}

func (s *identityScreen) pick() tea.Cmd {
	s.phase = identityPicking
	s.err = nil
	items := make([]pickItem, len(s.profiles))
	for i, p := range s.profiles {
		items[i] = pickItem{Value: p, Title: p}
	}
	s.picker.SetItems(items)
	s.picker.Select(s.profile)
	return s.picker.Focus()
}

// acceptsQuestionMark: profile names may hold any character, but "?" is
// rare enough that help wins.

// Update handles one message and never blocks: I/O goes out as Cmds.
func (s identityScreen) Update(msg tea.Msg) (identityScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if s.phase != identityLoadingProfiles && s.phase != identityResolving {
			return s, nil
		}
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg)
		return s, cmd
	case stylesChangedMsg:
		s.picker.filter.SetStyles(s.c.Styles.Input)
		return s, nil
	case profilesLoadedMsg:
		s.profiles = msg.Names
		if msg.Err == nil && msg.EnvProfile == "" && len(msg.Names) > 1 {
			return s, s.pick()
		}
		if msg.Err != nil {
			s.note = "Could not read the AWS profile list; using the default credentials."
		}
		return s, s.resolve()
	case opsBuiltMsg:
		if msg.ID != s.reqID {
			return s, nil
		}
		if msg.Err != nil {
			s.phase, s.err = identityFailed, msg.Err
			return s, nil
		}
		s.ops, s.profile, s.picked = msg.Ops, msg.Profile, true
		return s, s.resolve()
	case identityResolvedMsg:
		if msg.ID != s.reqID {
			return s, nil
		}
		if msg.Err != nil {
			s.phase, s.err = identityFailed, msg.Err
			return s, nil
		}
		s.phase, s.identity = identityResolved, msg.Identity
		return s, nil
	case tea.KeyPressMsg:
		return s.updateKey(msg)
	}
	if s.phase == identityPicking {
		var cmd tea.Cmd
		s.picker, cmd = s.picker.Update(msg, listKeys{s.keymap.Up, s.keymap.Down})
		return s, cmd
	}
	return s, nil
}

func (s identityScreen) updateKey(msg tea.KeyPressMsg) (identityScreen, tea.Cmd) {
	k := s.keymap
	switch s.phase {
	case identityPicking:
		if key.Matches(msg, k.Next) {
			it, ok := s.picker.Selected()
			if !ok {
				return s, nil
			}
			s.picker.Blur()
			s.phase = identityResolving
			s.reqID++
			return s, tea.Batch(s.spin.Tick, buildOpsCmd(s.newOps, s.reqID, it.Value))
		}
		var cmd tea.Cmd
		s.picker, cmd = s.picker.Update(msg, listKeys{k.Up, k.Down})
		return s, cmd
	case identityResolved:
		switch {
		case key.Matches(msg, k.Next):
			return s, goNext
		case key.Matches(msg, k.Profile) && s.canPick():
			return s, s.pick()
		}
	case identityFailed:
		switch {
		case key.Matches(msg, k.Retry):
			return s, s.resolve()
		case key.Matches(msg, k.Profile) && s.canPick():
			return s, s.pick()
		}
	}
	return s, nil
}

func (s identityScreen) canPick() bool {
	return !s.sandbox && s.newOps != nil && len(s.profiles) > 1
}

func (s identityScreen) help() helpKeys {
	k := s.keymap
	switch s.phase {
	case identityPicking:
		return helpKeys{short: []key.Binding{withHelp(k.Next, "use profile"), k.Up, k.Down, k.Help, k.Quit}}
	case identityResolved:
		b := []key.Binding{k.Next}
		if s.canPick() {
			b = append(b, k.Profile)
		}
		return helpKeys{short: append(b, k.Help, k.Quit)}
	case identityFailed:
		b := []key.Binding{k.Retry}
		if s.canPick() {
			b = append(b, k.Profile)
		}
		return helpKeys{short: append(b, k.Help, k.Quit)}
	}
	return helpKeys{short: []key.Binding{k.Help, k.Quit}}
}

// View draws the screen as text; the root adds the frame.
func (s identityScreen) View() string {
	st := s.c.Styles
	w := s.c.Width
	var parts []string
	if s.sandbox {
		parts = append(parts, st.Banner.Render(wrap("SANDBOX: a local AWS emulator with demo media. Nothing here touches a real AWS account.", w)), "")
	}
	switch s.phase {
	case identityLoadingProfiles:
		parts = append(parts, s.spin.View()+" Reading your AWS profiles…")
	case identityPicking:
		parts = append(parts,
			wrap("Your AWS config has several profiles and none was chosen. Which one should set up the platform's access?", w),
			"",
			s.picker.View(st, w))
	case identityResolving:
		what := "the default credentials"
		if s.profile != "" {
			what = "profile " + s.profile
		}
		parts = append(parts, s.spin.View()+" Checking "+what+" with AWS…")
	case identityResolved:
		prof := s.profile
		if prof == "" {
			prof = "(default credentials)"
		}
		id := s.identity
		region := st.Muted.Render("not set: you will pick it")
		if id.Region != "" {
			region = id.Region
			if id.RegionSource != "" {
				region += st.Muted.Render("  (from " + id.RegionSource + ")")
			}
		}
		parts = append(parts,
			"These credentials will create the bucket, policy and user:",
			"",
			field(st, "Account", st.Value.Render(id.Account)),
			field(st, "Caller", st.Value.Render(id.ARN)),
			field(st, "Profile", prof),
			field(st, "Region", region))
		if id.Endpoint != "" {
			parts = append(parts, field(st, "Endpoint", id.Endpoint+st.Muted.Render("  (from "+id.EndpointSource+", not AWS itself)")))
		}
		parts = append(parts,
			"",
			st.Muted.Render(wrap("Nothing is created before you confirm the plan on the review screen.", w)))
	case identityFailed:
		sentence, detail := explain(s.err, s.profile)
		parts = append(parts, st.Error.Render(wrap("✗ "+sentence, w)))
		if detail != "" {
			parts = append(parts, st.Muted.Render(wrap(detail, w)))
		}
	}
	if s.note != "" {
		parts = append(parts, "", st.Muted.Render(wrap(s.note, w)))
	}
	return strings.Join(parts, "\n")
}

// withHelp returns b with another description, for screens where a shared
// key does something specific.
func withHelp(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

// waiting reports whether the profiles or the caller are being looked up.
func (s identityScreen) waiting() bool {
	return s.phase == identityLoadingProfiles || s.phase == identityResolving
}

// hasAnswers reports whether a profile was picked.
func (s identityScreen) hasAnswers() bool { return s.picked }

// answerTo hands over the credentials and who they are, once resolved.
// Other credentials or another account is a change every later step
// depends on.
func (s identityScreen) answerTo(w *wizard, _ steps.Step) (answered, bool) {
	if s.phase != identityResolved {
		return answered{}, false
	}
	a := answered{changed: s.ops != w.ops || s.identity.Account != w.identity.Account}
	w.ops, w.profile, w.identity = s.ops, s.profile, s.identity
	return a, true
}
