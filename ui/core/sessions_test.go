package core_test

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/core"
	"bcauth/ui/uitest"
)

func TestFindSession(t *testing.T) {
	annie := store.Session{Identity: auth.Identity{ID: 9999999, FirstName: "Annie", LastName: "Bryan", EmailAddress: "annie@example.com"}}
	ben := store.Session{Identity: auth.Identity{ID: 8888888, FirstName: "Ben", LastName: "Ortiz", EmailAddress: "ben@example.com"}}
	// Someone whose name holds the other's email's start, so an exact
	// match must win over a partial one.
	annika := store.Session{Identity: auth.Identity{ID: 7777777, FirstName: "Annika", EmailAddress: "ben@example.com.au"}}
	all := []store.Session{annie, ben, annika}
	for _, tc := range []struct {
		query string
		want  []int64
	}{
		{"9999999", []int64{9999999}},
		{" 8888888 ", []int64{8888888}},
		{"ANNIE@example.com", []int64{9999999}},
		{"ben@example.com", []int64{8888888}}, // exact, though annika's contains it
		{"ortiz", []int64{8888888}},
		{"ann", []int64{9999999, 7777777}},
		{"example.com", []int64{9999999, 8888888, 7777777}},
		{"999999", []int64{9999999}}, // a part of a Launchpad id, as the README promises
		{"9999", []int64{9999999}},
		{"77", []int64{7777777}},
		{"Ben Ortiz", []int64{8888888}}, // a whole name
		{"nobody", []int64{}},
		{"", []int64{}},
	} {
		got := []int64{}
		for _, s := range core.FindSession(all, tc.query) {
			got = append(got, s.Identity.ID)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("FindSession(%q) = %v, want %v", tc.query, got, tc.want)
		}
	}
}

// twoIDs logs in the fake's two people; the second is current.
func twoIDs(t *testing.T) (*uitest.Env, *store.Session, *store.Session) {
	t.Helper()
	e := uitest.New(t, launchpadtest.Options{})
	first := e.LogIn(t)
	second := e.LogInSecond(t)
	if first.Identity.ID == second.Identity.ID {
		t.Fatalf("both logins are Launchpad id %d", first.Identity.ID)
	}
	return e, first, second
}

func TestIDPicksWhichLoginACommandUsesWithoutSwitching(t *testing.T) {
	e, first, second := twoIDs(t)
	for _, tc := range []struct {
		id   string
		want int64
		kind string
	}{
		{"", second.Identity.ID, ""},
		{"9999999", first.Identity.ID, ""},
		{"annie@example.com", first.Identity.ID, ""},
		{"ben", second.Identity.ID, ""},
		{"example.com", 0, core.KindAmbiguousID},
		{"carol@example.com", 0, core.KindUnknownID},
	} {
		t.Run(tc.id, func(t *testing.T) {
			e.Svc.ID = tc.id
			t.Cleanup(func() { e.Svc.ID = "" })
			list, err := e.Svc.LoadAccounts(t.Context(), "")
			if tc.kind != "" {
				p := core.Describe(err, e.Svc.Settings())
				if p.Kind != tc.kind || !strings.Contains(p.Text(), "Annie Bryan <annie@example.com> (9999999)") {
					t.Errorf("problem %q %q, want kind %s listing the choices", p.Kind, p.Text(), tc.kind)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if list.Session.Identity.ID != tc.want {
				t.Errorf("listed the accounts of %d, want %d", list.Session.Identity.ID, tc.want)
			}
			// Launchpad's answer is the chosen person's, not the current one's.
			names := []string{}
			for _, a := range list.Accounts {
				names = append(names, a.Name)
			}
			if own := slices.Contains(names, "Ortiz Family Projects"); own != (tc.want == second.Identity.ID) {
				t.Errorf("accounts %q for %d", names, tc.want)
			}
			if cur := uitestCurrent(t, e); cur != second.Identity.ID {
				t.Errorf("--id changed the current Basecamp ID to %d", cur)
			}
		})
	}
}

func uitestCurrent(t *testing.T, e *uitest.Env) int64 {
	t.Helper()
	s := e.Current(t)
	return s.Identity.ID
}

func TestSwitchToByIDAndEmail(t *testing.T) {
	e, first, second := twoIDs(t)
	// Choosing needs only who each one is: no cache is read, however many
	// accounts it holds (both logins cached theirs).
	choices, err := e.Svc.IDs()
	if err != nil || len(choices) != 2 {
		t.Fatalf("IDs: %v, %v", choices, err)
	}
	for _, c := range choices {
		if c.Session.Authorization != nil {
			t.Errorf("IDs read %s's account cache", c.Session.Identity.EmailAddress)
		}
		if e.Svc.Cached(&c.Session).Authorization == nil {
			t.Fatalf("%s has no account cache; the test proves nothing", c.Session.Identity.EmailAddress)
		}
	}
	for _, tc := range []struct {
		query string
		want  int64
	}{
		{"annie@example.com", first.Identity.ID},
		{"8888888", second.Identity.ID},
		{"Annie", first.Identity.ID},
	} {
		got, err := e.Svc.SwitchTo(tc.query)
		if err != nil {
			t.Fatalf("SwitchTo(%q): %v", tc.query, err)
		}
		if got.Identity.ID != tc.want || uitestCurrent(t, e) != tc.want {
			t.Errorf("SwitchTo(%q) chose %d, current %d; want %d", tc.query, got.Identity.ID, uitestCurrent(t, e), tc.want)
		}
	}
	var ie *core.IDError
	if _, err := e.Svc.SwitchTo("@example"); !errors.As(err, &ie) || !ie.Ambiguous() || len(ie.Matches) != 2 {
		t.Errorf("SwitchTo an ambiguous query: %v", err)
	}
	if _, err := e.Svc.SwitchTo("nobody"); !errors.As(err, &ie) || ie.Ambiguous() || len(ie.Choices) != 2 {
		t.Errorf("SwitchTo nobody: %v", err)
	}
	if uitestCurrent(t, e) != first.Identity.ID {
		t.Errorf("a failed switch changed the current Basecamp ID")
	}
}

func TestLogoutWithIDForgetsThatOneOnly(t *testing.T) {
	e, first, second := twoIDs(t)
	e.Svc.ID = "annie"
	gone, now, err := e.Svc.Logout(false)
	if err != nil || len(gone) != 1 || gone[0].Identity.ID != first.Identity.ID {
		t.Fatalf("Logout --id annie: %v, %v", gone, err)
	}
	if now == nil || now.Identity.ID != second.Identity.ID {
		t.Errorf("now %v, want the second still current", now)
	}
	if _, _, err := e.Svc.Logout(false); err == nil {
		t.Errorf("Logout of a Basecamp ID no longer stored succeeded")
	}
}

func TestRefreshRenewsAFreshToken(t *testing.T) {
	e, _, second := twoIDs(t)
	sess, err := e.Svc.Refresh(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if sess.Token.AccessToken == second.Token.AccessToken || e.Current(t).Token.AccessToken != sess.Token.AccessToken {
		t.Errorf("Refresh did not store a new access token")
	}
	if n := e.Fake.Requests(launchpadtest.EndpointToken); n != 3 {
		t.Errorf("the fake saw %d token requests, want 2 logins and 1 refresh", n)
	}
}

// envService is a Service with BASECAMP_TOKEN and no store at all, as on a
// machine whose home cannot be written.
func envService(e *uitest.Env, token string) *core.Service {
	return &core.Service{EnvToken: token, Env: store.ClientConfig{LaunchpadURL: e.Fake.URL}, HTTPClient: &http.Client{Timeout: 10 * time.Second}}
}

func TestEnvTokenWithoutAStoreOrAClient(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	access, _, _ := e.Fake.IssueToken()
	svc := envService(e, access)
	list, err := svc.LoadAccounts(t.Context(), "bcx")
	if err != nil {
		t.Fatal(err)
	}
	if list.Session.Identity.ID != launchpadtest.DemoIdentity().ID || len(list.Accounts) != 2 {
		t.Errorf("identity %d and %d bcx accounts", list.Session.Identity.ID, len(list.Accounts))
	}
	info, err := svc.TokenInfo(t.Context())
	if err != nil || !info.FromEnv || info.Token.AccessToken != access || info.Token.Expiry.IsZero() {
		t.Errorf("TokenInfo: %+v, %v", info, err)
	}
	for name, err := range map[string]error{
		"refresh": func() error { _, err := svc.Refresh(t.Context()); return err }(),
		"switch":  func() error { _, err := svc.SwitchTo("annie"); return err }(),
		"logout":  func() error { _, _, err := svc.Logout(false); return err }(),
	} {
		if !errors.Is(err, core.ErrEnvToken) {
			t.Errorf("%s with BASECAMP_TOKEN: %v, want ErrEnvToken", name, err)
		}
	}
}

func TestEnvTokenIsNeverRefreshedNorStored(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	stored := e.LogIn(t)
	before, err := os.ReadFile(filepath.Join(e.Dir, "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		token func() string
		want  string // in the problem's text
	}{
		{"expired", func() string { a, _, _ := e.Fake.IssueToken(); e.Fake.ExpireAccessTokens(); return a }, "expired"},
		{"unknown", func() string { return "BAhbnot-a-token" }, "could not be verified"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.Svc.EnvToken = tc.token()
			t.Cleanup(func() { e.Svc.EnvToken = "" })
			tokens := e.Fake.Requests(launchpadtest.EndpointToken)
			_, err := e.Svc.LoadAccounts(t.Context(), "")
			p := core.Describe(err, e.Svc.Settings())
			if p.Kind != core.KindRejected || p.Relogin || !strings.Contains(p.Message, "BASECAMP_TOKEN") || !strings.Contains(p.Text(), tc.want) {
				t.Errorf("problem %+v; want rejected, from BASECAMP_TOKEN, with Launchpad's %q", p, tc.want)
			}
			if n := e.Fake.Requests(launchpadtest.EndpointToken); n != tokens {
				t.Errorf("%d token requests: BASECAMP_TOKEN was refreshed", n-tokens)
			}
		})
	}
	// The stored login, its token refreshable, was neither used nor touched.
	after, _ := os.ReadFile(filepath.Join(e.Dir, "state.json"))
	if string(after) != string(before) || e.Current(t).Token.AccessToken != stored.Token.AccessToken {
		t.Errorf("state.json changed while BASECAMP_TOKEN was set")
	}
}

func TestAddTokenStoresOnlyWhatLaunchpadAccepts(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	access, refresh, expiry := e.Fake.IssueToken()
	if _, _, err := e.Svc.AddToken(t.Context(), "not a token", ""); !errors.Is(err, core.ErrNotTokenText) {
		t.Errorf("AddToken of garbage: %v", err)
	}
	_, _, err := e.Svc.AddToken(t.Context(), "BAhbunknown", "")
	var tr *core.TokenRefusedError
	if !errors.As(err, &tr) || tr.From != core.FromStdin {
		t.Errorf("AddToken of a token Launchpad refuses: %v", err)
	}
	if _, err := os.Stat(filepath.Join(e.Dir, "state.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state.json exists after refused tokens: %v", err)
	}
	sess, _, err := e.Svc.AddToken(t.Context(), access, refresh)
	if err != nil {
		t.Fatal(err)
	}
	got := e.Current(t)
	// The pair was proven by refreshing it: the refreshed token is the
	// one stored, with the refresh token given.
	if got.Identity.ID != launchpadtest.DemoIdentity().ID || got.Token.RefreshToken != refresh || got.Token.AccessToken == access || got.Token.Expiry.Before(expiry.Truncate(time.Second)) {
		t.Errorf("stored %+v (returned %+v), want the identity, the refresh token and a refreshed token expiring no sooner than %v", got.Token, sess.Token, expiry)
	}
}
