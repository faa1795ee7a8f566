package ui

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// frame is what a standalone screen (rotate's key screen, a sync or
// upload on its own) puts around its one screen: the shared Common, the
// help bar, the colours the terminal answers with, and a layout that
// leaves the help bar its lines.
type frame struct {
	c       *Common
	help    help.Model
	noColor bool
	height  int
}

func newFrame(ctx context.Context, noColor bool) frame {
	st := NewStyles(true)
	if noColor {
		st = NewPlainStyles()
	}
	keys := DefaultKeyMap()
	f := frame{c: &Common{Ctx: ctx, Width: 80, Height: 20, Styles: &st, Keys: &keys}, help: help.New(), noColor: noColor}
	f.help.Styles = st.Help
	return f
}

// restyle takes the terminal's answers about colour; it reports whether
// msg was one.
func (f *frame) restyle(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case tea.BackgroundColorMsg:
		if !f.noColor {
			*f.c.Styles = NewStyles(msg.IsDark())
			f.help.Styles = f.c.Styles.Help
		}
		return true
	case tea.ColorProfileMsg:
		if msg.Profile == colorprofile.Ascii || msg.Profile == colorprofile.NoTTY {
			*f.c.Styles = NewPlainStyles()
			f.help.Styles = f.c.Styles.Help
		}
		return true
	}
	return false
}

// layout gives the screen what the header and the help bar of keys leave
// of a w×h terminal.
func (f *frame) layout(w, h int, keys help.KeyMap) {
	f.help.SetWidth(w)
	helpLines := strings.Count(f.helpView(keys), "\n") + 1
	f.c.Width = w
	f.c.Height = max(h-2-helpLines, 4)
	f.height = h
}

// toggleHelp shows or hides the full help and lays the screen out again.
func (f *frame) toggleHelp(keys help.KeyMap) {
	f.help.ShowAll = !f.help.ShowAll
	f.layout(f.c.Width, f.height, keys)
}

// helpView is the help bar of keys, each line cut to the width.
func (f frame) helpView(keys help.KeyMap) string {
	ls := strings.Split(f.help.View(keys), "\n")
	for i, l := range ls {
		ls[i] = ansi.Truncate(l, f.c.Width, "…")
	}
	return strings.Join(ls, "\n")
}

// content is the whole frame: the header with title, the screen's body
// padded to its height, sep, and the help bar of keys.
func (f frame) content(title, body, sep string, keys help.KeyMap) string {
	body = fitHeight(body, f.c.Height)
	if pad := f.c.Height - (strings.Count(body, "\n") + 1); pad > 0 {
		body += strings.Repeat("\n", pad)
	}
	header := f.c.Styles.Header.Render("s3link") + " · " + f.c.Styles.Title.Render(title)
	return header + "\n\n" + body + sep + f.helpView(keys)
}
