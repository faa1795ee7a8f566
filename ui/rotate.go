package ui

import (
	"context"
	"errors"
	"io"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/awsops/setup/journal"
)

// RotateKeyOptions is what the key screen of `s3link rotate` takes
// besides the new key.
type RotateKeyOptions struct {
	In  io.Reader
	Out io.Writer
	// NoColor draws without colour (NO_COLOR).
	NoColor bool
	// Ops deletes the unsaved key when the person asks the guard to.
	Ops setup.KeyDeleter
	// Record is the setup record the key belongs to (the guard's delete
	// drops the key from it).
	Record setup.Stored
	// Clipboard writes to the native clipboard; nil means there is none.
	Clipboard func(string) error
}

// RunRotateKeyScreen hands a rotation's new key over on the wizard's key
// screen, with its guards: leaving, or quitting, before the secret is
// saved or confirmed pasted asks first, in the wizard's words. It returns
// how the key left the screen; Done is false when the person left
// without handing it over.
func RunRotateKeyScreen(ctx context.Context, k awsops.AccessKey, o RotateKeyOptions) (setup.HandOff, error) {
	m := newRotateKeyApp(ctx, k, o)
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(o.In), tea.WithOutput(o.Out))
	final, err := p.Run()
	if err != nil {
		if ctx.Err() != nil {
			return setup.HandOff{}, ctx.Err()
		}
		return setup.HandOff{}, err
	}
	app, ok := final.(rotateKeyApp)
	if !ok {
		return setup.HandOff{}, errors.New("the key screen stopped unexpectedly")
	}
	return app.handOff(), nil
}

// rotateKeyApp is the root model of rotate's key screen: the wizard's key
// screen with a header and a help bar, in the alternate screen so the
// secret does not stay in the terminal's scrollback.
type rotateKeyApp struct {
	c       *Common
	help    help.Model
	key     keyScreen
	noColor bool
	height  int
}

func newRotateKeyApp(ctx context.Context, k awsops.AccessKey, o RotateKeyOptions) rotateKeyApp {
	st := NewStyles(true)
	if o.NoColor {
		st = NewPlainStyles()
	}
	keys := DefaultKeyMap()
	c := &Common{Ctx: ctx, Width: 80, Height: 20, Styles: &st, Keys: &keys}
	a := rotateKeyApp{c: c, help: help.New(), noColor: o.NoColor}
	a.help.Styles = st.Help
	var base journal.Record
	if o.Record.Record != nil {
		base = *o.Record.Record
	}
	j := setup.Journal{Path: o.Record.Path, Base: base}
	spec := setup.Spec{UserName: k.User}
	a.key = newKeyScreen(c, o.Ops, o.Clipboard, spec, setup.State{Key: k}, j, "")
	// The setup's own file may still be there: offer another name.
	a.key.path.SetValue(rotateCSVPath(k.User))
	a.layout(80, 24)
	return a
}

// rotateCSVPath is the file name rotate offers for the new key.
func rotateCSVPath(user string) string { return "./" + user + "_accessKeys-new.csv" }

// handOff is how the key left the screen, in the engine's terms.
func (a rotateKeyApp) handOff() setup.HandOff {
	h := a.key.handOver()
	out := setup.HandOff{How: h.String()}
	switch h {
	case handSaved:
		out.Done, out.CSVPath = true, a.key.saved
	case handConfirmed, handOwn:
		out.Done = true
	case handDeleted:
		out.Deleted = true
	}
	return out
}

// Init asks for the terminal's background.
func (a rotateKeyApp) Init() tea.Cmd { return tea.RequestBackgroundColor }

func (a *rotateKeyApp) layout(w, h int) {
	a.help.SetWidth(w)
	helpLines := strings.Count(a.helpView(), "\n") + 1
	a.c.Width = w
	a.c.Height = max(h-2-helpLines, 4)
	a.height = h
}

// Update implements tea.Model. Leaving goes through the key screen's
// guard; it never blocks (saving and deleting are Cmds).
func (a rotateKeyApp) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.layout(msg.Width, msg.Height)
		return a, nil
	case tea.BackgroundColorMsg:
		if !a.noColor {
			*a.c.Styles = NewStyles(msg.IsDark())
			a.help.Styles = a.c.Styles.Help
		}
		return a, a.update(stylesChangedMsg{})
	case tea.ColorProfileMsg:
		if msg.Profile == colorprofile.Ascii || msg.Profile == colorprofile.NoTTY {
			*a.c.Styles = NewPlainStyles()
			a.help.Styles = a.c.Styles.Help
		}
		return a, a.update(stylesChangedMsg{})
	case nextMsg, quitMsg:
		return a, tea.Quit
	case backMsg:
		return a, nil
	case tea.KeyPressMsg:
		k := a.c.Keys
		switch {
		case key.Matches(msg, k.Quit):
			// The wizard's ctrl+c guard on the key screen.
			if a.key.guardQuit() {
				return a, nil
			}
			return a, tea.Quit
		case key.Matches(msg, k.Help) && !(msg.String() == "?" && a.key.acceptsQuestionMark()):
			a.help.ShowAll = !a.help.ShowAll
			a.layout(a.c.Width, a.height)
			return a, nil
		}
	case tea.PasteMsg:
		var cmd tea.Cmd
		switch a.key.phase {
		case keySaving:
			a.key.path, cmd = a.key.path.Update(msg)
		case keyRecipient:
			a.key.recipient, cmd = a.key.recipient.Update(msg)
		}
		return a, cmd
	}
	return a, a.update(msg)
}

func (a *rotateKeyApp) update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	a.key, cmd = a.key.Update(msg)
	return cmd
}

func (a rotateKeyApp) helpView() string {
	ls := strings.Split(a.help.View(a.key.help()), "\n")
	for i, l := range ls {
		ls[i] = ansi.Truncate(l, a.c.Width, "…")
	}
	return strings.Join(ls, "\n")
}

// View implements tea.Model.
func (a rotateKeyApp) View() tea.View {
	var v tea.View
	v.AltScreen = true
	v.WindowTitle = "s3link · rotate"
	body := fitHeight(a.key.View(), a.c.Height)
	if pad := a.c.Height - (strings.Count(body, "\n") + 1); pad > 0 {
		body += strings.Repeat("\n", pad)
	}
	header := a.c.Styles.Header.Render("s3link") + " · " + a.c.Styles.Title.Render("rotate: the new access key")
	v.SetContent(header + "\n\n" + body + "\n\n" + a.helpView())
	if a.key.phase == keyDeleting {
		v.ProgressBar = tea.NewProgressBar(tea.ProgressBarIndeterminate, 0)
	}
	return v
}
