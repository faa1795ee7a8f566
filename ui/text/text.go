// Package text holds every sentence a person reads about an error, and
// makes untrusted text safe to show on a terminal.
//
// The error sentences are one table (Sentence): each awsops sentinel and
// typed error (awsops.CredentialError, awsops.KeyLimitError, ...) with the
// sentence that says what happened and what to do. The wizard (Explain)
// and the headless commands (Command) both read it; domain errors stay
// lower-case clauses, and Fragment and Refused make the ones the table does
// not know (a guard's refusal, an *awsops.InvalidError) a sentence.
//
// Clean removes every control sequence and control character from object
// keys, file paths and server messages, Shorten cuts a long string in the
// middle, and Safe does both. Everything s3link draws on the live transfer
// screen or prints for sync and upload that came from a bucket, a folder
// or a server goes through Safe (or Clean, where the screen cuts to width
// itself).
package text

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxShown is the length, in characters, Safe shortens to.
const MaxShown = 160

// Safe is Shorten(Clean(s), MaxShown).
func Safe(s string) string { return Shorten(Clean(s), MaxShown) }

// Clean returns s without any terminal control: escape sequences of every
// kind (CSI including SGR, OSC such as titles and clipboard writes, DCS,
// SOS, PM, APC, and two- or three-byte ESC sequences), their 8-bit C1
// forms, the other C0 and C1 control characters and DEL, and the Unicode
// bidirectional overrides that reorder what is shown. Tabs and line breaks
// become a space. Bytes that are not UTF-8 are shown as \xNN, so a
// terminal in an 8-bit mode never sees a raw C1 byte.
func Clean(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
			i++
		case r == 0x1b:
			i = skipEscape(s, i+1)
		case r == 0x9b: // CSI
			i = skipCSI(s, i+n)
		case r == 0x9d, r == 0x90, r == 0x98, r == 0x9e, r == 0x9f: // OSC, DCS, SOS, PM, APC
			i = skipString(s, i+n)
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
			i += n
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || isBidi(r):
			i += n
		default:
			b.WriteString(s[i : i+n])
			i += n
		}
	}
	return b.String()
}

// isPlain reports whether s is printable ASCII only, the common case.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

func isBidi(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c
}

// skipEscape skips the sequence after an ESC at s[i-1].
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[':
		return skipCSI(s, i+1)
	case ']', 'P', 'X', '^', '_':
		return skipString(s, i+1)
	}
	// ESC, intermediates (0x20-0x2f), one final byte.
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
		i++
	}
	return i
}

// skipCSI skips parameters and intermediates up to and including the final
// byte; a control character ends the sequence early, as terminals do.
func skipCSI(s string, i int) int {
	for i < len(s) {
		c := s[i]
		switch {
		case c >= 0x40 && c <= 0x7e:
			return i + 1
		case c >= 0x20 && c <= 0x3f:
			i++
		default:
			return i
		}
	}
	return i
}

// skipString skips a control string up to its terminator: BEL, ESC \ or
// the C1 ST; an unterminated one runs to the end of s.
func skipString(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i + 1
		case strings.HasPrefix(s[i:], "\u009c"):
			return i + len("\u009c")
		}
		i++
	}
	return i
}

// Shorten cuts s to at most max characters by replacing its middle with
// "…", keeping the start (where a key's folders are) and the end (the
// file's name).
func Shorten(s string, max int) string {
	if max < 3 {
		max = 3
	}
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	head := (max - 1) / 2
	tail := max - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

// Reason is a failure's reason cleaned for showing beside the name it is
// about: where the reason repeats the name (quoted or not), the repetition
// becomes "…", so a long key appears once per line.
func Reason(name, reason string) string {
	if name != "" {
		reason = strings.ReplaceAll(reason, fmt.Sprintf("%q", name), "…")
		reason = strings.ReplaceAll(reason, name, "…")
	}
	return Safe(reason)
}
