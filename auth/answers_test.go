package auth_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
)

// TestTokenAnswerShapes: Launchpad's token answers, with and without the
// fields older clients saw missing, become tokens dated by the client's
// clock, a Bearer by default, and a refresh that leaves the refresh token
// out keeps the old one.
func TestTokenAnswerShapes(t *testing.T) {
	const old = "the-old-refresh-token"
	tests := []struct {
		name        string
		body        string
		wantType    string
		wantExpiry  time.Duration // from the clock's now; 0 for no expiry
		wantRefresh string        // after a refresh from old
	}{
		{name: "everything", body: `{"access_token":"A","expires_in":1209600,"refresh_token":"R","token_type":"Bearer"}`,
			wantType: "Bearer", wantExpiry: 1209600 * time.Second, wantRefresh: "R"},
		{name: "no refresh token", body: `{"access_token":"A","expires_in":1209600}`,
			wantType: "Bearer", wantExpiry: 1209600 * time.Second, wantRefresh: old},
		{name: "a type of its own", body: `{"access_token":"A","expires_in":60,"token_type":"bearer"}`,
			wantType: "bearer", wantExpiry: time.Minute, wantRefresh: old},
		{name: "one second", body: `{"access_token":"A","expires_in":1}`,
			wantType: "Bearer", wantExpiry: time.Second, wantRefresh: old},
		{name: "no expiry", body: `{"access_token":"A","refresh_token":"R"}`, wantType: "Bearer", wantRefresh: "R"},
		{name: "expires_in zero", body: `{"access_token":"A","expires_in":0}`, wantType: "Bearer", wantRefresh: old},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			h := newHarness(t, setup{opts: []auth.Option{auth.WithClock(clk.Now)}})
			h.fake.InjectFault(launchpadtest.EndpointToken, launchpadtest.Fault{Status: http.StatusOK, ContentType: "application/json", Body: tt.body})
			tok, err := h.client.Refresh(t.Context(), old)
			if err != nil {
				t.Fatalf("Refresh: %v", err)
			}
			var want time.Time
			if tt.wantExpiry != 0 {
				want = clk.Now().Add(tt.wantExpiry)
			}
			if tok.AccessToken != "A" || tok.TokenType != tt.wantType || !tok.Expiry.Equal(want) || tok.RefreshToken != tt.wantRefresh {
				t.Errorf("Refresh = %q %q expiring %v, refresh %q; want A %q expiring %v, refresh %q",
					tok.AccessToken, tok.TokenType, tok.Expiry, tok.RefreshToken, tt.wantType, want, tt.wantRefresh)
			}
			// An exchange has no old refresh token to keep.
			l, err := h.client.NewLogin()
			if err != nil {
				t.Fatal(err)
			}
			code := mustQuery(t, h.approve(t, l)).Get("code")
			tok, err = h.client.Exchange(t.Context(), code)
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			if wantRefresh := strings.TrimPrefix(tt.wantRefresh, old); tok.RefreshToken != wantRefresh || !tok.Expiry.Equal(want) {
				t.Errorf("Exchange: refresh %q expiring %v, want %q expiring %v", tok.RefreshToken, tok.Expiry, wantRefresh, want)
			}
		})
	}
}

// TestRedirectStatuses: every 3xx from the token endpoint is a redirect
// bcauth refuses to follow and says so, naming only the host it pointed
// at; a 400 is Launchpad's own refusal.
func TestRedirectStatuses(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		location string
		want     string // in the error; "" for no redirect
	}{
		{name: "300", status: 300, location: "http://127.0.0.1:9/choose?secret=x", want: "redirected to 127.0.0.1:9,"},
		{name: "399", status: 399, location: "http://127.0.0.1:9/x", want: "redirected to 127.0.0.1:9,"},
		{name: "no Location", status: 302, want: "redirected to an address it did not give,"},
		{name: "a relative Location: Launchpad itself", status: 302, location: "/elsewhere?secret=x", want: "redirected to %FAKE%,"},
		{name: "400 is no redirect", status: 400, location: "http://127.0.0.1:9/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, setup{})
			header := http.Header{}
			if tt.location != "" {
				header.Set("Location", tt.location)
			}
			h.fake.InjectFault(launchpadtest.EndpointToken, launchpadtest.Fault{Status: tt.status, Header: header, Body: "Moved"})
			_, err := h.client.Refresh(t.Context(), "a-refresh-token")
			le := asLaunchpad(t, err)
			if le.Status != tt.status {
				t.Errorf("status %d, want %d", le.Status, tt.status)
			}
			if tt.want == "" {
				if strings.Contains(err.Error(), "redirected") {
					t.Errorf("%q calls a %d a redirect", err, tt.status)
				}
				return
			}
			want := strings.ReplaceAll(tt.want, "%FAKE%", strings.TrimPrefix(h.fake.URL, "http://"))
			if !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "secret=x") || strings.Contains(err.Error(), "/choose") {
				t.Errorf("%q, want it to say %q and nothing of the target's path or query", err, want)
			}
		})
	}
}

// TestTokenRefusalText: Launchpad's own words, in whichever fields it
// puts them, are the error's text; a 429 says how long it asked to wait.
func TestTokenRefusalText(t *testing.T) {
	const js = "application/json; charset=utf-8"
	tests := []struct {
		name       string
		fault      launchpadtest.Fault
		wantText   string
		wantWait   time.Duration
		wantStatus int
	}{
		{name: "error and message", fault: launchpadtest.Fault{Status: 400, ContentType: js,
			Body: `{"error":"invalid_grant","message":"The refresh token was revoked"}`},
			wantText: "invalid_grant: The refresh token was revoked", wantStatus: 400},
		{name: "error and description", fault: launchpadtest.Fault{Status: 400, ContentType: js,
			Body: `{"error":"invalid_grant","error_description":"expired"}`},
			wantText: "invalid_grant: expired", wantStatus: 400},
		{name: "429 with Retry-After", fault: launchpadtest.Fault{Status: 429, Body: "Slow down",
			Header: http.Header{"Retry-After": {"120"}}}, wantText: "Slow down", wantWait: 2 * time.Minute, wantStatus: 429},
		{name: "429 without", fault: launchpadtest.Fault{Status: 429, Body: "Slow down"}, wantText: "Slow down", wantStatus: 429},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, setup{})
			h.fake.InjectFault(launchpadtest.EndpointToken, tt.fault)
			_, err := h.client.Refresh(t.Context(), "a-refresh-token")
			le := asLaunchpad(t, err)
			if le.Text != tt.wantText || le.RetryAfter != tt.wantWait || le.Status != tt.wantStatus {
				t.Errorf("%d %q, Retry-After %v; want %d %q, %v", le.Status, le.Text, le.RetryAfter, tt.wantStatus, tt.wantText, tt.wantWait)
			}
		})
	}
}
