package ui

import "errors"

// handOver is how the new key's secret left the key screen. Every later
// screen, the summary printed after exit and the exit status say exactly
// this state.
type handOver int

const (
	// handPending: the key screen has not been left yet.
	handPending handOver = iota
	// handSaved: the secret is in a CSV file.
	handSaved
	// handConfirmed: the secret was copied and the person confirmed that
	// they pasted it.
	handConfirmed
	// handUnconfirmed: the secret was sent to a clipboard, but nobody
	// confirmed it arrived (OSC 52 cannot be confirmed).
	handUnconfirmed
	// handLeft: the screen was left with the secret neither copied nor
	// saved; it is lost.
	handLeft
	// handOwn: the person chose knowingly to leave without copying or
	// saving here, saying they have the secret.
	handOwn
	// handDeleted: the unsaved key was deleted.
	handDeleted
	// handKept: no new key was made; an earlier run's key stays in use.
	handKept
)

func (h handOver) String() string {
	switch h {
	case handSaved:
		return "saved to CSV"
	case handConfirmed:
		return "copied and confirmed"
	case handUnconfirmed:
		return "copied but not confirmed"
	case handLeft:
		return "left without saving"
	case handOwn:
		return "left knowingly without saving here"
	case handDeleted:
		return "deleted"
	case handKept:
		return "earlier key kept"
	}
	return "pending"
}

// unconfirmed reports whether the run ends without knowing that anyone
// holds the secret: the wizard then ends with a warning and exit status 3.
func (h handOver) unconfirmed() bool {
	return h == handLeft || h == handUnconfirmed || h == handPending
}

// ErrSecretNotHandedOver means setup finished but the new key's secret was
// neither saved nor confirmed pasted: it may be lost. The CLI exits 3.
var ErrSecretNotHandedOver = errors.New("the new access key's secret was neither saved nor confirmed pasted")
