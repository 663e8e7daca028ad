package core_test

import (
	"errors"
	"testing"
	"time"

	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/uitest"
)

// TestReloadRefreshesAnExpiredToken: Reload says when it refreshed the
// token on the way, returns the new token and stores it, and says so only
// then.
func TestReloadRefreshesAnExpiredToken(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	sess := e.LogIn(t)
	c, err := e.Svc.Client()
	if err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t)
	for _, tc := range []struct {
		name      string
		expire    bool
		refreshed bool
	}{
		{name: "fresh", refreshed: false},
		{name: "expired", expire: true, refreshed: true},
		{name: "fresh again", refreshed: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.expire {
				e.Fake.ExpireAccessTokens()
				e.ExpireStored(t, sess, time.Minute)
			}
			cur := e.Current(t)
			r, err := e.Svc.Reload(ctx, c, &cur)
			if err != nil {
				t.Fatal(err)
			}
			stored := e.Current(t)
			if r.Refreshed != tc.refreshed || r.Unsaved != nil || r.Session.Token.AccessToken != stored.Token.AccessToken || (r.Session.Token.AccessToken == cur.Token.AccessToken) == tc.refreshed {
				t.Errorf("Reload: refreshed %v (want %v), unsaved %v, token %q, stored %q, before %q",
					r.Refreshed, tc.refreshed, r.Unsaved, r.Session.Token.AccessToken, stored.Token.AccessToken, cur.Token.AccessToken)
			}
			if r.Session.Authorization == nil || r.Session.FetchedAt.IsZero() {
				t.Errorf("Reload lost Launchpad's answer: %+v", r.Session)
			}
		})
	}
}

// TestReloadOfAForgottenSession: a session logged out (in another
// terminal) while the app held it is not brought back by a reload that
// finds its name changed at Launchpad.
func TestReloadOfAForgottenSession(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	sess := e.LogIn(t)
	c, err := e.Svc.Client()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.Forget(t.Context(), sess.Key()); err != nil {
		t.Fatal(err)
	}
	id := e.Fake.Identity()
	id.FirstName = "Anne"
	e.Fake.SetIdentity(id)
	if r, err := e.Svc.Reload(testContext(t), c, sess); !errors.Is(err, store.ErrNoSession) {
		t.Fatalf("Reload = %+v, %v; want ErrNoSession", r, err)
	}
	if st, err := e.Svc.Store.Load(); err != nil || len(st.Sessions) != 0 || st.Current != "" {
		t.Errorf("the state after: %+v, %v; want no session", st, err)
	}
}
