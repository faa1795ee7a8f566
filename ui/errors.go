package ui

import "github.com/s3link/s3link/ui/text"

// explain turns an error into one plain sentence saying what happened and
// what to do, and a detail line (the wrapped error, for the curious) that
// views show muted. profile names the profile in use, for the SSO hint. The
// sentences live in ui/text.
func explain(err error, profile string) (sentence, detail string) {
	return text.Explain(err, profile)
}

// Sentence says in one plain sentence what a known error means and what to
// do about it; ok is false for errors it does not know. It is
// text.Sentence, kept here for callers outside ui/text.
func Sentence(err error, profile string) (sentence string, ok bool) {
	return text.Sentence(err, profile)
}

// oneLine keeps an error's text to one line of reasonable length.
func oneLine(s string) string { return text.OneLine(s) }

// refused renders a guard's or a validation's refusal as a sentence.
func refused(err error) string { return text.Refused(err) }
