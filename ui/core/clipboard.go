package core

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
)

// TmuxCopy hands text to the tmux that bcauth runs in: its paste buffer
// and, with -w, the outer terminal's clipboard. Under tmux's default
// set-clipboard external, OSC 52 from a program is dropped, so without this
// a copy inside tmux goes nowhere. tmux older than 3.2 has no -w: then the
// paste buffer alone.
func TmuxCopy(text string) error {
	err := tmuxLoadBuffer(text, "-w")
	if err != nil {
		if plain := tmuxLoadBuffer(text); plain == nil {
			return nil
		}
	}
	return err
}

func tmuxLoadBuffer(text string, flags ...string) error {
	cmd := exec.Command("tmux", append(append([]string{"load-buffer"}, flags...), "-")...)
	cmd.Stdin = strings.NewReader(text)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("tmux load-buffer: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return nil
}
