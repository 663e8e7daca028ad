package core_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/ui/core"
	"bcauth/ui/uitest"
)

func TestIsIdentity(t *testing.T) {
	annie := auth.Identity{ID: 9999999, EmailAddress: "annie@example.com", FirstName: "Annie"}
	for _, tc := range []struct {
		name  string
		id    auth.Identity
		query string
		want  bool
	}{
		{name: "id", id: annie, query: "9999999", want: true},
		{name: "id with blanks", id: annie, query: " 9999999 ", want: true},
		{name: "email, any case", id: annie, query: "ANNIE@example.com", want: true},
		{name: "part of the id", id: annie, query: "999999"},
		{name: "part of the email", id: annie, query: "annie"},
		{name: "name", id: annie, query: "Annie"},
		{name: "empty", id: annie, query: "  "},
		{name: "no email to match", id: auth.Identity{ID: 1}, query: ""},
		{name: "an empty email matches no query", id: auth.Identity{ID: 1}, query: "x"},
	} {
		if got := core.IsIdentity(tc.id, tc.query); got != tc.want {
			t.Errorf("%s: IsIdentity(%q) = %v, want %v", tc.name, tc.query, got, tc.want)
		}
	}
}

// TestEnvTokenAndID: with BASECAMP_TOKEN set, --id must name the token's
// own Basecamp ID: the token is never used as another person's.
func TestEnvTokenAndID(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	access, _, _ := e.Fake.IssueToken()
	svc := envService(e, access)
	for _, tc := range []struct {
		id      string
		wantErr bool
	}{
		{id: ""},
		{id: "annie"},
		{id: "9999999"},
		{id: "ben", wantErr: true},
		{id: "8888888", wantErr: true},
	} {
		t.Run(tc.id, func(t *testing.T) {
			svc.ID = tc.id
			_, err := svc.LoadAccounts(testContext(t), "")
			var ee *core.EnvIDError
			if tc.wantErr != errors.As(err, &ee) || (!tc.wantErr && err != nil) {
				t.Fatalf("LoadAccounts: %v, want an EnvIDError: %v", err, tc.wantErr)
			}
			if ee != nil && (ee.Query != tc.id || ee.Token.ID != launchpadtest.DemoIdentity().ID || !strings.Contains(ee.Error(), auth.SettingToken+" belongs to Annie Bryan")) {
				t.Errorf("error %+v: %q", ee, ee.Error())
			}
		})
	}
}

func TestNoTerminal(t *testing.T) {
	for _, tc := range []struct{ start, want string }{
		{start: "", want: "bcauth status"},
		{start: "login", want: "--with-token"},
		{start: "setup", want: auth.SettingClientID},
		{start: "demo", want: "demo --serve"},
	} {
		got := core.Launch{Start: tc.start}.NoTerminal()
		if !strings.HasPrefix(got, "bcauth: this command needs a terminal; ") || !strings.Contains(got, tc.want) {
			t.Errorf("NoTerminal for %q = %q, want it to say %q", tc.start, got, tc.want)
		}
	}
}

// TestAnotherPersonsTokenIsNeverStored: login --with-token stores nothing
// when the tokens are not the expected person's, or the refresh token is
// not the access token's owner's.
func TestAnotherPersonsTokenIsNeverStored(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	annieAccess, annieRefresh, _ := e.Fake.IssueToken()
	ben := e.LogInSecond(t) // ben's tokens, stored
	before := e.Current(t)
	for _, tc := range []struct {
		name            string
		expect          string
		access, refresh string
		check           func(*core.IdentityError) bool
	}{
		{name: "not the expected person", expect: "ben@example.com", access: annieAccess,
			check: func(ie *core.IdentityError) bool {
				return ie.Expected == "ben@example.com" && ie.Got.ID == launchpadtest.DemoIdentity().ID
			}},
		{name: "not the expected person, with a refresh token", expect: "8888888", access: annieAccess, refresh: annieRefresh,
			check: func(ie *core.IdentityError) bool { return ie.Expected == "8888888" }},
		{name: "a refresh token of someone else's", access: annieAccess, refresh: ben.Token.RefreshToken,
			check: func(ie *core.IdentityError) bool {
				return ie.Access != nil && ie.Access.ID == launchpadtest.DemoIdentity().ID && ie.Got.ID == ben.Identity.ID
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.Svc.Expect = tc.expect
			t.Cleanup(func() { e.Svc.Expect = "" })
			_, _, err := e.Svc.AddToken(testContext(t), tc.access, tc.refresh)
			var ie *core.IdentityError
			if !errors.As(err, &ie) || !tc.check(ie) {
				t.Fatalf("AddToken: %v (%+v), want an IdentityError", err, ie)
			}
			st, err := e.Svc.Store.Load()
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Sessions) != 1 || e.Current(t).Token.AccessToken != before.Token.AccessToken {
				t.Errorf("the state changed: %d sessions, current %+v", len(st.Sessions), e.Current(t).Identity)
			}
		})
	}
	// The expected person's tokens are stored.
	e.Svc.Expect = "annie@example.com"
	if sess, _, err := e.Svc.AddToken(testContext(t), annieAccess, ""); err != nil || sess.Identity.ID != launchpadtest.DemoIdentity().ID {
		t.Errorf("AddToken of the expected person's token: %+v, %v", sess, err)
	}
}

// TestMalformedEnvTokenIsNeverSent: a BASECAMP_TOKEN with a line break or
// space inside is no token: it is refused before anything is sent.
func TestMalformedEnvTokenIsNeverSent(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	for _, token := range []string{"BAh tok", "BAh\ntok", "BAh\x1btok"} {
		svc := envService(e, token)
		if _, err := svc.Client(); !errors.Is(err, core.ErrEnvTokenMalformed) {
			t.Errorf("Client with %q: %v", token, err)
		}
		if _, err := svc.LoadAccounts(testContext(t), ""); !errors.Is(err, core.ErrEnvTokenMalformed) {
			t.Errorf("LoadAccounts with %q: %v", token, err)
		}
	}
	if n := e.Fake.Requests(launchpadtest.EndpointAuthorization); n != 0 {
		t.Errorf("%d requests with a malformed token", n)
	}
}

// TestRefreshedTokenIsCheckedBeforeUse: a refreshed token whose owner
// cannot be checked is neither used nor saved.
func TestRefreshedTokenIsCheckedBeforeUse(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	sess := e.LogIn(t)
	e.Fake.ExpireAccessTokens()
	e.ExpireStored(t, sess, time.Minute)
	e.Fake.InjectFault(launchpadtest.EndpointAuthorization, launchpadtest.Fault{Status: http.StatusBadGateway, Times: 1})
	info, err := e.Svc.TokenInfo(testContext(t))
	if err == nil || !strings.Contains(err.Error(), "could not check whose the refreshed token is") {
		t.Fatalf("TokenInfo = %+v, %v; want the check's failure", info, err)
	}
	if got := e.Current(t).Token.AccessToken; got != sess.Token.AccessToken {
		t.Errorf("the unchecked token was saved: %q", got)
	}
	// Checked, it is used and saved.
	info, err = e.Svc.TokenInfo(testContext(t))
	if err != nil || info.Token.AccessToken == sess.Token.AccessToken || e.Current(t).Token.AccessToken != info.Token.AccessToken {
		t.Errorf("TokenInfo once Launchpad answers: %+v, %v", info, err)
	}
}
