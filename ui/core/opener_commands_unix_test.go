//go:build unix

package core_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"bcauth/ui/core"
)

// TestOpenerTriesEachBrowserInTurn: $BROWSER is a list; the first command
// that starts is the one, "%s" is the URL wherever it stands, and when
// none starts the error names each.
func TestOpenerTriesEachBrowserInTurn(t *testing.T) {
	const u = "http://127.0.0.1:8976/start/NONCE"
	for _, tc := range []struct {
		name     string
		browser  func(script string) string
		wantArgs []string
	}{
		{name: "the second, after one that is missing", browser: func(s string) string { return "/nonexistent/firefox:" + s },
			wantArgs: []string{u}},
		{name: "empty entries skipped", browser: func(s string) string { return " : :" + s + " --url=%s --new-tab" },
			wantArgs: []string{"--url=" + u, "--new-tab"}},
		{name: "the URL twice", browser: func(s string) string { return s + " %s %s" }, wantArgs: []string{u, u}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			script, read := recordingBrowser(t)
			if err := core.Opener(tc.browser(script), false, []string{"HOME=/h"})(u); err != nil {
				t.Fatal(err)
			}
			env, args := read()
			if !slices.Equal(args, tc.wantArgs) {
				t.Errorf("arguments %q, want %q", args, tc.wantArgs)
			}
			if !slices.Contains(env, "HOME=/h") {
				t.Errorf("environment %q lacks HOME", env)
			}
		})
	}
	for _, tc := range []struct {
		name, browser string
		want          []string
	}{
		{name: "none starts", browser: "/nonexistent/firefox:/nonexistent/chrome --new", want: []string{"no command in $BROWSER worked", "/nonexistent/firefox", "/nonexistent/chrome"}},
		{name: "only separators", browser: " : ", want: []string{"no command in $BROWSER worked"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			open := core.Opener(tc.browser, true, nil)
			if open == nil {
				t.Fatal("Opener returned nil for a $BROWSER that is set")
			}
			err := open(u)
			for _, w := range tc.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v does not say %q", err, w)
				}
			}
		})
	}
}

// TestOpenerFallsBackToTheSystemOpener: without $BROWSER, xdg-open when
// there is a display and it is installed, with the same clean
// environment; nothing otherwise, so the caller can say so.
func TestOpenerFallsBackToTheSystemOpener(t *testing.T) {
	script, read := recordingBrowser(t)
	bin := t.TempDir()
	if err := os.Symlink(script, filepath.Join(bin, "xdg-open")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	if core.Opener("  ", false, nil) != nil {
		t.Error("an opener without a display")
	}
	open := core.Opener("", true, []string{"DISPLAY=:0", "BASECAMP_TOKEN=secret"})
	if open == nil {
		t.Fatal("no opener with xdg-open on PATH and a display")
	}
	const u = "http://127.0.0.1:1/start/x"
	if err := open(u); err != nil {
		t.Fatal(err)
	}
	env, args := read()
	if !slices.Equal(args, []string{u}) || !slices.Contains(env, "DISPLAY=:0") {
		t.Errorf("xdg-open ran with %q and %q", args, env)
	}
	for _, kv := range env {
		if strings.Contains(kv, "secret") {
			t.Errorf("xdg-open inherited %s", kv)
		}
	}
	// An xdg-open that cannot start (its interpreter is gone) is an error
	// when asked to open, not a silent success.
	broken := t.TempDir()
	if err := os.WriteFile(filepath.Join(broken, "xdg-open"), []byte("#!/nonexistent/sh\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", broken)
	if open := core.Opener("", true, nil); open == nil || open(u) == nil {
		t.Error("an xdg-open that cannot start opened the URL")
	}
	t.Setenv("PATH", t.TempDir())
	if core.Opener("", true, nil) != nil {
		t.Error("an opener with no xdg-open installed")
	}
}

// fakeTmux puts a tmux on PATH that logs each call's arguments and input
// and fails, with a message, when called with any of the flags in fail.
func fakeTmux(t *testing.T, fail ...string) (log string) {
	t.Helper()
	bin := t.TempDir()
	log = filepath.Join(bin, "calls")
	body := "#!/bin/sh\necho \"$*\" >> '" + log + "'\n/bin/cat >> '" + log + "'\necho >> '" + log + "'\n"
	for _, f := range fail {
		body += "case \" $* \" in *' " + f + " '*) echo 'no current client' >&2; exit 1;; esac\n"
	}
	if err := os.WriteFile(filepath.Join(bin, "tmux"), []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	return log
}

// TestTmuxCopy: the text goes to tmux's buffer and the outer terminal's
// clipboard; an older tmux without -w gets the buffer alone; a tmux that
// fails both ways is an error in its own words.
func TestTmuxCopy(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fail    []string
		calls   string
		wantErr bool
	}{
		{name: "clipboard and buffer", calls: "load-buffer -w -\nBAhbtoken\n"},
		{name: "older tmux", fail: []string{"-w"}, calls: "load-buffer -w -\nBAhbtoken\nload-buffer -\nBAhbtoken\n"},
		{name: "no tmux server", fail: []string{"-w", "-"}, calls: "load-buffer -w -\nBAhbtoken\nload-buffer -\nBAhbtoken\n", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := fakeTmux(t, tc.fail...)
			err := core.TmuxCopy("BAhbtoken")
			if (err != nil) != tc.wantErr {
				t.Fatalf("TmuxCopy: %v, want an error: %v", err, tc.wantErr)
			}
			if err != nil && (!strings.Contains(err.Error(), "tmux load-buffer") || !strings.Contains(err.Error(), "no current client")) {
				t.Errorf("the error %q does not say what tmux said", err)
			}
			got, _ := os.ReadFile(log)
			if string(got) != tc.calls {
				t.Errorf("tmux was called:\n%s\nwant:\n%s", got, tc.calls)
			}
		})
	}
}
