package core_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/core"
	"bcauth/ui/uitest"
)

// holdEnv is a logged-in Env on a clock the test moves.
func holdEnv(t *testing.T) (e *uitest.Env, now *time.Time) {
	t.Helper()
	e = uitest.New(t, launchpadtest.Options{})
	e.LogIn(t)
	at := time.Now().UTC().Truncate(time.Second)
	e.Svc.Clock = func() time.Time { return at }
	return e, &at
}

// TestTooManyRequestsHoldsTheTokenEndpoint: a 429 from the token endpoint
// is remembered: no token request is sent until Retry-After has passed
// (or, without one, a minute, doubled at each 429 in a row), unless
// forced; a success lifts the hold.
func TestTooManyRequestsHoldsTheTokenEndpoint(t *testing.T) {
	e, now := holdEnv(t)
	ctx := testContext(t)
	sent := func() int { return e.Fake.Requests(launchpadtest.EndpointToken) }
	for _, tc := range []struct {
		name       string
		fault      *launchpadtest.Fault // the token endpoint's next answer
		advance    time.Duration        // the clock moves first
		pastHold   bool
		wantSent   int
		wantErr    func(error) bool
		wantHold   bool // a rate limit's hold stands after
		wantStrike int
	}{
		{name: "429 with Retry-After", fault: &launchpadtest.Fault{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"120"}}, Times: 1},
			wantSent: 1, wantErr: isRateLimited, wantHold: true, wantStrike: 1},
		{name: "held", wantErr: isHeld, wantHold: true, wantStrike: 1},
		{name: "still held a second before", advance: 119 * time.Second, wantErr: isHeld, wantHold: true, wantStrike: 1},
		{name: "429 again, no Retry-After: two minutes", advance: time.Second, fault: &launchpadtest.Fault{Status: http.StatusTooManyRequests, Times: 1},
			wantSent: 1, wantErr: isRateLimited, wantHold: true, wantStrike: 2},
		{name: "forced past the hold", pastHold: true, wantSent: 1, wantErr: noError},
		{name: "lifted by the success", wantErr: noError, wantSent: 1},
		{name: "429 after a success: one minute", fault: &launchpadtest.Fault{Status: http.StatusTooManyRequests, Times: 1},
			wantSent: 1, wantErr: isRateLimited, wantHold: true, wantStrike: 1},
		{name: "over at its end", advance: time.Minute, wantErr: noError, wantSent: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			*now = now.Add(tc.advance)
			if tc.fault != nil {
				e.Fake.InjectFault(launchpadtest.EndpointToken, *tc.fault)
			}
			e.Svc.PastHold = tc.pastHold
			t.Cleanup(func() { e.Svc.PastHold = false })
			before := sent()
			_, err := e.Svc.Refresh(ctx)
			if !tc.wantErr(err) {
				t.Errorf("Refresh: %v", err)
			}
			if n := sent() - before; n != tc.wantSent {
				t.Errorf("%d token requests, want %d", n, tc.wantSent)
			}
			h, err := e.Svc.StandingHold()
			if err != nil {
				t.Fatal(err)
			}
			if !tc.wantHold {
				if h != nil {
					t.Errorf("a hold stands: %+v", h)
				}
				return
			}
			if h == nil || h.Reason != store.HoldRateLimited || h.Strikes != tc.wantStrike {
				t.Fatalf("hold %+v, want a rate limit, strike %d", h, tc.wantStrike)
			}
			if !h.Until.After(*now) {
				t.Errorf("hold until %v, not after now %v", h.Until, *now)
			}
			if line := core.HoldLine(*h); !strings.Contains(line, h.Until.UTC().Format(time.RFC3339)) || !strings.Contains(line, "429") {
				t.Errorf("HoldLine %q", line)
			}
		})
	}
}

// TestHoldUntilExactly: Retry-After sets the end of the hold to the
// second, and a second 429 in a row without it doubles the minute.
func TestHoldUntilExactly(t *testing.T) {
	for _, tc := range []struct {
		name    string
		answers []launchpadtest.Fault
		want    time.Duration // from the last 429
	}{
		{name: "Retry-After", answers: []launchpadtest.Fault{{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"90"}}, Times: 1}}, want: 90 * time.Second},
		{name: "a day at most", answers: []launchpadtest.Fault{{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"999999"}}, Times: 1}}, want: 24 * time.Hour},
		{name: "first", answers: []launchpadtest.Fault{{Status: http.StatusTooManyRequests, Times: 1}}, want: time.Minute},
		{name: "second", answers: []launchpadtest.Fault{{Status: http.StatusTooManyRequests, Times: 1}, {Status: http.StatusTooManyRequests, Times: 1}}, want: 2 * time.Minute},
		{name: "third", answers: []launchpadtest.Fault{{Status: http.StatusTooManyRequests, Times: 1}, {Status: http.StatusTooManyRequests, Times: 1}, {Status: http.StatusTooManyRequests, Times: 1}}, want: 4 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, now := holdEnv(t)
			ctx := testContext(t)
			var h *store.Hold
			for i, f := range tc.answers {
				if h != nil {
					*now = h.Until // the hold has just ended
				}
				e.Fake.InjectFault(launchpadtest.EndpointToken, f)
				if _, err := e.Svc.Refresh(ctx); !isRateLimited(err) {
					t.Fatalf("answer %d: %v", i, err)
				}
				var err error
				if h, err = e.Svc.StandingHold(); err != nil || h == nil {
					t.Fatalf("answer %d: hold %+v, %v", i, h, err)
				}
			}
			if got := h.Until.Sub(*now); got != tc.want || !h.Since.Equal(*now) {
				t.Errorf("hold since %v until %v: %v, want %v", h.Since, h.Until, got, tc.want)
			}
		})
	}
}

// TestRefusedClientHoldsUntilTheSettingsChange: invalid_client stops every
// token request with those settings, whatever the time, and no longer
// once they change.
func TestRefusedClientHoldsUntilTheSettingsChange(t *testing.T) {
	e, now := holdEnv(t)
	ctx := testContext(t)
	e.Fake.InjectFault(launchpadtest.EndpointToken, launchpadtest.Fault{Status: http.StatusUnauthorized, ContentType: "application/json", Body: `{"error":"invalid_client"}`, Times: 1})
	if _, err := e.Svc.Refresh(ctx); err == nil {
		t.Fatal("Refresh with the client refused succeeded")
	}
	h, err := e.Svc.StandingHold()
	if err != nil || h == nil || h.Reason != store.HoldClientRefused {
		t.Fatalf("hold %+v, %v; want the client refused", h, err)
	}
	if line := core.HoldLine(*h); !strings.Contains(line, "client settings change") {
		t.Errorf("HoldLine %q", line)
	}
	*now = now.Add(48 * time.Hour)
	before := e.Fake.Requests(launchpadtest.EndpointToken)
	_, err = e.Svc.Refresh(ctx)
	var he *core.HoldError
	if !errors.As(err, &he) || e.Fake.Requests(launchpadtest.EndpointToken) != before {
		t.Fatalf("two days later: %v, %d requests; want the hold, none sent", err, e.Fake.Requests(launchpadtest.EndpointToken)-before)
	}
	if !strings.Contains(he.Error(), "refused these client settings") || !strings.Contains(he.Error(), "until they change") {
		t.Errorf("HoldError %q", he.Error())
	}
	if p := core.Describe(err, e.Svc.Settings()); p.Kind != core.KindClientRejected || !p.EditClient {
		t.Errorf("problem %+v", p)
	}
	// Other settings: the hold does not stand for them.
	e.Svc.Env.ClientSecret = "another-secret"
	if h, err := e.Svc.StandingHold(); err != nil || h != nil {
		t.Errorf("with other settings: hold %+v, %v", h, err)
	}
	if _, err := e.Svc.Refresh(ctx); errors.As(err, &he) || e.Fake.Requests(launchpadtest.EndpointToken) != before+1 {
		t.Errorf("with other settings: %v, %d requests; want one sent", err, e.Fake.Requests(launchpadtest.EndpointToken)-before)
	}
}

// TestStandingHoldWithoutAClient: no store, BASECAMP_TOKEN or no client
// settings: nothing to hold.
func TestStandingHoldWithoutAClient(t *testing.T) {
	e, _ := holdEnv(t)
	e.Fake.InjectFault(launchpadtest.EndpointToken, launchpadtest.Fault{Status: http.StatusTooManyRequests, Times: 1})
	if _, err := e.Svc.Refresh(testContext(t)); !isRateLimited(err) {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		svc  *core.Service
	}{
		{name: "no store", svc: &core.Service{Env: e.Svc.Env}},
		{name: "BASECAMP_TOKEN", svc: &core.Service{Store: e.Svc.Store, Env: e.Svc.Env, EnvToken: "BAhbtok"}},
		{name: "no client", svc: &core.Service{Store: e.Svc.Store}},
	} {
		if h, err := tc.svc.StandingHold(); h != nil || err != nil {
			t.Errorf("%s: %+v, %v", tc.name, h, err)
		}
	}
	if h, err := e.Svc.StandingHold(); h == nil || err != nil {
		t.Errorf("the hold itself: %+v, %v", h, err)
	}
}

func isRateLimited(err error) bool {
	var he *core.HoldError
	return err != nil && !errors.As(err, &he) && strings.Contains(err.Error(), "429")
}

func isHeld(err error) bool {
	var he *core.HoldError
	return errors.As(err, &he) && he.Hold.Reason == store.HoldRateLimited && strings.Contains(he.Error(), "(HTTP 429)") &&
		strings.Contains(he.Error(), "no token request is sent until "+he.Hold.Until.UTC().Format(time.RFC3339))
}

func noError(err error) bool { return err == nil }
