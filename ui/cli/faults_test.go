package cli

import (
	"testing"

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
