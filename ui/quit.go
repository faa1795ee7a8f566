package ui

import (
	"context"
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"
)

// ErrIncomplete means the wizard was left after AWS resources were created
// but before the key was handed over; the record lists them for teardown.
var ErrIncomplete = errors.New("setup did not finish")

// Summary is the text to print after the program exits: what was made and
// what to paste into the platform. It never holds the secret, and it is
// empty when the wizard did not finish.
func (a App) Summary() string {
	if a.outcome == nil {
		return ""
	}
	return a.outcome.Text()
}

// Err says why the wizard ended early: context.Canceled when nothing was
// created, an ErrIncomplete when something was. After Done it is nil, or
// ErrSecretNotHandedOver when the secret was neither saved nor confirmed.
func (a App) Err() error {
	if a.err == nil && a.outcome != nil && a.outcome.Hand.State.unconfirmed() {
		return ErrSecretNotHandedOver
	}
	return a.err
}

// interrupt is ctrl+c: immediate before anything exists, guarded while AWS
// calls run or while the secret is unsaved.
func (a App) interrupt() (tea.Model, tea.Cmd) {
	own := a.machine.Owner(a.step)
	if a.machine.Guards(a.step) && a.screens[own] != nil {
		var held bool
		if a.screens[own], held = a.screens[own].Interrupt(); held {
			return a, nil
		}
	}
	if a.hasAnswers() {
		a.askingQuit = true
		a.layout(a.c.Width, a.height)
		return a, nil
	}
	return a.quit()
}

// quitPrompt is the ctrl+c guard's question.
const quitPrompt = "Quit? Your answers will be lost. y/n"

// hasAnswers reports whether quitting now would lose answers given on
// this screen or before it. From Apply on, the screens guard what they
// hold.
func (a App) hasAnswers() bool {
	cur := a.current()
	return cur != nil && !a.machine.Applying() && cur.HasAnswers()
}

// quit ends the program, remembering how the run ended for Summary and
// Err.
func (a App) quit() (tea.Model, tea.Cmd) {
	a.quitting = true
	where, left := "", false
	if cur := a.current(); cur != nil {
		where, left = cur.Left()
	}
	switch {
	case a.machine.Finished(a.step):
		o := a.finalOutcome()
		a.outcome = &o
	case a.machine.Applying() && left:
		if where == "" {
			where = "the local record"
		}
		a.err = fmt.Errorf("%w: what was created is listed in %s; run `s3link teardown` to remove it, or run setup again to finish", ErrIncomplete, where)
	default:
		a.err = context.Canceled
	}
	return a, tea.Quit
}
