package ui

import "charm.land/bubbles/v2/key"

// KeyMap is the catalogue of the wizard's key bindings. It is not one
// screen's map: the same key means different things on different screens
// (p, q, n, esc), so each wizard screen builds its own KeyMap from it (see
// identityKeys and the others below) and hands those to the help bar. The
// root reads Quit, Help, Yes and No from it; the transfer screen and the
// standalone programs read it directly.
type KeyMap struct {
	Next     key.Binding
	Back     key.Binding
	Quit     key.Binding
	Help     key.Binding
	Up       key.Binding
	Down     key.Binding
	Switch   key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Accept   key.Binding

	Retry         key.Binding
	Rollback      key.Binding
	NewKey        key.Binding
	UseAsExisting key.Binding
	Protect       key.Binding
	Stop          key.Binding
	Profile       key.Binding

	Reveal     key.Binding
	CopySecret key.Binding
	CopyID     key.Binding
	Save       key.Binding
	// Export writes the reviewed plan into a folder, in a chosen form.
	Export key.Binding

	Pause  key.Binding
	Cancel key.Binding
	Toggle key.Binding
	Skip   key.Binding

	GuardBack   key.Binding
	GuardDelete key.Binding
	GuardLeave  key.Binding
	Yes         key.Binding
	No          key.Binding
}

// DefaultKeyMap returns the wizard's bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Next:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Quit:     key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Help:     key.NewBinding(key.WithKeys("?", "f1"), key.WithHelp("?", "more keys")),
		Up:       key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "ctrl+n"), key.WithHelp("↓", "down")),
		Switch:   key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab", "next field")),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "scroll up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "scroll down")),
		Accept:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "use suggestion")),

		Retry:         key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "retry")),
		Rollback:      key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "roll back")),
		NewKey:        key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "make a new key instead")),
		UseAsExisting: key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "use it as existing")),
		Protect:       key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "turn on Block Public Access")),
		Stop:          key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit, keep the record")),
		Profile:       key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pick another profile")),

		Reveal:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "show secret")),
		CopySecret: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy secret")),
		CopyID:     key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "copy key id")),
		Save:       key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "save CSV")),
		Export:     key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "export the plan")),

		Pause:  key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause")),
		Cancel: key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "cancel")),
		Toggle: key.NewBinding(key.WithKeys("space", "left", "right"), key.WithHelp("space", "switch")),
		Skip:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "skip")),

		GuardBack:   key.NewBinding(key.WithKeys("b", "esc"), key.WithHelp("b", "go back")),
		GuardDelete: key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete the unsaved key")),
		GuardLeave:  key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "leave anyway")),
		Yes:         key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes")),
		No:          key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n", "no")),
	}
}

// helpKeys is one screen's bindings for the help bar: the short list, and
// the columns shown when the full help is open.
type helpKeys struct {
	short []key.Binding
	full  [][]key.Binding
}

// ShortHelp implements help.KeyMap.
func (h helpKeys) ShortHelp() []key.Binding { return h.short }

// FullHelp implements help.KeyMap.
func (h helpKeys) FullHelp() [][]key.Binding {
	if len(h.full) == 0 {
		return [][]key.Binding{h.short}
	}
	return h.full
}

// Each screen has a KeyMap of its own, drawn from the catalogue above, so
// the keys on one screen never clash (p is pick a profile on the identity
// screen and pause on a transfer; q is quit-and-keep-the-record on review
// and cancel on a transfer) and its help bar names exactly its keys. A
// nested struct is a mode of the screen (a question it asks, a guard):
// its keys are read instead of the others while it is on, so they are
// checked apart.

// identityKeys are the identity screen's keys.
type identityKeys struct {
	Next, Up, Down, Help, Quit key.Binding
	Profile, Retry             key.Binding
}

func newIdentityKeys(k *KeyMap) identityKeys {
	return identityKeys{Next: k.Next, Up: k.Up, Down: k.Down, Help: k.Help, Quit: k.Quit, Profile: k.Profile, Retry: k.Retry}
}

// bucketKeys are the bucket screen's keys.
type bucketKeys struct {
	Next, Back, Up, Down, Help, Quit key.Binding
	Switch, Protect, UseAsExisting   key.Binding
	Retry                            key.Binding
}

func newBucketKeys(k *KeyMap) bucketKeys {
	return bucketKeys{Next: k.Next, Back: k.Back, Up: k.Up, Down: k.Down, Help: k.Help, Quit: k.Quit,
		Switch: k.Switch, Protect: k.Protect, UseAsExisting: k.UseAsExisting, Retry: k.Retry}
}

// locationKeys are the location screen's keys.
type locationKeys struct {
	Next, Back, Up, Down, Help, Quit key.Binding
	Accept                           key.Binding
}

func newLocationKeys(k *KeyMap) locationKeys {
	return locationKeys{Next: k.Next, Back: k.Back, Up: k.Up, Down: k.Down, Help: k.Help, Quit: k.Quit, Accept: k.Accept}
}

// uploadKeys are the upload offer's keys.
type uploadKeys struct {
	Next, Back, Up, Down, Help, Quit key.Binding
	Accept, Toggle                   key.Binding
}

func newUploadKeys(k *KeyMap) uploadKeys {
	return uploadKeys{Next: k.Next, Back: k.Back, Up: k.Up, Down: k.Down, Help: k.Help, Quit: k.Quit, Accept: k.Accept, Toggle: k.Toggle}
}

// transferKeys are the keys of a transfer under way (the upload and the
// proof download): the transfer screen reads them from the catalogue.
type transferKeys struct {
	Next, Help, Quit     key.Binding
	Pause, Cancel, Retry key.Binding
}

func newTransferKeys(k *KeyMap) transferKeys {
	return transferKeys{Next: k.Next, Help: k.Help, Quit: k.Quit, Pause: k.Pause, Cancel: k.Cancel, Retry: k.Retry}
}

// uploadingKeys are the upload's keys: before it runs, and its transfer.
type uploadingKeys struct {
	Next, Help, Quit, Retry key.Binding
	Transfer                transferKeys
}

func newUploadingKeys(k *KeyMap) uploadingKeys {
	return uploadingKeys{Next: k.Next, Help: k.Help, Quit: k.Quit, Retry: k.Retry, Transfer: newTransferKeys(k)}
}

// syncKeys are the proof download's keys: before it runs, and its
// transfer.
type syncKeys struct {
	Next, Help, Quit, Retry key.Binding
	Skip                    key.Binding
	Transfer                transferKeys
}

func newSyncKeys(k *KeyMap) syncKeys {
	return syncKeys{Next: k.Next, Help: k.Help, Quit: k.Quit, Retry: k.Retry, Skip: k.Skip, Transfer: newTransferKeys(k)}
}

// policyKeys are the policy screen's keys.
type policyKeys struct {
	Next, Back, Up, Down, Help, Quit key.Binding
	PageUp, PageDown, Accept         key.Binding
}

func newPolicyKeys(k *KeyMap) policyKeys {
	return policyKeys{Next: k.Next, Back: k.Back, Up: k.Up, Down: k.Down, Help: k.Help, Quit: k.Quit,
		PageUp: k.PageUp, PageDown: k.PageDown, Accept: k.Accept}
}

// accessKeys are the access choice's keys.
type accessKeys struct {
	Next, Back, Up, Down, Help, Quit key.Binding
}

func newAccessKeys(k *KeyMap) accessKeys {
	return accessKeys{Next: k.Next, Back: k.Back, Up: k.Up, Down: k.Down, Help: k.Help, Quit: k.Quit}
}

// userKeys are the user screen's keys.
type userKeys struct {
	Next, Back, Up, Down, Help, Quit key.Binding
	Switch                           key.Binding
}

func newUserKeys(k *KeyMap) userKeys {
	return userKeys{Next: k.Next, Back: k.Back, Up: k.Up, Down: k.Down, Help: k.Help, Quit: k.Quit, Switch: k.Switch}
}

// confirmKeys answer a yes/no question.
type confirmKeys struct {
	Yes, No key.Binding
}

// reviewKeys are the review screen's keys, while planning and while the
// plan runs; Ask answers its "quit now?" while AWS calls run.
type reviewKeys struct {
	Next, Back, Up, Down, Help, Quit key.Binding
	PageUp, PageDown                 key.Binding
	Retry, Rollback, NewKey, Stop    key.Binding
	Export                           key.Binding
	Ask                              confirmKeys
}

func newReviewKeys(k *KeyMap) reviewKeys {
	return reviewKeys{Next: k.Next, Back: k.Back, Up: k.Up, Down: k.Down, Help: k.Help, Quit: k.Quit,
		PageUp: k.PageUp, PageDown: k.PageDown, Retry: k.Retry, Rollback: k.Rollback, NewKey: k.NewKey, Stop: k.Stop,
		Export: k.Export, Ask: confirmKeys{Yes: k.Yes, No: k.No}}
}

// keyGuardKeys are the keys of the guard the key screen raises when
// leaving would lose the secret.
type keyGuardKeys struct {
	Back, Pasted, HaveIt, Delete, Leave key.Binding
}

// keyKeys are the key screen's keys; Guard is read instead while the
// guard is up.
type keyKeys struct {
	Next, Back, Help, Quit           key.Binding
	Reveal, CopySecret, CopyID, Save key.Binding
	Encrypt, Pasted                  key.Binding
	Guard                            keyGuardKeys
}

func newKeyKeys(k *KeyMap) keyKeys {
	return keyKeys{Next: k.Next, Back: k.Back, Help: k.Help, Quit: k.Quit,
		Reveal: k.Reveal, CopySecret: k.CopySecret, CopyID: k.CopyID, Save: k.Save,
		Encrypt: keyEncrypt, Pasted: k.Yes,
		Guard: keyGuardKeys{Back: k.GuardBack, Pasted: k.Yes, HaveIt: guardHaveIt, Delete: k.GuardDelete, Leave: k.GuardLeave}}
}

// doneKeys are the done screen's keys.
type doneKeys struct {
	Next, Up, Down, Help, Quit key.Binding
	PageUp, PageDown           key.Binding
	Left, Right, Stop          key.Binding
}

func newDoneKeys(k *KeyMap) doneKeys {
	return doneKeys{Next: k.Next, Up: k.Up, Down: k.Down, Help: k.Help, Quit: k.Quit,
		PageUp: k.PageUp, PageDown: k.PageDown, Left: doneLeft, Right: doneRight, Stop: k.Stop}
}
