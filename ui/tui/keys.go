package tui

import "charm.land/bubbles/v2/key"

// keyMap is every key bcauth answers to. The help bar and the handlers both
// read it, so they cannot drift apart.
type keyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding

	Enter, Copy, CopyURL, Open, Filter, ClearFilter, Reload, Switch, Logout, Probe key.Binding
	Back, Retry, Paste, Tab, EditClient                                            key.Binding
	Yes, No                                                                        key.Binding
	Help, Quit, ForceQuit                                                          key.Binding
}

func newKeyMap() keyMap {
	return keyMap{
		Up:          key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:        key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:      key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown:    key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Home:        key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "first")),
		End:         key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "last")),
		Enter:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue")),
		Copy:        key.NewBinding(key.WithKeys("enter", "y"), key.WithHelp("enter/y", "copy")),
		CopyURL:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy URL")),
		Open:        key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open")),
		Filter:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		ClearFilter: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		Reload:      key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reload")),
		Switch:      key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "switch ID")),
		Logout:      key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "log out")),
		Probe:       key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "probe")),
		Back:        key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Retry:       key.NewBinding(key.WithKeys("enter", "r"), key.WithHelp("enter", "try again")),
		Paste:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "submit")),
		Tab:         key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab", "next field")),
		EditClient:  key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit client settings")),
		Yes:         key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		No:          key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n", "no")),
		Help:        key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:        key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit:   key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
	}
}

// bindings is what the help bar shows for one screen: a short line and the
// full groups for "?".
type bindings struct {
	short []key.Binding
	full  [][]key.Binding
}

func (b bindings) ShortHelp() []key.Binding  { return b.short }
func (b bindings) FullHelp() [][]key.Binding { return b.full }
