package ui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
)

// Styles is every style the wizard draws with. It is built once, by
// NewStyles or NewPlainStyles, and passed down; views never build styles.
type Styles struct {
	Header    lipgloss.Style
	Title     lipgloss.Style
	StepCount lipgloss.Style
	Muted     lipgloss.Style
	Bold      lipgloss.Style
	Label     lipgloss.Style
	Value     lipgloss.Style
	Error     lipgloss.Style
	Warn      lipgloss.Style
	OK        lipgloss.Style
	Banner    lipgloss.Style
	Selected  lipgloss.Style
	Box       lipgloss.Style
	Secret    lipgloss.Style
	Spinner   lipgloss.Style

	JSONKey    lipgloss.Style
	JSONString lipgloss.Style
	JSONPunct  lipgloss.Style
	JSONOther  lipgloss.Style

	// BarFull and BarEmpty colour the filled and empty parts of progress
	// bars (bubbles/progress takes colours, not styles).
	BarFull  color.Color
	BarEmpty color.Color

	Help  help.Styles
	Input textinput.Styles
}

// NewStyles returns the coloured styles for a dark or light background.
func NewStyles(isDark bool) Styles {
	ld := lipgloss.LightDark(isDark)
	accent := ld(lipgloss.Color("#5A3FC0"), lipgloss.Color("#9D8CFF"))
	muted := ld(lipgloss.Color("#767676"), lipgloss.Color("#8A8A8A"))
	red := ld(lipgloss.Color("#C0392B"), lipgloss.Color("#FF6B6B"))
	yellow := ld(lipgloss.Color("#9A6700"), lipgloss.Color("#F2C94C"))
	green := ld(lipgloss.Color("#1E7B34"), lipgloss.Color("#5FD38D"))
	blue := ld(lipgloss.Color("#0B5CAD"), lipgloss.Color("#7CB7FF"))

	s := Styles{
		Header:    lipgloss.NewStyle().Bold(true).Foreground(accent),
		Title:     lipgloss.NewStyle().Bold(true),
		StepCount: lipgloss.NewStyle().Foreground(muted),
		Muted:     lipgloss.NewStyle().Foreground(muted),
		Bold:      lipgloss.NewStyle().Bold(true),
		Label:     lipgloss.NewStyle().Foreground(muted),
		Value:     lipgloss.NewStyle().Bold(true),
		Error:     lipgloss.NewStyle().Foreground(red),
		Warn:      lipgloss.NewStyle().Foreground(yellow),
		OK:        lipgloss.NewStyle().Foreground(green),
		Banner:    lipgloss.NewStyle().Bold(true).Foreground(yellow),
		Selected:  lipgloss.NewStyle().Bold(true).Foreground(accent),
		Box:       lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(muted).Padding(0, 1),
		Secret:    lipgloss.NewStyle().Bold(true).Foreground(yellow),
		Spinner:   lipgloss.NewStyle().Foreground(accent),

		JSONKey:    lipgloss.NewStyle().Foreground(blue),
		JSONString: lipgloss.NewStyle().Foreground(green),
		JSONPunct:  lipgloss.NewStyle().Foreground(muted),
		JSONOther:  lipgloss.NewStyle().Foreground(yellow),

		BarFull:  accent,
		BarEmpty: muted,

		Help:  help.DefaultStyles(isDark),
		Input: textinput.DefaultStyles(isDark),
	}
	s.Input.Focused.Prompt = lipgloss.NewStyle().Foreground(accent)
	s.Input.Cursor.Blink = false
	return s
}

// NewPlainStyles returns styles without colour, for NO_COLOR and terminals
// without colour: emphasis stays, as no-color.org allows, so the screens
// keep their structure.
func NewPlainStyles() Styles {
	plain := lipgloss.NewStyle()
	bold := plain.Bold(true)
	s := Styles{
		Header:    bold,
		Title:     bold,
		StepCount: plain,
		Muted:     plain,
		Bold:      bold,
		Label:     plain,
		Value:     bold,
		Error:     plain,
		Warn:      plain,
		OK:        plain,
		Banner:    bold,
		Selected:  bold,
		Box:       plain.Border(lipgloss.RoundedBorder()).Padding(0, 1),
		Secret:    bold,
		Spinner:   plain,

		JSONKey:    plain,
		JSONString: plain,
		JSONPunct:  plain,
		JSONOther:  plain,

		BarFull:  lipgloss.NoColor{},
		BarEmpty: lipgloss.NoColor{},

		Help: help.Styles{
			Ellipsis: plain, ShortKey: bold, ShortDesc: plain, ShortSeparator: plain,
			FullKey: bold, FullDesc: plain, FullSeparator: plain,
		},
	}
	in := textinput.StyleState{Text: plain, Placeholder: plain, Suggestion: plain, Prompt: plain}
	s.Input = textinput.Styles{Focused: in, Blurred: in}
	s.Input.Cursor.Blink = false
	return s
}
