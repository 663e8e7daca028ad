package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// An access token pasted alone for a login stored with a refresh token is
// the same person through the same client: the refresh token is kept, said
// so, and the login is still renewed. Before, it was dropped, refresh
// said the login could not be renewed, and nothing said so.
func TestLoginWithAnAccessTokenAloneKeepsTheStoredRefreshToken(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	before := e.Current(t).Token.RefreshToken
	if before == "" {
		t.Fatal("the browser login stored no refresh token")
	}
	access, _, _ := e.Fake.IssueToken()
	r := cliRun(func(o Output) int {
		return LoginWithToken(t.Context(), e.Svc, o, strings.NewReader(access+"\n"), false)
	})
	if r.code != 0 || !strings.Contains(r.stdout, "Kept the refresh token already stored for this login, so it is renewed as before.") {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if got := e.Current(t).Token; got.AccessToken != access || got.RefreshToken != before {
		t.Errorf("stored access %v, refresh kept %v", got.AccessToken == access, got.RefreshToken == before)
	}
	if r := cliRun(func(o Output) int { return Refresh(t.Context(), e.Svc, o, false) }); r.code != 0 {
		t.Errorf("refresh after it: exit %d, %s", r.code, r.stderr)
	}

	// --json says renewable too.
	access, _, _ = e.Fake.IssueToken()
	r = cliRun(func(o Output) int { return LoginWithToken(t.Context(), e.Svc, o, strings.NewReader(access), true) })
	var doc struct {
		Renewable bool `json:"renewable"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || !doc.Renewable {
		t.Errorf("--json %q (%v), want renewable", r.stdout, err)
	}
}

// A login first stored from an access token alone has nothing to keep:
// it says it cannot be renewed, and so do ids and status.
func TestALoginThatCannotBeRenewedSaysSoEverywhere(t *testing.T) {
	e := newCLIEnv(t, cliOpts{noLogin: true})
	access, _, _ := e.Fake.IssueToken()
	r := cliRun(func(o Output) int { return LoginWithToken(t.Context(), e.Svc, o, strings.NewReader(access), false) })
	if r.code != 0 || !strings.Contains(r.stdout, "Without a refresh token this login cannot be renewed") {
		t.Fatalf("exit %d, stdout %q", r.code, r.stdout)
	}
	if r := cliRun(func(o Output) int { return IDs(e.Svc, o, false) }); !strings.Contains(r.stdout, "cannot be renewed") {
		t.Errorf("ids: %q", r.stdout)
	}
	st := e.status(t, false)
	if st.code != 0 || !strings.Contains(st.stdout, "cannot be renewed (no refresh token): log in again before then") {
		t.Errorf("status: exit %d\n%s", st.code, st.stdout)
	}
	var doc struct {
		Token struct {
			Renewable *bool `json:"renewable"`
		} `json:"token"`
	}
	if err := json.Unmarshal([]byte(e.status(t, true).stdout), &doc); err != nil || doc.Token.Renewable == nil || *doc.Token.Renewable {
		t.Errorf("status --json token.renewable = %v (%v), want false", doc.Token.Renewable, err)
	}
}
