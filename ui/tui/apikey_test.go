package tui

import (
	"strings"
	"testing"

	"bcauth/auth/launchpadtest"
)

// The a key: a ready `bcauth api` line for the selected account, with
// --product where another account shares its id.
func TestCopyAPICommandKey(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	tm := login(t, e, 100, 30)
	for _, r := range "/wayne" {
		tm.Send(press(string(r)))
	}
	// The filter is fuzzy: the account holding "wayne" as typed is the
	// one selected.
	waitFor(t, tm, "/ wayne", " of 12")
	tm.Send(press("enter"))
	tm.Send(press("a"))
	const want = "bcauth api --product bcx --account 88888888 /projects.json"
	waitFor(t, tm, "Copied "+want)
	tm.Send(press("esc"))
	for _, r := range "/honcho" {
		tm.Send(press(string(r)))
	}
	waitFor(t, tm, "/ honcho", " of 12")
	tm.Send(press("enter"))
	tm.Send(press("a"))
	waitFor(t, tm, "Copied bcauth api --account 99999999 /projects.json")
	tm.Send(press("?"))
	waitFor(t, tm, "copy bcauth api line")

	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.copied) != 2 || e.copied[0] != want || !strings.HasSuffix(e.copied[1], "--account 99999999 /projects.json") {
		t.Errorf("copied %q", e.copied)
	}
}
