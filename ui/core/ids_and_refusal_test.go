package core_test

import (
	"errors"
	"testing"
	"time"

	"bcauth/auth/launchpadtest"
	"bcauth/ui/core"
	"bcauth/ui/uitest"
)

// TestIDsMarksTheCurrentOne: the list the app's switch picker and bcauth
// ids show marks the current Basecamp ID, and only it.
func TestIDsMarksTheCurrentOne(t *testing.T) {
	e, first, second := twoIDs(t)
	for _, tc := range []struct {
		name    string
		current string
	}{
		{name: "the second, as after its login", current: second.Key()},
		{name: "the first, switched to", current: first.Key()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := e.Svc.Switch(tc.current); err != nil {
				t.Fatal(err)
			}
			ids, err := e.Svc.IDs()
			if err != nil || len(ids) != 2 {
				t.Fatalf("IDs = %v, %v", ids, err)
			}
			for _, c := range ids {
				if c.Current != (c.Session.Key() == tc.current) {
					t.Errorf("%s marked current: %v", c.Session.Identity.EmailAddress, c.Current)
				}
			}
		})
	}
}

// TestRefusalKeepsLaunchpadsWords: the refusal recorded is Launchpad's
// own text, as it said it, not bcauth's description of it.
func TestRefusalKeepsLaunchpadsWords(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	sess := e.LogIn(t)
	e.Fake.RevokeAll()
	e.ExpireStored(t, sess, time.Hour)
	_, err := e.Svc.LoadAccounts(testContext(t), "")
	var re *core.RefusedError
	if !errors.As(err, &re) || re.Refusal.Reason != "This Basecamp ID rekeyed its deadbolt." {
		t.Fatalf("%v (%+v), want the refusal in Launchpad's words", err, re)
	}
	if got := e.Current(t).Refused; got == nil || got.Reason != re.Refusal.Reason {
		t.Errorf("stored refusal %+v", got)
	}
}
