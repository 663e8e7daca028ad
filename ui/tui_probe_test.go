package ui

import (
	"strings"
	"testing"
	"time"

	"bcauth/auth/launchpadtest"
)

func TestDetailPaneProbesTheSelectedAccount(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	cfg := e.config()
	cfg.ProbeDelay = 10 * time.Millisecond
	tm := start(t, cfg, 120, 40)
	waitFor(t, tm, "erification code")
	tm.Send(press("enter"))
	// The first account is selected; once it rests it is asked.
	waitFor(t, tm, "reachable as Annie Bryan")
	// The inactive account says so, with the product's reason.
	for range 2 {
		tm.Send(press("j"))
	}
	waitFor(t, tm, "Old Projects (archived)", "account inactive")
}

func TestProbeAllMarksEveryRow(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	tm := login(t, e, 100, 30)
	tm.Send(press("p"))
	waitFor(t, tm, "9 of 12 reachable · 1 token refused · 1 account inactive · 1 not probed")
	screen := tm.screen()
	for _, want := range []string{"✗ Northwind Traders", "⊘ Old Projects (archived)", "- Initech Notes", "✓ Honcho Design", "✓ reachable", "- not probed"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the screen lacks %q:\n%s", want, screen)
		}
	}
	golden(t, "probed_100x30", finalScreen(t, tm))
}

func TestProbeAllCanBeStopped(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{ProductLatency: 200e6})
	tm := login(t, e, 100, 30)
	tm.Send(press("p"))
	waitFor(t, tm, "Probing")
	tm.Send(press("p"))
	waitFor(t, tm, "Stopped probing.")
	if strings.Contains(tm.screen(), "Probing") {
		t.Error("the progress bar stayed after stopping")
	}
}
