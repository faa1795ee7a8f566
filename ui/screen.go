package ui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/s3link/s3link/steps"
)

// screen is one step's sub-model as the root sees it: the root routes
// messages to it, draws it and asks it for its answer, and never reads
// its fields. Screens are values, so every method that changes one
// returns it.
type screen interface {
	// Update handles one message.
	Update(tea.Msg) (screen, tea.Cmd)
	// View draws the screen inside the frame.
	View() string
	// SetSize lays the screen out again for the space under the header
	// (Common's Width and Height hold it too).
	SetSize(w, h int) (screen, tea.Cmd)
	// Help is the screen's key bindings for the help bar, as they stand.
	Help() helpKeys
	// AcceptsQuestionMark reports whether "?" is text for the screen (a
	// path being typed), not the help key.
	AcceptsQuestionMark() bool
	// TakesPaste reports whether a paste goes to the screen whole rather
	// than as one key a character.
	TakesPaste() bool
	// Busy reports whether the screen waits on a result that may move the
	// wizard on or change what keys mean.
	Busy() bool
	// HasAnswers reports whether quitting now would lose answers given on
	// the screen or before it.
	HasAnswers() bool
	// Enter shows the screen for step at, with the answers so far.
	Enter(w *wizard, at steps.Step) (screen, tea.Cmd)
	// Answer writes the screen's answer into w when the wizard moves on
	// from at; ok false keeps the wizard where it is.
	Answer(w *wizard, at steps.Step) (a answered, ok bool)
	// Reset drops the checks made for an earlier answer to another step.
	Reset() screen
	// Interrupt is ctrl+c: handled reports that the screen stopped or held
	// work under way, so the wizard stays.
	Interrupt() (s screen, handled bool)
	// Report adds what the screen did to the run's outcome.
	Report(o *outcome)
	// Left says where the record of what was made lives, when leaving now
	// would leave resources behind unfinished.
	Left() (record string, ok bool)
	// ProgressBar is the terminal's native progress bar, or nil.
	ProgressBar() *tea.ProgressBar
}

// answered is what a screen's answer means for the rest of the wizard.
type answered struct {
	// result is what the machine's guards need.
	result steps.Result
	// changed says the answer differs from the one given before, so what
	// depended on it (steps.Machine.Invalidates) is stale.
	changed bool
}

// subModel is what every screen is: a bubbles-style sub-model whose
// Update returns its own type.
type subModel[S any] interface {
	Update(tea.Msg) (S, tea.Cmd)
	View() string
	help() helpKeys
}

// The optional methods of a sub-model, each held's way to one screen
// method; a sub-model without one gets the screen method's default.
type (
	// questionMarker: "?" is text now (AcceptsQuestionMark; default false).
	questionMarker interface{ acceptsQuestionMark() bool }
	// paster: a paste goes in whole (TakesPaste; default false).
	paster interface{ pastesWhole() bool }
	// waiter: a lookup is under way (Busy; default false).
	waiter interface{ waiting() bool }
	// answerHolder: quitting would lose answers (HasAnswers; default false).
	answerHolder interface{ hasAnswers() bool }
	// enterer is set up on entry, on its pointer (Enter; default nothing).
	enterer interface {
		enterWith(*wizard, steps.Step) tea.Cmd
	}
	// answerer hands over an answer (Answer; default none needed, ok).
	answerer interface {
		answerTo(*wizard, steps.Step) (answered, bool)
	}
	// resetter drops stale checks, on its pointer (Reset; default nothing).
	resetter interface{ reset() }
	// interrupter guards ctrl+c, on its pointer (Interrupt; default not).
	interrupter interface{ interrupt() bool }
	// reporter adds to the outcome (Report; default nothing).
	reporter interface{ report(*outcome) }
	// leaver may leave resources behind (Left; default nothing).
	leaver interface{ left() (string, bool) }
	// progresser draws the native progress bar (ProgressBar; default nil).
	progresser interface{ progressBar() *tea.ProgressBar }
)

// held makes a sub-model a screen. The methods a screen has no use for
// are optional: held asks for them by type assertion and does nothing
// without them.
type held[S subModel[S]] struct{ s S }

func hold[S subModel[S]](s S) screen { return held[S]{s} }

// screenAs is the sub-model behind sc, or S's zero value.
func screenAs[S subModel[S]](sc screen) S {
	h, _ := sc.(held[S])
	return h.s
}

func (h held[S]) Update(msg tea.Msg) (screen, tea.Cmd) {
	s, cmd := h.s.Update(msg)
	return held[S]{s}, cmd
}

func (h held[S]) View() string   { return h.s.View() }
func (h held[S]) Help() helpKeys { return h.s.help() }

// SetSize hands the screen a size message; screens read the space itself
// from Common.
func (h held[S]) SetSize(w, ht int) (screen, tea.Cmd) {
	return h.Update(tea.WindowSizeMsg{Width: w, Height: ht})
}

func (h held[S]) AcceptsQuestionMark() bool {
	q, ok := any(h.s).(questionMarker)
	return ok && q.acceptsQuestionMark()
}

func (h held[S]) TakesPaste() bool {
	p, ok := any(h.s).(paster)
	return ok && p.pastesWhole()
}

func (h held[S]) Busy() bool {
	b, ok := any(h.s).(waiter)
	return ok && b.waiting()
}

func (h held[S]) HasAnswers() bool {
	b, ok := any(h.s).(answerHolder)
	return ok && b.hasAnswers()
}

func (h held[S]) Enter(w *wizard, at steps.Step) (screen, tea.Cmd) {
	var cmd tea.Cmd
	if e, ok := any(&h.s).(enterer); ok {
		cmd = e.enterWith(w, at)
	}
	return h, cmd
}

func (h held[S]) Answer(w *wizard, at steps.Step) (answered, bool) {
	if a, ok := any(h.s).(answerer); ok {
		return a.answerTo(w, at)
	}
	return answered{}, true
}

func (h held[S]) Reset() screen {
	if r, ok := any(&h.s).(resetter); ok {
		r.reset()
	}
	return h
}

func (h held[S]) Interrupt() (screen, bool) {
	if i, ok := any(&h.s).(interrupter); ok {
		return h, i.interrupt()
	}
	return h, false
}

func (h held[S]) Report(o *outcome) {
	if r, ok := any(h.s).(reporter); ok {
		r.report(o)
	}
}

func (h held[S]) Left() (string, bool) {
	if l, ok := any(h.s).(leaver); ok {
		return l.left()
	}
	return "", false
}

func (h held[S]) ProgressBar() *tea.ProgressBar {
	if p, ok := any(h.s).(progresser); ok {
		return p.progressBar()
	}
	return nil
}
