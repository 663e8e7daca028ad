package tui

import (
	"context"
	"errors"
	"fmt"
	"io"

	tea "charm.land/bubbletea/v2"
)

// Run runs the app until it quits or ctx ends (main cancels it on SIGHUP,
// SIGTERM, SIGQUIT and interrupts), writes how it ended to stderr and
// returns the exit code: 0 when it ends on the accounts (or, with
// StartLogin, after a login), 1 otherwise. When ctx ends, Bubble Tea
// restores the terminal and any login's listener is closed before Run
// returns.
func Run(ctx context.Context, cfg Config, stderr io.Writer) int {
	final, err := tea.NewProgram(New(cfg), tea.WithContext(ctx)).Run()
	m, ok := final.(*Model)
	if ok {
		m.close()
	}
	if err != nil {
		if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
			fmt.Fprintln(stderr, "bcauth: stopped:", context.Cause(ctx))
			return 1
		}
		fmt.Fprintln(stderr, "bcauth:", err)
		return 1
	}
	if !ok {
		return 0
	}
	code, msg := m.Outcome()
	if msg != "" {
		fmt.Fprintln(stderr, msg)
	}
	return code
}
