package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/core"
	"bcauth/ui/uitest"
)

// Several Basecamp IDs from the command line, against the fake's two
// people: Annie (9999999, the first) and Ben (8888888).

// twoIDs logs in both people; Ben, logged in last, is current.
func twoIDs(t *testing.T) *cliEnv {
	t.Helper()
	e := &cliEnv{uitest.New(t, launchpadtest.Options{})}
	e.LogIn(t)
	e.LogInSecond(t)
	return e
}

func (e *cliEnv) currentID(t *testing.T) int64 {
	t.Helper()
	s := e.Current(t)
	return s.Identity.ID
}

func TestIDsListsBothWithTheCurrentMarked(t *testing.T) {
	e := twoIDs(t)
	r := cliRun(func(o Output) int { return IDs(e.Svc, o, false) })
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if r.code != 0 || len(lines) != 2 || r.stderr != "" {
		t.Fatalf("ids: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	for i, want := range []string{
		"-\t9999999\tAnnie Bryan\tannie@example.com\tvalid until ",
		"*\t8888888\tBen Ortiz\tben@example.com\tvalid until ",
	} {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("line %d %q, want it to start %q", i, lines[i], want)
		}
	}
	if !strings.HasSuffix(lines[1], "\tbc3:2 bcx:1") {
		t.Errorf("Ben's accounts per product: %q", lines[1])
	}

	r = cliRun(func(o Output) int { return IDs(e.Svc, o, true) })
	var doc []struct {
		Current  bool          `json:"current"`
		Identity identityJSON  `json:"identity"`
		Server   *cliServerDoc `json:"server"`
		Token    struct {
			State     string     `json:"state"`
			ExpiresAt *time.Time `json:"expires_at"`
			Renewable bool       `json:"renewable"`
		} `json:"token"`
		AccountsByProduct map[string]int `json:"accounts_by_product"`
		AccountsFetchedAt *time.Time     `json:"accounts_fetched_at"`
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil || len(doc) != 2 {
		t.Fatalf("ids --json is not the documented array: %v\n%s", err, r.stdout)
	}
	if doc[0].Current || !doc[1].Current || doc[1].Identity.EmailAddress != "ben@example.com" ||
		doc[1].Token.State != "valid" || !doc[1].Token.Renewable || doc[1].Token.ExpiresAt == nil || doc[0].AccountsByProduct["bcx"] != 2 {
		t.Errorf("ids --json:\n%s", r.stdout)
	}

	// An expired token with a refresh token is renewed when used; one
	// without is a login to do again.
	ben := e.Current(t)
	e.ExpireStored(t, &ben, time.Hour)
	if err := e.Svc.Store.Update(func(st *store.State) error {
		s, _ := st.Find(ben.Key())
		s.Token.RefreshToken = ""
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	r = cliRun(func(o Output) int { return IDs(e.Svc, o, false) })
	if !strings.Contains(r.stdout, "\tben@example.com\texpired, not renewable, needs login\t") {
		t.Errorf("an expired token that cannot be renewed:\n%s", r.stdout)
	}
}

func TestSwitch(t *testing.T) {
	e := twoIDs(t)
	for _, tc := range []struct {
		name, query string
		code        int
		want        string // in stdout, or stderr when failing
		current     int64
	}{
		{"by email", "annie@example.com", 0, "Now using Annie Bryan (annie@example.com).\n", 9999999},
		{"by id", "8888888", 0, "Now using Ben Ortiz (ben@example.com).\n", 8888888},
		{"by part of a name", "anni", 0, "Now using Annie Bryan", 9999999},
		{"ambiguous", "example.com", 1, `"example.com" matches 2 Basecamp IDs: Annie Bryan <annie@example.com> (9999999), Ben Ortiz <ben@example.com> (8888888)`, 9999999},
		{"unknown", "carol", ExitRelogin, `no Basecamp ID logged in here matches "carol": logged in: Annie Bryan <annie@example.com> (9999999), Ben Ortiz`, 9999999},
		{"no terminal", "", 1, "no terminal to pick one in: logged in: Annie Bryan <annie@example.com> (9999999), Ben Ortiz <ben@example.com> (8888888); current: Annie Bryan", 9999999},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cliRun(func(o Output) int { return Switch(e.Svc, o, tc.query, nil, false) })
			got := r.stdout
			if tc.code != 0 {
				got = r.stderr
			}
			if r.code != tc.code || !strings.Contains(got, tc.want) {
				t.Errorf("switch %q: exit %d, stdout %q, stderr %q; want %d and %q", tc.query, r.code, r.stdout, r.stderr, tc.code, tc.want)
			}
			if cur := e.currentID(t); cur != tc.current {
				t.Errorf("current %d, want %d", cur, tc.current)
			}
		})
	}
	t.Run("picker", func(t *testing.T) {
		var offered []string
		pick := func(choices []core.IDChoice) (int, bool, error) {
			for _, c := range choices {
				offered = append(offered, fmt.Sprintf("%d %v", c.Session.Identity.ID, c.Current))
			}
			return 1, true, nil
		}
		r := cliRun(func(o Output) int { return Switch(e.Svc, o, "", pick, false) })
		if r.code != 0 || r.stdout != "Now using Ben Ortiz (ben@example.com).\n" || e.currentID(t) != 8888888 {
			t.Errorf("exit %d, stdout %q, current %d", r.code, r.stdout, e.currentID(t))
		}
		if strings.Join(offered, ",") != "9999999 true,8888888 false" {
			t.Errorf("the picker was offered %q", offered)
		}
		left := func([]core.IDChoice) (int, bool, error) { return 0, false, nil }
		r = cliRun(func(o Output) int { return Switch(e.Svc, o, "", left, false) })
		if r.code != 0 || r.stdout != "Still using Ben Ortiz (ben@example.com).\n" {
			t.Errorf("left the picker: exit %d, stdout %q", r.code, r.stdout)
		}
	})
}

// TestIDOnEveryCommand: --id (Service.ID, which main sets from --id or
// BCAUTH_ID) acts on that Basecamp ID and leaves Ben current.
func TestIDOnEveryCommand(t *testing.T) {
	e := twoIDs(t)
	annie := func() store.Session {
		st, _ := e.Svc.Store.Load()
		for _, s := range st.Sessions {
			if s.Identity.ID == 9999999 {
				return s
			}
		}
		t.Fatal("Annie is not stored")
		return store.Session{}
	}()
	e.Svc.ID = "annie@example.com"
	t.Run("status", func(t *testing.T) {
		doc := cliDecodeStatus(t, e.status(t, true))
		if doc.Identity == nil || doc.Identity.ID != 9999999 || !doc.Valid {
			t.Errorf("status --id annie: %+v", doc)
		}
	})
	t.Run("accounts", func(t *testing.T) {
		r := e.accounts(t, false, "bcx")
		if r.code != 0 || !strings.Contains(r.stdout, "Wayne Enterprises") || strings.Contains(r.stdout, "Riverside Co-op") {
			t.Errorf("accounts --id annie: %d %q %q", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("token", func(t *testing.T) {
		r := cliRun(func(o Output) int { return Token(t.Context(), e.Svc, o, true) })
		var doc struct {
			AccessToken string `json:"access_token"`
			Identity    struct {
				ID int64 `json:"id"`
			} `json:"identity"`
			Source string `json:"source"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.AccessToken != annie.Token.AccessToken || doc.Identity.ID != 9999999 || doc.Source != "stored" {
			t.Errorf("token --json --id annie: %v %s", err, r.stdout)
		}
	})
	t.Run("probe", func(t *testing.T) {
		r := e.probe(t, ProbeOptions{Product: "bcx"})
		if !strings.Contains(r.stdout, "88888888\treachable\tWayne Enterprises, Ltd.\tAnnie Bryan <annie@example.com>") {
			t.Errorf("probe --id annie: %d %q %q", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("refresh", func(t *testing.T) {
		r := cliRun(func(o Output) int { return Refresh(t.Context(), e.Svc, o, false) })
		if r.code != 0 || !strings.HasPrefix(r.stdout, "Refreshed the token of Annie Bryan (annie@example.com): valid until ") || strings.Contains(r.stdout, "BAhb") {
			t.Errorf("refresh --id annie: %d %q %q", r.code, r.stdout, r.stderr)
		}
		if got := annieNow(t, e); got == annie.Token.AccessToken {
			t.Errorf("refresh stored no new token for Annie")
		}
	})
	if cur := e.currentID(t); cur != 8888888 {
		t.Errorf("--id changed the current Basecamp ID to %d", cur)
	}
	t.Run("logout", func(t *testing.T) {
		r := e.logout(t, false)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "Logged out of Annie Bryan (annie@example.com).\n") {
			t.Errorf("logout --id annie: %d %q %q", r.code, r.stdout, r.stderr)
		}
		if ids := cliRun(func(o Output) int { return IDs(e.Svc, o, false) }); strings.Contains(ids.stdout, "annie") || !strings.Contains(ids.stdout, "ben@example.com") {
			t.Errorf("after logout --id annie, ids:\n%s", ids.stdout)
		}
		r = e.logout(t, false)
		if r.code != ExitRelogin || !strings.Contains(r.stderr, `no Basecamp ID logged in here matches "annie@example.com"`) {
			t.Errorf("logout --id of someone gone: %d %q", r.code, r.stderr)
		}
	})
	t.Run("unknown and ambiguous", func(t *testing.T) {
		for q, kind := range map[string]string{"carol": core.KindUnknownID, "annie": core.KindUnknownID} {
			e.Svc.ID = q
			doc := cliDecodeStatus(t, e.status(t, true))
			if doc.Problem == nil || doc.Problem.Kind != kind {
				t.Errorf("status --id %s: %+v", q, doc.Problem)
			}
		}
	})
}

func annieNow(t *testing.T, e *cliEnv) string {
	t.Helper()
	st, err := e.Svc.Store.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st.Sessions {
		if s.Identity.ID == 9999999 {
			return s.Token.AccessToken
		}
	}
	return ""
}

func TestAmbiguousIDInStatus(t *testing.T) {
	e := twoIDs(t)
	e.Svc.ID = "example.com"
	r := e.status(t, true)
	doc := cliDecodeStatus(t, r)
	if r.code != 1 || doc.Problem == nil || doc.Problem.Kind != core.KindAmbiguousID || !strings.Contains(doc.Problem.Message, "Ben Ortiz <ben@example.com> (8888888)") {
		t.Errorf("status --id example.com: exit %d, %+v", r.code, doc.Problem)
	}
	r = e.status(t, false)
	if !strings.Contains(r.stdout, "not chosen: \"example.com\" matches 2 Basecamp IDs") || strings.Contains(r.stdout, "not logged in") {
		t.Errorf("status --id example.com says:\n%s", r.stdout)
	}
}

// envOnly is a Service with BASECAMP_TOKEN and no store, no client: a CI
// machine whose home cannot be written.
func envOnly(e *cliEnv, token string) *core.Service {
	return &core.Service{EnvToken: token, Env: store.ClientConfig{LaunchpadURL: e.Fake.URL}, HTTPClient: &http.Client{Timeout: 10 * time.Second}}
}

func TestEnvTokenInEveryCommand(t *testing.T) {
	e := newCLIEnv(t, cliOpts{noLogin: true})
	access, _, _ := e.Fake.IssueToken()
	svc := envOnly(e, access)
	run := func(f func(Output) int) cliResult { return cliRun(f) }

	r := run(func(o Output) int { return Status(t.Context(), svc, o, true) })
	doc := cliDecodeStatus(t, r)
	if r.code != 0 || !doc.Valid || doc.Token == nil || doc.Token.Source != "environment" || doc.Identity == nil || doc.Identity.ID != 9999999 || doc.Token.ExpiresAt == nil {
		t.Errorf("status --json with BASECAMP_TOKEN: exit %d\n%s", r.code, r.stdout)
	}
	r = run(func(o Output) int { return Status(t.Context(), svc, o, false) })
	if r.code != 0 || !strings.Contains(r.stdout, "Token         from BASECAMP_TOKEN (never refreshed or stored); ") || !strings.Contains(r.stdout, "accepted by Launchpad just now") {
		t.Errorf("status with BASECAMP_TOKEN:\n%s", r.stdout)
	}
	r = run(func(o Output) int { return Accounts(t.Context(), svc, o, false, "bcx") })
	if r.code != 0 || strings.Count(r.stdout, "\n") != 2 {
		t.Errorf("accounts with BASECAMP_TOKEN: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = run(func(o Output) int { return Token(t.Context(), svc, o, false) })
	if r.code != 0 || r.stdout != access+"\n" {
		t.Errorf("token with BASECAMP_TOKEN: %d %q", r.code, r.stderr)
	}
	r = run(func(o Output) int { return Token(t.Context(), svc, o, true) })
	if r.code != 0 || !strings.Contains(r.stdout, `"source": "environment"`) || !strings.Contains(r.stdout, `"email_address": "annie@example.com"`) {
		t.Errorf("token --json with BASECAMP_TOKEN: %d %s", r.code, r.stdout)
	}
	r = run(func(o Output) int { return Probe(t.Context(), svc, o, ProbeOptions{Product: "bcx"}) })
	if r.code != 0 || strings.Count(r.stdout, "\treachable\t") != 2 {
		t.Errorf("probe with BASECAMP_TOKEN: %d %q %q", r.code, r.stdout, r.stderr)
	}
	for name, f := range map[string]func(Output) int{
		"refresh": func(o Output) int { return Refresh(t.Context(), svc, o, false) },
		"logout":  func(o Output) int { return Logout(context.Background(), svc, o, false) },
		"switch":  func(o Output) int { return Switch(svc, o, "annie", nil, false) },
	} {
		if r := run(f); r.code != 1 || !strings.Contains(r.stderr, "BASECAMP_TOKEN is set") {
			t.Errorf("%s with BASECAMP_TOKEN: %d %q", name, r.code, r.stderr)
		}
	}
	if n := e.Fake.Requests(launchpadtest.EndpointToken); n != 0 {
		t.Errorf("%d token requests: BASECAMP_TOKEN was refreshed", n)
	}
}

func TestEnvTokenRejected(t *testing.T) {
	e := newCLIEnv(t, cliOpts{noLogin: true})
	expired, _, _ := e.Fake.IssueToken()
	e.Fake.ExpireAccessTokens()
	for name, tok := range map[string]string{"expired": expired, "unknown": "BAhbforged--00"} {
		t.Run(name, func(t *testing.T) {
			svc := envOnly(e, tok)
			r := cliRun(func(o Output) int { return Status(t.Context(), svc, o, false) })
			if r.code != ExitRelogin || !strings.Contains(r.stderr, "Launchpad refused the access token from BASECAMP_TOKEN (the environment") ||
				!strings.Contains(r.stderr, "set BASECAMP_TOKEN to a valid access token") || !strings.Contains(r.stdout, "Basecamp ID   unknown") {
				t.Errorf("status: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
			}
			r = cliRun(func(o Output) int { return Status(t.Context(), svc, o, true) })
			doc := cliDecodeStatus(t, r)
			if doc.Problem == nil || doc.Problem.Kind != core.KindRejected || doc.Identity != nil || doc.Token.Source != "environment" {
				t.Errorf("status --json: %s", r.stdout)
			}
			// A script asking for the token without --json gets it as set:
			// bcauth does not check it, it is someone else's to renew.
			r = cliRun(func(o Output) int { return Accounts(t.Context(), svc, o, false, "") })
			if r.code != ExitRelogin || !strings.Contains(r.stderr, "BASECAMP_TOKEN") {
				t.Errorf("accounts: %d %q", r.code, r.stderr)
			}
		})
	}
}

func TestLoginWithToken(t *testing.T) {
	for _, tc := range []struct {
		name    string
		input   func(f *launchpadtest.Server) string
		code    int
		want    string // in stdout, or stderr when failing
		stored  bool
		refresh bool
	}{
		{"with a refresh token", func(f *launchpadtest.Server) string { a, r, _ := f.IssueToken(); return a + "\n" + r + "\n" }, 0, "Logged in as Annie Bryan (annie@example.com), Launchpad id 9999999.\n", true, true},
		{"access token alone, crlf", func(f *launchpadtest.Server) string { a, _, _ := f.IssueToken(); return "\r\n  " + a + "\r\n" }, 0, "Without a refresh token this login cannot be renewed: it ends 20", true, false},
		{"empty", func(*launchpadtest.Server) string { return "\n\n" }, 2, "no token was read from standard input: it was empty", false, false},
		{"garbage", func(*launchpadtest.Server) string { return "hello world, this is not a token\n" }, 2, "line 1 is not a token", false, false},
		{"binary", func(*launchpadtest.Server) string { return "BAhb\x00\x1b[2J" }, 2, "line 1 is not a token", false, false},
		{"three lines", func(*launchpadtest.Server) string { return "a\nb\nc\n" }, 2, "it holds 3 lines", false, false},
		{"refused", func(*launchpadtest.Server) string { return "BAhbforged--00\n" }, ExitRelogin, "Launchpad refused the access token from standard input; nothing was stored", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newCLIEnv(t, cliOpts{noLogin: true})
			in := tc.input(e.Fake)
			r := cliRun(func(o Output) int { return LoginWithToken(t.Context(), e.Svc, o, strings.NewReader(in), false) })
			got := r.stdout
			if tc.code != 0 {
				got = r.stderr
			}
			if r.code != tc.code || !strings.Contains(got, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d and %q", r.code, r.stdout, r.stderr, tc.code, tc.want)
			}
			for _, secret := range strings.Fields(in) {
				if len(secret) > 8 && strings.Contains(r.stdout+r.stderr, secret) {
					t.Errorf("the output holds what was read from stdin")
				}
			}
			_, err := os.Stat(filepath.Join(e.Dir, "state.json"))
			if stored := err == nil; stored != tc.stored {
				t.Fatalf("state.json stored=%v, want %v (%v)", stored, tc.stored, err)
			}
			if tc.stored {
				s := e.Current(t)
				if s.Identity.ID != 9999999 || (s.Token.RefreshToken != "") != tc.refresh || s.Token.Expiry.IsZero() {
					t.Errorf("stored %+v", s.Identity)
				}
				// It works like any login: status checks it.
				if st := e.status(t, false); st.code != 0 {
					t.Errorf("status after login --with-token: %d %s", st.code, st.stderr)
				}
			}
		})
	}
}

func TestLoginWithTokenNeedsAClient(t *testing.T) {
	e := newCLIEnv(t, cliOpts{noLogin: true})
	a, _, _ := e.Fake.IssueToken()
	e.Svc.Env = store.ClientConfig{LaunchpadURL: e.Fake.URL}
	r := cliRun(func(o Output) int { return LoginWithToken(t.Context(), e.Svc, o, strings.NewReader(a), false) })
	if r.code != 2 || !strings.Contains(r.stderr, "no Launchpad client is configured") {
		t.Errorf("exit %d, %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(e.Dir, "state.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state.json: %v", err)
	}
}

// TestSwitchAndLoginWithTokenJSON: both print the documented JSON, and
// never a token.
func TestSwitchAndLoginWithTokenJSON(t *testing.T) {
	e := &cliEnv{uitest.New(t, launchpadtest.Options{})}
	a, r, _ := e.Fake.IssueToken()
	res := cliRun(func(o Output) int {
		return LoginWithToken(t.Context(), e.Svc, o, strings.NewReader(a+"\n"+r+"\n"), true)
	})
	var login struct {
		Identity  identityJSON `json:"identity"`
		ExpiresAt *string      `json:"expires_at"`
		Renewable bool         `json:"renewable"`
	}
	if err := decodeStrict(res.stdout, &login); err != nil || res.code != 0 || login.Identity.ID != 9999999 || login.ExpiresAt == nil || !login.Renewable {
		t.Fatalf("login --with-token --json = %d %q (%v)", res.code, res.stdout, err)
	}
	if strings.Contains(res.stdout, a) || strings.Contains(res.stdout, r) {
		t.Error("login --with-token --json printed a token")
	}
	e.LogInSecond(t)
	res = cliRun(func(o Output) int { return Switch(e.Svc, o, "annie@example.com", nil, true) })
	var sw struct {
		Identity identityJSON  `json:"identity"`
		Server   *cliServerDoc `json:"server"`
		Switched bool          `json:"switched"`
	}
	if err := decodeStrict(res.stdout, &sw); err != nil || res.code != 0 || sw.Identity.EmailAddress != "annie@example.com" || !sw.Switched || sw.Server == nil || sw.Server.Kind != "launchpad" {
		t.Errorf("switch --json = %d %q (%v)", res.code, res.stdout, err)
	}
}

// decodeStrict decodes one JSON value that must hold no other field.
func decodeStrict(s string, v any) error {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
