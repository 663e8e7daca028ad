package cli

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"bcauth/auth/launchpadtest"
	"bcauth/ui/core"
)

// everyCommand runs each command that needs the login once, as a cron job
// or a person would after Launchpad refused it.
func (e *cliEnv) everyCommand(t *testing.T) map[string]cliResult {
	t.Helper()
	return map[string]cliResult{
		"token":         e.token(t),
		"status":        e.status(t, false),
		"status --json": e.status(t, true),
		"accounts":      e.accounts(t, false, ""),
		"refresh":       cliRun(func(o Output) int { return Refresh(t.Context(), e.Svc, o, false) }),
		"probe":         cliRun(func(o Output) int { return Probe(t.Context(), e.Svc, o, ProbeOptions{}) }),
	}
}

func TestARefusedLoginIsNeverRefreshedAgain(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		refuse func(e *cliEnv)
		reason string
	}{
		{"password changed", func(e *cliEnv) { e.Fake.RevokeAll() }, "This Basecamp ID rekeyed its deadbolt."},
		{"invalid_grant", func(e *cliEnv) {
			e.Fake.InjectFault(launchpadtest.EndpointToken, launchpadtest.Fault{Status: http.StatusBadRequest,
				ContentType: "application/json", Body: `{"error":"invalid_grant"}`})
		}, "invalid_grant"},
		{"unknown identity", func(e *cliEnv) {
			e.Fake.InjectFault(launchpadtest.EndpointToken, launchpadtest.Fault{Status: http.StatusUnauthorized, Body: "Unknown Basecamp ID."})
		}, "Unknown Basecamp ID."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newCLIEnv(t, cliOpts{})
			e.ExpireStored(t, new(e.Current(t)), time.Minute)
			tc.refuse(e)

			first := e.token(t)
			if first.code != ExitRelogin || first.stdout != "" || !strings.Contains(first.stderr, "run bcauth login") {
				t.Fatalf("token at the refusal: exit %d, stdout %q, stderr %q", first.code, first.stdout, first.stderr)
			}
			if n := e.Fake.RefreshRequests(); n != 1 {
				t.Fatalf("%d refresh requests for the first token call, want 1", n)
			}
			stored := e.Current(t)
			if stored.Refused == nil || stored.Refused.Reason != tc.reason || stored.Token.RefreshToken == "" {
				t.Fatalf("stored after the refusal: refused %+v, refresh token kept %v; want Launchpad's %q and the token kept",
					stored.Refused, stored.Token.RefreshToken != "", tc.reason)
			}
			at := stored.Refused.At.UTC().Format(time.RFC3339)

			// However many commands run, the refresh token is never sent
			// again, nor anything else to Launchpad.
			before := e.Fake.Requests(launchpadtest.EndpointAuthorization)
			for range 3 {
				for name, r := range e.everyCommand(t) {
					if r.code == 0 || strings.Contains(r.stdout, stored.Token.AccessToken) {
						t.Errorf("%s after the refusal: exit %d, stdout %q", name, r.code, r.stdout)
					}
					if name != "status --json" && (!strings.Contains(r.stderr, at) || !strings.Contains(r.stderr, "run bcauth login")) {
						t.Errorf("%s: stderr %q does not say when (%s) and to run bcauth login", name, r.stderr, at)
					}
				}
			}
			if n := e.Fake.RefreshRequests(); n != 1 {
				t.Errorf("%d refresh requests after 18 commands, want still 1", n)
			}
			if n := e.Fake.Requests(launchpadtest.EndpointAuthorization) - before; n != 0 {
				t.Errorf("%d authorization.json requests after the refusal, want 0", n)
			}

			r := e.status(t, true)
			var doc struct {
				LoggedIn bool `json:"logged_in"`
				Problem  *struct {
					Kind      string `json:"kind"`
					Message   string `json:"message"`
					RefusedAt string `json:"refused_at"`
				} `json:"problem"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.Problem == nil {
				t.Fatalf("status --json: %v\n%s", err, r.stdout)
			}
			if !doc.LoggedIn || doc.Problem.Kind != core.KindRejected || doc.Problem.RefusedAt != at || !strings.Contains(doc.Problem.Message, tc.reason) {
				t.Errorf("status --json problem %+v, logged_in %v; want rejected, refused_at %s and %q", doc.Problem, doc.LoggedIn, at, tc.reason)
			}

			ids := cliRun(func(o Output) int { return IDs(e.Svc, o, false) })
			if ids.code != 0 || !strings.Contains(ids.stdout, "\trefused at "+at+", needs login\t") {
				t.Errorf("ids: exit %d\n%s", ids.code, ids.stdout)
			}

			// Logging in again clears the mark, and the new login works.
			e.Fake.ClearFaults()
			e.LogIn(t)
			if s := e.Current(t); s.Refused != nil {
				t.Errorf("the new login is still marked refused: %+v", s.Refused)
			}
			if r := e.token(t); r.code != 0 {
				t.Errorf("token after logging in again: exit %d, %s", r.code, r.stderr)
			}
		})
	}
}

func TestATemporaryRefreshFailureChangesNothing(t *testing.T) {
	t.Parallel()
	for _, f := range []launchpadtest.Fault{
		{Status: http.StatusServiceUnavailable, Body: "Service Unavailable", Times: 1},
		// A 429 is a "stop" and holds every token request until it lifts:
		// see TestATooManyRequestsHoldsEveryTokenRequest.
		{Status: http.StatusBadGateway, Body: `{"error":"invalid_grant"}`, Times: 1}, // a proxy's words are no refusal
	} {
		t.Run(f.Body, func(t *testing.T) {
			t.Parallel()
			e := newCLIEnv(t, cliOpts{})
			e.ExpireStored(t, new(e.Current(t)), time.Minute)
			e.Fake.InjectFault(launchpadtest.EndpointToken, f)
			if r := e.token(t); r.code != 1 {
				t.Fatalf("token during the fault: exit %d", r.code)
			}
			if s := e.Current(t); s.Refused != nil {
				t.Fatalf("a temporary failure marked the login refused: %+v", s.Refused)
			}
			r := e.token(t)
			if r.code != 0 || r.stdout != e.Current(t).Token.AccessToken+"\n" {
				t.Errorf("token after the fault: exit %d, %s", r.code, r.stderr)
			}
			if n := e.Fake.RefreshRequests(); n != 2 {
				t.Errorf("%d refresh requests, want 2 (the failed one and the retry)", n)
			}
		})
	}
}
