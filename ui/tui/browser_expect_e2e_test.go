package tui

import (
	"strings"
	"testing"

	"bcauth/auth/launchpadtest"
)

// TestBrowserExpectIdentityRefusesAnotherPerson: login --expect-identity
// names Ben, and the person in the real browser approves as Annie (the
// common way support staff with several IDs replace the wrong login). The
// app says whose login came back and stores nothing; the code was traded
// (that is how Launchpad says who it is), but no login exists afterwards.
func TestBrowserExpectIdentityRefusesAnotherPerson(t *testing.T) {
	e, b := browserEnv(t, "allow", false)
	e.Svc.Expect = "ben@example.com"
	tm := openFromTUI(t, e, b)
	if page := b.page(t); page.err != nil {
		t.Fatalf("the browser: %v", page.err)
	}
	waitFor(t, tm, "not \"ben@example.com\"")
	screen := lastFrame(tm)
	annie := launchpadtest.DemoIdentity()
	if !strings.Contains(screen, annie.EmailAddress) {
		t.Errorf("the screen does not say whose login came back (%s):\n%s", annie.EmailAddress, screen)
	}
	if strings.Contains(screen, "Honcho Design") {
		t.Errorf("the app shows the accounts of a login it refused:\n%s", screen)
	}
	st, err := e.Svc.Store.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Sessions) != 0 || st.Current != "" {
		t.Errorf("a login refused by --expect-identity was stored: %+v", st.Sessions)
	}
}
