package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// pty is a pseudo-terminal: the test types into and reads from master,
// readPassword gets the terminal end.
type pty struct {
	master, term *os.File
	out          chan string // what the terminal printed, chunk by chunk
}

func openPTY(t *testing.T) *pty {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	// Control, not Fd, keeps the master in the poller, so Close ends the
	// reader below.
	rc, err := m.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var ioErr error
	if err := rc.Control(func(fd uintptr) {
		if ioErr = unix.IoctlSetPointerInt(int(fd), unix.TIOCSPTLCK, 0); ioErr == nil {
			n, ioErr = unix.IoctlGetInt(int(fd), unix.TIOCGPTN)
		}
	}); err != nil || ioErr != nil {
		t.Fatal(err, ioErr)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	p := &pty{master: m, term: s, out: make(chan string, 64)}
	go func() {
		buf := make([]byte, 256)
		for {
			n, err := m.Read(buf)
			if n > 0 {
				p.out <- string(buf[:n])
			}
			if err != nil {
				close(p.out)
				return
			}
		}
	}()
	return p
}

// printed waits until the terminal has printed something that ends with
// suffix, and returns all it printed.
func (p *pty) printed(t *testing.T, suffix string) string {
	t.Helper()
	var got strings.Builder
	deadline := time.After(10 * time.Second)
	for !strings.HasSuffix(got.String(), suffix) {
		select {
		case s, ok := <-p.out:
			if !ok {
				t.Fatalf("the terminal closed after printing %q, want it to end with %q", got.String(), suffix)
			}
			got.WriteString(s)
		case <-deadline:
			t.Fatalf("the terminal printed %q, want it to end with %q", got.String(), suffix)
		}
	}
	return got.String()
}

func (p *pty) echoes(t *testing.T) bool {
	t.Helper()
	tio, err := unix.IoctlGetTermios(int(p.term.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return tio.Lflag&unix.ECHO != 0
}

// waitEchoOff waits until readPassword's reader has turned echo off: typing
// earlier would be echoed by the kernel, whatever readPassword does.
func (p *pty) waitEchoOff(t *testing.T) {
	t.Helper()
	// The terminal sends no event when its mode changes, so look often.
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for p.echoes(t) {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatal("echo is still on 10s after the prompt")
		}
	}
}

type readResult struct {
	pw  string
	err error
}

func (p *pty) read(ctx context.Context, user string) <-chan readResult {
	done := make(chan readResult, 1)
	go func() {
		pw, err := readPassword(ctx, p.term, p.term, user)
		done <- readResult{pw, err}
	}()
	return done
}

func TestReadPasswordDoesNotEcho(t *testing.T) {
	p := openPTY(t)
	done := p.read(t.Context(), "annie@example.com\x1b[2J")
	// The user name passes through Clean: no escape reaches the terminal.
	p.printed(t, "Password for annie@example.com: ")
	p.waitEchoOff(t)
	if _, err := p.master.WriteString("s3cret\n"); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || r.pw != "s3cret" {
		t.Fatalf("readPassword = %q, %v; want s3cret, nil", r.pw, r.err)
	}
	// Only the line break after the prompt: the password was not echoed.
	if got := p.printed(t, "\n"); got != "\r\n" {
		t.Errorf("after the prompt the terminal printed %q, want only a line break", got)
	}
	if !p.echoes(t) {
		t.Error("echo is still off after the password was read")
	}
}

func TestReadPasswordGivesTheTerminalBackWhenInterrupted(t *testing.T) {
	p := openPTY(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := p.read(ctx, "annie")
	p.printed(t, "Password for annie: ")
	p.waitEchoOff(t)
	cancel() // what Ctrl-C does to the context main passes
	r := <-done
	if !errors.Is(r.err, errInterrupted) || r.pw != "" {
		t.Fatalf("readPassword = %q, %v; want \"\", %v", r.pw, r.err, errInterrupted)
	}
	if !p.echoes(t) {
		t.Error("echo is still off after Ctrl-C: the shell would not show what is typed")
	}
	// The abandoned reader still waits for a line; give it one.
	_, _ = p.master.WriteString("\n")
}

func TestReadPasswordWithoutATerminalSaysWhatToSet(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	var prompt strings.Builder
	_, err = readPassword(t.Context(), r, &prompt, "annie")
	if err == nil || !strings.Contains(err.Error(), PasswordEnv) {
		t.Errorf("readPassword from a pipe: %v, want an error naming %s", err, PasswordEnv)
	}
	if prompt.Len() != 0 {
		t.Errorf("prompted %q on something that is not a terminal", prompt.String())
	}
}
