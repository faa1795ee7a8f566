// Package ui is s3link's Bubble Tea wizard: a root model (App) that asks
// steps.Machine where to go, and one sub-model per screen. Only cmds.go
// reaches AWS, the clipboard or the disk.
package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/awsops/transfer/download"
	"github.com/s3link/s3link/awsops/transfer/upload"
)

// Ops is what the wizard needs from AWS: the setup calls, the undo calls
// for a rollback, and the folder listing of the location's picker.
// *awsops.Client implements it.
type Ops interface {
	setup.Ops
	// ListFolders lists the folders directly under prefix in bucket, as
	// full prefixes with a trailing slash.
	ListFolders(ctx context.Context, bucket, prefix string) ([]string, error)
}

// Deps is everything the wizard takes from outside.
type Deps struct {
	// Ctx bounds every AWS call; cancelling it (ctrl+c from the shell,
	// SIGTERM) cancels calls in flight.
	Ctx context.Context
	// Ops talks to AWS with the credentials chosen on the command line.
	Ops Ops
	// NewOps builds clients for another profile, for the profile picker;
	// nil disables the picker.
	NewOps func(profile string) (Ops, error)
	// RecordDir is where the local record is written after each action;
	// empty keeps no record.
	RecordDir string
	// Sandbox marks a run against the local emulator.
	Sandbox bool
	// Profile and Region are the --profile and --region flags, if given.
	Profile string
	Region  string
	// EndpointURL is --endpoint-url, kept in the record.
	EndpointURL string
	// NoColor draws without colour (NO_COLOR, or a terminal without it).
	NoColor bool
	// Clipboard writes to the native clipboard; nil means there is none.
	Clipboard func(string) error
	// Now is the clock for ages and record times.
	Now func() time.Time
	// Preset holds answers given as flags; the screens start from them.
	Preset Preset

	// AWS is the caller's own configuration (profile, region, endpoint).
	// An upload runs with it; the proof download takes its endpoint and
	// uses the new key instead of its credentials.
	AWS awsops.Config
	// DemoDir is a folder of generated demo media, offered as the folder
	// to upload (the sandbox writes one); empty offers none.
	DemoDir string
	// WorkDir is where the done screen makes the folder of AWS CLI
	// commands; "" is the current directory.
	WorkDir string
	// Concurrency bounds the requests in flight of the upload and of the
	// proof download; zero leaves the engines' defaults.
	Concurrency int
	// NewUpload builds the upload of dir with credentials c; nil builds
	// the real one (the upload engine over S3). Tests substitute a fake.
	NewUpload func(ctx context.Context, c awsops.Config, dir string, opts upload.Options) (Transfer, error)
	// Connect builds the store the proof download reads from with
	// credentials c; nil uses download.Connect. Tests substitute an
	// in-memory store.
	Connect func(ctx context.Context, c awsops.Config, bucket string, concurrency int) (download.Store, error)
}

// Preset is answers given up front (s3link setup --bucket ... in a
// terminal). Every screen is still shown, starting from these values.
type Preset struct {
	Bucket         string
	ExistingBucket bool
	Prefix         string
	PolicyName     string
	UserName       string
	Tags           []string
	// TrustedAccount, when set, preselects a role link for that account
	// on the access screen; RoleName names the role.
	TrustedAccount string
	RoleName       string
}

// Common is what every screen shares: the context for Cmds, the size it
// may draw in, styles and keys. Screens hold a pointer so a resize or a
// style change reaches all of them.
type Common struct {
	Ctx    context.Context
	Width  int
	Height int
	Styles *Styles
	Keys   *KeyMap
	Now    func() time.Time
}

// stylesChangedMsg tells screens to restyle their inputs after the
// terminal reported its background or colour profile.
type stylesChangedMsg struct{}

// newInput returns a text input styled for the wizard, with a steady
// cursor (a blinking one would make every frame differ).
func newInput(c *Common, prompt, placeholder string) textinput.Model {
	in := textinput.New()
	in.Prompt = prompt
	in.Placeholder = placeholder
	in.SetStyles(c.Styles.Input)
	// Without a width, textinput draws only the placeholder's first letter.
	in.SetWidth(max(min(c.Width-len(prompt)-14, 60), 10))
	return in
}

// pickItem is one row of a picker.
type pickItem struct {
	Value  string
	Title  string
	Detail string
}

// picker is a filterable single-choice list: type to filter, up and down to
// move. It is smaller than bubbles/list and leaves esc, enter and q to the
// screen, which a wizard needs.
type picker struct {
	filter textinput.Model
	items  []pickItem
	shown  []int
	cursor int
	height int
}

func newPicker(c *Common, placeholder string) picker {
	return picker{filter: newInput(c, "Filter: ", placeholder), height: 5}
}

// SetItems replaces the rows, keeping the highlighted one if still shown.
func (p *picker) SetItems(items []pickItem) {
	p.items = items
	p.refilter()
}

func (p *picker) refilter() {
	prev, hadPrev := p.Selected()
	q := strings.ToLower(strings.TrimSpace(p.filter.Value()))
	p.shown = p.shown[:0]
	for i, it := range p.items {
		if q == "" || strings.Contains(strings.ToLower(it.Value+" "+it.Title+" "+it.Detail), q) {
			p.shown = append(p.shown, i)
		}
	}
	p.cursor = 0
	if hadPrev {
		for i, idx := range p.shown {
			if p.items[idx].Value == prev.Value {
				p.cursor = i
			}
		}
	}
}

// Select moves the cursor to the item with value v, if shown.
func (p *picker) Select(v string) {
	for i, idx := range p.shown {
		if p.items[idx].Value == v {
			p.cursor = i
		}
	}
}

// Selected returns the highlighted row, if any row is shown.
func (p picker) Selected() (pickItem, bool) {
	if p.cursor < 0 || p.cursor >= len(p.shown) {
		return pickItem{}, false
	}
	return p.items[p.shown[p.cursor]], true
}

// Filter returns what was typed to filter the rows.
func (p picker) Filter() string { return strings.TrimSpace(p.filter.Value()) }

// Focus sends typing to the filter.
func (p *picker) Focus() tea.Cmd { return p.filter.Focus() }

// Blur stops sending typing to the filter.
func (p *picker) Blur() { p.filter.Blur() }

// Update moves the highlight with up and down and filters on typing.
func (p picker) Update(msg tea.Msg, keys listKeys) (picker, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, keys.Up):
			if p.cursor > 0 {
				p.cursor--
			}
			return p, nil
		case key.Matches(k, keys.Down):
			if p.cursor < len(p.shown)-1 {
				p.cursor++
			}
			return p, nil
		}
	}
	before := p.filter.Value()
	var cmd tea.Cmd
	p.filter, cmd = p.filter.Update(msg)
	if p.filter.Value() != before {
		p.refilter()
	}
	return p, cmd
}

// View draws the filter and the visible rows.
func (p picker) View(st *Styles, width int) string {
	var b strings.Builder
	b.WriteString(p.filter.View())
	start := 0
	if p.cursor >= p.height {
		start = p.cursor - p.height + 1
	}
	for i := start; i < len(p.shown) && i < start+p.height; i++ {
		it := p.items[p.shown[i]]
		line := fmt.Sprintf("%-24s %s", it.Title, it.Detail)
		line = ansi.Truncate(line, max(width-4, 10), "…")
		b.WriteString("\n")
		if i == p.cursor {
			b.WriteString(st.Selected.Render("> " + line))
		} else {
			b.WriteString("  " + line)
		}
	}
	if len(p.shown) == 0 {
		b.WriteString("\n" + st.Muted.Render("  nothing matches"))
	}
	if extra := len(p.shown) - start - p.height; extra > 0 {
		b.WriteString("\n" + st.Muted.Render(fmt.Sprintf("  … %d more (type to filter)", extra)))
	}
	return b.String()
}

// listKeys move a highlight up and down a list.
type listKeys struct{ Up, Down key.Binding }

// choice is a short vertical menu (two or three options).
type choice struct {
	options []string
	cursor  int
}

// Update moves the highlight.
func (c choice) Update(msg tea.KeyPressMsg, keys listKeys) choice {
	switch {
	case key.Matches(msg, keys.Up):
		if c.cursor > 0 {
			c.cursor--
		}
	case key.Matches(msg, keys.Down):
		if c.cursor < len(c.options)-1 {
			c.cursor++
		}
	}
	return c
}

// View draws the options, the highlighted one marked.
func (c choice) View(st *Styles, width int) string {
	lines := make([]string, len(c.options))
	for i, o := range c.options {
		o = wrap(o, max(width-4, 20))
		o = strings.ReplaceAll(o, "\n", "\n  ")
		if i == c.cursor {
			lines[i] = st.Selected.Render("> " + o)
		} else {
			lines[i] = "  " + o
		}
	}
	return strings.Join(lines, "\n")
}

// wrap word-wraps s to width columns, breaking at spaces only (so names
// such as "s3://acme-media" stay whole) and hard-wrapping a word wider than
// a line.
func wrap(s string, width int) string {
	if width <= 0 {
		return s
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, w := range strings.Fields(para) {
			switch {
			case line == "":
				line = w
			case ansi.StringWidth(line)+1+ansi.StringWidth(w) <= width:
				line += " " + w
			default:
				out = append(out, line)
				line = w
			}
			for ansi.StringWidth(line) > width {
				out = append(out, ansi.Truncate(line, width, ""))
				line = ansi.TruncateLeft(line, width, "")
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// HumanBytes renders a byte count in binary units the way people read
// sizes ("12.3 MiB"); the screens and the headless commands all use it.
func HumanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// Plural picks the singular or plural noun for n.
func Plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// age renders how long ago t was, in days at most precise enough for keys.
func age(now, t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	d := now.Sub(t)
	switch {
	case d < time.Hour:
		return "just now"
	case d < 24*time.Hour:
		h := int64(d / time.Hour)
		return fmt.Sprintf("%d %s ago", h, Plural(h, "hour", "hours"))
	default:
		days := int64(d / (24 * time.Hour))
		return fmt.Sprintf("%d %s ago", days, Plural(days, "day", "days"))
	}
}

// fitHeight cuts s to at most h lines, so a screen never pushes the help
// bar off a small terminal. What it cuts is never cut silently: the last
// line left says how many lines are not shown.
func fitHeight(s string, h int) string {
	if h <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		cut := len(lines) - h + 1
		lines = append(lines[:h-1], fmt.Sprintf("↓ %d more %s (make the window taller to see them)", cut, Plural(int64(cut), "line", "lines")))
	}
	return strings.Join(lines, "\n")
}

// field renders "Label  value" with the label muted and padded.
func field(st *Styles, label, value string) string {
	return st.Label.Render(fmt.Sprintf("%-10s", label)) + " " + value
}

// lines stacks parts top to bottom; an empty part is a blank line.
func lines(parts ...string) string {
	return strings.Join(parts, "\n")
}
