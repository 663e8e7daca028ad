// Package theme holds bcauth's palette and styles: one warm accent in the
// spirit of Basecamp, quiet greys, and a selection that stays visible with
// no colour at all (NO_COLOR), because it also uses a marker and bold.
package theme

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// Palette is the set of colours for one background. The greys are neutral
// on purpose: a 256-colour terminal maps them onto its grey ramp, where a
// warm grey would land on a pink.
type Palette struct {
	Accent, OnAccent, Text, Muted, Subtle, Border, Selection, Good, Warn, Bad color.Color
}

// NewPalette picks colours that read well on a dark or a light background.
func NewPalette(isDark bool) Palette {
	ld := lipgloss.LightDark(isDark)
	return Palette{
		Accent:    ld(lipgloss.Color("#9A6200"), lipgloss.Color("#F7C948")),
		OnAccent:  ld(lipgloss.Color("#FFFFFF"), lipgloss.Color("#1D1D1B")),
		Text:      ld(lipgloss.Color("#1C1C1C"), lipgloss.Color("#EEEEEE")),
		Muted:     ld(lipgloss.Color("#626262"), lipgloss.Color("#9E9E9E")),
		Subtle:    ld(lipgloss.Color("#8A8A8A"), lipgloss.Color("#767676")),
		Border:    ld(lipgloss.Color("#D0D0D0"), lipgloss.Color("#4E4E4E")),
		Selection: ld(lipgloss.Color("#F7DD9A"), lipgloss.Color("#3A3A3A")),
		Good:      ld(lipgloss.Color("#1D7A3A"), lipgloss.Color("#6CCB8A")),
		Warn:      ld(lipgloss.Color("#9A5B00"), lipgloss.Color("#F0A64B")),
		Bad:       ld(lipgloss.Color("#B3261E"), lipgloss.Color("#FF8A80")),
	}
}

// Styles are the lipgloss styles every screen draws with.
type Styles struct {
	Dark    bool
	Palette Palette

	App      lipgloss.Style // outer padding
	Brand    lipgloss.Style // "bcauth" in the title bar
	Title    lipgloss.Style
	Text     lipgloss.Style
	Muted    lipgloss.Style
	Subtle   lipgloss.Style
	Accent   lipgloss.Style
	Key      lipgloss.Style // a key name in running text, such as "enter"
	URL      lipgloss.Style
	Code     lipgloss.Style // the verification code
	CodeBox  lipgloss.Style
	Box      lipgloss.Style
	ErrorBox lipgloss.Style
	Error    lipgloss.Style
	Good     lipgloss.Style
	Warn     lipgloss.Style

	Group       lipgloss.Style // product group heading
	GroupCount  lipgloss.Style
	Row         lipgloss.Style
	Selected    lipgloss.Style
	Marker      lipgloss.Style // the selection marker
	Label       lipgloss.Style // detail pane labels
	Value       lipgloss.Style
	Status      lipgloss.Style // the status line
	InputPrompt lipgloss.Style

	Help help.Styles
}

// New builds the styles for a dark or light background.
func New(isDark bool) Styles {
	p := NewPalette(isDark)
	s := Styles{Dark: isDark, Palette: p}
	s.App = lipgloss.NewStyle().Padding(0, 1)
	s.Brand = lipgloss.NewStyle().Bold(true).Foreground(p.OnAccent).Background(p.Accent).Padding(0, 1)
	s.Title = lipgloss.NewStyle().Bold(true).Foreground(p.Text)
	s.Text = lipgloss.NewStyle().Foreground(p.Text)
	s.Muted = lipgloss.NewStyle().Foreground(p.Muted)
	s.Subtle = lipgloss.NewStyle().Foreground(p.Subtle)
	s.Accent = lipgloss.NewStyle().Foreground(p.Accent).Bold(true)
	s.Key = lipgloss.NewStyle().Foreground(p.Accent).Bold(true)
	s.URL = lipgloss.NewStyle().Foreground(p.Muted).Underline(true)
	s.Code = lipgloss.NewStyle().Foreground(p.Accent).Bold(true)
	s.CodeBox = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(p.Accent).Padding(0, 2)
	s.Box = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(p.Border).Padding(0, 1)
	s.ErrorBox = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(p.Bad).Padding(0, 1)
	s.Error = lipgloss.NewStyle().Foreground(p.Bad).Bold(true)
	s.Good = lipgloss.NewStyle().Foreground(p.Good)
	s.Warn = lipgloss.NewStyle().Foreground(p.Warn)
	s.Group = lipgloss.NewStyle().Foreground(p.Accent).Bold(true)
	s.GroupCount = lipgloss.NewStyle().Foreground(p.Muted)
	s.Row = lipgloss.NewStyle().Foreground(p.Text)
	s.Selected = lipgloss.NewStyle().Foreground(p.Text).Background(p.Selection).Bold(true)
	s.Marker = lipgloss.NewStyle().Foreground(p.Accent).Background(p.Selection).Bold(true)
	s.Label = lipgloss.NewStyle().Foreground(p.Muted)
	s.Value = lipgloss.NewStyle().Foreground(p.Text)
	s.Status = lipgloss.NewStyle().Foreground(p.Muted)
	s.InputPrompt = lipgloss.NewStyle().Foreground(p.Accent)
	// bubbles' help greys are too faint to read on either background.
	s.Help = help.DefaultStyles(isDark)
	s.Help.ShortKey = s.Help.ShortKey.Foreground(p.Text).Bold(true)
	s.Help.FullKey = s.Help.FullKey.Foreground(p.Text).Bold(true)
	s.Help.ShortDesc = s.Help.ShortDesc.Foreground(p.Muted)
	s.Help.FullDesc = s.Help.FullDesc.Foreground(p.Muted)
	s.Help.ShortSeparator = s.Help.ShortSeparator.Foreground(p.Subtle)
	s.Help.FullSeparator = s.Help.FullSeparator.Foreground(p.Subtle)
	s.Help.Ellipsis = s.Help.Ellipsis.Foreground(p.Subtle)
	return s
}
