package cli

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"
)

// allCommands is root and every command below it, help and completion's
// shells included.
func allCommands(root *cobra.Command) []*cobra.Command {
	out := []*cobra.Command{root}
	for _, c := range root.Commands() {
		out = append(out, allCommands(c)...)
	}
	return out
}

// Help reads the same at every width: wrapping moves line breaks and
// nothing else (no word cut in two, as "W / ho is logged in" was), and no
// line but an example's is wider than the window.
func TestHelpReadsWellAtEveryWidth(t *testing.T) {
	root := NewRoot(&Factory{})
	root.InitDefaultHelpCmd()
	for _, c := range allCommands(root) {
		whole := strings.Fields(renderHelp(c, 100_000, false))
		for _, width := range []int{60, 80, 120, 200} {
			help := renderHelp(c, width, false)
			if got := strings.Fields(help); !slices.Equal(got, whole) {
				t.Errorf("%s at %d: the words differ from the unwrapped help:\n%s", c.CommandPath(), width, help)
				continue
			}
			examples := false
			for l := range strings.Lines(help) {
				l = strings.TrimRight(l, "\n")
				if strings.HasPrefix(l, "EXAMPLES") {
					examples = true
				} else if l != "" && !strings.HasPrefix(l, " ") {
					examples = false
				}
				if n := ansi.StringWidth(l); n > width && !examples && len(strings.Fields(l)) > 1 {
					t.Errorf("%s at %d: a line of %d columns:\n%s", c.CommandPath(), width, n, l)
				}
			}
		}
	}
}

// In a wide window descriptions sit in one column near the names, not at
// the far end of the longest synopsis; a narrow one puts them under it.
func TestHelpColumns(t *testing.T) {
	root := NewRoot(&Factory{})
	wide := renderHelp(root, 200, false)
	for _, want := range []string{
		"\n  status      Who is logged in, token state, where state lives\n",
		"\n  api         Call an account's API with the stored login, as gh api does\n",
		"\n  --timeout DURATION  How long to wait for the browser's approval: a DURATION such as 90s or 5m, at most 1h (5m)\n",
	} {
		if !strings.Contains(wide, want) {
			t.Errorf("at 200 columns the help lacks %q:\n%s", want, wide)
		}
	}
	if narrow := renderHelp(root, 40, false); !strings.Contains(narrow, "\n  --timeout DURATION\n      How long to wait") {
		t.Errorf("at 40 columns a description is not under its flag:\n%s", narrow)
	}
}

// Piped, help is plain and 80 columns wide: the intro no longer breaks
// "--help" into "--" and "help".
func TestHelpPiped(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := Execute(t.Context(), &Factory{Stdout: &out, Stderr: &errOut}, []string{"--help"}); code != 0 || errOut.Len() > 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	help := out.String()
	if strings.ContainsRune(help, '\x1b') {
		t.Error("piped help is styled")
	}
	root := NewRoot(&Factory{})
	root.InitDefaultHelpCmd()
	root.InitDefaultHelpFlag()
	root.InitDefaultVersionFlag()
	if want := renderHelp(root, 80, false); help != want {
		t.Errorf("piped help is not the 80-column one:\n%s\nwant\n%s", help, want)
	}
	for l := range strings.Lines(help) {
		if strings.HasSuffix(strings.TrimSpace(l), "--") {
			t.Errorf("a line ends in a cut flag: %q", l)
		}
	}
}
