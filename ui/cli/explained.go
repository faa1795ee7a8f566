package cli

// explainedError is an error told as one plain sentence (explain's) that
// keeps its cause: Error is the sentence the user reads, Unwrap the error
// it came from, so errors.Is and errors.As (context.Canceled for the exit
// code, a refusal for --json) still see through it.
type explainedError struct {
	msg string
	err error
}

// explained wraps err in its sentence; nil stays nil.
func explained(err error) error {
	if err == nil {
		return nil
	}
	return &explainedError{msg: explain(err), err: err}
}

func (e *explainedError) Error() string { return e.msg }

func (e *explainedError) Unwrap() error { return e.err }

// told is explain for an error that may be told already: an
// explainedError's own sentence, never explained a second time (some of
// explain's sentences quote the error's text).
func told(err error) string {
	if e, ok := err.(*explainedError); ok {
		return e.msg
	}
	return explain(err)
}
