package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/core"
	"bcauth/ui/uitest"
)

// Issue 23 through the command tree, as main runs it, against the fake:
// a stored login is exactly whose it says, is called dead only when
// Launchpad says so, and never knocks on a door Launchpad closed. The
// clock bcauth and the fake share is moved by hand; nothing sleeps.

// testClock is a clock a test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// clockedWorld is a fake Launchpad and bcauth under a fresh
// XDG_CONFIG_HOME, the client in the environment, both on one clock
// that the test moves; svc is a Service on the same store, for setting
// the scene.
func clockedWorld(t *testing.T) (*launchpadtest.Server, *testClock, *core.Service) {
	t.Helper()
	c := &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	fake := launchpadtest.NewServer(launchpadtest.Options{Now: c.Now, RedirectURI: fmt.Sprintf("http://127.0.0.1:%d/callback", uitest.FreePort(t))})
	t.Cleanup(fake.Close)
	cfg := uitest.Client(fake)
	emptyConfig(t, auth.SettingClientID, cfg.ClientID, auth.SettingClientSecret, cfg.ClientSecret,
		auth.SettingRedirectURI, cfg.RedirectURI, auth.SettingLaunchpadURL, cfg.LaunchpadURL)
	t.Setenv(auth.SettingToken, "")
	t.Setenv(core.IDSetting, "")
	clock = c.Now
	t.Cleanup(func() { clock = nil })
	st, err := store.Open(store.DefaultDir())
	if err != nil {
		t.Fatal(err)
	}
	return fake, c, &core.Service{Store: st, Env: cfg, Clock: c.Now, HTTPClient: &http.Client{Timeout: 10 * time.Second}}
}

// bcauthIn is bcauth with stdin read from a file holding in.
func bcauthIn(t *testing.T, in string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "stdin")
	if err := os.WriteFile(path, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out, errOut bytes.Buffer
	code = run(t.Context(), os.Environ(), args, f, &out, &errOut)
	return ansi.Strip(out.String()), ansi.Strip(errOut.String()), code
}

// statusDoc is what these tests read of status --json.
type statusDoc struct {
	Identity *struct {
		ID int64 `json:"id"`
	} `json:"identity"`
	Problem *struct {
		Kind string `json:"kind"`
	} `json:"problem"`
	Hold *struct {
		Reason string     `json:"reason"`
		Until  *time.Time `json:"until"`
	} `json:"hold"`
}

func statusJSON(t *testing.T, args ...string) (statusDoc, int) {
	t.Helper()
	stdout, stderr, code := bcauth(t, append([]string{"status", "--json"}, args...)...)
	var doc statusDoc
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("status --json: %v\n%s%s", err, stdout, stderr)
	}
	return doc, code
}

func stateFileHolds(t *testing.T, s string) bool {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(store.DefaultDir(), "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Contains(string(data), s)
}

// Point 3: an access token stored without a refresh token is "expired and
// not renewable" once its expiry passes by this clock: exit 4, its own
// words, nothing sent and nothing recorded, so a clock put right makes it
// work again.
func TestAnExpiryPassingWithoutARefreshTokenIsNoRefusal(t *testing.T) {
	fake, clk, _ := clockedWorld(t)
	access, _, _ := fake.IssueToken()
	if _, stderr, code := bcauthIn(t, access+"\n", "login", "--with-token"); code != 0 {
		t.Fatalf("login --with-token: exit %d, %s", code, stderr)
	}
	tokenRequests := fake.Requests(launchpadtest.EndpointToken)

	clk.Add(15 * 24 * time.Hour) // past the two weeks, by this machine's clock
	stdout, stderr, code := bcauth(t, "token")
	if code != core.ExitRelogin || stdout != "" || !strings.Contains(stderr, "expired at") || !strings.Contains(stderr, "Launchpad was not asked") {
		t.Errorf("token after the expiry: exit %d, stdout %q, stderr %s", code, stdout, stderr)
	}
	if strings.Contains(stderr, "refused") {
		t.Errorf("an expiry is called a refusal: %s", stderr)
	}
	if doc, code := statusJSON(t); code != core.ExitRelogin || doc.Problem == nil || doc.Problem.Kind != core.KindNotRenewable {
		t.Errorf("status --json: exit %d, %+v", code, doc.Problem)
	}
	if stdout, _, code := bcauth(t, "ids"); code != 0 || !strings.Contains(stdout, "\texpired, not renewable, needs login\t") {
		t.Errorf("ids: exit %d, %q", code, stdout)
	}
	if n := fake.Requests(launchpadtest.EndpointToken) - tokenRequests; n != 0 {
		t.Errorf("%d token requests with no refresh token to send", n)
	}
	if stateFileHolds(t, `"refused"`) {
		t.Error("state.json records a refusal Launchpad never made")
	}

	// The clock was wrong: put right, the token works again.
	clk.Add(-15 * 24 * time.Hour)
	if stdout, stderr, code := bcauth(t, "token"); code != 0 || stdout != access+"\n" {
		t.Errorf("token with the clock put right: exit %d, %s", code, stderr)
	}
}

// Point 5: a 429 from the token endpoint holds every token request until
// its Retry-After, or a doubling backoff when none is given: twenty runs
// meanwhile send nothing, and the first after it lifts sends one.
func TestATooManyRequestsHoldsEveryTokenRequest(t *testing.T) {
	for _, tc := range []struct {
		name       string
		retryAfter string
		first      time.Duration // the first hold
	}{
		{"with Retry-After", "3600", time.Hour},
		{"without Retry-After", "", time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake, clk, svc := clockedWorld(t)
			uitest.LogIn(t, svc, fake)
			clk.Add(15 * 24 * time.Hour) // the access token is due

			fault := launchpadtest.Fault{Status: http.StatusTooManyRequests, Body: "Too many requests", Times: 1}
			if tc.retryAfter != "" {
				fault.Header = http.Header{"Retry-After": {tc.retryAfter}}
			}
			fake.InjectFault(launchpadtest.EndpointToken, fault)
			before := fake.Requests(launchpadtest.EndpointToken)
			if _, stderr, code := bcauth(t, "token"); code != core.ExitFailed || !strings.Contains(stderr, "429") {
				t.Fatalf("token at the 429: exit %d, %s", code, stderr)
			}
			until := clk.Now().Add(tc.first).UTC().Format(time.RFC3339)
			for i := range 20 {
				args := [][]string{{"token"}, {"accounts"}, {"refresh"}, {"status"}}[i%4]
				stdout, stderr, code := bcauth(t, args...)
				if code != core.ExitFailed || !strings.Contains(stderr, "until "+until) || !strings.Contains(stderr, "--force-past-hold") {
					t.Fatalf("%v during the hold: exit %d, stdout %q, stderr %s", args, code, stdout, stderr)
				}
			}
			if n := fake.Requests(launchpadtest.EndpointToken) - before; n != 1 {
				t.Errorf("%d token requests for the 429 and twenty runs on hold, want 1", n)
			}
			if doc, _ := statusJSON(t); doc.Hold == nil || doc.Hold.Reason != store.HoldRateLimited || doc.Hold.Until == nil || doc.Hold.Until.UTC().Format(time.RFC3339) != until {
				t.Errorf("status --json's hold: %+v, want rate_limited until %s", doc.Hold, until)
			}
			if _, stderr, code := bcauth(t, "ids"); code != 0 || !strings.Contains(stderr, "on hold until "+until) {
				t.Errorf("ids: exit %d, stderr %q", code, stderr)
			}

			if tc.retryAfter == "" {
				// A second 429 in a row waits twice as long.
				clk.Add(tc.first + time.Second)
				fake.InjectFault(launchpadtest.EndpointToken, fault)
				if _, _, code := bcauth(t, "token"); code != core.ExitFailed {
					t.Fatalf("token at the second 429: exit %d", code)
				}
				until = clk.Now().Add(2 * tc.first).UTC().Format(time.RFC3339)
				if _, stderr, _ := bcauth(t, "token"); !strings.Contains(stderr, "until "+until) {
					t.Errorf("after a second 429: %s, want a hold until %s", stderr, until)
				}
				tc.first *= 2
			}

			clk.Add(tc.first + time.Second)
			before = fake.Requests(launchpadtest.EndpointToken)
			if stdout, stderr, code := bcauth(t, "token"); code != 0 || stdout == "" {
				t.Fatalf("token after the hold: exit %d, %s", code, stderr)
			}
			if n := fake.Requests(launchpadtest.EndpointToken) - before; n != 1 {
				t.Errorf("%d token requests once the hold lifted, want 1", n)
			}
			if doc, code := statusJSON(t); code != 0 || doc.Hold != nil {
				t.Errorf("status after the hold: exit %d, hold %+v", code, doc.Hold)
			}
		})
	}
}

// refresh --force-past-hold asks once anyway, and lifts the hold when
// Launchpad answers.
func TestForcePastHold(t *testing.T) {
	fake, _, svc := clockedWorld(t)
	uitest.LogIn(t, svc, fake)
	fake.InjectFault(launchpadtest.EndpointToken, launchpadtest.Fault{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"86400"}}, Times: 1})
	if _, _, code := bcauth(t, "refresh"); code != core.ExitFailed {
		t.Fatalf("refresh at the 429: exit %d", code)
	}
	before := fake.Requests(launchpadtest.EndpointToken)
	if _, _, code := bcauth(t, "refresh"); code != core.ExitFailed || fake.Requests(launchpadtest.EndpointToken) != before {
		t.Fatalf("refresh on hold: exit %d, or it asked", code)
	}
	if stdout, stderr, code := bcauth(t, "refresh", "--force-past-hold"); code != 0 || !strings.Contains(stdout, "Refreshed the token of") {
		t.Fatalf("refresh --force-past-hold: exit %d, %s", code, stderr)
	}
	if n := fake.Requests(launchpadtest.EndpointToken) - before; n != 1 {
		t.Errorf("%d token requests from --force-past-hold, want 1", n)
	}
	if _, stderr, code := bcauth(t, "refresh"); code != 0 {
		t.Errorf("refresh after the forced one: exit %d, %s: the hold should be gone", code, stderr)
	}
}

// Point 5: invalid_client holds every token request with those client
// settings, however many runs, until they change: a corrected variable,
// or setup saving a corrected secret.
func TestInvalidClientHoldsUntilTheSettingsChange(t *testing.T) {
	fake, clk, svc := clockedWorld(t)
	uitest.LogIn(t, svc, fake)
	clk.Add(15 * 24 * time.Hour)
	good := svc.Env.ClientSecret

	t.Setenv(auth.SettingClientSecret, "mistyped")
	before := fake.Requests(launchpadtest.EndpointToken)
	if _, stderr, code := bcauth(t, "token"); code != core.ExitMisconfigured || !strings.Contains(stderr, "invalid_client") {
		t.Fatalf("token with a mistyped secret: exit %d, %s", code, stderr)
	}
	for range 20 {
		if _, stderr, code := bcauth(t, "token"); code != core.ExitMisconfigured || !strings.Contains(stderr, "until they change") {
			t.Fatalf("token on hold: exit %d, %s", code, stderr)
		}
	}
	if n := fake.Requests(launchpadtest.EndpointToken) - before; n != 1 {
		t.Errorf("%d token requests for invalid_client and twenty runs on hold, want 1", n)
	}
	if doc, _ := statusJSON(t); doc.Hold == nil || doc.Hold.Reason != store.HoldClientRefused {
		t.Errorf("status --json's hold: %+v", doc.Hold)
	}

	// bcauth setup saves the corrected secret to config.json; the
	// variable, which wins over the file, goes.
	t.Setenv(auth.SettingClientSecret, "")
	fileSvc := &core.Service{Store: svc.Store, Env: store.ClientConfig{ClientID: svc.Env.ClientID, RedirectURI: svc.Env.RedirectURI, LaunchpadURL: svc.Env.LaunchpadURL}}
	if _, err := fileSvc.SaveClient(svc.Env.ClientID, good); err != nil {
		t.Fatal(err)
	}
	before = fake.Requests(launchpadtest.EndpointToken)
	if stdout, stderr, code := bcauth(t, "token"); code != 0 || stdout == "" {
		t.Fatalf("token after setup: exit %d, %s", code, stderr)
	}
	if n := fake.Requests(launchpadtest.EndpointToken) - before; n != 1 {
		t.Errorf("%d token requests after the settings changed, want 1", n)
	}
	if doc, _ := statusJSON(t); doc.Hold != nil {
		t.Errorf("the hold outlived a success: %+v", doc.Hold)
	}
}

// Point 5: a corrupt holds.json is reported and kept, never deleted, and
// no token request goes out blind while it stands.
func TestACorruptHoldsFileIsKept(t *testing.T) {
	fake, clk, svc := clockedWorld(t)
	uitest.LogIn(t, svc, fake)
	clk.Add(15 * 24 * time.Hour)
	path := filepath.Join(store.DefaultDir(), "holds.json")
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	before := fake.Requests(launchpadtest.EndpointToken)
	if _, stderr, code := bcauth(t, "token"); code == 0 || !strings.Contains(stderr, "holds.json is unreadable") || !strings.Contains(stderr, "kept the file") {
		t.Errorf("token with a corrupt holds.json: exit %d, %s", code, stderr)
	}
	if data, _ := os.ReadFile(path); string(data) != "{not json" {
		t.Errorf("holds.json was changed: %q", data)
	}
	if n := fake.Requests(launchpadtest.EndpointToken) - before; n != 0 {
		t.Errorf("%d token requests past an unreadable holds.json", n)
	}
}

// storedTokens are the access and refresh tokens state.json holds for the
// Launchpad id.
func storedTokens(t *testing.T, svc *core.Service, id int64) (store.Session, store.Token) {
	t.Helper()
	st, err := svc.Store.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st.Sessions {
		if s.Identity.ID == id {
			tok, err := svc.Store.LoadToken(s.Key())
			if err != nil {
				t.Fatal(err)
			}
			return s, tok
		}
	}
	t.Fatalf("no session of %d", id)
	return store.Session{}, store.Token{}
}

// Point 1: login --with-token proves that a refresh token belongs with
// the access token (one refresh, one more authorization.json); Ben's
// access token with Annie's refresh token stores nothing.
func TestWithTokenProvesThePair(t *testing.T) {
	fake, _, svc := clockedWorld(t)
	uitest.LogIn(t, svc, fake)
	(&uitest.Env{Fake: fake, Svc: svc, Dir: svc.Store.Dir()}).LogInSecond(t)
	_, annie := storedTokens(t, svc, launchpadtest.DemoIdentity().ID)
	_, ben := storedTokens(t, svc, launchpadtest.DemoSecondIdentity().ID)
	if _, _, code := bcauth(t, "logout", "--all"); code != 0 {
		t.Fatal("logout --all")
	}

	tokens, auths := fake.Requests(launchpadtest.EndpointToken), fake.Requests(launchpadtest.EndpointAuthorization)
	stdout, stderr, code := bcauthIn(t, ben.AccessToken+"\n"+annie.RefreshToken+"\n", "login", "--with-token")
	if code != core.ExitRelogin || stdout != "" || !strings.Contains(stderr, "refresh token given belongs to Annie Bryan") || !strings.Contains(stderr, "nothing was stored") {
		t.Errorf("login --with-token, Ben's access and Annie's refresh token: exit %d, %q, %s", code, stdout, stderr)
	}
	if n := fake.Requests(launchpadtest.EndpointToken) - tokens; n != 1 {
		t.Errorf("%d token requests to prove the pair, want 1", n)
	}
	if n := fake.Requests(launchpadtest.EndpointAuthorization) - auths; n != 2 {
		t.Errorf("%d authorization.json requests to prove the pair, want 2 (the access token's, the refreshed one's)", n)
	}
	if stdout, _, _ := bcauth(t, "ids"); stdout != "" {
		t.Errorf("something was stored: %q", stdout)
	}

	// A refresh token Launchpad refuses is named as the one refused: the
	// access token beside it is fine.
	stdout, stderr, code = bcauthIn(t, ben.AccessToken+"\nbogus-refresh-token\n", "login", "--with-token")
	if code != core.ExitRelogin || stdout != "" || !strings.Contains(stderr, "accepted the access token from standard input but refused the refresh token") {
		t.Errorf("login --with-token with a refused refresh token: exit %d, %q, %s", code, stdout, stderr)
	}

	// The right pair is stored, renewable.
	if stdout, stderr, code := bcauthIn(t, ben.AccessToken+"\n"+ben.RefreshToken+"\n", "login", "--with-token"); code != 0 || !strings.Contains(stdout, "Logged in as Ben Ortiz") {
		t.Errorf("login --with-token with Ben's pair: exit %d, %s%s", code, stdout, stderr)
	}
}

// Point 1: a login that already holds another person's refresh token (as
// --with-token stored it before it proved pairs, or a hand-edited
// state.json) is never refreshed into that person's: refresh, token, api
// and status refuse it, and Ben stays Ben.
func TestARefreshTokenOfAnotherPersonNeverTakesTheLoginOver(t *testing.T) {
	fake, clk, svc := clockedWorld(t)
	uitest.LogIn(t, svc, fake)
	(&uitest.Env{Fake: fake, Svc: svc, Dir: svc.Store.Dir()}).LogInSecond(t)
	_, annie := storedTokens(t, svc, launchpadtest.DemoIdentity().ID)
	benSess, ben := storedTokens(t, svc, launchpadtest.DemoSecondIdentity().ID)
	ben.RefreshToken = annie.RefreshToken
	if err := svc.Store.Update(func(st *store.State) error {
		s, _ := st.Find(benSess.Key())
		s.Token = ben
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	stdout, stderr, code := bcauth(t, "refresh", "--id", "ben")
	if code != core.ExitRelogin || strings.Contains(stdout, "Refreshed") || !strings.Contains(stderr, "stored as the login of Ben Ortiz") || !strings.Contains(stderr, "belongs to Annie Bryan") {
		t.Errorf("refresh --id ben: exit %d, %q, %s", code, stdout, stderr)
	}
	if _, after := storedTokens(t, svc, benSess.Identity.ID); after != ben {
		t.Errorf("Ben's stored token changed: %+v", after)
	}

	clk.Add(15 * 24 * time.Hour) // Ben's access token is due: token and api would refresh
	products := len(fake.ProductRequests())
	for _, args := range [][]string{{"token", "--id", "ben"}, {"status", "--id", "ben"}, {"api", "--id", "ben", "--product", "bcx", "--account", "88888880", "/people/me.json"}} {
		stdout, stderr, code := bcauth(t, args...)
		if code != core.ExitRelogin || strings.Contains(stdout, annie.AccessToken) || !strings.Contains(stderr, "belongs to Annie Bryan") {
			t.Errorf("%v: exit %d, stdout %q, stderr %s", args, code, stdout, stderr)
		}
	}
	if n := len(fake.ProductRequests()) - products; n != 0 {
		t.Errorf("%d product requests with a token that is not Ben's", n)
	}
	if stdout, _, _ := bcauth(t, "ids"); !strings.Contains(stdout, "\t8888888\tBen Ortiz\t") || !strings.Contains(stdout, "\t9999999\tAnnie Bryan\t") {
		t.Errorf("ids after the refusals:\n%s", stdout)
	}
	if _, after := storedTokens(t, svc, benSess.Identity.ID); after != ben {
		t.Errorf("Ben's stored token changed: %+v", after)
	}
}

// Point 2: --expect-identity refuses, storing nothing, a token login that
// comes back as anyone else.
func TestExpectIdentityWithToken(t *testing.T) {
	fake, _, _ := clockedWorld(t)
	access, refresh, _ := fake.IssueToken() // Annie's
	for _, tc := range []struct {
		expect string
		code   int
	}{
		{"ben@example.com", core.ExitRelogin},
		{"8888888", core.ExitRelogin},
		{"annie", core.ExitRelogin}, // a part of an address is nobody's identity
		{"ANNIE@example.com", 0},
		{"9999999", 0},
	} {
		tokens := fake.Requests(launchpadtest.EndpointToken)
		stdout, stderr, code := bcauthIn(t, access+"\n"+refresh+"\n", "login", "--with-token", "--expect-identity", tc.expect)
		if code != tc.code {
			t.Errorf("--expect-identity %s: exit %d, want %d: %s%s", tc.expect, code, tc.code, stdout, stderr)
		}
		if tc.code == 0 {
			continue
		}
		if !strings.Contains(stderr, "Annie Bryan") || !strings.Contains(stderr, "nothing was stored") {
			t.Errorf("--expect-identity %s: %s", tc.expect, stderr)
		}
		if n := fake.Requests(launchpadtest.EndpointToken) - tokens; n != 0 {
			t.Errorf("--expect-identity %s: %d token requests for a login refused before", tc.expect, n)
		}
		if stdout, _, _ := bcauth(t, "ids"); stdout != "" {
			t.Fatalf("--expect-identity %s stored %q", tc.expect, stdout)
		}
	}
}

// Point 4: BASECAMP_TOKEN with a line break or escape inside is
// malformed, and never sent; --id with it must name its identity.
func TestBasecampTokenMalformedOrNotTheIDNamed(t *testing.T) {
	fake, _, _ := clockedWorld(t)
	access, _, _ := fake.IssueToken() // Annie's
	for _, bad := range []string{access + "\n" + access, "BAh\x1b[2Jb", "BAh b"} {
		t.Setenv(auth.SettingToken, bad)
		before := fake.Requests(launchpadtest.EndpointAuthorization)
		stdout, stderr, code := bcauth(t, "token")
		if code != core.ExitMisconfigured || stdout != "" || !strings.Contains(stderr, "BASECAMP_TOKEN is malformed") || strings.Contains(stderr, "network") {
			t.Errorf("token with BASECAMP_TOKEN %q: exit %d, %q, %s", bad, code, stdout, stderr)
		}
		if n := fake.Requests(launchpadtest.EndpointAuthorization) - before; n != 0 {
			t.Errorf("a malformed BASECAMP_TOKEN was sent %d times", n)
		}
	}
	// Blanks around it are a shell's doing.
	t.Setenv(auth.SettingToken, " "+access+"\n")
	if stdout, stderr, code := bcauth(t, "token"); code != 0 || stdout != access+"\n" {
		t.Errorf("token with blanks around BASECAMP_TOKEN: exit %d, %q, %s", code, stdout, stderr)
	}

	for _, tc := range []struct {
		id   string
		code int
	}{{"nobody@nowhere", core.ExitRelogin}, {"ben", core.ExitRelogin}, {"annie", 0}, {"9999999", 0}} {
		stdout, stderr, code := bcauth(t, "token", "--id", tc.id)
		if code != tc.code || (code != 0) != (stdout == "") {
			t.Errorf("token --id %s with BASECAMP_TOKEN: exit %d, want %d, %q %s", tc.id, code, tc.code, stdout, stderr)
		}
		if code != 0 && !strings.Contains(stderr, "BASECAMP_TOKEN belongs to Annie Bryan") {
			t.Errorf("token --id %s: %s", tc.id, stderr)
		}
	}
	t.Setenv(core.IDSetting, "nobody@nowhere")
	if doc, code := statusJSON(t); code != core.ExitRelogin || doc.Problem == nil || doc.Problem.Kind != core.KindUnknownID {
		t.Errorf("status with BCAUTH_ID naming another: exit %d, %+v", code, doc.Problem)
	}
}

// Point 6: "a person must log in" is exit 4 on every command; failures
// that may pass stay 1.
func TestLogInAgainExitsFourOnEveryCommand(t *testing.T) {
	_, _, _ = clockedWorld(t)
	for _, args := range [][]string{{"status"}, {"status", "--json"}, {"accounts"}, {"token"}, {"refresh"}, {"probe"}, {"api", "/projects.json"}, {"switch", "nobody"}, {"logout", "--id", "nobody"}} {
		if _, stderr, code := bcauth(t, args...); code != core.ExitRelogin {
			t.Errorf("%v not logged in: exit %d, want 4: %s", args, code, stderr)
		}
	}
}
