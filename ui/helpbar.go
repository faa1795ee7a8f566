package ui

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"
)

// screenHelp is the bindings the bar shows now: the quit guard's answers,
// or the screen's own keys.
func (a App) screenHelp() helpKeys {
	if a.askingQuit {
		k := a.c.Keys
		return helpKeys{short: []key.Binding{withHelp(k.Yes, "quit"), withHelp(k.No, "keep going")}}
	}
	if cur := a.current(); cur != nil {
		return cur.Help()
	}
	return helpKeys{}
}

// helpView is the help bar cut to the width. The short bar drops the keys
// just before "? more keys" until it fits, so the way to the others stays
// on screen; the full help says how to close it.
func (a App) helpView() string {
	h := a.screenHelp()
	var out string
	if a.help.ShowAll {
		out = a.help.FullHelpView(a.fullHelp(h))
	} else {
		out = a.shortHelp(h.ShortHelp())
	}
	ls := strings.Split(out, "\n")
	for i, l := range ls {
		ls[i] = ansi.Truncate(l, a.c.Width, "…")
	}
	return strings.Join(ls, "\n")
}

// shortHelp renders bindings on one line no wider than the screen. It
// drops the keys every screen shares first (the full help lists them),
// then the ones nearest before the help key, never the help key itself.
func (a App) shortHelp(bindings []key.Binding) string {
	wide := a.help
	wide.SetWidth(0)
	bs := append([]key.Binding(nil), bindings...)
	k := a.c.Keys
	shared := []key.Binding{k.Down, k.Up, k.PageDown, k.PageUp, k.Quit, k.Back}
	for {
		out := wide.ShortHelpView(bs)
		if ansi.StringWidth(out) <= a.c.Width || len(bs) <= 1 {
			return out
		}
		drop := -1
		for _, sh := range shared {
			if i := slices.IndexFunc(bs, func(b key.Binding) bool { return sameKeys(b, sh) }); i >= 0 {
				drop = i
				break
			}
		}
		if drop < 0 {
			hi := slices.IndexFunc(bs, func(b key.Binding) bool { return sameKeys(b, k.Help) })
			switch {
			case hi > 1:
				drop = hi - 1
			case hi < 0 || hi < len(bs)-1:
				drop = len(bs) - 1
			default:
				return out
			}
		}
		bs = slices.Delete(bs, drop, drop+1)
	}
}

// fullHelp is the screen's columns with the help key turned into the way
// to close them.
func (a App) fullHelp(h helpKeys) [][]key.Binding {
	var cols [][]key.Binding
	for _, col := range h.FullHelp() {
		var c []key.Binding
		for _, b := range col {
			if !sameKeys(b, a.c.Keys.Help) {
				c = append(c, b)
			}
		}
		if len(c) > 0 {
			cols = append(cols, c)
		}
	}
	closeHelp := key.NewBinding(key.WithKeys(a.c.Keys.Help.Keys()...), key.WithHelp("?/f1", "close this help"))
	if len(cols) == 0 {
		return [][]key.Binding{{closeHelp}}
	}
	// Under the last column, where the bar has room for it.
	cols[len(cols)-1] = append(cols[len(cols)-1], closeHelp)
	return cols
}

func sameKeys(a, b key.Binding) bool {
	return strings.Join(a.Keys(), " ") == strings.Join(b.Keys(), " ")
}
