//go:build unix

package core_test

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"bcauth/ui/core"
)

// recordingBrowser is a real $BROWSER script that writes its environment
// and arguments into a FIFO, which the test reads: no polling, no sleep.
func recordingBrowser(t *testing.T) (script string, read func() (env, args []string)) {
	t.Helper()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "seen")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	script = filepath.Join(dir, "browser")
	body := "#!/bin/sh\n{ /usr/bin/env; echo --ARGS--; printf '%s\\n' \"$@\"; } > '" + fifo + "'\n"
	if err := os.WriteFile(script, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	return script, func() (env, args []string) {
		t.Helper()
		f, err := os.Open(fifo) // blocks until the script opens it
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		b, err := io.ReadAll(f)
		if err != nil {
			t.Fatal(err)
		}
		e, a, _ := strings.Cut(string(b), "--ARGS--\n")
		return strings.Split(strings.TrimSpace(e), "\n"), strings.Split(strings.TrimSpace(a), "\n")
	}
}

func TestOpenerGivesTheBrowserNoSecrets(t *testing.T) {
	script, read := recordingBrowser(t)
	env := []string{
		"HOME=/home/annie", "DISPLAY=:0", "XDG_ACTIVATION_TOKEN=focus-me", "PATH=/usr/bin:/bin",
		"BASECAMP_OAUTH_CLIENT_SECRET=s1", "BASECAMP_TOKEN=s2", "BASECAMP_PASSWORD=s3", "BASECAMP_API_TOKEN=s4",
		"GITHUB_TOKEN=s5", "AWS_SECRET_ACCESS_KEY=s6", "basecamp_oauth_client_id=s7",
	}
	open := core.Opener(script+" --new-window %s", true, env)
	const start = "http://127.0.0.1:8976/start/NONCE"
	if err := open(start); err != nil {
		t.Fatal(err)
	}
	got, args := read()
	for _, kv := range got {
		if _, v, _ := strings.Cut(kv, "="); strings.HasPrefix(v, "s") && len(v) == 2 {
			t.Errorf("the browser inherited %s", kv)
		}
	}
	for _, want := range []string{"HOME=/home/annie", "DISPLAY=:0", "XDG_ACTIVATION_TOKEN=focus-me"} {
		if !slices.Contains(got, want) {
			t.Errorf("the browser lost %s: %q", want, got)
		}
	}
	if len(args) != 2 || args[0] != "--new-window" || args[1] != start {
		t.Errorf("the browser's arguments %q, want --new-window and the start address", args)
	}
}

// TestOpenerNeverFallsBackToOwnEnvironment: exec.Cmd with a nil Env runs
// the child with the parent's, secrets included; bcauth never does.
func TestOpenerNeverFallsBackToOwnEnvironment(t *testing.T) {
	t.Setenv("BASECAMP_TOKEN", "inherited")
	script, read := recordingBrowser(t)
	if err := core.Opener(script, true, nil)("http://127.0.0.1:1/start/x"); err != nil {
		t.Fatal(err)
	}
	env, _ := read()
	for _, kv := range env {
		if strings.Contains(kv, "inherited") {
			t.Errorf("the browser inherited bcauth's own %s", kv)
		}
	}
}
