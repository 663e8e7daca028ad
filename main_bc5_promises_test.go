package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
)

// Issue 24's promises about a stored login, held by bcauth processes: the
// commands say which server a login came from; logout revokes on BC5 and
// says whether the server confirmed; a stored BC5 login needs neither
// discovery nor a Launchpad client again; a fallback's reason is shown.

// serverOfJSON reads "server" from a command's --json output: the object,
// or the first element's of an array (ids --json).
func serverOfJSON(t *testing.T, out string) *serverDoc {
	t.Helper()
	var one struct {
		Server *serverDoc `json:"server"`
	}
	if strings.HasPrefix(strings.TrimSpace(out), "[") {
		var many []struct {
			Server *serverDoc `json:"server"`
		}
		if err := json.Unmarshal([]byte(out), &many); err != nil || len(many) == 0 {
			t.Fatalf("%v: %s", err, out)
		}
		return many[0].Server
	}
	if err := json.Unmarshal([]byte(out), &one); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return one.Server
}

// status, status --json, ids, ids --json and token --json say which
// server the login came from: the BC5 issuer, with its scope and the
// account its token is bound to; Launchpad for a Launchpad login, with no
// scope or resource.
func TestBC5EveryCommandSaysTheServer(t *testing.T) {
	t.Run("BC5", func(t *testing.T) {
		w := newBC5World(t, launchpadtest.BC5Options{})
		_, issued := w.logIn(t, "read")
		for _, args := range [][]string{{"status", "--json"}, {"ids", "--json"}, {"token", "--json"}} {
			stdout, stderr, code := bcauthProc(t, args...)
			if code != 0 {
				t.Fatalf("%v: exit %d\n%s", args, code, stderr)
			}
			s := serverOfJSON(t, stdout)
			if s == nil || s.Name != w.bc5.Issuer || s.Kind != "bc5" || str(s.Issuer) != w.bc5.Issuer ||
				str(s.Scope) != "read" || str(s.Resource) != issued.Resource || s.Note != nil {
				t.Errorf("%v: server %+v\n%s", args, s, stdout)
			}
		}
		for _, args := range [][]string{{"status"}, {"ids"}} {
			stdout, stderr, code := bcauthProc(t, args...)
			if code != 0 || !strings.Contains(stdout, w.bc5.Issuer+" (read)") || strings.Contains(stdout, "Launchpad just now") {
				t.Errorf("%v: exit %d\n%s%s", args, code, stdout, stderr)
			}
		}
		if stdout, _, _ := bcauthProc(t, "status"); !strings.Contains(stdout, "accepted by "+w.bc5.Issuer+" just now") {
			t.Errorf("status does not say the issuer accepted the token:\n%s", stdout)
		}
	})
	t.Run("Launchpad", func(t *testing.T) {
		twoIDsOnDisk(t)
		for _, args := range [][]string{{"status", "--json"}, {"ids", "--json"}, {"token", "--json"}} {
			stdout, stderr, code := bcauthProc(t, args...)
			if code != 0 {
				t.Fatalf("%v: exit %d\n%s", args, code, stderr)
			}
			s := serverOfJSON(t, stdout)
			if s == nil || s.Name != "Launchpad" || s.Kind != "launchpad" || s.Issuer != nil || s.Scope != nil || s.Resource != nil {
				t.Errorf("%v: server %+v\n%s", args, s, stdout)
			}
		}
		if stdout, _, _ := bcauthProc(t, "status"); !strings.Contains(stdout, "Server        Launchpad\n") {
			t.Errorf("status:\n%s", stdout)
		}
	})
}

// logout on a BC5 login revokes its refresh token at the issuer and says
// the issuer confirmed; when the revocation endpoint fails, the login is
// forgotten all the same, and logout says it was not confirmed. Exit 0
// both ways: the login is gone from this machine.
func TestBC5LogoutRevokes(t *testing.T) {
	w := newBC5World(t, launchpadtest.BC5Options{})
	sess, _ := w.logIn(t, "full")
	_, tok := w.stored(t, sess.Key())
	stdout, stderr, code := bcauthProc(t, "logout")
	want := "Logged out of Annie Bryan (annie@example.com) through " + w.bc5.Issuer + ".\n" + w.bc5.Issuer + " confirmed that its refresh token is revoked.\n"
	if code != 0 || stdout != want || stderr != "" {
		t.Errorf("logout: exit %d, %q, want %q\n%s", code, stdout, want, stderr)
	}
	if n := w.bc5.Revocations(); n != 1 {
		t.Errorf("%d revocations at the issuer, want 1", n)
	}
	log := w.bc5.RequestLog(launchpadtest.BC5Revoke)
	if len(log) != 1 || log[0].Body.Get("token") != tok.RefreshToken || log[0].Body.Get("token_type_hint") != "refresh_token" || log[0].Body.Get("client_id") != launchpadtest.BC5ClientID {
		t.Errorf("the revocation request: %+v", log)
	}

	w.logIn(t, "full")
	w.bc5.InjectFault(launchpadtest.BC5Revoke, launchpadtest.Fault{Status: http.StatusServiceUnavailable, Body: "down for maintenance", Times: 1})
	stdout, stderr, code = bcauthProc(t, "logout")
	if code != 0 || !strings.HasPrefix(stdout, "Logged out of Annie Bryan (annie@example.com) through "+w.bc5.Issuer+".\n") ||
		!strings.Contains(stdout, w.bc5.Issuer+" did not confirm that its refresh token is revoked") || !strings.Contains(stdout, "503") ||
		!strings.Contains(stdout, "forgotten here") || strings.Contains(stdout, "confirmed that") {
		t.Errorf("logout with the revocation endpoint failing: exit %d\n%s%s", code, stdout, stderr)
	}
	if n := w.bc5.Revocations(); n != 1 {
		t.Errorf("%d revocations at the issuer, want still 1", n)
	}
	if stdout, _, code := bcauthProc(t, "ids"); code != 0 || stdout != "" {
		t.Errorf("ids after logout: exit %d, %q: the login was not forgotten", code, stdout)
	}
	if _, stderr, code := bcauthProc(t, "status"); code != 4 || !strings.Contains(stderr, "not logged in") {
		t.Errorf("status after logout: exit %d\n%s", code, stderr)
	}
}

// A stored BC5 login carries its issuer, endpoints and client: refresh,
// token, status and api work with only BCAUTH_BC5_CLIENT_ID set (no
// Launchpad client, not even BASECAMP_BASE_URL), refreshing when due, and
// never ask the API host or the issuer's metadata again, nor Launchpad.
func TestBC5AStoredLoginNeverRunsDiscoveryAgain(t *testing.T) {
	w := newBC5World(t, launchpadtest.BC5Options{ReuseGrace: -1})
	sess, _ := w.logIn(t, "full")
	t.Setenv(auth.SettingResource, "") // discovery would now ask Basecamp's own API host
	before := w.counts()
	for _, tc := range []struct {
		args    []string
		expired bool // the stored token is made due first
	}{
		{[]string{"token"}, true},
		{[]string{"status"}, true},
		{[]string{"api", "--account", "99999999", "/projects.json"}, true},
		{[]string{"refresh"}, false},
		{[]string{"token", "--json"}, false},
		{[]string{"status", "--json"}, false},
		{[]string{"ids"}, false},
		{[]string{"accounts"}, false},
	} {
		if tc.expired {
			w.expireBC5(t, sess)
		}
		if stdout, stderr, code := bcauthProc(t, tc.args...); code != 0 || stdout == "" {
			t.Errorf("%v with only a BC5 client: exit %d\n%s%s", tc.args, code, stdout, stderr)
		}
	}
	got := w.counts().since(before)
	if got.resourceMetadata != 0 || got.issuerMetadata != 0 {
		t.Errorf("discovery ran again: %d protected-resource and %d issuer metadata requests", got.resourceMetadata, got.issuerMetadata)
	}
	if got.launchpadTokens != 0 || got.launchpadAuthorizations != 0 {
		t.Errorf("Launchpad was asked: %d token, %d authorization.json requests", got.launchpadTokens, got.launchpadAuthorizations)
	}
	if got.refreshes != 4 || got.rotations != 4 || got.reuses != 0 || w.bc5.Revoked() {
		t.Errorf("%+v, revoked %v: want four refreshes (three due, one forced), each rotating, no reuse", got, w.bc5.Revoked())
	}
}

// A login that fell back to Launchpad says why in status, in words and in
// server.note: the API host's metadata could not be read; or BC5 is there
// but no BC5 client is configured.
func TestBC5AFallbacksNoteIsInStatus(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setUp func(w *bc5World)
		note  string
	}{
		{"the API host's metadata fails", func(w *bc5World) {
			w.bc5.InjectFault(launchpadtest.BC5ResourceMetadata, launchpadtest.Fault{Status: http.StatusInternalServerError, Body: "oops", Times: 1})
		}, "the API host's metadata could not be read"},
		{"BC5 there, no BC5 client", func(w *bc5World) {
			w.svc.Env.BC5ClientID = ""
		}, "set " + auth.SettingBC5ClientID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newBC5World(t, launchpadtest.BC5Options{})
			w.withLaunchpadClient(t)
			tc.setUp(w)
			_, plan := w.logInLaunchpad(t)
			if !strings.Contains(plan.Note, tc.note) {
				t.Fatalf("the plan's note %q lacks %q", plan.Note, tc.note)
			}
			stdout, stderr, code := bcauthProc(t, "status", "--json")
			s := serverOfJSON(t, stdout)
			if code != 0 || s == nil || s.Kind != "launchpad" || !strings.Contains(str(s.Note), tc.note) {
				t.Errorf("status --json: exit %d, server %+v\n%s", code, s, stderr)
			}
			stdout, _, _ = bcauthProc(t, "status")
			if !strings.Contains(stdout, "Server        Launchpad\n") || !strings.Contains(words(stdout), words(tc.note)) {
				t.Errorf("status does not give the note:\n%s", stdout)
			}
		})
	}
}
