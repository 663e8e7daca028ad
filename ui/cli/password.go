package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"

	"bcauth/ui/core"
)

// errInterrupted is what ReadPassword returns when ctx ends (Ctrl-C) before
// the password is typed.
var errInterrupted = errors.New("interrupted")

// ReadPassword asks for user's password in the terminal, without echo, for
// `bcauth probe --basic USER`. When stdin is not a terminal it asks nothing
// and returns "", so scripts never hang (Probe then says to set
// PasswordEnv). The prompt goes to the terminal itself, so it shows even when
// stderr is redirected; where /dev/tty cannot be opened (Windows), to stderr.
func ReadPassword(ctx context.Context, user string) (string, error) {
	if !term.IsTerminal(int(os.Stdin.Fd())) {
		return "", nil
	}
	in, prompt := os.Stdin, io.Writer(os.Stderr)
	if tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0); err == nil {
		defer tty.Close()
		in, prompt = tty, tty
	}
	return readPassword(ctx, in, prompt, user)
}

// readPassword prompts on prompt and reads a line from the terminal in with
// echo off. When ctx ends first it puts the terminal back as it was.
func readPassword(ctx context.Context, in *os.File, prompt io.Writer, user string) (string, error) {
	return readHidden(ctx, in, prompt, "Password for "+core.Clean(user)+": ", "the password", "set "+PasswordEnv+" instead")
}

// readHidden writes label on prompt and reads a line from the terminal in
// with echo off; what and instead name it and the way around in errors.
// When ctx ends first it puts the terminal back as it was.
func readHidden(ctx context.Context, in *os.File, prompt io.Writer, label, what, instead string) (string, error) {
	fd := int(in.Fd())
	old, err := term.GetState(fd)
	if err != nil {
		return "", fmt.Errorf("cannot read %s from the terminal: %w; %s", what, err, instead)
	}
	fmt.Fprint(prompt, label)
	type read struct {
		b   []byte
		err error
	}
	done := make(chan read, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		done <- read{b, err}
	}()
	select {
	case r := <-done:
		fmt.Fprintln(prompt)
		if r.err != nil {
			return "", fmt.Errorf("cannot read %s from the terminal: %w; %s", what, r.err, instead)
		}
		return string(r.b), nil
	case <-ctx.Done():
		// Ctrl-C is caught for the probes, so term.ReadPassword would wait
		// on with echo off: give the terminal back before leaving.
		_ = term.Restore(fd, old)
		fmt.Fprintln(prompt)
		return "", errInterrupted
	}
}
