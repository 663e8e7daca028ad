// Package cli is bcauth's script commands: a function per command that
// writes its result to stdout, its diagnostics to stderr, and returns the
// exit code. Nothing here prompts (but ReadPassword, asked for), draws a
// screen or links Bubble Tea; every failure is told as a core.Problem, in the
// app's words.
package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"bcauth/ui/core"

	"charm.land/lipgloss/v2"
	"charm.land/lipgloss/v2/table"
	"github.com/charmbracelet/x/ansi"
)

// Output is where a script command writes: results to Stdout, diagnostics
// to Stderr.
type Output struct {
	Stdout, Stderr io.Writer
	// Terminal says Stdout is a terminal: plain results are then an
	// aligned table for people, not tab-separated lines for scripts.
	Terminal bool
}

// maxCell caps a table cell on a terminal, but the last column's, so one
// long name does not wrap every row; the tab-separated form and --json keep
// every byte.
const maxCell = 48

// rows writes plain results: tab-separated lines, one per row, for a
// script, or on a terminal an aligned table under header. Fields must be
// cleaned already.
func (o Output) rows(header []string, rows [][]string) int {
	if !o.Terminal {
		var b bytes.Buffer
		for _, r := range rows {
			b.WriteString(strings.Join(r, "\t") + "\n")
		}
		return o.flush(b.Bytes())
	}
	if len(rows) == 0 {
		return ExitOK
	}
	cells := make([][]string, len(rows))
	for i, r := range rows {
		cells[i] = make([]string, len(r))
		for j, c := range r {
			// The last column is left whole: nothing is pushed right
			// by it, and it is where the point is (probe's suggested
			// fix, ids' accounts).
			if j < len(r)-1 {
				c = ansi.Truncate(c, maxCell, "…")
			}
			cells[i][j] = c
		}
	}
	cellStyle := lipgloss.NewStyle().PaddingRight(2)
	t := table.New().Border(lipgloss.HiddenBorder()).
		BorderTop(false).BorderBottom(false).BorderLeft(false).BorderRight(false).BorderHeader(false).BorderColumn(false).
		Headers(header...).Rows(cells...).
		StyleFunc(func(row, _ int) lipgloss.Style {
			if row == table.HeaderRow {
				return cellStyle.Bold(true)
			}
			return cellStyle
		})
	var b strings.Builder
	for _, l := range strings.Split(t.Render(), "\n") {
		b.WriteString(strings.TrimRight(l, " ") + "\n")
	}
	return o.flush([]byte(b.String()))
}

// Exit codes of the script commands.
const (
	ExitOK = 0
	// ExitFailed: Launchpad unreachable, a hold, or any other failure
	// that may pass.
	ExitFailed = core.ExitFailed
	// ExitMisconfigured: a problem no login fixes (client settings, an
	// unreadable or newer file), and flags that do not make sense
	// together.
	ExitMisconfigured = core.ExitMisconfigured
	// ExitRelogin: a person must log in (again), on every command; see
	// core.ExitRelogin.
	ExitRelogin = core.ExitRelogin
	// ExitUnreachable is probe's exit code when at least one probed
	// account did not answer as reachable.
	ExitUnreachable = 3
	// ExitUsage is a command line bcauth cannot run: an unknown command or
	// flag, a stray argument, flags that contradict each other.
	ExitUsage = 2
	// ExitInterrupted is the shell's code for a command ended by Ctrl-C
	// (128 + SIGINT).
	ExitInterrupted = 130
)

// problem writes p to stderr for people: what happened, and the fix.
func (o Output) problem(p core.Problem) {
	fmt.Fprintf(o.Stderr, "bcauth: %s\n", core.Clean(p.Text()))
	if p.Fix != "" {
		fmt.Fprintf(o.Stderr, "  to fix: %s\n", core.Clean(p.Fix))
	}
}

// fail describes err, writes it to stderr and returns the exit code it
// calls for, the same on every command: 4 log in (again), 2
// misconfigured, 1 anything that may pass. _ was once whether the
// command had codes of its own (accounts and token used to say 1 for
// everything); it goes once no caller passes it.
func (o Output) fail(err error, set core.Settings, _ bool) int {
	p := core.Describe(err, set)
	o.problem(p)
	return p.Exit
}

// warn writes a warning to stderr.
func (o Output) warn(format string, args ...any) {
	fmt.Fprintf(o.Stderr, "bcauth: warning: "+format+"\n", args...)
}

// flush writes a command's whole result at once, so a failure midway does
// not leave half a result for a script to read.
func (o Output) flush(b []byte) int {
	if _, err := o.Stdout.Write(b); err != nil {
		fmt.Fprintln(o.Stderr, "bcauth: cannot write the result:", err)
		return ExitFailed
	}
	return ExitOK
}

// flushJSON encodes v (see encodeJSON) and flushes it.
func (o Output) flushJSON(v any) int {
	var buf bytes.Buffer
	if err := encodeJSON(&buf, v); err != nil {
		fmt.Fprintln(o.Stderr, "bcauth:", err)
		return ExitFailed
	}
	return o.flush(buf.Bytes())
}

// encodeJSON writes v as indented JSON without HTML escaping (a script wants
// "&", not "\u0026"), then escapes what a terminal could act on.
func encodeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("cannot encode the result as JSON: %w", err)
	}
	_, err := w.Write(terminalSafeJSON(b.Bytes()))
	return err
}

// terminalSafeJSON escapes as \uXXXX the characters encoding/json leaves
// raw but a terminal could act on, or that hide or reorder text: DEL, C1
// controls and invisible format characters such as bidirectional
// overrides. encoding/json already escapes C0 controls (ESC included), and
// all these can only occur inside strings, so the JSON decodes to the same
// data.
func terminalSafeJSON(b []byte) []byte {
	if !slices.ContainsFunc(b, func(c byte) bool { return c >= 0x7f }) {
		return b
	}
	out := make([]byte, 0, len(b)+64)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if jsonEscapes(r) {
			for _, u := range utf16.Encode([]rune{r}) {
				out = fmt.Appendf(out, `\u%04x`, u)
			}
		} else {
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return out
}

func jsonEscapes(r rune) bool {
	return r == 0x7f || (r >= 0x80 && r <= 0x9f) ||
		(unicode.Is(unicode.Cf, r) && r != '\u200d' && r != '\u200c')
}
