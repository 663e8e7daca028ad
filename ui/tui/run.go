package tui

import (
	"fmt"
	"io"

	tea "charm.land/bubbletea/v2"
)

// Run runs the app until it quits, writes how it ended to stderr and
// returns the exit code: 0 when it ends on the accounts (or, with
// StartLogin, after a login), 1 otherwise.
func Run(cfg Config, stderr io.Writer) int {
	final, err := tea.NewProgram(New(cfg)).Run()
	if err != nil {
		fmt.Fprintln(stderr, "bcauth:", err)
		return 1
	}
	m, ok := final.(*Model)
	if !ok {
		return 0
	}
	code, msg := m.Outcome()
	if msg != "" {
		fmt.Fprintln(stderr, msg)
	}
	return code
}
