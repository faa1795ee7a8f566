package ui

import (
	"testing"

	"github.com/s3link/s3link/steps"
)

// The optional methods each screen is meant to have: a misspelt or
// mistyped one would silently fall back to the default.
var (
	_ waiter = identityScreen{}
	_ waiter = bucketScreen{}
	_ waiter = policyScreen{}
	_ waiter = userScreen{}

	_ answerHolder = identityScreen{}
	_ answerHolder = bucketScreen{}
	_ answerHolder = locationScreen{}
	_ answerHolder = uploadScreen{}
	_ answerHolder = policyScreen{}
	_ answerHolder = accessScreen{}
	_ answerHolder = userScreen{}
	_ answerHolder = reviewScreen{}

	_ answerer = identityScreen{}
	_ answerer = bucketScreen{}
	_ answerer = locationScreen{}
	_ answerer = uploadScreen{}
	_ answerer = policyScreen{}
	_ answerer = accessScreen{}
	_ answerer = userScreen{}
	_ answerer = reviewScreen{}
	_ answerer = keyScreen{}

	_ enterer = (*locationScreen)(nil)
	_ enterer = (*uploadScreen)(nil)
	_ enterer = (*policyScreen)(nil)
	_ enterer = (*accessScreen)(nil)
	_ enterer = (*userScreen)(nil)
	_ enterer = (*reviewScreen)(nil)
	_ enterer = (*syncScreen)(nil)

	_ resetter = (*locationScreen)(nil)
	_ resetter = (*uploadScreen)(nil)
	_ resetter = (*policyScreen)(nil)
	_ resetter = (*userScreen)(nil)

	_ interrupter = (*reviewScreen)(nil)
	_ interrupter = (*keyScreen)(nil)
	_ interrupter = (*uploadingScreen)(nil)
	_ interrupter = (*syncScreen)(nil)

	_ reporter = reviewScreen{}
	_ reporter = keyScreen{}
	_ reporter = uploadingScreen{}
	_ reporter = syncScreen{}
	_ reporter = doneScreen{}

	_ questionMarker = locationScreen{}
	_ questionMarker = keyScreen{}
	_ questionMarker = uploadScreen{}
	_ questionMarker = syncScreen{}

	_ paster     = locationScreen{}
	_ leaver     = reviewScreen{}
	_ progresser = reviewScreen{}
	_ progresser = uploadingScreen{}
	_ progresser = syncScreen{}
)

// Every step with a screen of its own has a builder, and no step shown
// by another's screen has one.
func TestEveryScreenHasABuilder(t *testing.T) {
	m := steps.New(steps.Options{})
	own := map[steps.Step]bool{}
	for _, s := range m.Screens() {
		own[s] = true
		if builders[s] == nil {
			t.Errorf("no builder for %v", s)
		}
	}
	for s := range steps.Count {
		if !own[steps.Step(s)] && builders[s] != nil {
			t.Errorf("%v has a builder but is shown by %v's screen", steps.Step(s), m.Owner(steps.Step(s)))
		}
	}
}

// A screen without the optional methods gets the defaults: nothing to
// wait for, to guard or to report, and an answer that lets the wizard on.
func TestHeldDefaults(t *testing.T) {
	sc := hold(doneScreen{})
	if sc.Busy() || sc.HasAnswers() || sc.AcceptsQuestionMark() || sc.TakesPaste() || sc.ProgressBar() != nil {
		t.Error("done screen: a default is not the zero answer")
	}
	if _, ok := sc.Answer(&wizard{}, steps.Done); !ok {
		t.Error("done screen: Answer holds the wizard back")
	}
	if _, held := sc.Interrupt(); held {
		t.Error("done screen: Interrupt held ctrl+c")
	}
	if _, left := sc.Left(); left {
		t.Error("done screen: Left says something was left")
	}
}
