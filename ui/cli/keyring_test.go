package cli

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"bcauth/ui/uitest"
)

// secretToolLookup asks the Secret Service itself, not bcauth, for an
// entry bcauth wrote.
func secretToolLookup(t *testing.T, account string) string {
	t.Helper()
	out, _ := exec.Command("secret-tool", "lookup", "service", "bcauth", "username", account).Output()
	return string(out)
}

// TestKeyringCommands is the script commands with the keyring on: status
// says where the secrets are, token reads and refreshes through the
// keyring, a deleted entry is "log in again", and logout removes them.
func TestKeyringCommands(t *testing.T) {
	e := newCLIEnv(t, cliOpts{configInFile: true, noLogin: true})
	e.Keyring(t)
	if err := e.Svc.SetKeyring(true); err != nil {
		t.Fatal(err)
	}
	clientSecret := e.Fake.Options().ClientSecret
	clientEntry := "client:" + e.Fake.Options().ClientID
	if got := secretToolLookup(t, clientEntry); got != clientSecret {
		t.Fatalf("the keyring holds %q for the client secret", got)
	}
	sess := e.LogIn(t)
	t.Cleanup(func() { e.logout(t, true) })
	tokenEntry := "token:" + sess.Key()
	if got := secretToolLookup(t, tokenEntry); !strings.Contains(got, sess.Token.RefreshToken) {
		t.Fatalf("the keyring holds %q for the tokens", got)
	}
	uitest.NoFileHolds(t, e.Dir, sess.Token.AccessToken, sess.Token.RefreshToken, clientSecret)

	doc := cliDecodeStatus(t, e.status(t, true))
	if sec := doc.Secrets; sec.Tokens != "keyring" || sec.ClientSecret != "keyring" || !sec.Keyring || sec.KeyringSource != "file" || !doc.Valid {
		t.Errorf("status --json: valid %v, secrets %+v", doc.Valid, sec)
	}
	if r := e.status(t, false); !strings.Contains(r.stdout, "Secrets       in the OS keyring") {
		t.Errorf("status does not say where the secrets are:\n%s", r.stdout)
	}

	r := e.token(t)
	if r.code != 0 || strings.TrimSpace(r.stdout) != sess.Token.AccessToken {
		t.Errorf("token = %d %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	// Due: the refresh needs the client secret, read from the keyring.
	e.ExpireStored(t, sess, time.Hour)
	r = e.token(t)
	fresh := strings.TrimSpace(r.stdout)
	if r.code != 0 || fresh == sess.Token.AccessToken || !strings.Contains(secretToolLookup(t, tokenEntry), fresh) {
		t.Errorf("token after expiry = %d %q, stderr %q: want a refreshed token, stored in the keyring", r.code, r.stdout, r.stderr)
	}
	uitest.NoFileHolds(t, e.Dir, fresh)

	// Deleted behind bcauth's back: log in again, no crash.
	if out, err := exec.Command("secret-tool", "clear", "service", "bcauth", "username", tokenEntry).CombinedOutput(); err != nil {
		t.Fatalf("secret-tool clear: %v %s", err, out)
	}
	doc = cliDecodeStatus(t, e.status(t, true))
	if doc.Problem == nil || doc.Problem.Kind != "not_logged_in" || doc.Problem.Fix != "run bcauth login" || !strings.Contains(doc.Problem.Message, "gone") {
		t.Errorf("status with the entry gone: problem %+v", doc.Problem)
	}
	if r := e.token(t); r.code != ExitRelogin || r.stdout != "" || !strings.Contains(r.stderr, "bcauth login") {
		t.Errorf("token with the entry gone = %d %q %q", r.code, r.stdout, r.stderr)
	}

	// A new login, then logout: the entry goes.
	e.LogIn(t)
	if r := e.logout(t, false); r.code != 0 {
		t.Fatalf("logout = %d %q", r.code, r.stderr)
	}
	if got := secretToolLookup(t, tokenEntry); got != "" {
		t.Errorf("after logout the keyring still holds %q", got)
	}
}

// TestKeyringRefusalIsRemembered: with the tokens in the keyring, a
// refresh token Launchpad refused for good is marked as it is in a file,
// and never sent again.
func TestKeyringRefusalIsRemembered(t *testing.T) {
	e := newCLIEnv(t, cliOpts{configInFile: true, noLogin: true})
	e.Keyring(t)
	if err := e.Svc.SetKeyring(true); err != nil {
		t.Fatal(err)
	}
	sess := e.LogIn(t)
	t.Cleanup(func() { e.logout(t, true) })
	e.Fake.RevokeAll()
	e.ExpireStored(t, sess, time.Hour)
	if r := e.token(t); r.code != ExitRelogin {
		t.Fatalf("token after the refusal = %d %q", r.code, r.stderr)
	}
	before := e.Fake.RefreshRequests()
	for range 3 {
		if r := e.token(t); r.code != ExitRelogin || !strings.Contains(r.stderr, "bcauth login") {
			t.Errorf("token = %d %q", r.code, r.stderr)
		}
	}
	if n := e.Fake.RefreshRequests() - before; n != 0 {
		t.Errorf("%d more refresh requests after the refusal, want 0", n)
	}
}
