package ui

import (
	"context"
	"errors"
	"io"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

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
	frame
	key keyScreen
}

func newRotateKeyApp(ctx context.Context, k awsops.AccessKey, o RotateKeyOptions) rotateKeyApp {
	a := rotateKeyApp{frame: newFrame(ctx, o.NoColor)}
	c := a.c
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

func (a *rotateKeyApp) layout(w, h int) { a.frame.layout(w, h, a.key.help()) }

// Update implements tea.Model. Leaving goes through the key screen's
// guard; it never blocks (saving and deleting are Cmds).
func (a rotateKeyApp) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.layout(msg.Width, msg.Height)
		return a, nil
	case tea.BackgroundColorMsg, tea.ColorProfileMsg:
		a.restyle(msg)
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
			a.toggleHelp(a.key.help())
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

// View implements tea.Model.
func (a rotateKeyApp) View() tea.View {
	var v tea.View
	v.AltScreen = true
	v.WindowTitle = "s3link · rotate"
	v.SetContent(a.content("rotate: the new access key", a.key.View(), "\n\n", a.key.help()))
	if a.key.phase == keyDeleting {
		v.ProgressBar = tea.NewProgressBar(tea.ProgressBarIndeterminate, 0)
	}
	return v
}
