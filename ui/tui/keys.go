package tui

import "charm.land/bubbles/v2/key"

// keyMap is every key bcauth answers to. The help bar and the handlers both
// read it, so they cannot drift apart.
type keyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding

	Enter, Copy, CopyAPI, CopyURL, Open, Filter, ClearFilter, Reload, Switch, Logout, Probe key.Binding
	Back, Retry, Paste, Tab, EditClient, OtherClient                                        key.Binding
	Help, Quit, ForceQuit                                                                   key.Binding
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
		CopyAPI:     key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "copy bcauth api line")),
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
		OtherClient: key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "other server's client")),
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

func withHelp(b key.Binding, k, desc string) key.Binding {
	b.SetHelp(k, desc)
	return b
}

// bindings are the keys that work on the current screen.
func (m *Model) bindings() bindings {
	k := m.keys
	switch m.screen {
	case screenSetup:
		return bindings{short: m.fit(m.setupKeys())}
	case screenConnect:
		return m.connectBindings()
	case screenWaiting:
		return bindings{short: []key.Binding{k.Back, k.CopyURL, k.Quit}}
	case screenLoggedOut:
		return bindings{short: []key.Binding{withHelp(k.Enter, "enter", "log in again"), k.Quit}}
	case screenError:
		var short []key.Binding
		if m.problem.retry != retryNone {
			short = append(short, k.Retry)
		}
		if m.problem.p.EditClient {
			short = append(short, k.EditClient)
		}
		if m.hasAccounts() {
			short = append(short, withHelp(k.Back, "esc", "accounts"))
		}
		return bindings{short: append(short, k.Quit)}
	case screenAccounts:
		return m.accountsBindings()
	}
	return bindings{short: []key.Binding{k.Quit}}
}

func (m *Model) connectBindings() bindings {
	k := m.keys
	if m.login.device != nil {
		return m.deviceBindings()
	}
	var short []key.Binding
	if m.cfg.NoBrowser {
		short = []key.Binding{k.Paste}
		if m.login.paste.Value() == "" {
			short = append(short, withHelp(k.CopyURL, "c", "copy URL"))
		}
	} else {
		enter := withHelp(k.Enter, "enter", "open browser")
		if m.demoWaits() {
			enter = withHelp(k.Enter, "enter", "approve now")
		}
		short = []key.Binding{enter, k.CopyURL, withHelp(k.EditClient, "e", "settings")}
	}
	if m.accounts.session != nil {
		short = append(short, withHelp(k.Back, "esc", "back to accounts"))
	}
	if m.cfg.NoBrowser {
		return bindings{short: m.fit(append(short, k.ForceQuit))}
	}
	return bindings{short: m.fit(append(short, k.Quit))}
}

// setupKeys are the setup screen's keys.
func (m *Model) setupKeys() []key.Binding {
	k := m.keys
	out := []key.Binding{k.Tab, withHelp(k.Paste, "enter", "save")}
	switch {
	case m.setup.bc5:
		out = []key.Binding{withHelp(k.Paste, "enter", "save"), withHelp(k.OtherClient, "ctrl+o", "Launchpad client")}
	case m.setup.issuer != "":
		out = append(out, withHelp(k.OtherClient, "ctrl+o", "BC5 client"))
	}
	if m.setup.back == screenSetup {
		return append(out, withHelp(k.Back, "esc", "quit"))
	}
	return append(out, withHelp(k.Back, "esc", "back, unchanged"), k.ForceQuit)
}

// deviceBindings are the device-code screen's keys: the same with or
// without a browser, except that enter opens one only where it can.
func (m *Model) deviceBindings() bindings {
	k := m.keys
	var out []key.Binding
	switch {
	case m.demoWaits():
		out = append(out, withHelp(k.Enter, "enter", "approve now"))
	case !m.cfg.NoBrowser:
		out = append(out, withHelp(k.Enter, "enter", "open browser"))
	}
	out = append(out, withHelp(k.CopyURL, "c", "copy URL"))
	if m.accounts.session != nil {
		out = append(out, withHelp(k.Back, "esc", "back to accounts"))
	} else {
		out = append(out, withHelp(k.Back, "esc", "cancel"))
	}
	return bindings{short: m.fit(append(out, k.Quit))}
}

// briefWords are the help bar's words for a narrow window.
var briefWords = map[string]string{
	"open browser": "open", "approve now": "approve", "copy URL": "copy",
	"back to accounts": "back", "back, unchanged": "back", "next field": "next",
	"Launchpad client": "Launchpad", "BC5 client": "BC5",
}

// fit is a help line that fits the window, so no key is cut off: bs as
// they are when they do, else in brief words, and then without tab, which
// the fields show by themselves.
func (m *Model) fit(bs []key.Binding) []key.Binding {
	room := m.width - 2
	if helpWidth(bs) <= room {
		return bs
	}
	out := make([]key.Binding, 0, len(bs))
	for _, b := range bs {
		if brief, ok := briefWords[b.Help().Desc]; ok {
			b = withHelp(b, b.Help().Key, brief)
		}
		out = append(out, b)
	}
	if helpWidth(out) > room && len(out) > 1 && out[0].Help().Key == "tab" {
		out = out[1:]
	}
	return out
}

// helpWidth is how wide the help bar draws bs in a line.
func helpWidth(bs []key.Binding) int {
	w := 0
	for i, b := range bs {
		if i > 0 {
			w += 3 // " • "
		}
		w += len([]rune(b.Help().Key)) + 1 + len([]rune(b.Help().Desc))
	}
	return w
}

func (m *Model) accountsBindings() bindings {
	k, a := m.keys, &m.accounts
	switch {
	case a.confirm:
		return bindings{short: []key.Binding{withHelp(k.Logout, "L", "log out"), withHelp(k.Back, "esc", "keep the login")}}
	case a.picking:
		return bindings{short: []key.Binding{k.Up, k.Down, withHelp(k.Enter, "enter", "switch"), withHelp(k.Back, "esc", "cancel")}}
	case a.filtering:
		return bindings{short: []key.Binding{withHelp(k.Up, "↑/↓", "move"), withHelp(k.Enter, "enter", "keep filter"), withHelp(k.Back, "esc", "clear")}}
	}
	probe := k.Probe
	if m.probes.running {
		probe = withHelp(k.Probe, "p", "stop probing")
	}
	var short []key.Binding
	if len(a.list.visible) > 0 {
		short = append(short, k.Copy, k.Open)
	}
	if a.list.filter != "" {
		short = append(short, withHelp(k.ClearFilter, "esc", "clear filter"))
	}
	short = append(short, k.Filter, k.Reload, probe)
	if len(a.others) > 1 {
		short = append(short, k.Switch)
	}
	if m.width < 76 {
		// Keep help and quit in sight; ? lists the rest.
		short = []key.Binding{k.Copy, k.Filter, probe}
	}
	short = append(short, k.Help, k.Quit)
	full := [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
		{k.Copy, k.CopyAPI, k.Open, k.Filter, k.ClearFilter},
		{k.Reload, k.Probe, k.Switch, k.Logout},
		{k.Help, k.Quit},
	}
	if m.width < 80 {
		// Four columns do not fit: two taller ones do, so no key's help
		// is cut.
		full = [][]key.Binding{
			{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End, k.Help, k.Quit},
			{k.Copy, k.CopyAPI, k.Open, k.Filter, k.ClearFilter, k.Reload, k.Probe, k.Switch, k.Logout},
		}
	}
	return bindings{short: short, full: full}
}
