package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// onTerminal runs a command as if stdout were a terminal.
func onTerminal(f func(Output) int) cliResult {
	var o, e bytes.Buffer
	code := f(Output{Stdout: &o, Stderr: &e, Terminal: true})
	return cliResult{code, ansi.Strip(o.String()), e.String()}
}

// TestTablesOnATerminal: on a terminal, accounts, probe and ids print
// aligned tables with a header (probe with the app's summary line); the
// tab-separated form for scripts is what the other tests check.
func TestTablesOnATerminal(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	tests := []struct {
		name   string
		run    func(Output) int
		header []string
		also   string
	}{
		{"accounts", func(o Output) int { return Accounts(t.Context(), e.Svc, o, false, "") }, []string{"PRODUCT", "ID", "NAME", "HREF"}, "Honcho Design"},
		{"probe", func(o Output) int { return Probe(t.Context(), e.Svc, o, ProbeOptions{}) }, []string{"PRODUCT", "ID", "STATUS", "NAME", "DETAIL"}, "9 of 12 reachable · 1 token refused"},
		{"ids", func(o Output) int { return IDs(e.Svc, o, false) }, []string{"LAUNCHPAD ID", "NAME", "EMAIL", "TOKEN"}, "Annie Bryan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := onTerminal(tt.run)
			if strings.Contains(r.stdout, "\t") {
				t.Errorf("a tab in the terminal table:\n%s", r.stdout)
			}
			lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
			for _, h := range tt.header {
				if !strings.Contains(lines[0], h) {
					t.Errorf("header %q lacks %q", lines[0], h)
				}
			}
			if !strings.Contains(r.stdout, tt.also) {
				t.Errorf("no %q in:\n%s", tt.also, r.stdout)
			}
			// Aligned: the second column starts at the same cell on every
			// row of the table.
			col := -1
			for _, l := range lines[1:] {
				if l == "" {
					break // the summary line follows a blank
				}
				f := strings.Fields(l)
				if len(f) < 2 {
					continue
				}
				at := ansi.StringWidth(l[:strings.Index(l[len(f[0]):], f[1])+len(f[0])])
				if col >= 0 && at != col {
					t.Errorf("columns not aligned (%d, then %d):\n%s", col, at, r.stdout)
					break
				}
				col = at
			}
		})
	}
}

// The last column of a terminal table is never cut: probe's DETAIL holds
// the suggested fix, ids' ACCOUNTS the counts; earlier columns still are.
func TestTheLastColumnIsWhole(t *testing.T) {
	long := strings.Repeat("a fix that matters at the end ", 4) + "probe --url HREF"
	name := strings.Repeat("N", 80)
	r := onTerminal(func(o Output) int {
		return o.rows([]string{"NAME", "DETAIL"}, [][]string{{name, long}})
	})
	if !strings.Contains(r.stdout, long) {
		t.Errorf("the last column was cut:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout, name) || !strings.Contains(r.stdout, "…") {
		t.Errorf("an earlier column was not cut:\n%s", r.stdout)
	}
}
