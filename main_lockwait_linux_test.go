package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"bcauth/auth"
	"bcauth/store"
	"bcauth/ui/core"
)

func TestCtrlCEndsALockWaitAtOnce(t *testing.T) {
	emptyConfig(t, auth.SettingClientID, "client", auth.SettingClientSecret, "secret", auth.SettingToken, "", core.IDSetting, "")
	st, err := store.Open(store.DefaultDir())
	if err != nil {
		t.Fatal(err)
	}
	// Another bcauth holds the lock, as a refresh waiting on Launchpad does.
	held, err := st.Hold(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	lock := filepath.Join(st.Dir(), "state.lock")
	opens := watchOpens(t, lock)

	cmd := bcauthProcess(t, "logout", "--all")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	// Nothing but the lock's retry loop opens state.lock (the store looks
	// at it with Lstat), and this test opened it before watching: a second
	// open means the process is past Execute's signal handler and waiting.
	// The wait ends when the process does, or after the store's own lock
	// timeout had it never retried.
	for n := 0; n < 2; {
		select {
		case <-opens:
			n++
		case err := <-exited:
			t.Fatalf("logout exited (%v) before it waited for the lock\n%s", err, stderr.String())
		case <-time.After(15 * time.Second):
			t.Fatalf("logout never opened %s twice in 15s: it is not waiting for the lock\n%s", lock, stderr.String())
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err = <-exited:
	case <-time.After(15 * time.Second):
		t.Fatalf("logout still waiting 15s after SIGINT\n%s", stderr.String())
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 {
		t.Errorf("logout interrupted while waiting for the lock: %v, want exit 130\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "lock") {
		t.Errorf("stderr does not say what was interrupted: %q", stderr.String())
	}
}

// watchOpens reports each time any process opens path, through inotify,
// until the test ends.
func watchOpens(t *testing.T, path string) <-chan struct{} {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := unix.InotifyAddWatch(fd, path, unix.IN_OPEN); err != nil {
		unix.Close(fd)
		t.Fatal(err)
	}
	// Non-blocking, so reads go through the runtime's poller and Close
	// ends a read in progress.
	f := os.NewFile(uintptr(fd), "inotify")
	opens := make(chan struct{}, 64)
	go func() {
		buf := make([]byte, 64*(unix.SizeofInotifyEvent+unix.NAME_MAX+1))
		for {
			n, err := f.Read(buf)
			if err != nil {
				return
			}
			for off := 0; off+unix.SizeofInotifyEvent <= n; {
				ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
				if ev.Mask&unix.IN_OPEN != 0 {
					select {
					case opens <- struct{}{}:
					default:
					}
				}
				off += unix.SizeofInotifyEvent + int(ev.Len)
			}
		}
	}()
	t.Cleanup(func() { f.Close() })
	return opens
}
