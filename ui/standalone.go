package ui

import (
	"context"
	"errors"
	"io"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/s3link/s3link/awsops/transfer"
	"github.com/s3link/s3link/awsops/transfer/download"
	"github.com/s3link/s3link/awsops/transfer/upload"
)

// ScreenOptions is what the standalone transfer screens of `s3link sync`
// and `s3link upload` take besides their engine.
type ScreenOptions struct {
	In  io.Reader
	Out io.Writer
	// NoColor draws without colour (NO_COLOR).
	NoColor bool
	// From and To name the two ends as the user gave them, for the title.
	From, To string
}

// RunSync draws the live transfer screen while e downloads, until the user
// leaves the summary. It returns the result of the whole job (a retry of
// failures included) and the error of its last run: context.Canceled when
// it was cancelled, so the caller can print its summary either way.
func RunSync(ctx context.Context, e *download.Engine, o ScreenOptions) (transfer.Result, error) {
	t := newJob(e)
	err := runTransferProgram(ctx, t, downloadLabels(o.From, o.To), o)
	return t.result(), err
}

// RunUpload is RunSync for an upload.
func RunUpload(ctx context.Context, e *upload.Engine, o ScreenOptions) (transfer.Result, error) {
	t := newJob(e)
	err := runTransferProgram(ctx, t, uploadLabels(o.From, o.To), o)
	return t.result(), err
}

func runTransferProgram(ctx context.Context, t Transfer, lbl transferLabels, o ScreenOptions) error {
	m := newTransferApp(ctx, t, lbl, o.NoColor)
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(o.In), tea.WithOutput(o.Out))
	final, err := p.Run()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	app, ok := final.(transferApp)
	if !ok {
		return errors.New("the transfer screen stopped unexpectedly")
	}
	if app.xfer.canceled {
		return context.Canceled
	}
	return app.xfer.err
}

// transferApp is the root model of a standalone transfer: the transfer
// screen with a header and a help bar, in the alternate screen so the
// command's printed summary is what stays in the terminal.
type transferApp struct {
	frame
	xfer transferScreen
}

func newTransferApp(ctx context.Context, t Transfer, lbl transferLabels, noColor bool) transferApp {
	a := transferApp{frame: newFrame(ctx, noColor)}
	lbl.Leave = "finish"
	a.xfer = newTransferScreen(a.c, t, lbl)
	a.layout(80, 24)
	return a
}

// Init asks for the terminal's background and for the transfer to start.
// Starting changes the model (the run's id and cancel function), which
// Init cannot, so it goes through Update.
func (a transferApp) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, func() tea.Msg { return startTransferMsg{} })
}

// startTransferMsg asks the root to start the transfer.
type startTransferMsg struct{}

func (a *transferApp) layout(w, h int) { a.frame.layout(w, h, a.xfer.help()) }

// Update implements tea.Model.
func (a transferApp) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case startTransferMsg:
		if a.xfer.phase != transferIdle {
			return a, nil
		}
		return a, a.xfer.start(false)
	case tea.WindowSizeMsg:
		a.layout(msg.Width, msg.Height)
		return a, nil
	case tea.BackgroundColorMsg, tea.ColorProfileMsg:
		a.restyle(msg)
		return a, nil
	case nextMsg:
		return a, tea.Quit
	case transferDoneMsg:
		var cmd tea.Cmd
		a.xfer, cmd = a.xfer.Update(msg)
		if a.xfer.cleanFinish() {
			// A command that did all it was asked ends by itself, as cp and
			// rclone do; the summary screen waits only when there is
			// something to decide (failures to retry, a cancel).
			return a, tea.Quit
		}
		return a, cmd
	case tea.KeyPressMsg:
		k := a.c.Keys
		switch {
		case key.Matches(msg, k.Quit):
			if a.xfer.running() {
				a.xfer.stop()
				return a, nil
			}
			return a, tea.Quit
		case key.Matches(msg, k.Help):
			a.toggleHelp(a.xfer.help())
			return a, nil
		}
	}
	var cmd tea.Cmd
	a.xfer, cmd = a.xfer.Update(msg)
	return a, cmd
}

// View implements tea.Model: the screen, the help bar, and the overall
// fraction on the terminal's own progress indicator.
func (a transferApp) View() tea.View {
	var v tea.View
	v.AltScreen = true
	v.WindowTitle = "s3link · " + a.xfer.lbl.Command
	v.SetContent(a.content(a.xfer.lbl.Command, a.xfer.View(), "\n", a.xfer.help()))
	v.ProgressBar = a.xfer.nativeBar()
	return v
}
