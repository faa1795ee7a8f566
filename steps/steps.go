// Package steps holds the setup wizard's order and guards as a pure state
// machine, so the order is decided and tested in one place and the UI only
// asks where to go next.
package steps

import (
	"errors"
	"fmt"
)

// Step is one screen of the wizard.
type Step int

// The wizard's steps. The order they run in is Machine's, not these values':
// Upload, Uploading and Sync slot into Machine's order after the first nine
// without renumbering anything that matters.
const (
	Identity Step = iota
	Bucket
	Location
	Policy
	User
	Review
	Apply
	Key
	Done
	// Upload is the choice, made before Review, of a local folder to upload
	// into an empty location (or to skip). It is offered only when the
	// location is empty.
	Upload
	// Uploading runs the chosen upload. Nothing is created in AWS before
	// Review is confirmed, and a new bucket does not exist before Apply, so
	// the upload runs after the plan; it runs after Key so that the
	// shown-once secret is safe before anything long starts, and before
	// Sync so that the proof download has something to prove.
	Uploading
	// Sync downloads the location with the new key: the proof that the
	// policy works.
	Sync
	// Access is the choice, before User, of how the platform reads: an
	// access key of an IAM user (the default) or an IAM role the
	// platform's account assumes. A role has no user to name and no key to
	// hand over, so User and Key are passed over for it.
	Access
)

// Count is one more than the highest Step, so an array indexed by Step
// has room for every one.
const Count = int(Access) + 1

var names = map[Step]string{
	Identity:  "Identity",
	Bucket:    "Bucket",
	Location:  "Location",
	Policy:    "Policy",
	User:      "User",
	Review:    "Review",
	Apply:     "Apply",
	Key:       "Key",
	Done:      "Done",
	Upload:    "Upload",
	Uploading: "Uploading",
	Sync:      "Sync",
	Access:    "Access",
}

// String returns the step's screen title.
func (s Step) String() string {
	if n, ok := names[s]; ok {
		return n
	}
	return fmt.Sprintf("Step(%d)", int(s))
}

// Errors the guards return. The UI shows them as a short note and stays put.
var (
	// ErrFirst means there is nothing before this step.
	ErrFirst = errors.New("this is the first step")
	// ErrLast means there is nothing after this step.
	ErrLast = errors.New("this is the last step")
	// ErrNotConfirmed means the review was not confirmed, so nothing may run.
	ErrNotConfirmed = errors.New("the plan has not been confirmed")
	// ErrNotApplied means the plan has not finished, so there is no key yet.
	ErrNotApplied = errors.New("the plan has not finished")
	// ErrApplying means AWS resources are being created: the answers they were
	// made from can no longer change.
	ErrApplying = errors.New("resources are already being created; going back would not undo them")
	// ErrKeyShown means the access key exists and its secret is on screen;
	// going back would not bring a lost secret back.
	ErrKeyShown = errors.New("the access key has been created; there is no going back from here")
	// ErrCreated is ErrKeyShown for a role link: there is no key, but what
	// the plan made exists now.
	ErrCreated = errors.New("the role and its policy have been created; there is no going back from here")
	// ErrKeyUnsecured means the secret was neither copied, saved nor
	// discarded: leaving would lose it for good.
	ErrKeyUnsecured = errors.New("the secret has not been copied or saved yet")
	// ErrUnknownStep means the step is not part of this machine's order.
	ErrUnknownStep = errors.New("unknown step")
)

// Result is what the current step reports when it asks to move on. Only the
// fields the guards need are here; the answers themselves live in the UI.
type Result struct {
	// Confirmed is set by Review when the user confirmed the plan.
	Confirmed bool
	// Applied is set by Apply when every action of the plan completed.
	Applied bool
	// KeySecured is set by Key when the secret was copied or saved, when the
	// key was deleted, or when the user chose to leave it anyway.
	KeySecured bool
	// LocationEmpty is set by Location when nothing is there yet (always for
	// a new bucket), which is when Upload is offered.
	LocationEmpty bool
	// UploadChosen is set by Upload when a folder was chosen rather than
	// skipped, which is when Uploading runs.
	UploadChosen bool
	// KeyUsable is set by Key when the new key still exists (it was not
	// deleted), which is when Sync can prove it.
	KeyUsable bool
	// Role is set by Access when the platform assumes a role: there is no
	// user to name and no key to hand over.
	Role bool
}

// Options adjusts a Machine.
type Options struct {
	// Skip lists steps whose answers were given up front (flags on a re-run),
	// so Next and Back pass over them. Identity, Review, Apply, Key and Done
	// are never skipped: they either show what will happen or hand over the
	// secret.
	Skip []Step
}

// Machine owns the wizard's order and guards. Its zero value is not usable;
// build one with New.
type Machine struct {
	order []Step
	skip  map[Step]bool
	// applying is set once Apply is entered: from then on the answers are
	// spent, and no step before Apply may be revisited.
	applying bool
	// The answers that decide the conditional steps: off says the step is
	// passed over this time, as if skipped.
	off map[Step]bool
}

// unskippable are the steps a re-run still shows whatever was preset.
var unskippable = map[Step]bool{Identity: true, Review: true, Apply: true, Key: true, Done: true}

// conditional are the steps shown only when an earlier answer calls for
// them; until then they are off. Sync is not among them: it is on unless
// the key turns out to be deleted.
var conditional = []Step{Upload, Uploading}

// New returns a machine with the standard order.
func New(opts Options) *Machine {
	m := &Machine{
		order: []Step{Identity, Bucket, Location, Upload, Policy, Access, User, Review, Apply, Key, Uploading, Sync, Done},
		skip:  map[Step]bool{},
		off:   map[Step]bool{},
	}
	for _, s := range conditional {
		m.off[s] = true
	}
	for _, s := range opts.Skip {
		if !unskippable[s] {
			m.skip[s] = true
		}
	}
	return m
}

// Steps returns the steps in order, skipped ones and conditional ones not
// (yet) called for left out.
func (m *Machine) Steps() []Step {
	out := make([]Step, 0, len(m.order))
	for _, s := range m.order {
		if !m.passed(s) {
			out = append(out, s)
		}
	}
	return out
}

// passed reports whether Next and Back go past s.
func (m *Machine) passed(s Step) bool { return m.skip[s] || m.off[s] }

// First returns the step the wizard starts on.
func (m *Machine) First() Step { return m.Steps()[0] }

// Skipped reports whether s is passed over.
func (m *Machine) Skipped(s Step) bool { return m.skip[s] }

// Applying reports whether the plan has started to run.
func (m *Machine) Applying() bool { return m.applying }

func (m *Machine) index(s Step) int {
	for i, o := range m.order {
		if o == s {
			return i
		}
	}
	return -1
}

// Next returns the step after from, given what from produced, or the guard
// that keeps the wizard on from.
func (m *Machine) Next(from Step, r Result) (Step, error) {
	i := m.index(from)
	if i < 0 {
		return from, fmt.Errorf("next from %v: %w", from, ErrUnknownStep)
	}
	switch from {
	case Location:
		m.off[Upload] = !r.LocationEmpty
		if !r.LocationEmpty {
			m.off[Uploading] = true
		}
	case Upload:
		m.off[Uploading] = !r.UploadChosen
	case Access:
		m.off[User], m.off[Key] = r.Role, r.Role
	case Review:
		if !r.Confirmed {
			return from, ErrNotConfirmed
		}
	case Apply:
		if !r.Applied {
			return from, ErrNotApplied
		}
	case Key:
		if !r.KeySecured {
			return from, ErrKeyUnsecured
		}
		m.off[Sync] = !r.KeyUsable
	}
	for j := i + 1; j < len(m.order); j++ {
		if m.passed(m.order[j]) {
			continue
		}
		if m.order[j] == Apply {
			m.applying = true
		}
		return m.order[j], nil
	}
	return from, ErrLast
}

// Back returns the step before from, or the guard that keeps the wizard on
// from. Going back keeps the answers given so far; Invalidates says which
// later checks must run again when an answer changes.
func (m *Machine) Back(from Step) (Step, error) {
	i := m.index(from)
	if i < 0 {
		return from, fmt.Errorf("back from %v: %w", from, ErrUnknownStep)
	}
	switch {
	case m.Finished(from) && from != Key && m.off[Key]:
		return from, ErrCreated
	case m.Finished(from):
		return from, ErrKeyShown
	case m.applying:
		return from, ErrApplying
	}
	for j := i - 1; j >= 0; j-- {
		if !m.passed(m.order[j]) {
			return m.order[j], nil
		}
	}
	return from, ErrFirst
}

// Invalidates lists the steps whose checks depend on the answer given at
// changed, so that changing it (after going back) redoes them: another
// profile is another account; another bucket or prefix is another policy
// document, so the check for a taken policy name is stale, and another
// upload destination; another user has other access keys. Conditional
// steps are listed whether or not they are called for this time.
func (m *Machine) Invalidates(changed Step) []Step {
	var deps []Step
	switch changed {
	case Identity:
		deps = []Step{Bucket, Location, Upload, Policy, Access, User, Review}
	case Bucket:
		deps = []Step{Location, Upload, Policy, Review}
	case Location:
		deps = []Step{Upload, Policy, Review}
	case Upload, Policy, Access, User:
		deps = []Step{Review}
	}
	out := deps[:0:0]
	for _, d := range deps {
		if !m.skip[d] {
			out = append(out, d)
		}
	}
	return out
}

// partOf maps the steps that share another step's number onto it: Apply
// is the review screen running its plan; the upload offer belongs to the
// location (what goes into it); the upload belongs to the proof download
// (media to prove with); the access choice belongs to the user (who reads).
var partOf = map[Step]Step{Apply: Review, Upload: Location, Uploading: Sync, Access: User}

// Position returns s's 1-based place among the numbered steps and how many
// there are, for the "step 2 of 9" header. The count is fixed when the
// machine is built, so it never changes mid-flow: the conditional steps
// share the number of the step they belong to (partOf), and a step passed
// over later (Sync, when the key was deleted) keeps its number, so Done is
// always the last. Only steps skipped up front leave the count; they, and
// steps that belong to one, have place 0.
func (m *Machine) Position(s Step) (int, int) {
	var numbered []Step
	for _, o := range m.order {
		if _, shared := partOf[o]; !shared && !m.skip[o] {
			numbered = append(numbered, o)
		}
	}
	if p, ok := partOf[s]; ok {
		s = p
	}
	for i, o := range numbered {
		if o == s {
			return i + 1, len(numbered)
		}
	}
	return 0, len(numbered)
}

// owners maps the steps shown by another step's screen onto that step:
// Apply is the review screen running its plan.
var owners = map[Step]Step{Apply: Review}

// Owner returns the step whose screen shows s: s itself, or the step s is
// a phase of (Apply is shown by Review's screen).
func (m *Machine) Owner(s Step) Step {
	if o, ok := owners[s]; ok {
		return o
	}
	return s
}

// Screens returns, in order, every step that has a screen of its own,
// skipped and conditional ones too: the ones that get the messages sent
// to all screens (a resize, a restyle, a spinner's tick).
func (m *Machine) Screens() []Step {
	out := make([]Step, 0, len(m.order))
	for _, s := range m.order {
		if m.Owner(s) == s {
			out = append(out, s)
		}
	}
	return out
}

// waits are the steps whose screen looks something up in AWS on the way
// (the profiles and the caller, the bucket, the policy name, the user's
// keys), and whose answer may move the wizard on when it arrives.
var waits = map[Step]bool{Identity: true, Bucket: true, Policy: true, User: true}

// Waits reports whether keys typed on s while its screen waits on AWS must
// wait too, to land in order once the answer is in. Review is not among
// them: the plan is confirmed by a key pressed with the plan on screen,
// never by one typed ahead.
func (m *Machine) Waits(s Step) bool { return waits[s] }

// guards are the steps whose screen handles an interrupt itself while AWS
// work runs or the secret is unsaved: the plan running, the key on
// screen, the upload and the proof download.
var guards = map[Step]bool{Apply: true, Key: true, Uploading: true, Sync: true}

// Guards reports whether s's screen gets the first say on an interrupt
// (ctrl+c), to stop or hold work under way before the wizard asks to quit.
func (m *Machine) Guards(s Step) bool { return guards[s] }

// finished are the steps after the plan has run: the key (or role) exists.
var finished = map[Step]bool{Key: true, Uploading: true, Sync: true, Done: true}

// Finished reports whether s comes after the plan ran: what it made exists
// and leaving now ends the run with what was made, not with nothing.
func (m *Machine) Finished(s Step) bool { return finished[s] }

// Discards reports whether changing the answer given at changed makes the
// screens of the steps it invalidates useless, not just their checks
// stale: another identity is other credentials, and every later screen was
// built for the old ones.
func (m *Machine) Discards(changed Step) bool { return changed == Identity }
