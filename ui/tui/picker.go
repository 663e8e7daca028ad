package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"bcauth/theme"
	"bcauth/ui/core"
)

// picker chooses a Basecamp ID: the app's s key and `bcauth switch` in a
// terminal share it, its keys and its look. Entries are labelled by
// core.IDLabel, the same words bcauth ids and every error use. It is a plain
// struct the root model (or pickModel) holds; it does no I/O.
type picker struct {
	choices []core.IDChoice
	// mark names what IDChoice.Current means here: "current" for the
	// stored current one, "on screen" in the app.
	mark string
	// addLogin adds a last entry that logs in with another Basecamp ID.
	addLogin bool
	cursor   int
}

// newPicker starts on the marked choice.
func newPicker(choices []core.IDChoice, mark string, addLogin bool) picker {
	p := picker{choices: choices, mark: mark, addLogin: addLogin}
	for i, c := range choices {
		if c.Current {
			p.cursor = i
		}
	}
	return p
}

func (p *picker) entries() int {
	if p.addLogin {
		return len(p.choices) + 1
	}
	return len(p.choices)
}

// key moves the cursor, or closes the picker (done): chosen is the index
// picked, len(choices) for "log in with another", -1 for none.
func (p *picker) key(k keyMap, msg tea.KeyPressMsg) (chosen int, done bool) {
	n := max(p.entries(), 1)
	switch {
	// No wrap-around: from the top, up must not land on "log in with
	// another", where enter starts a login.
	case key.Matches(msg, k.Up):
		p.cursor = max(p.cursor-1, 0)
	case key.Matches(msg, k.Down):
		p.cursor = min(p.cursor+1, n-1)
	case msg.String() == "esc", key.Matches(msg, k.Quit):
		return -1, true
	case key.Matches(msg, k.Enter):
		if p.entries() == 0 {
			return -1, true
		}
		return p.cursor, true
	}
	return 0, false
}

// render draws the title and the entries, cut to width.
func (p picker) render(s theme.Styles, width int) string {
	var b strings.Builder
	b.WriteString(s.App.Render(s.Title.Render("Switch Basecamp ID")) + "\n\n")
	labels := make([]string, 0, p.entries())
	for _, c := range p.choices {
		label := core.SessionLabel(c.Session)
		if c.Current {
			label += " (" + p.mark + ")"
		}
		labels = append(labels, label)
	}
	if p.addLogin {
		labels = append(labels, "+ Log in with another Basecamp ID")
	}
	for i, l := range labels {
		l = ansi.Truncate(l, max(width-6, 4), "…")
		if i == p.cursor {
			b.WriteString(s.App.Render(s.Marker.Render("▌ ")+s.Selected.Render(l)) + "\n")
		} else {
			b.WriteString(s.App.Render("  "+s.Row.Render(l)) + "\n")
		}
	}
	return b.String()
}

// PickID shows the picker on its own, in the terminal, for `bcauth switch`
// without an argument, and returns the index chosen; ok is false when the
// person left it (esc, q, ctrl+c). It draws inline, not on the alternate
// screen, and leaves nothing behind.
func PickID(choices []core.IDChoice, opts ...tea.ProgramOption) (index int, ok bool, err error) {
	final, err := tea.NewProgram(newPickModel(choices), opts...).Run()
	if err != nil {
		return 0, false, err
	}
	m, _ := final.(*pickModel)
	if m == nil || m.chosen < 0 {
		return 0, false, nil
	}
	return m.chosen, true, nil
}

// pickModel is the program PickID runs.
type pickModel struct {
	picker picker
	keys   keyMap
	styles theme.Styles
	width  int
	chosen int
	done   bool
}

func newPickModel(choices []core.IDChoice) *pickModel {
	return &pickModel{picker: newPicker(choices, "current", false), keys: newKeyMap(), styles: theme.New(true), width: 80, chosen: -1}
}

func (m *pickModel) Init() tea.Cmd { return tea.RequestBackgroundColor }

func (m *pickModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.BackgroundColorMsg:
		m.styles = theme.New(msg.IsDark())
	case tea.WindowSizeMsg:
		m.width = msg.Width
	case tea.KeyPressMsg:
		if key.Matches(msg, m.keys.ForceQuit) {
			m.done = true
			return m, tea.Quit
		}
		if chosen, done := m.picker.key(m.keys, msg); done {
			m.chosen, m.done = chosen, true
			return m, tea.Quit
		}
	}
	return m, nil
}

func (m *pickModel) View() tea.View {
	if m.done {
		return tea.NewView("")
	}
	s := m.styles
	help := s.Muted.Render("↑/↓ move · enter switch · esc cancel")
	return tea.NewView(m.picker.render(s, m.width) + "\n" + s.App.Render(help) + "\n")
}
