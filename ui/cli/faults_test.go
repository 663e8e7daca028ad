package cli

import (
	"testing"
	"time"

	"bcauth/auth/launchpadtest"
	"bcauth/store"
)

func TestAnIdentityThatChangesKeepsTheLogin(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{})
	before := e.Current(t)
	id := e.Fake.Identity()
	id.ID++ // Launchpad now answers the same token with another id
	e.Fake.SetIdentity(id)

	if r := e.status(t, false); r.code != 0 {
		t.Fatalf("status as the new id: exit %d, %s", r.code, r.stderr)
	}
	st, err := e.Svc.Store.Load()
	if err != nil {
		t.Fatal(err)
	}
	cur, ok := st.CurrentSession()
	if !ok || len(st.Sessions) != 1 || cur.Identity.ID != id.ID || cur.Token.RefreshToken != before.Token.RefreshToken {
		t.Fatalf("after the id changed: current %q, %d sessions %+v; want one, re-keyed, current, token kept", st.Current, len(st.Sessions), st.Sessions)
	}
	if r := e.status(t, false); r.code != 0 {
		t.Errorf("status again: exit %d, %s", r.code, r.stderr)
	}

	r := e.logout(false)
	if r.code != 0 {
		t.Fatalf("logout: exit %d, %s", r.code, r.stderr)
	}
	fresh, err := store.Open(e.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := fresh.Load(); len(after.Sessions) != 0 || after.Current != "" {
		t.Errorf("logout said %q but state.json still holds %+v", r.stdout, after)
	}
}

func TestATokenOfUnknownExpiryIsCheckedFirst(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{})
	sess := e.Current(t)
	sess.Token.Expiry = time.Time{} // a token answer without expires_in
	if err := e.Svc.Store.Update(func(st *store.State) error { st.Upsert(sess); return nil }); err != nil {
		t.Fatal(err)
	}
	before := e.Fake.Requests(launchpadtest.EndpointAuthorization)
	r := e.token(t)
	if r.code != 0 || r.stdout != sess.Token.AccessToken+"\n" {
		t.Fatalf("token: exit %d, %q, %s", r.code, r.stdout, r.stderr)
	}
	if n := e.Fake.Requests(launchpadtest.EndpointAuthorization) - before; n != 1 {
		t.Errorf("%d authorization.json requests before printing a token of unknown expiry, want 1", n)
	}
	if exp := e.Current(t).Token.Expiry; exp.IsZero() || !exp.After(time.Now()) {
		t.Errorf("stored expiry %v, want Launchpad's expires_at", exp)
	}
	// Known now: the next call asks nobody.
	if r := e.token(t); r.code != 0 || e.Fake.Requests(launchpadtest.EndpointAuthorization)-before != 1 {
		t.Errorf("second token: exit %d, asked Launchpad again", r.code)
	}

	// A dead token of unknown expiry is never printed.
	sess = e.Current(t)
	sess.Token.Expiry, sess.Token.RefreshToken = time.Time{}, ""
	if err := e.Svc.Store.Update(func(st *store.State) error { st.Upsert(sess); return nil }); err != nil {
		t.Fatal(err)
	}
	e.Fake.RevokeAll()
	if r := e.token(t); r.code != 1 || r.stdout != "" {
		t.Errorf("token Launchpad no longer accepts: exit %d, stdout %q", r.code, r.stdout)
	}
}
