package tui

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"bcauth/auth/launchpadtest"
)

// TestALoginAfterLogoutStartsWithAnEmptyPasteField: with --no-browser,
// the address pasted for one login carries that login's state. After a
// logout the next login must not offer it again (enter then failed with
// "does not belong to this login").
func TestALoginAfterLogoutStartsWithAnEmptyPasteField(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	cfg := e.config()
	cfg.NoBrowser = true
	tm := start(t, cfg, 400, 30)
	state := regexp.MustCompile(`http://127\.0\.0\.1:\d+/authorization/new\?\S+state=[A-Za-z0-9_-]{43}\S*`)
	waitFor(t, tm, "state=")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	loc, err := e.Fake.Approve(ctx, state.FindString(tm.screen()))
	if err != nil {
		t.Fatal(err)
	}
	tm.Send(tea.PasteMsg{Content: loc.String()})
	tm.Send(press("enter"))
	waitFor(t, tm, "Honcho Design")
	tm.Send(press("L"))
	tm.Send(press("L"))
	waitFor(t, tm, "log in again")
	tm.Send(press("enter"))
	waitFor(t, tm, "state=")
	code := loc.Query().Get("code")
	if screen := tm.screen(); strings.Contains(screen, code) {
		t.Errorf("the new login's paste field still holds the last login's address:\n%s", screen)
	}
}
