package ui

import "charm.land/bubbles/v2/key"

// KeyMap is every key binding of the wizard. Screens pick the ones they use
// and hand them to the help bar, so the bar shows what works right now.
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

// ShortHelp implements help.KeyMap with the bindings every screen shares.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Next, k.Back, k.Help, k.Quit}
}

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Next, k.Back}, {k.Up, k.Down, k.Switch}, {k.Help, k.Quit}}
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
