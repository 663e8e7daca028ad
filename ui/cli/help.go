package cli

import (
	"cmp"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"
)

// Help's measures: prose wraps at proseWidth at most, however wide the
// terminal, since long lines are hard to read; piped, help is as wide as
// pipedWidth; a name column wider than nameColumn puts its description on
// the next line instead (as argparse and man pages do).
const (
	proseWidth = 100
	pipedWidth = 80
	nameColumn = 30
	minDesc    = 24 // the narrowest a description column may be
)

// help writes cmd's help to the factory's stdout, wrapped to its
// terminal's width and styled there, plain and 80 columns wide piped.
func (f *Factory) help(cmd *cobra.Command, _ []string) {
	w, styled := pipedWidth, false
	if file, ok := f.stdout().(interface{ Fd() uintptr }); ok && isTerminal(f.stdout()) {
		if tw, _, err := term.GetSize(int(file.Fd())); err == nil && tw > 0 {
			w, styled = tw, true
		}
	}
	out := f.stdout()
	if styled {
		out = colorprofile.NewWriter(out, []string(f.Env))
	}
	_, _ = io.WriteString(out, renderHelp(cmd, w, styled))
}

// helpStyles paint help on a terminal in the terminal's own palette, so
// they suit a light or a dark background alike; piped, they leave text as
// it is.
type helpStyles struct {
	title, name, flag, dim func(string) string
}

func newHelpStyles(styled bool) helpStyles {
	if !styled {
		plain := func(s string) string { return s }
		return helpStyles{plain, plain, plain, plain}
	}
	paint := func(st lipgloss.Style) func(string) string {
		return func(s string) string { return st.Render(s) }
	}
	return helpStyles{
		title: paint(lipgloss.NewStyle().Bold(true)),
		name:  paint(lipgloss.NewStyle().Foreground(lipgloss.ANSIColor(6))),
		flag:  paint(lipgloss.NewStyle().Foreground(lipgloss.ANSIColor(5))),
		dim:   paint(lipgloss.NewStyle().Faint(true)),
	}
}

// renderHelp is cmd's help at width columns: what it does, its synopsis,
// examples, commands and flags. No word is ever broken: a line too long
// wraps at a space, under the column it began in.
func renderHelp(cmd *cobra.Command, width int, styled bool) string {
	st := newHelpStyles(styled)
	width = max(width, 20)
	prose := min(width, proseWidth)
	var b strings.Builder
	section := func(title string) {
		b.WriteString("\n" + st.title(strings.ToUpper(title)) + "\n")
	}

	b.WriteString(paragraphs(cmp.Or(cmd.Long, cmd.Short), 2, prose))

	section("usage")
	use := cmd.UseLine()
	if cmd.HasAvailableSubCommands() && !strings.Contains(use, "[command]") {
		rest, _ := strings.CutPrefix(use, cmd.CommandPath())
		use = cmd.CommandPath() + " [command]" + rest
	}
	b.WriteString(hanging(use, 2, 6, width, st.name) + "\n")

	if cmd.Example != "" {
		section("examples")
		for l := range strings.Lines(strings.Trim(cmd.Example, "\n")) {
			// Never wrapped: a line break would break the command a
			// person copies; the terminal folds a long one softly.
			b.WriteString("  " + st.dim(strings.TrimRight(l, "\n")) + "\n")
		}
	}

	var cmds [][2]string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			cmds = append(cmds, [2]string{c.Name(), c.Short})
		}
	}
	if len(cmds) > 0 {
		section("commands")
		b.WriteString(columns(cmds, width, st.name))
	}

	var flags [][2]string
	cmd.Flags().VisitAll(func(fl *pflag.Flag) {
		if fl.Hidden {
			return
		}
		name := "--" + fl.Name
		if v := valueName(cmd, fl); v != "" {
			name += " " + v
		}
		if fl.Shorthand != "" {
			name = "-" + fl.Shorthand + ", " + name
		}
		desc := fl.Usage
		if r, size := utf8.DecodeRuneInString(desc); size > 0 {
			desc = string(unicode.ToUpper(r)) + desc[size:]
		}
		if d := fl.DefValue; d != "" && d != "false" && d != "0" && d != "[]" {
			desc += " (" + d + ")"
		}
		flags = append(flags, [2]string{name, desc})
	})
	if len(flags) > 0 {
		section("flags")
		b.WriteString(columns(flags, width, st.flag))
	}
	return b.String()
}

// valueName is what the synopsis calls a flag's value ("--timeout
// DURATION"), or "" for a flag that takes none or that it does not show.
func valueName(cmd *cobra.Command, fl *pflag.Flag) string {
	words := strings.Fields(strings.NewReplacer("[", " ", "]", " ", "(", " ", ")", " ").Replace(cmd.Use + " " + cmd.Long))
	for i, w := range words[:max(len(words)-1, 0)] {
		if w != "--"+fl.Name && (fl.Shorthand == "" || w != "-"+fl.Shorthand) {
			continue
		}
		if v := strings.Trim(words[i+1], ",.;:"); isValueName(v) {
			return v
		}
	}
	return ""
}

// isValueName reports whether the word after a flag in the synopsis
// names its value: a placeholder in capitals (DURATION, ID|EMAIL), or the
// values it takes, in lower case, between bars (read|full).
func isValueName(v string) bool {
	if strings.ToUpper(v) == v && strings.ContainsFunc(v, unicode.IsLetter) {
		return true
	}
	choices := strings.Split(v, "|")
	for _, c := range choices {
		if c == "" || strings.ContainsFunc(c, func(r rune) bool { return r < 'a' || r > 'z' }) {
			return false
		}
	}
	return len(choices) > 1
}

// paragraphs wraps text at width under indent: each line of text is a
// paragraph, but one that starts with spaces is a synopsis, kept as it is
// where it fits and wrapped under itself where it does not.
func paragraphs(text string, indent, width int) string {
	var b strings.Builder
	for l := range strings.Lines(strings.TrimSpace(text)) {
		l = strings.TrimRight(l, "\n ")
		switch trimmed := strings.TrimLeft(l, " "); {
		case trimmed == "":
			b.WriteString("\n")
		case trimmed != l:
			in := indent + len(l) - len(trimmed)
			b.WriteString(hanging(trimmed, in, in+4, width, func(s string) string { return s }) + "\n")
		default:
			b.WriteString(wrap(l, indent, indent, width))
		}
	}
	return b.String()
}

// columns lays out names and descriptions side by side: descriptions in
// one column after the names that fit in nameColumn, and under a longer
// name, on the next line, at that same column. A narrow window puts every
// description on its own lines, under its name.
func columns(items [][2]string, width int, paint func(string) string) string {
	const indent = 2
	col := 0
	for _, it := range items {
		if n := ansi.StringWidth(it[0]); n <= nameColumn {
			col = max(col, n)
		}
	}
	col += indent + 2
	stacked := width-col < minDesc
	if stacked {
		col = indent + 4
	}
	var b strings.Builder
	for _, it := range items {
		name, desc := it[0], it[1]
		b.WriteString(strings.Repeat(" ", indent) + paint(name))
		at := indent + ansi.StringWidth(name)
		if stacked || at+2 > col {
			b.WriteString("\n")
			at = 0
		}
		text := wrap(desc, col, col, min(width, col+proseWidth))
		b.WriteString(strings.Repeat(" ", col-at) + strings.TrimLeft(text, " "))
	}
	return b.String()
}

// hanging writes one line at indent, wrapped at spaces to width, the
// lines after the first at more: a synopsis or an example.
func hanging(line string, indent, more, width int, paint func(string) string) string {
	var b strings.Builder
	at := indent
	b.WriteString(strings.Repeat(" ", indent))
	for i, word := range groups(line) {
		n := ansi.StringWidth(word)
		if i > 0 {
			if at+1+n > width && at > more {
				b.WriteString("\n" + strings.Repeat(" ", more))
				at = more
			} else {
				b.WriteString(" ")
				at++
			}
		}
		b.WriteString(paint(word))
		at += n
	}
	return b.String()
}

// groups splits a synopsis at the spaces outside brackets, parentheses
// and quotes, so "[--input FILE|-]" stays whole.
func groups(line string) []string {
	var out []string
	depth, quote, start := 0, rune(0), 0
	for i, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '[' || r == '(':
			depth++
		case r == ']' || r == ')':
			depth = max(depth-1, 0)
		case r == ' ' && depth == 0:
			out = append(out, line[start:i])
			start = i + 1
		}
	}
	return append(out, line[start:])
}

// wrap fills text into lines at most width wide, the first at first, the
// others at indent, breaking only at spaces (a word longer than a line has
// a line of its own); it ends with a line break.
func wrap(text string, first, indent, width int) string {
	var b strings.Builder
	at := first
	b.WriteString(strings.Repeat(" ", first))
	for i, word := range strings.Fields(text) {
		n := ansi.StringWidth(word)
		if i > 0 {
			if at+1+n > width {
				b.WriteString("\n" + strings.Repeat(" ", indent))
				at = indent
			} else {
				b.WriteString(" ")
				at++
			}
		}
		b.WriteString(word)
		at += n
	}
	return b.String() + "\n"
}
