package tui

import (
	"context"
	"testing"
	"time"

	"bcauth/auth/launchpadtest"
)

// TestDemoApprovesAfterAVisitToSettings: in the headless demo, e (the
// settings) while the countdown runs, a wait past it, then esc: the
// countdown ran out where it approves nothing, so it starts again on the
// connect screen, which still says so, and the demo still logs in.
func TestDemoApprovesAfterAVisitToSettings(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	cfg := e.config()
	cfg.OpenURL = nil
	approved := make(chan struct{}, 4)
	cfg.Demo = &Demo{Headless: true, After: 300 * time.Millisecond, Approve: func(ctx context.Context, u string) error {
		approved <- struct{}{}
		return e.approve(u)
	}}
	tm := start(t, cfg, 100, 30)
	waitFor(t, tm, "on your behalf")
	tm.Send(press("e"))
	waitFor(t, tm, "client ID")
	// Past the countdown, on the settings screen: nothing is approved.
	select {
	case <-approved:
		t.Fatal("the demo approved while the settings were on screen")
	case <-time.After(time.Second):
	}
	tm.Send(press("esc"))
	waitFor(t, tm, "on your behalf")
	waitFor(t, tm, "Honcho Design")
}
