package cli

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/store"
)

// A Launchpad id is a person: the same token answered with another id is
// another person's token, never this login's. A new name or address, on
// the other hand, is this login's own, and kept.
func TestAnIdentityThatChangesItsNameKeepsTheLoginAndAnotherIDIsRefused(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{})
	before := e.Current(t)
	id := e.Fake.Identity()
	id.EmailAddress = "annie.bryan@example.com"
	e.Fake.SetIdentity(id)
	if r := e.status(t, false); r.code != 0 {
		t.Fatalf("status with a new address: exit %d, %s", r.code, r.stderr)
	}
	if cur := e.Current(t); cur.Identity.EmailAddress != id.EmailAddress || cur.Key() != before.Key() {
		t.Errorf("after the address changed: %+v", cur.Identity)
	}

	other := id
	other.ID++ // Launchpad now answers the same token with another id
	e.Fake.SetIdentity(other)
	r := e.status(t, false)
	if r.code != ExitRelogin || !strings.Contains(r.stderr, "belongs to") || !strings.Contains(r.stderr, "10000000") {
		t.Fatalf("status as another id: exit %d, %s", r.code, r.stderr)
	}
	st, err := e.Svc.Store.Load()
	if err != nil {
		t.Fatal(err)
	}
	cur, ok := st.CurrentSession()
	if !ok || len(st.Sessions) != 1 || cur.Identity.ID != before.Identity.ID || cur.Token.RefreshToken != before.Token.RefreshToken {
		t.Fatalf("after another id answered: %+v; want the login as it was", st.Sessions)
	}
	if r := e.accounts(t, false, ""); r.code != ExitRelogin || r.stdout != "" {
		t.Errorf("accounts as another id: exit %d, %q", r.code, r.stdout)
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
	if r := e.token(t); r.code != ExitRelogin || r.stdout != "" {
		t.Errorf("token Launchpad no longer accepts: exit %d, stdout %q", r.code, r.stdout)
	}
}

func TestAnUnparsableRefreshAnswerIsNamed(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{})
	sess := e.Current(t)
	e.ExpireStored(t, &sess, time.Minute)
	// A proxy's sign-in page, with 200, where Launchpad's token should be.
	e.Fake.InjectFault(launchpadtest.EndpointToken, launchpadtest.Fault{Status: http.StatusOK, ContentType: "text/html",
		Body: "<!doctype html>\n<html><head><title>Wi-Fi \x1b]0;owned\x07sign-in</title></head><body>Accept the terms</body></html>"})

	r := e.token(t)
	if r.code != 1 || r.stdout != "" {
		t.Fatalf("token: exit %d, stdout %q; want exit 1 and nothing printed", r.code, r.stdout)
	}
	for _, want := range []string{"does not understand", "refresh the stored login", "“Wi-Fi sign-in”", auth.SettingLaunchpadURL} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("token's stderr %q lacks %q", r.stderr, want)
		}
	}
	if strings.Contains(r.stderr, "reach") || strings.Contains(r.stderr, "temporary") || strings.Contains(r.stderr, "\x1b") {
		t.Errorf("token's stderr %q: an answer came, so it is not unreachable, and it is shown cleaned", r.stderr)
	}
	doc := cliDecodeStatus(t, e.status(t, true))
	if doc.Problem == nil || doc.Problem.Kind != "launchpad_error" {
		t.Errorf("status --json problem %+v, want kind launchpad_error", doc.Problem)
	}
	// Not a refusal: once Launchpad answers again, the login goes on.
	if cur := e.Current(t); cur.Refused != nil {
		t.Errorf("an unparsable answer marked the login refused: %+v", cur.Refused)
	}
	e.Fake.ClearFaults()
	if r := e.token(t); r.code != 0 || r.stdout == sess.Token.AccessToken+"\n" {
		t.Errorf("token once Launchpad answers: exit %d, %q, %s", r.code, r.stdout, r.stderr)
	}
}
