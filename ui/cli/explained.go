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
