package ui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/s3link/s3link/awsops/awsopstest"
	"github.com/s3link/s3link/steps"
)

// errNoClipboard is what the clipboard library says on a machine without
// xclip, xsel or wl-copy.
var errNoClipboard = errors.New("no clipboard utilities available")

// clipRecorder stands in for the native clipboard.
type clipRecorder struct {
	mu   sync.Mutex
	last string
	err  error
}

func (c *clipRecorder) write(s string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	c.last = s
	return nil
}

func (c *clipRecorder) value() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

func testDeps(t *testing.T, f *awsopstest.Fake) Deps {
	t.Helper()
	// The fake's region is the profile's, as a real profile's would be.
	f.Identity.RegionSource = "profile work"
	return Deps{
		Ctx:       context.Background(),
		Ops:       f,
		RecordDir: t.TempDir(),
		Profile:   "work",
		NoColor:   true,
		Clipboard: (&clipRecorder{err: errNoClipboard}).write,
		Now:       f.Now,
		WorkDir:   t.TempDir(),
	}
}

// driver runs the app synchronously, as huh's tests do: each message goes
// to Update, and the Cmds it returns run at once, their messages fed back,
// until nothing is left. Spinner ticks are dropped so nothing sleeps or
// loops.
type driver struct {
	t    *testing.T
	app  App
	quit bool
}

func newDriver(t *testing.T, d Deps) *driver {
	t.Helper()
	dr := &driver{t: t, app: New(d)}
	dr.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	dr.run(dr.app.Init())
	return dr
}

func (d *driver) send(msg tea.Msg) {
	d.t.Helper()
	m, cmd := d.app.Update(msg)
	d.app = m.(App)
	d.run(cmd)
}

func (d *driver) run(cmd tea.Cmd) {
	d.t.Helper()
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil, spinner.TickMsg:
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
	case tea.QuitMsg:
		d.quit = true
	default:
		d.send(msg)
	}
}

// press sends keys by name ("enter", "esc", "ctrl+c", "tab", "down").
func (d *driver) press(keys ...string) {
	d.t.Helper()
	for _, k := range keys {
		d.send(keyMsg(k))
	}
}

// paste pastes s in one message, so a debounced input settles once.
func (d *driver) paste(s string) {
	d.t.Helper()
	d.send(tea.PasteMsg{Content: s})
}

// typeText types s one rune at a time.
func (d *driver) typeText(s string) {
	d.t.Helper()
	for _, r := range s {
		d.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	}
	r := []rune(k)
	return tea.KeyPressMsg{Code: r[0], Text: k}
}

// view is the frame as the user reads it: ANSI stripped.
func (d *driver) view() string {
	return ansi.Strip(d.app.View().Content)
}

// golden compares the frame with testdata/<Test>.golden.
func (d *driver) golden() {
	d.t.Helper()
	golden.RequireEqual(d.t, []byte(d.view()))
}

func (d *driver) wantStep(s steps.Step) {
	d.t.Helper()
	if got := d.app.Step(); got != s {
		d.t.Fatalf("on step %v, want %v; screen:\n%s", got, s, d.view())
	}
}

func (d *driver) wantView(subs ...string) {
	d.t.Helper()
	v := d.view()
	for _, s := range subs {
		if !strings.Contains(v, s) {
			d.t.Fatalf("screen lacks %q:\n%s", s, v)
		}
	}
}

var errCanceled = context.Canceled

func windowSize(w, h int) tea.WindowSizeMsg { return tea.WindowSizeMsg{Width: w, Height: h} }

// The screens behind the app's steps, for tests that look inside one.
func (a App) bucketScr() bucketScreen { return screenAs[bucketScreen](a.screens[steps.Bucket]) }
func (a App) locScr() locationScreen  { return screenAs[locationScreen](a.screens[steps.Location]) }
func (a App) polScr() policyScreen    { return screenAs[policyScreen](a.screens[steps.Policy]) }
func (a App) keyScr() keyScreen       { return screenAs[keyScreen](a.screens[steps.Key]) }
func (a App) doneScr() doneScreen     { return screenAs[doneScreen](a.screens[steps.Done]) }
func (a App) syncScr() syncScreen     { return screenAs[syncScreen](a.screens[steps.Sync]) }
func (a App) revScr() reviewScreen    { return screenAs[reviewScreen](a.screens[steps.Review]) }
func (a App) uploadScr() uploadScreen { return screenAs[uploadScreen](a.screens[steps.Upload]) }
func (a App) upRunScr() uploadingScreen {
	return screenAs[uploadingScreen](a.screens[steps.Uploading])
}
