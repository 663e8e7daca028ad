package launchpadtest

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

const firstAccount = "urn:bc:account:99999999" // the first of either demo person's accounts

func TestBC5TokenAnswer(t *testing.T) {
	s, b, _ := startBC5(t, BC5Options{})
	tok := deviceLogin(t, b, "", url.Values{"scope": {"full"}})
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range tok {
			if !yield(k) {
				return
			}
		}
	})
	if want := []string{"access_token", "expires_in", "refresh_token", "resource", "scope", "token_type"}; !slices.Equal(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
	if !strings.HasPrefix(str(tok, "access_token"), "bc_at_") || !strings.HasPrefix(str(tok, "refresh_token"), "bc_rt_") {
		t.Errorf("tokens %q %q, want bc_at_… and bc_rt_…", tok["access_token"], tok["refresh_token"])
	}
	if tok["expires_in"] != float64(3600) || str(tok, "token_type") != "Bearer" || str(tok, "scope") != "full" {
		t.Errorf("expires_in %v token_type %v scope %v", tok["expires_in"], tok["token_type"], tok["scope"])
	}
	// The demo's first person has many accounts: the answer names the
	// first, and refreshing must echo it.
	if str(tok, "resource") != firstAccount {
		t.Errorf("resource %v, want %s", tok["resource"], firstAccount)
	}
	if b.Logins() != 1 {
		t.Errorf("Logins() = %d", b.Logins())
	}
	log := b.RequestLog(BC5Token)
	if len(log) != 1 || log[0].Body.Get("grant_type") != deviceCodeGrant || len(log[0].Query) != 0 || log[0].BasicAuth {
		t.Errorf("RequestLog(BC5Token) = %+v", log)
	}
	// The Launchpad side does not take BC5's refresh tokens.
	if a := postToken(t, s, nil, refreshForm(s, str(tok, "refresh_token"))); a.status == http.StatusOK {
		t.Errorf("Launchpad refreshed a BC5 token: %s", a.body)
	}
}

func TestShortAccessTokens(t *testing.T) {
	s, b, c := startBC5(t, BC5Options{AccessTTL: 90 * time.Second})
	tok := deviceLogin(t, b, "", nil)
	if tok["expires_in"] != float64(90) {
		t.Errorf("expires_in %v, want 90", tok["expires_in"])
	}
	c.Advance(90 * time.Second)
	if _, status := identityOf(t, s.URL+"/authorization.json", str(tok, "access_token")); status != http.StatusUnauthorized {
		t.Errorf("an expired access token: %d, want 401", status)
	}
	fresh := decodeObject(t, refreshBC5(t, b, str(tok, "refresh_token"), str(tok, "resource")).body)
	if email, status := identityOf(t, s.URL+"/authorization.json", str(fresh, "access_token")); email != "annie@example.com" {
		t.Errorf("the refreshed access token: %d %q", status, email)
	}
}

func TestRefreshRotatesAndReuseRevokesTheLogin(t *testing.T) {
	s, b, _ := startBC5(t, BC5Options{ReuseGrace: -1})
	tok := deviceLogin(t, b, "", nil)
	rt0 := str(tok, "refresh_token")
	a := refreshBC5(t, b, rt0, firstAccount)
	if a.status != http.StatusOK {
		t.Fatalf("refresh: %d %s", a.status, a.body)
	}
	fresh := decodeObject(t, a.body)
	rt1 := str(fresh, "refresh_token")
	if rt1 == "" || rt1 == rt0 || str(fresh, "access_token") == str(tok, "access_token") {
		t.Fatalf("refresh answer %v: want a new access token and a new refresh token", fresh)
	}
	if str(fresh, "resource") != firstAccount {
		t.Errorf("resource %v, want the one sent echoed", fresh["resource"])
	}
	if b.RefreshTokenUses() != 1 || b.ReuseDetected() != 0 || b.Revoked() {
		t.Errorf("after one refresh: uses %d, reuse %d, revoked %v", b.RefreshTokenUses(), b.ReuseDetected(), b.Revoked())
	}
	// The old access token is still good until it expires.
	if email, _ := identityOf(t, s.URL+"/authorization.json", str(tok, "access_token")); email == "" {
		t.Error("a refresh killed the access token before it")
	}

	// The replaced one, again: the whole login dies.
	if _, d := oauthErrorOf(t, refreshBC5(t, b, rt0, firstAccount), http.StatusBadRequest); d != BC5ReuseDetected {
		t.Errorf("reuse: description %q, want %q", d, BC5ReuseDetected)
	}
	if b.ReuseDetected() != 1 || !b.Revoked() || b.RevokedLogins() != 1 {
		t.Errorf("after reuse: reuse %d, revoked %v", b.ReuseDetected(), b.Revoked())
	}
	if e, d := oauthErrorOf(t, refreshBC5(t, b, rt1, firstAccount), http.StatusBadRequest); e != "invalid_grant" || d != BC5ReuseDetected {
		t.Errorf("the login's current refresh token after reuse: %q %q", e, d)
	}
	for _, at := range []string{str(tok, "access_token"), str(fresh, "access_token")} {
		for _, where := range []string{s.URL + "/authorization.json", b.AuthorizationURL} {
			if _, status := identityOf(t, where, at); status != http.StatusUnauthorized {
				t.Errorf("%s after reuse: %d, want 401", where, status)
			}
		}
	}
	// Another login is untouched, and a new one works.
	if again := deviceLogin(t, b, "", nil); refreshBC5(t, b, str(again, "refresh_token"), firstAccount).status != http.StatusOK {
		t.Error("a new login after a revoked one does not refresh")
	}
	if b.RefreshRequests() != 4 {
		t.Errorf("RefreshRequests() = %d, want 4", b.RefreshRequests())
	}
}

func TestReuseWithinTheGraceWindow(t *testing.T) {
	_, b, c := startBC5(t, BC5Options{}) // the default grace
	tok, err := b.IssueLogin("read", "")
	if err != nil {
		t.Fatal(err)
	}
	fresh := decodeObject(t, refreshBC5(t, b, tok.RefreshToken, tok.Resource).body)
	c.Advance(DefaultReuseGrace - time.Second)
	a := refreshBC5(t, b, tok.RefreshToken, tok.Resource)
	if a.status != http.StatusOK {
		t.Fatalf("the replaced token within the grace window: %d %s", a.status, a.body)
	}
	if again := decodeObject(t, a.body); str(again, "refresh_token") != str(fresh, "refresh_token") || str(again, "access_token") == str(fresh, "access_token") {
		t.Errorf("within grace: %v, want the current refresh token and a new access token", again)
	}
	if b.GraceReuses() != 1 || b.RefreshTokenUses() != 1 || b.Revoked() {
		t.Errorf("grace %d uses %d revoked %v", b.GraceReuses(), b.RefreshTokenUses(), b.Revoked())
	}
	c.Advance(time.Second)
	if _, d := oauthErrorOf(t, refreshBC5(t, b, tok.RefreshToken, tok.Resource), http.StatusBadRequest); d != BC5ReuseDetected {
		t.Errorf("at the grace window's end: %q", d)
	}

	// SetReuseGrace(0): no window at all.
	b.SetReuseGrace(0)
	tok, _ = b.IssueLogin("read", "")
	refreshBC5(t, b, tok.RefreshToken, tok.Resource)
	if _, d := oauthErrorOf(t, refreshBC5(t, b, tok.RefreshToken, tok.Resource), http.StatusBadRequest); d != BC5ReuseDetected {
		t.Errorf("with no grace, at once: %q", d)
	}
}

func TestRefreshResourceRules(t *testing.T) {
	only := Account{Product: "bc3", ID: 4242, Name: "Solo", Href: "http://127.0.0.1:1/bc3/4242"}
	for _, tc := range []struct {
		name      string
		accounts  []Account // the first person's; nil: the demo's
		bind      string    // resource asked for at device authorization
		answered  string    // the device grant's resource
		send      string    // resource sent on refresh ("" none)
		status    int
		error     string
		echoed    string
		hasResult bool
	}{
		{name: "several accounts, none sent", answered: firstAccount, status: 400, error: "invalid_request"},
		{name: "several accounts, one sent", answered: firstAccount, send: "urn:bc:account:88888888", status: 200, echoed: "urn:bc:account:88888888", hasResult: true},
		{name: "several accounts, a stranger's sent", answered: firstAccount, send: "urn:bc:account:1", status: 400, error: "invalid_target"},
		{name: "bound at authorization, none sent", bind: "urn:bc:account:99999998", answered: "urn:bc:account:99999998", status: 200},
		{name: "bound at authorization, another sent", bind: "urn:bc:account:99999998", answered: "urn:bc:account:99999998", send: firstAccount, status: 400, error: "invalid_target"},
		{name: "one account, none sent", accounts: []Account{only}, answered: "urn:bc:account:4242", status: 200},
		{name: "one account, it sent", accounts: []Account{only}, answered: "urn:bc:account:4242", send: "urn:bc:account:4242", status: 200, echoed: "urn:bc:account:4242", hasResult: true},
		{name: "no accounts", accounts: []Account{}, status: 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, b, _ := startBC5On(t, Options{Accounts: tc.accounts}, BC5Options{})
			extra := url.Values{}
			if tc.bind != "" {
				extra.Set("resource", tc.bind)
			}
			tok := deviceLogin(t, b, "", extra)
			if got := str(tok, "resource"); got != tc.answered {
				t.Errorf("the device grant's resource %q, want %q", got, tc.answered)
			}
			a := refreshBC5(t, b, str(tok, "refresh_token"), tc.send)
			if tc.status != 200 {
				if e, _ := oauthErrorOf(t, a, tc.status); e != tc.error {
					t.Errorf("error %q, want %q", e, tc.error)
				}
				// A refused refresh spends nothing: the token still works.
				if tc.answered != "" && refreshBC5(t, b, str(tok, "refresh_token"), tc.answered).status != http.StatusOK {
					t.Error("the refused refresh spent the refresh token")
				}
				return
			}
			if a.status != http.StatusOK {
				t.Fatalf("refresh: %d %s", a.status, a.body)
			}
			fresh := decodeObject(t, a.body)
			if r, has := fresh["resource"]; has != tc.hasResult || (has && r != tc.echoed) {
				t.Errorf("resource %v (present %v), want %q (present %v)", r, has, tc.echoed, tc.hasResult)
			}
		})
	}
}

func TestBindingToAnAccountThePersonLacks(t *testing.T) {
	_, b, _ := startBC5(t, BC5Options{})
	d := startDevice(t, b, url.Values{"resource": {"urn:bc:account:99999990"}}) // Ben's, not Annie's
	if err := b.Approve(t.Context(), str(d, "user_code")); err != nil {
		t.Fatal(err)
	}
	if e, _ := oauthErrorOf(t, poll(t, b, str(d, "device_code")), http.StatusBadRequest); e != "invalid_target" {
		t.Errorf("error %q, want invalid_target", e)
	}
	if _, err := b.IssueLogin("read", "urn:bc:account:99999990"); err == nil {
		t.Error("IssueLogin bound to another person's account: no error")
	}
	// Ben may.
	d = startDevice(t, b, url.Values{"resource": {"urn:bc:account:99999990"}})
	if err := b.ApproveAs(t.Context(), str(d, "user_code"), "Ben"); err != nil {
		t.Fatal(err)
	}
	if a := poll(t, b, str(d, "device_code")); a.status != http.StatusOK {
		t.Errorf("Ben's account approved by Ben: %d %s", a.status, a.body)
	}
}

func TestRefreshScope(t *testing.T) {
	_, b, _ := startBC5(t, BC5Options{})
	full, _ := b.IssueLogin("full", "urn:bc:account:99999999")
	read, _ := b.IssueLogin("read", "urn:bc:account:99999999")
	for _, tc := range []struct {
		name, rt, scope string
		want            string // the answer's scope, or the error
	}{
		{"full keeps full", full.RefreshToken, "", "full"},
		{"full narrows to read", full.RefreshToken, "read", "read"},
		{"read stays read", read.RefreshToken, "", "read"},
		{"read cannot widen", read.RefreshToken, "full", "invalid_scope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tc.rt}, "client_id": {BC5ClientID}}
			if tc.scope != "" {
				form.Set("scope", tc.scope)
			}
			m := decodeObject(t, postForm(t, b.TokenEndpoint, form).body)
			if got := str(m, "scope") + str(m, "error"); got != tc.want {
				t.Errorf("got %v, want %s", m, tc.want)
			}
			if rt := str(m, "refresh_token"); rt != "" {
				if tc.rt == full.RefreshToken {
					full.RefreshToken = rt
				} else {
					read.RefreshToken = rt
				}
			}
		})
	}
}

func TestTokenEndpointRefuses(t *testing.T) {
	s, b, _ := startBC5(t, BC5Options{})
	tok, _ := b.IssueLogin("read", "")
	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "client_id": {BC5ClientID}, "resource": {tok.Resource}}
	with := func(k, v string) url.Values {
		f := cloneValues(refresh)
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
		return f
	}
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		error  string
	}{
		{"a client secret", with("client_secret", "s"), 401, "invalid_client"},
		{"Launchpad's client and secret", with("client_id", s.Options().ClientID), 401, "invalid_client"},
		{"no client_id", with("client_id", ""), 401, "invalid_client"},
		{"no grant_type", with("grant_type", ""), 400, "invalid_request"},
		{"Launchpad's legacy type", func() url.Values { f := with("grant_type", ""); f.Set("type", "refresh"); return f }(), 400, "invalid_request"},
		{"the code grant", with("grant_type", "authorization_code"), 400, "unsupported_grant_type"},
		{"no refresh_token", with("refresh_token", ""), 400, "invalid_request"},
		{"an unknown refresh_token", with("refresh_token", "bc_rt_nope"), 400, "invalid_grant"},
		{"no device_code", with("grant_type", deviceCodeGrant), 400, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := postForm(t, b.TokenEndpoint, tc.form)
			if e, _ := oauthErrorOf(t, a, tc.status); e != tc.error {
				t.Errorf("error %q, want %q", e, tc.error)
			}
			if a.header.Get("Location") != "" {
				t.Errorf("the token endpoint redirected to %s", a.header.Get("Location"))
			}
		})
	}
	if b.RefreshTokenUses() != 0 || b.RefreshRequests() != 5 {
		t.Errorf("uses %d requests %d, want 0 and 5", b.RefreshTokenUses(), b.RefreshRequests())
	}
}

func TestRevokeAllRevokesBC5Logins(t *testing.T) {
	s, b, _ := startBC5(t, BC5Options{})
	tok, _ := b.IssueLogin("read", "")
	s.RevokeAll()
	if e, _ := oauthErrorOf(t, refreshBC5(t, b, tok.RefreshToken, tok.Resource), http.StatusBadRequest); e != "invalid_grant" {
		t.Errorf("refresh after RevokeAll: %q", e)
	}
	if _, status := identityOf(t, b.AuthorizationURL, tok.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("access token after RevokeAll: %d", status)
	}
	if !b.Revoked() || b.ReuseDetected() != 0 {
		t.Errorf("Revoked %v ReuseDetected %d", b.Revoked(), b.ReuseDetected())
	}
}

func TestEditTokenAnswers(t *testing.T) {
	_, b, _ := startBC5(t, BC5Options{})
	b.EditTokenAnswers(func(m map[string]any) {
		delete(m, "resource")
		m["expires_in"] = 3600.5
	})
	tok := deviceLogin(t, b, "", nil)
	if _, has := tok["resource"]; has || tok["expires_in"] != 3600.5 {
		t.Errorf("edited answer %v", tok)
	}
	// The login is what it was: several accounts, so no refresh without resource.
	if e, _ := oauthErrorOf(t, refreshBC5(t, b, str(tok, "refresh_token"), ""), http.StatusBadRequest); e != "invalid_request" {
		t.Errorf("error %q", e)
	}
	b.EditTokenAnswers(nil)
	b.EditDeviceAnswers(func(m map[string]any) { delete(m, "interval"); delete(m, "verification_uri_complete") })
	d := startDevice(t, b, nil)
	if _, has := d["interval"]; has || d["verification_uri_complete"] != nil {
		t.Errorf("edited device answer %v", d)
	}
}
