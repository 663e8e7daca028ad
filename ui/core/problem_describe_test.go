package core_test

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/store"
	"bcauth/ui/core"
)

// problemWant is what a test expects of a Problem: the fields that decide
// what a front end offers, exactly, and the words, in part.
type problemWant struct {
	kind                string
	exit                int
	relogin, editClient bool
	message, fix        []string // each must be in Message, in Fix
	server, detail      string   // exactly, when not ""
	noDetail            bool     // Detail must be empty
}

func checkProblem(t *testing.T, p core.Problem, w problemWant) {
	t.Helper()
	if p.Kind != w.kind || p.Exit != w.exit || p.Relogin != w.relogin || p.EditClient != w.editClient {
		t.Errorf("kind %q exit %d relogin %v editClient %v; want %q %d %v %v", p.Kind, p.Exit, p.Relogin, p.EditClient, w.kind, w.exit, w.relogin, w.editClient)
	}
	if p.Header == "" || p.Message == "" || p.Fix == "" {
		t.Errorf("header %q, message %q, fix %q: each must say something", p.Header, p.Message, p.Fix)
	}
	for _, s := range w.message {
		if !strings.Contains(p.Message, s) {
			t.Errorf("message %q does not say %q", p.Message, s)
		}
	}
	for _, s := range w.fix {
		if !strings.Contains(p.Fix, s) {
			t.Errorf("fix %q does not say %q", p.Fix, s)
		}
	}
	if w.server != "" && p.Server != w.server {
		t.Errorf("server %q, want %q", p.Server, w.server)
	}
	if w.detail != "" && p.Detail != w.detail {
		t.Errorf("detail %q, want %q", p.Detail, w.detail)
	}
	if w.noDetail && p.Detail != "" {
		t.Errorf("detail %q, want none", p.Detail)
	}
}

// TestDescribeEveryError: every error bcauth meets becomes the problem
// the front ends act on, wrapped or not: its kind, its exit code, whether
// a login or the client settings are offered, and words that name the
// cause and the fix.
func TestDescribeEveryError(t *testing.T) {
	set := core.Settings{Dir: "/state", Client: store.ClientConfig{RedirectURI: "http://127.0.0.1:8976/callback"}}
	annie := store.Session{Identity: auth.Identity{ID: 9999999, FirstName: "Annie", LastName: "Bryan", EmailAddress: "annie@example.com"}}
	ben := store.Session{Identity: auth.Identity{ID: 8888888, FirstName: "Ben", LastName: "Ortiz", EmailAddress: "ben@example.com"}}
	refusedAt := time.Date(2026, 3, 22, 16, 56, 48, 0, time.UTC)
	relogin := &auth.LaunchpadError{Op: auth.OpRefresh, Status: 400, Text: "invalid_grant", Kind: auth.KindRelogin}
	for _, tc := range []struct {
		name string
		err  error
		set  core.Settings
		want problemWant
	}{
		{name: "not logged in", err: core.ErrNotLoggedIn,
			want: problemWant{kind: core.KindNotLoggedIn, exit: core.ExitRelogin, relogin: true, fix: []string{"bcauth login"}}},
		{name: "no session, wrapped", err: fmt.Errorf("load: %w", store.ErrNoSession),
			want: problemWant{kind: core.KindNotLoggedIn, exit: core.ExitRelogin, relogin: true}},
		{name: "another client", err: core.ErrOtherClient,
			want: problemWant{kind: core.KindOtherClient, exit: core.ExitRelogin, relogin: true, message: []string{"another Launchpad client"}}},
		{name: "environment token", err: core.ErrEnvToken,
			want: problemWant{kind: core.KindError, exit: core.ExitFailed, message: []string{auth.SettingToken}, fix: []string{"unset " + auth.SettingToken}}},
		{name: "no refresh token", err: core.ErrNoRefreshToken,
			want: problemWant{kind: core.KindNotRenewable, exit: core.ExitRelogin, relogin: true, message: []string{"no refresh token"}, fix: []string{"--with-token"}}},
		// Expired with nothing to renew it: Launchpad was not asked, so no
		// refusal, and the clock may be the one at fault.
		{name: "expired, not renewable", err: fmt.Errorf("wrapped: %w", &auth.NotRenewableError{Expiry: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}),
			want: problemWant{kind: core.KindNotRenewable, exit: core.ExitRelogin, relogin: true,
				message: []string{"expired at 2026-01-02T03:04:05Z", "Launchpad was not asked", "nothing was recorded"}, fix: []string{"bcauth login", "clock"}}},
		{name: "another person's token", err: &core.IdentityError{Got: auth.Identity{ID: 2, EmailAddress: "annie@example.com"}, Stored: &auth.Identity{ID: 1, EmailAddress: "ben@example.com"}, AfterRefresh: true},
			want: problemWant{kind: core.KindOtherIdentity, exit: core.ExitRelogin, relogin: true,
				message: []string{"stored as the login of ben@example.com (1)", "belongs to annie@example.com (2)", "did not use, print or send it"}, fix: []string{"bcauth logout --id 1", "--expect-identity 1"}}},
		{name: "not the expected person", err: &core.IdentityError{Got: auth.Identity{ID: 2}, Expected: "ben@example.com"},
			want: problemWant{kind: core.KindOtherIdentity, exit: core.ExitRelogin, relogin: true, message: []string{`not "ben@example.com"`, "nothing was stored"}}},
		{name: "a refresh token of someone else's", err: &core.IdentityError{Got: auth.Identity{ID: 2}, Access: &auth.Identity{ID: 1}},
			want: problemWant{kind: core.KindOtherIdentity, exit: core.ExitRelogin, relogin: true, message: []string{"refresh token given belongs to", "nothing was stored"}}},
		{name: "BASECAMP_TOKEN not --id's", err: &core.EnvIDError{Query: "nobody", Token: auth.Identity{ID: 2}},
			want: problemWant{kind: core.KindUnknownID, exit: core.ExitRelogin, message: []string{auth.SettingToken + " belongs to", `"nobody"`}}},
		{name: "BASECAMP_TOKEN malformed", err: core.ErrEnvTokenMalformed,
			want: problemWant{kind: core.KindInvalidConfig, exit: core.ExitMisconfigured, message: []string{auth.SettingToken + " is malformed", "nothing was sent"}}},
		{name: "on hold, 429", err: &core.HoldError{Hold: store.Hold{Reason: store.HoldRateLimited, Since: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Until: time.Date(2026, 1, 2, 4, 4, 5, 0, time.UTC)}},
			want: problemWant{kind: core.KindOnHold, exit: core.ExitFailed, message: []string{"429", "until 2026-01-02T04:04:05Z", "nothing was sent"}, fix: []string{"--force-past-hold"}}},
		{name: "on hold, client refused", err: &core.HoldError{Hold: store.Hold{Reason: store.HoldClientRefused, Text: "invalid_client"}},
			want: problemWant{kind: core.KindClientRejected, exit: core.ExitMisconfigured, editClient: true, server: "invalid_client", message: []string{"until they change"}, fix: []string{"bcauth setup", "--force-past-hold"}}},
		{name: "keyring entry damaged", err: &store.SecretDamagedError{Backend: "GNOME Keyring", Account: "token:x", Err: errors.New("it holds no access token")},
			want: problemWant{kind: core.KindCorruptState, exit: core.ExitMisconfigured, relogin: true, message: []string{`"token:x"`, "recorded nothing"}, fix: []string{"restore the entry"}}},
		{name: "refused for good, recorded", err: &core.RefusedError{Session: &annie, Refusal: store.Refusal{At: refusedAt, Reason: "This Basecamp ID rekeyed its deadbolt."}},
			want: problemWant{kind: core.KindRejected, exit: core.ExitRelogin, relogin: true, server: "This Basecamp ID rekeyed its deadbolt.",
				message: []string{"Annie Bryan <annie@example.com> (9999999)", "2026-03-22T16:56:48Z", "no longer sends"}}},
		{name: "refused for good, unrecorded", err: fmt.Errorf("token: %w", &core.RefusedError{Session: &annie, Refusal: store.Refusal{At: refusedAt}, Unrecorded: errors.New("disk full")}),
			want: problemWant{kind: core.KindRejected, exit: core.ExitRelogin, relogin: true, fix: []string{"bcauth login", "could not record the refusal (disk full)"}}},
		{name: "unknown id", err: &core.IDError{Query: "carol", Choices: []store.Session{annie, ben}},
			want: problemWant{kind: core.KindUnknownID, exit: core.ExitRelogin, message: []string{`"carol"`},
				detail: "logged in: Annie Bryan <annie@example.com> (9999999), Ben Ortiz <ben@example.com> (8888888)"}},
		{name: "unknown id, none stored", err: &core.IDError{Query: "carol"},
			want: problemWant{kind: core.KindUnknownID, exit: core.ExitRelogin, detail: "none is logged in here"}},
		{name: "ambiguous id", err: &core.IDError{Query: "example", Matches: []store.Session{annie, ben}, Choices: []store.Session{annie, ben}},
			want: problemWant{kind: core.KindAmbiguousID, exit: core.ExitFailed, message: []string{`"example" matches 2`},
				detail: "Annie Bryan <annie@example.com> (9999999), Ben Ortiz <ben@example.com> (8888888)"}},
		{name: "environment token refused", err: &core.TokenRefusedError{From: core.FromEnv, Err: relogin},
			want: problemWant{kind: core.KindRejected, exit: core.ExitRelogin, server: "invalid_grant",
				message: []string{"from " + auth.SettingToken, "never refreshes"}, fix: []string{"set " + auth.SettingToken}}},
		{name: "pasted token refused", err: &core.TokenRefusedError{From: core.FromStdin, Err: relogin},
			want: problemWant{kind: core.KindRejected, exit: core.ExitRelogin, message: []string{"from standard input", "nothing was stored"}, fix: []string{"refresh token on a second line"}}},
		{name: "login rejected", err: fmt.Errorf("reload: %w", relogin),
			want: problemWant{kind: core.KindRejected, exit: core.ExitRelogin, relogin: true, server: "invalid_grant", fix: []string{"bcauth login"}}},
		{name: "exchange refused, other", err: &auth.LaunchpadError{Op: auth.OpExchange, Status: 418, Text: "teapot"},
			want: problemWant{kind: core.KindLaunchpad, exit: core.ExitFailed, server: "teapot", noDetail: true,
				message: []string{"did not accept the authorization code (HTTP 418)"}}},
		{name: "refresh failed, no text", err: &auth.LaunchpadError{Op: auth.OpRefresh, Status: 500, Err: errors.New("boom")},
			want: problemWant{kind: core.KindLaunchpad, exit: core.ExitFailed, detail: "boom", message: []string{"did not refresh the stored login (HTTP 500)"}}},
		{name: "authorization failed, no status", err: &auth.LaunchpadError{Op: auth.OpAuthorization, Text: "nope", Err: errors.New("hidden")},
			want: problemWant{kind: core.KindLaunchpad, exit: core.ExitFailed, noDetail: true, message: []string{"did not say who this login is"}}},
		{name: "unreachable", err: &auth.LaunchpadError{Op: auth.OpAuthorization, Kind: auth.KindRetry, Err: errors.New("connection refused")},
			want: problemWant{kind: core.KindUnreachable, exit: core.ExitFailed, detail: "connection refused",
				message: []string{"could not reach Launchpad, which is probably temporary"}, fix: []string{auth.SettingLaunchpadURL}}},
		{name: "server error, retry", err: &auth.LaunchpadError{Op: auth.OpRefresh, Status: 503, Kind: auth.KindRetry},
			want: problemWant{kind: core.KindUnreachable, exit: core.ExitFailed, message: []string{"did not refresh the stored login (HTTP 503), which is probably temporary"}}},
		{name: "unexpected answer to the exchange", err: &auth.LaunchpadError{Op: auth.OpExchange, Status: 200, Kind: auth.KindUnexpected, Err: errors.New("html")},
			want: problemWant{kind: core.KindLaunchpad, exit: core.ExitFailed, noDetail: true, message: []string{"(HTTP 200)", "trade the authorization code"}, fix: []string{"captive portal"}}},
		{name: "unexpected answer to a refresh", err: &auth.LaunchpadError{Op: auth.OpRefresh, Status: 200, Kind: auth.KindUnexpected},
			want: problemWant{kind: core.KindLaunchpad, exit: core.ExitFailed, message: []string{"asked to refresh the stored login"}}},
		{name: "unexpected answer to authorization.json", err: &auth.LaunchpadError{Op: auth.OpAuthorization, Status: 200, Kind: auth.KindUnexpected},
			want: problemWant{kind: core.KindLaunchpad, exit: core.ExitFailed, message: []string{"asked who this login is"}}},
		{name: "client rejected, from the file", err: &auth.LaunchpadError{Op: auth.OpExchange, Status: 401, Text: "invalid_client", Kind: auth.KindConfig},
			want: problemWant{kind: core.KindClientRejected, exit: core.ExitMisconfigured, editClient: true, server: "invalid_client",
				fix: []string{"run bcauth setup", "http://127.0.0.1:8976/callback", auth.DefaultLaunchpadURL + "/integrations"}}},
		{name: "client rejected, from the environment", err: &auth.LaunchpadError{Op: auth.OpExchange, Kind: auth.KindConfig},
			set: core.Settings{Sources: store.Sources{ClientID: store.SourceEnv, ClientSecret: store.SourceEnv}},
			want: problemWant{kind: core.KindClientRejected, exit: core.ExitMisconfigured, editClient: true,
				fix: []string{"correct them in " + auth.SettingClientID + " and " + auth.SettingClientSecret, auth.DefaultRedirectURI}}},
		{name: "client rejected, secret from the environment", err: &auth.LaunchpadError{Op: auth.OpExchange, Kind: auth.KindConfig},
			set:  core.Settings{Sources: store.Sources{ClientID: store.SourceFile, ClientSecret: store.SourceEnv}},
			want: problemWant{kind: core.KindClientRejected, exit: core.ExitMisconfigured, editClient: true, fix: []string{"correct them in " + auth.SettingClientSecret + ", which"}}},
		{name: "a rotated pair not saved", err: &auth.RotationSaveError{Err: errors.New("no space left on device")},
			set:  core.Settings{Dir: "/home/a/.config/bcauth"},
			want: problemWant{kind: core.KindError, exit: core.ExitFailed, relogin: true, message: []string{"no space left on device", "spent"}, fix: []string{"/home/a/.config/bcauth", "log in again"}}},
		{name: "no room to save a rotated pair", err: &core.ReadOnlyRotationError{Dir: "/d", Err: errors.New("file too large")},
			want: problemWant{kind: core.KindReadOnly, exit: core.ExitMisconfigured, message: []string{"no room in /d", "file too large", "did not ask"}, fix: []string{"free some space"}}},
		{name: "timeout", err: &auth.TimeoutError{After: 299600 * time.Millisecond, RedirectURI: "http://127.0.0.1:1/cb"},
			want: problemWant{kind: core.KindTimeout, exit: core.ExitFailed, editClient: true, message: []string{"after 5m0s"}, fix: []string{"http://127.0.0.1:1/cb", auth.SettingRedirectURI}}},
		{name: "port in use", err: &auth.PortInUseError{Addr: "127.0.0.1:8976"},
			want: problemWant{kind: core.KindPortInUse, exit: core.ExitFailed, message: []string{"127.0.0.1:8976"}, fix: []string{auth.SettingRedirectURI}}},
		{name: "denied", err: &auth.DeniedError{Code: "access_denied"},
			want: problemWant{kind: core.KindDenied, exit: core.ExitFailed, fix: []string{"Allow"}}},
		{name: "denied with words", err: &auth.DeniedError{Code: "access_denied", Description: "The person said no"},
			want: problemWant{kind: core.KindDenied, exit: core.ExitFailed, server: "The person said no"}},
		{name: "refused otherwise, with words", err: &auth.DeniedError{Code: "invalid_scope", Description: "bad scope"},
			want: problemWant{kind: core.KindDenied, exit: core.ExitFailed, server: "invalid_scope: bad scope"}},
		{name: "refused otherwise", err: &auth.DeniedError{Code: "server_error"},
			want: problemWant{kind: core.KindDenied, exit: core.ExitFailed, server: "server_error"}},
		{name: "not configured, BC5 not offered to a BC5 client", err: fmt.Errorf("%w: only a BC5 client is configured, and the API host does not offer BC5", auth.ErrNotConfigured),
			want: problemWant{kind: core.KindNotConfigured, exit: core.ExitMisconfigured, editClient: true, detail: "only a BC5 client is configured, and the API host does not offer BC5"}},
		{name: "device code expired", err: fmt.Errorf("poll: %w", auth.ErrDeviceExpired),
			want: problemWant{kind: core.KindTimeout, exit: core.ExitFailed, message: []string{"code expired"}, fix: []string{"new code"}}},
		{name: "BC5 dark", err: auth.ErrBC5Dark,
			want: problemWant{kind: core.KindUnreachable, exit: core.ExitFailed, message: []string{"not enabled yet", "503"}, fix: []string{"later", auth.SettingBC5ClientID}}},
		{name: "start reused", err: fmt.Errorf("login: %w", auth.ErrStartReused),
			want: problemWant{kind: core.KindError, exit: core.ExitFailed, message: []string{"nobody was logged in"}, fix: []string{"only once"}}},
		{name: "client secret gone", err: &store.SecretGoneError{Backend: "GNOME Keyring", Account: "client:abc", Client: true},
			want: problemWant{kind: core.KindNotConfigured, exit: core.ExitMisconfigured, editClient: true, message: []string{"GNOME Keyring", `"client:abc"`}, fix: []string{"bcauth setup"}}},
		{name: "login gone from the keyring", err: &store.SecretGoneError{Backend: "GNOME Keyring", Account: "token:x"},
			want: problemWant{kind: core.KindNotLoggedIn, exit: core.ExitRelogin, relogin: true, message: []string{`"token:x"`}}},
		{name: "keyring unavailable", err: &store.KeyringError{Backend: "GNOME Keyring", Op: "read", Err: errors.New("locked")},
			want: problemWant{kind: core.KindKeyring, exit: core.ExitMisconfigured, detail: "locked; nothing was written to a file instead",
				message: []string{"GNOME Keyring"}, fix: []string{"bcauth setup --keyring=false, or " + core.KeyringSetting + "=0"}}},
		{name: "keyring unavailable, forced by the environment", err: &store.KeyringError{Backend: "k", Err: errors.New("x")},
			set:  core.Settings{KeyringSource: store.SourceEnv},
			want: problemWant{kind: core.KindKeyring, exit: core.ExitMisconfigured, fix: []string{"unset " + core.KeyringSetting}}},
		{name: "unsafe file", err: &store.UnsafeError{Path: "/state/state.json", Why: "belongs to uid 7", Mode: fs.FileMode(0o644), Fix: "chown it"},
			want: problemWant{kind: core.KindUnsafeFile, exit: core.ExitMisconfigured, message: []string{"/state/state.json belongs to uid 7 (mode -rw-r--r--)"}, fix: []string{"chown it"}}},
		{name: "newer file", err: &store.VersionError{Path: "/state/state.json", Version: 9, Supported: 2},
			want: problemWant{kind: core.KindNewerFile, exit: core.ExitMisconfigured, message: []string{"version 9; this one reads up to 2"}, fix: []string{"move /state/state.json away"}}},
		{name: "corrupt config", err: &store.CorruptError{Path: "/state/config.json", Err: errors.New("bad json")},
			want: problemWant{kind: core.KindCorruptConfig, exit: core.ExitMisconfigured, editClient: true, message: []string{"/state/config.json", "bad json"}, fix: []string{"bcauth setup"}}},
		{name: "corrupt state", err: &store.CorruptError{Path: "/state/state.json", Err: errors.New("bad json")},
			want: problemWant{kind: core.KindCorruptState, exit: core.ExitMisconfigured, relogin: true, message: []string{"/state/state.json"}, fix: []string{"bcauth login"}}},
		{name: "invalid setting from the file", err: &auth.SettingError{Setting: auth.SettingRedirectURI, Reason: "redirect URI is not loopback"},
			set: core.Settings{Dir: "/state", Sources: store.Sources{RedirectURI: store.SourceFile}},
			want: problemWant{kind: core.KindInvalidConfig, exit: core.ExitMisconfigured, editClient: true, message: []string{"not loopback"},
				fix: []string{"correct redirect_uri in /state/config.json, or override it with " + auth.SettingRedirectURI}}},
		{name: "invalid setting from the environment", err: &auth.SettingError{Setting: auth.SettingLaunchpadURL, Reason: "not https"},
			set:  core.Settings{Sources: store.Sources{LaunchpadURL: store.SourceEnv}},
			want: problemWant{kind: core.KindInvalidConfig, exit: core.ExitMisconfigured, editClient: true, fix: []string{"correct " + auth.SettingLaunchpadURL}}},
		{name: "invalid unknown setting", err: &auth.SettingError{Setting: "SOMETHING", Reason: "odd"},
			want: problemWant{kind: core.KindInvalidConfig, exit: core.ExitMisconfigured, editClient: true, fix: []string{"check the client settings: " + auth.SettingClientID}}},
		{name: "not configured", err: auth.ErrNotConfigured,
			want: problemWant{kind: core.KindNotConfigured, exit: core.ExitMisconfigured, editClient: true,
				fix: []string{"client ID and secret", auth.SettingClientID + " and " + auth.SettingClientSecret, auth.DefaultRedirectURI}}},
		{name: "not configured, secret missing", err: auth.ErrNotConfigured,
			set: core.Settings{Sources: store.Sources{ClientID: store.SourceEnv}, Client: store.ClientConfig{LaunchpadURL: "http://127.0.0.1:5/"}},
			want: problemWant{kind: core.KindNotConfigured, exit: core.ExitMisconfigured, editClient: true,
				fix: []string{"enter the client secret of", "registered at http://127.0.0.1:5/integrations", "or set " + auth.SettingClientSecret}}},
		{name: "not configured, id missing", err: auth.ErrNotConfigured,
			set:  core.Settings{Sources: store.Sources{ClientSecret: store.SourceFile}},
			want: problemWant{kind: core.KindNotConfigured, exit: core.ExitMisconfigured, editClient: true, fix: []string{"enter the client ID of", "or set " + auth.SettingClientID}}},
		{name: "anything else", err: errors.New("disk on fire"),
			want: problemWant{kind: core.KindError, exit: core.ExitFailed, detail: "disk on fire"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.set == (core.Settings{}) {
				tc.set = set
			}
			checkProblem(t, core.Describe(tc.err, tc.set), tc.want)
		})
	}
}

// TestDescribeNamesTheMissingSettingOnly: with only one of the client id
// and secret missing, the fix names that one and its variable alone.
func TestDescribeNamesTheMissingSettingOnly(t *testing.T) {
	for _, tc := range []struct {
		name    string
		sources store.Sources
		want    string
		notWant string
	}{
		{name: "id missing", sources: store.Sources{ClientSecret: store.SourceEnv}, want: "or set " + auth.SettingClientID + " ", notWant: auth.SettingClientSecret},
		{name: "secret missing", sources: store.Sources{ClientID: store.SourceFile}, want: "or set " + auth.SettingClientSecret, notWant: auth.SettingClientID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := core.Describe(auth.ErrNotConfigured, core.Settings{Sources: tc.sources})
			if !strings.Contains(p.Fix+" ", tc.want) || strings.Contains(p.Fix, tc.notWant) {
				t.Errorf("fix %q: want %q and not %q", p.Fix, tc.want, tc.notWant)
			}
		})
	}
}

func TestProblemText(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    core.Problem
		want string
	}{
		{name: "message alone", p: core.Problem{Message: "not logged in"}, want: "not logged in"},
		{name: "server's words", p: core.Problem{Message: "refused", Server: "invalid_grant", Detail: "hidden"}, want: "refused: “invalid_grant”"},
		{name: "detail", p: core.Problem{Message: "failed", Detail: "disk full"}, want: "failed: disk full"},
	} {
		if got := tc.p.Text(); got != tc.want {
			t.Errorf("%s: Text() = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestSentence(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"run bcauth login", "Run bcauth login."},
		{"émile is here", "Émile is here."},
		{"done.", "Done."},
		{"really?", "Really?"},
		{"go!", "Go!"},
		{"http://127.0.0.1:1 refused the BC5 client ID", "http://127.0.0.1:1 refused the BC5 client ID."},
		{"https://app.example ended the login", "https://app.example ended the login."},
		{"httpd stopped", "Httpd stopped."},
	} {
		if got := core.Sentence(tc.in); got != tc.want {
			t.Errorf("Sentence(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestErrorTexts: the errors' own texts, which stderr shows when no
// Problem is made of them, name the Basecamp ID, the time and the way on.
func TestErrorTexts(t *testing.T) {
	annie := store.Session{Identity: auth.Identity{ID: 9999999, FirstName: "Annie", LastName: "Bryan", EmailAddress: "annie@example.com"}}
	ben := store.Session{Identity: auth.Identity{ID: 8888888, FirstName: "Ben", EmailAddress: "ben@example.com"}}
	at := time.Date(2026, 3, 22, 11, 0, 0, 0, time.FixedZone("X", -5*3600))
	inner := errors.New("invalid_grant")
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{name: "refused with a reason", err: &core.RefusedError{Session: &annie, Refusal: store.Refusal{At: at, Reason: "rekeyed"}},
			want: `Launchpad refused the login of Annie Bryan <annie@example.com> (9999999) for good at 2026-03-22T16:00:00Z ("rekeyed"): run bcauth login`},
		{name: "refused", err: &core.RefusedError{Session: &annie, Refusal: store.Refusal{At: at}},
			want: `Launchpad refused the login of Annie Bryan <annie@example.com> (9999999) for good at 2026-03-22T16:00:00Z: run bcauth login`},
		{name: "token refused", err: &core.TokenRefusedError{From: core.FromStdin, Err: inner},
			want: "Launchpad refused the access token from standard input: invalid_grant"},
		{name: "no such id", err: &core.IDError{Query: "carol"}, want: `no Basecamp ID matches "carol": none is logged in here`},
		{name: "no such id among two", err: &core.IDError{Query: "carol", Choices: []store.Session{annie, ben}},
			want: `no Basecamp ID logged in here matches "carol"; logged in: Annie Bryan <annie@example.com> (9999999), Ben <ben@example.com> (8888888)`},
		{name: "several", err: &core.IDError{Query: "e", Matches: []store.Session{annie, ben}},
			want: `"e" matches 2 Basecamp IDs: Annie Bryan <annie@example.com> (9999999), Ben <ben@example.com> (8888888)`},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
	if re := (&core.RefusedError{Session: &annie, Err: inner}); !errors.Is(re, inner) {
		t.Error("a RefusedError does not unwrap to Launchpad's refusal")
	}
	if tr := (&core.TokenRefusedError{Err: inner}); !errors.Is(tr, inner) {
		t.Error("a TokenRefusedError does not unwrap to Launchpad's refusal")
	}
}
