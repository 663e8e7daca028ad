package core_test

import (
	"errors"
	"testing"

	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/core"
	"bcauth/ui/uitest"
)

// TestKeyringEntryGone: a login whose keyring entry was removed outside
// bcauth is told as gone, by every command that needs its token, and no
// request goes to Launchpad with anything in its place.
func TestKeyringEntryGone(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	kr := &memKeyring{}
	useKeyring(t, e, kr, store.KeyringOn)
	sess := e.LogIn(t)
	c, err := e.Svc.Client()
	if err != nil {
		t.Fatal(err)
	}
	held := e.Svc.TokenSource(c, sess)
	if len(kr.secrets) == 0 {
		t.Fatal("the login is not in the keyring; the test proves nothing")
	}
	for account := range kr.secrets {
		if err := kr.Delete(t.Context(), account); err != nil {
			t.Fatal(err)
		}
	}
	ctx := testContext(t)
	tokens, reads := e.Fake.Requests(launchpadtest.EndpointToken), e.Fake.Requests(launchpadtest.EndpointAuthorization)
	for _, tc := range []struct {
		name string
		do   func() error
	}{
		{name: "refresh", do: func() error { _, err := e.Svc.Refresh(ctx); return err }},
		{name: "held token source", do: func() error { _, err := held.Refresh(ctx, sess.Token.AccessToken); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			if !errors.Is(err, store.ErrSecretGone) {
				t.Fatalf("%v, want the keyring entry gone", err)
			}
			if p := core.Describe(err, e.Svc.Settings()); p.Kind != core.KindNotLoggedIn || !p.Relogin {
				t.Errorf("problem %+v, want a login offered", p)
			}
		})
	}
	if n, m := e.Fake.Requests(launchpadtest.EndpointToken)-tokens, e.Fake.Requests(launchpadtest.EndpointAuthorization)-reads; n != 0 || m != 0 {
		t.Errorf("%d token and %d authorization requests without the token", n, m)
	}
}
