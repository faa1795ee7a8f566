package cli

import (
	"strings"

	"github.com/s3link/s3link/ui"
)

// explain turns an error into one plain sentence that says what happened and
// what to do next, worded as the wizard words it; an error s3link does not
// know is shown as it is.
func explain(err error) string {
	if err == nil {
		return ""
	}
	if s, ok := ui.Sentence(err, ""); ok {
		return s
	}
	return sentence(err.Error())
}

// sentence capitalises a message and ends it with a period.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
