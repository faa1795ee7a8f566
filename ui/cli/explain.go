package cli

import "github.com/s3link/s3link/ui/text"

// explain turns an error into one plain sentence that says what happened and
// what to do next, worded as the wizard words it; an error s3link does not
// know is shown as it is. The sentences live in ui/text.
func explain(err error) string { return text.Command(err) }

// sentence capitalises a message and ends it with a period.
func sentence(s string) string { return text.Fragment(s) }
