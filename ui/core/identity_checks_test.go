package core_test

import (
	"errors"
	"strings"
	"testing"

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
