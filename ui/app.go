package ui

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/steps"
)

// App is the wizard's root model: it routes messages to the screens, asks
// steps.Machine where to go, and draws the frame around the current
// screen. It is the only model whose View returns a tea.View. It knows no
// step by name: the machine says which screen shows a step and what a
// step's kind is, and each screen answers for itself.
type App struct {
	c       *Common
	help    help.Model
	machine *steps.Machine
	step    steps.Step
	w       wizard
	// screens are built on first use, indexed by the step that owns them.
	screens [steps.Count]screen

	height   int
	note     string
	quitting bool
	// askingQuit is the ctrl+c guard where answers would be lost.
	askingQuit bool
	// queued holds keys typed while the screen waits on a result that may
	// move on; they are replayed, in order, once it no longer waits.
	queued  []tea.KeyPressMsg
	outcome *outcome
	err     error
	// start is the first screen's Cmd, for Init.
	start tea.Cmd
}

// New builds the wizard from its dependencies.
func New(d Deps) App {
	if d.Ctx == nil {
		d.Ctx = context.Background()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	st := NewStyles(true)
	if d.NoColor {
		st = NewPlainStyles()
	}
	keys := DefaultKeyMap()
	c := &Common{Ctx: d.Ctx, Width: 80, Height: 24, Styles: &st, Keys: &keys, Now: d.Now}
	a := App{
		c:       c,
		help:    help.New(),
		machine: steps.New(steps.Options{}),
		w:       wizard{deps: d, ops: d.Ops, profile: d.Profile},
	}
	a.help.Styles = st.Help
	a.step = a.machine.First()
	a.screens[a.step], a.start = builders[a.step](&a)
	a.layout(80, 24)
	return a
}

// Init asks the terminal for its background (for the palette) and starts
// the identity check.
func (a App) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, a.start)
}

// Step is the screen on show, for tests and the caller.
func (a App) Step() steps.Step { return a.step }

// Spec is the setup the answers describe so far.
func (a App) Spec() setup.Spec { return a.w.spec }

// current is the screen on show, or nil before it is built.
func (a App) current() screen { return a.screens[a.machine.Owner(a.step)] }

// layout gives the screens what is left under the header and above the
// note line and the help bar, which grows when the full help is open.
func (a *App) layout(w, h int) {
	a.help.SetWidth(w)
	helpLines := strings.Count(a.helpView(), "\n") + 1
	a.c.Width = w
	a.c.Height = max(h-3-helpLines, 4)
	a.height = h
}

// maxQueued bounds the keys held while a screen waits.
const maxQueued = 64

// Update implements tea.Model: it routes msg to the screen it concerns
// and handles navigation, help, resize and quitting itself. Keys typed
// while a screen waits are replayed once it stops waiting, so keys sent
// together (enter, down, enter) all land, in order, where they were meant.
func (a App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := a.update(msg)
	a = m.(App)
	cmds := []tea.Cmd{cmd}
	for len(a.queued) > 0 && !a.waiting() && !a.quitting {
		k := a.queued[0]
		a.queued = a.queued[1:]
		m, cmd = a.update(k)
		a = m.(App)
		cmds = append(cmds, cmd)
	}
	return a, tea.Batch(cmds...)
}

// waiting reports whether the screen on show waits on a result that may
// move the wizard on (or change what keys mean), so keys must wait too.
func (a App) waiting() bool {
	cur := a.current()
	return cur != nil && a.machine.Waits(a.step) && cur.Busy()
}

// routed is a result for one step's screen, wherever the wizard is.
type routed interface{ forStep() steps.Step }

func (a App) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.layout(msg.Width, msg.Height)
		return a, a.resize()
	case tea.BackgroundColorMsg:
		if a.w.deps.NoColor {
			return a, nil
		}
		*a.c.Styles = NewStyles(msg.IsDark())
		a.help.Styles = a.c.Styles.Help
		return a, a.broadcast(stylesChangedMsg{})
	case tea.ColorProfileMsg:
		if msg.Profile == colorprofile.Ascii || msg.Profile == colorprofile.NoTTY {
			*a.c.Styles = NewPlainStyles()
			a.help.Styles = a.c.Styles.Help
			return a, a.broadcast(stylesChangedMsg{})
		}
		return a, nil
	case spinner.TickMsg:
		return a, a.broadcast(msg)
	case nextMsg:
		if !msg.from.is(a.step) {
			return a, nil
		}
		return a.next()
	case backMsg:
		if !msg.from.is(a.step) {
			return a, nil
		}
		return a.back()
	case quitMsg:
		return a.quit()
	case tea.KeyPressMsg:
		return a.key(msg)
	case tea.PasteMsg:
		return a.paste(msg)
	case routed:
		return a.updateScreen(msg.forStep(), msg)
	}
	return a.updateScreen(a.step, msg)
}

// key handles the keys the root owns (quit, help, the quit guard's
// answer) and queues keys typed while the screen waits; the rest go to
// the screen.
func (a App) key(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	a.note = ""
	k := a.c.Keys
	if a.askingQuit {
		switch {
		case key.Matches(msg, k.Quit, k.Yes):
			return a.quit()
		case key.Matches(msg, k.No):
			a.askingQuit = false
			a.layout(a.c.Width, a.height)
		}
		return a, nil
	}
	switch {
	case key.Matches(msg, k.Quit):
		return a.interrupt()
	case key.Matches(msg, k.Help) && !(msg.String() == "?" && a.current() != nil && a.current().AcceptsQuestionMark()):
		a.help.ShowAll = !a.help.ShowAll
		a.layout(a.c.Width, a.height)
		return a, a.resize()
	}
	// Esc leaves a wait at once, unless keys typed before it wait too.
	if a.waiting() && (len(a.queued) > 0 || !key.Matches(msg, k.Back)) {
		if len(a.queued) < maxQueued {
			a.queued = append(a.queued, msg)
		}
		return a, nil
	}
	return a.updateScreen(a.step, msg)
}

// paste types pasted text into the screen as keys, so every screen's
// checks run as for typing. Line breaks and other control characters are
// dropped: a pasted newline must not press enter. A screen that takes the
// paste whole (the location counts objects once, not once per character)
// gets it as it is.
func (a App) paste(msg tea.PasteMsg) (tea.Model, tea.Cmd) {
	if cur := a.current(); cur != nil && cur.TakesPaste() {
		return a.updateScreen(a.step, msg)
	}
	var cmds []tea.Cmd
	var m tea.Model = a
	for _, r := range msg.Content {
		if unicode.IsControl(r) {
			continue
		}
		var cmd tea.Cmd
		m, cmd = m.(App).updateScreen(a.step, tea.KeyPressMsg{Code: r, Text: string(r)})
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

// updateScreen hands msg to the screen of step. A late result for a screen
// that is not on show still updates it, but its Cmds are dropped: they
// would navigate from a screen the user has left.
func (a App) updateScreen(step steps.Step, msg tea.Msg) (tea.Model, tea.Cmd) {
	step = a.machine.Owner(step)
	if a.screens[step] == nil {
		return a, nil
	}
	var cmd tea.Cmd
	a.screens[step], cmd = a.screens[step].Update(msg)
	if step != a.machine.Owner(a.step) {
		return a, nil
	}
	// Moving on is done here and now, not as a message: a key that
	// arrives next must reach the screen it was typed for.
	switch navigation(cmd) {
	case navNext:
		return a.next()
	case navBack:
		return a.back()
	}
	return a, stamp(cmd, a.step)
}

// broadcast sends msg to every screen built so far and keeps the Cmds of
// the one on show.
func (a *App) broadcast(msg tea.Msg) tea.Cmd {
	var keep tea.Cmd
	for _, s := range a.machine.Screens() {
		m, cmd := a.updateScreen(s, msg)
		*a = m.(App)
		if s == a.machine.Owner(a.step) {
			keep = cmd
		}
	}
	return keep
}

// resize lays every screen built so far out again and keeps the Cmd of
// the one on show.
func (a *App) resize() tea.Cmd {
	var keep tea.Cmd
	for _, s := range a.machine.Screens() {
		if a.screens[s] == nil {
			continue
		}
		var cmd tea.Cmd
		a.screens[s], cmd = a.screens[s].SetSize(a.c.Width, a.c.Height)
		if s == a.machine.Owner(a.step) {
			keep = stamp(cmd, a.step)
		}
	}
	return keep
}

// next takes the current screen's answer and asks the machine where to
// go. A changed answer resets the checks that depended on the old one.
func (a App) next() (tea.Model, tea.Cmd) {
	cur := a.current()
	if cur == nil {
		return a, nil
	}
	ans, ok := cur.Answer(&a.w, a.step)
	if !ok {
		return a, nil
	}
	if ans.changed {
		a.invalidate(a.step)
	}
	to, err := a.machine.Next(a.step, ans.result)
	if err != nil {
		a.note = sentence(err)
		return a, nil
	}
	a.step = to
	return a, a.enter(to)
}

// invalidate resets what depended on the answer given at changed, or
// drops the screens when they were built for what changed.
func (a *App) invalidate(changed steps.Step) {
	for _, s := range a.machine.Invalidates(changed) {
		switch {
		case a.screens[s] == nil:
		case a.machine.Discards(changed):
			a.screens[s] = nil
		default:
			a.screens[s] = a.screens[s].Reset()
		}
	}
}

func (a App) back() (tea.Model, tea.Cmd) {
	to, err := a.machine.Back(a.step)
	if err != nil {
		a.note = sentence(err)
		return a, nil
	}
	a.step = to
	return a, a.enter(to)
}

// enter shows step, building its screen on first use.
func (a *App) enter(step steps.Step) tea.Cmd {
	own := a.machine.Owner(step)
	var first tea.Cmd
	if a.screens[own] == nil {
		a.screens[own], first = builders[own](a)
	}
	var cmd tea.Cmd
	a.screens[own], cmd = a.screens[own].Enter(&a.w, step)
	return tea.Batch(first, cmd)
}

// View draws the frame: header, the screen, a note line and the help bar,
// in the alternate screen so nothing (the secret above all) stays in the
// terminal's scrollback after exit.
func (a App) View() tea.View {
	var v tea.View
	v.AltScreen = true
	title := stepTitles[a.step]
	v.WindowTitle = "s3link · " + title
	if a.quitting {
		return v
	}
	st := a.c.Styles
	n, of := a.machine.Position(a.step)
	header := st.Header.Render("s3link") + " · " + st.Title.Render(title) + st.StepCount.Render(fmt.Sprintf("  step %d of %d", n, of))
	if a.w.deps.Sandbox {
		header += "  " + st.Banner.Render("[sandbox]")
	}
	view := ""
	if cur := a.current(); cur != nil {
		view = cur.View()
		v.ProgressBar = cur.ProgressBar()
	}
	body := fitHeight(view, a.c.Height)
	if pad := a.c.Height - (strings.Count(body, "\n") + 1); pad > 0 {
		body += strings.Repeat("\n", pad)
	}
	note := ""
	switch {
	case a.askingQuit:
		note = st.Warn.Render(ansi.Truncate(quitPrompt, a.c.Width, "…"))
	case a.note != "":
		note = st.Warn.Render(ansi.Truncate(a.note, a.c.Width, "…"))
	}
	v.SetContent(header + "\n\n" + body + "\n" + note + "\n" + a.helpView())
	return v
}
