package ui

import (
	"reflect"

	tea "charm.land/bubbletea/v2"

	"github.com/s3link/s3link/steps"
)

// Navigation: screens return goNext and goBack bare, and the root stamps
// every other navigation message with the step it came from.

type nav int

const (
	navNone nav = iota
	navNext
	navBack
)

var (
	goNextPtr = reflect.ValueOf(goNext).Pointer()
	goBackPtr = reflect.ValueOf(goBack).Pointer()
)

// navigation tells goNext and goBack, which screens return bare, from
// every other Cmd.
func navigation(cmd tea.Cmd) nav {
	if cmd == nil {
		return navNone
	}
	switch reflect.ValueOf(cmd).Pointer() {
	case goNextPtr:
		return navNext
	case goBackPtr:
		return navBack
	}
	return navNone
}

// stepStamp records which step a navigation message came from.
type stepStamp struct {
	step steps.Step
	set  bool
}

func (s stepStamp) is(step steps.Step) bool { return s.set && s.step == step }

// stamp marks the navigation messages cmd yields with the step on show
// when it was returned; the root ignores those from a step already left.
func stamp(cmd tea.Cmd, from steps.Step) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		switch m := cmd().(type) {
		case nextMsg:
			m.from = stepStamp{step: from, set: true}
			return m
		case backMsg:
			m.from = stepStamp{step: from, set: true}
			return m
		case tea.BatchMsg:
			for i := range m {
				m[i] = stamp(m[i], from)
			}
			return m
		default:
			return m
		}
	}
}

// sentence renders a guard's error as a sentence.
func sentence(err error) string { return refused(err) }
