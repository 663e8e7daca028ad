package launchpadtest

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestDeviceAuthorizationAnswer(t *testing.T) {
	_, b, _ := startBC5(t, BC5Options{})
	d := startDevice(t, b, nil)
	user := str(d, "user_code")
	if !regexp.MustCompile(`^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$`).MatchString(user) {
		t.Errorf("user_code %q is not XXXX-XXXX of consonants", user)
	}
	if len(str(d, "device_code")) < 32 {
		t.Errorf("device_code %q is short", str(d, "device_code"))
	}
	if str(d, "verification_uri") != b.Issuer+"/device" || str(d, "verification_uri_complete") != b.Issuer+"/device?user_code="+user {
		t.Errorf("verification URIs %q, %q", str(d, "verification_uri"), str(d, "verification_uri_complete"))
	}
	if d["expires_in"] != float64(900) || d["interval"] != float64(5) {
		t.Errorf("expires_in %v interval %v, want 900 and 5", d["expires_in"], d["interval"])
	}
	if d2 := startDevice(t, b, nil); str(d2, "user_code") == user || str(d2, "device_code") == str(d, "device_code") {
		t.Error("two device authorizations share a code")
	}
	if n := b.Requests(BC5Device); n != 2 {
		t.Errorf("Requests(BC5Device) = %d, want 2", n)
	}
	log := b.RequestLog(BC5Device)
	if len(log) != 2 || log[0].Body.Get("client_id") != BC5ClientID {
		t.Errorf("RequestLog(BC5Device) = %+v", log)
	}

	_, custom, _ := startBC5(t, BC5Options{ClientID: "mine", DeviceCodeTTL: 90 * time.Second, Interval: 1500 * time.Millisecond})
	if d := startDevice(t, custom, nil); d["expires_in"] != float64(90) || d["interval"] != float64(2) {
		t.Errorf("expires_in %v interval %v, want 90 and 2 (whole seconds, rounded up)", d["expires_in"], d["interval"])
	}
}

func TestScopeIsReadUnlessFullIsAskedFor(t *testing.T) {
	_, b, _ := startBC5(t, BC5Options{})
	for _, tc := range []struct {
		name  string
		extra url.Values
		want  string
	}{
		{"omitted", nil, "read"},
		{"read", url.Values{"scope": {"read"}}, "read"},
		{"full", url.Values{"scope": {"full"}}, "full"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := str(deviceLogin(t, b, "", tc.extra), "scope"); got != tc.want {
				t.Errorf("scope %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDeviceAuthorizationRefuses(t *testing.T) {
	s, b, _ := startBC5(t, BC5Options{})
	ok := url.Values{"client_id": {BC5ClientID}, "scope": {"read"}}
	with := func(k, v string) url.Values {
		f := cloneValues(ok)
		f.Set(k, v)
		return f
	}
	without := func(k string) url.Values {
		f := cloneValues(ok)
		f.Del(k)
		return f
	}
	request := func(method, contentType, query string, body url.Values) *http.Request {
		target := b.DeviceAuthorizationEndpoint
		if query != "" {
			target += "?" + query
		}
		req, _ := http.NewRequestWithContext(t.Context(), method, target, strings.NewReader(body.Encode()))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		return req
	}
	form := "application/x-www-form-urlencoded"
	basic := request(http.MethodPost, form, "", ok)
	basic.SetBasicAuth(BC5ClientID, "secret")
	for _, tc := range []struct {
		name   string
		req    *http.Request
		status int
		error  string
	}{
		{"no client_id", request(http.MethodPost, form, "", without("client_id")), 401, "invalid_client"},
		{"Launchpad's client", request(http.MethodPost, form, "", with("client_id", s.Options().ClientID)), 401, "invalid_client"},
		{"unknown client", request(http.MethodPost, form, "", with("client_id", "basecamp-cli")), 401, "invalid_client"},
		{"a client secret", request(http.MethodPost, form, "", with("client_secret", "x")), 401, "invalid_client"},
		{"Basic credentials", basic, 401, "invalid_client"},
		{"unknown scope", request(http.MethodPost, form, "", with("scope", "write")), 400, "invalid_scope"},
		{"two scopes", request(http.MethodPost, form, "", with("scope", "read full")), 400, "invalid_scope"},
		{"a resource that is no account", request(http.MethodPost, form, "", with("resource", "https://3.basecampapi.com")), 400, "invalid_target"},
		{"parameters in the query", request(http.MethodPost, form, ok.Encode(), nil), 401, "invalid_client"},
		{"a parameter twice", request(http.MethodPost, form, "", url.Values{"client_id": {BC5ClientID, BC5ClientID}}), 400, "invalid_request"},
		{"JSON", request(http.MethodPost, "application/json", "", ok), 400, "invalid_request"},
		{"GET", request(http.MethodGet, "", ok.Encode(), nil), 405, "invalid_request"},
		{"a body beyond 64 KiB", request(http.MethodPost, form, "", with("scope", strings.Repeat("r", maxFormBytes))), 413, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if e, _ := oauthErrorOf(t, do(t, tc.req), tc.status); e != tc.error {
				t.Errorf("error %q, want %q", e, tc.error)
			}
		})
	}
	if codes := b.PendingUserCodes(); len(codes) != 0 {
		t.Errorf("refused requests made codes %v", codes)
	}
}

func TestDarkDeviceEndpointAnswers503(t *testing.T) {
	_, b, _ := startBC5(t, BC5Options{Dark: true})
	form := url.Values{"client_id": {BC5ClientID}, "scope": {"read"}}
	if e, _ := oauthErrorOf(t, postForm(t, b.DeviceAuthorizationEndpoint, form), http.StatusServiceUnavailable); e != "temporarily_unavailable" {
		t.Errorf("dark: error %q", e)
	}
	// Dark first: even a request that would be refused hears "not yet".
	oauthErrorOf(t, postForm(t, b.DeviceAuthorizationEndpoint, url.Values{"client_id": {"nobody"}}), http.StatusServiceUnavailable)
	b.SetDark(false)
	if a := postForm(t, b.DeviceAuthorizationEndpoint, form); a.status != http.StatusOK {
		t.Errorf("lit: %d %s", a.status, a.body)
	}
	// Logins made before a darkening go on refreshing.
	tok, err := b.IssueLogin("read", "")
	if err != nil {
		t.Fatal(err)
	}
	b.SetDark(true)
	if a := refreshBC5(t, b, tok.RefreshToken, tok.Resource); a.status != http.StatusOK {
		t.Errorf("refresh while dark: %d %s", a.status, a.body)
	}
}

func TestPollOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name string
		act  func(t *testing.T, b *BC5, c *clock, d map[string]any)
		want string // the error, or "" for tokens
	}{
		{"pending", func(*testing.T, *BC5, *clock, map[string]any) {}, "authorization_pending"},
		{"approved", func(t *testing.T, b *BC5, _ *clock, d map[string]any) {
			if err := b.Approve(t.Context(), str(d, "user_code")); err != nil {
				t.Fatal(err)
			}
		}, ""},
		{"denied", func(t *testing.T, b *BC5, _ *clock, d map[string]any) {
			if err := b.Deny(t.Context(), str(d, "user_code")); err != nil {
				t.Fatal(err)
			}
		}, "access_denied"},
		{"expired on the clock", func(_ *testing.T, _ *BC5, c *clock, _ map[string]any) { c.Advance(DefaultDeviceCodeTTL) }, "expired_token"},
		{"expired by ExpireDeviceCodes", func(_ *testing.T, b *BC5, _ *clock, _ map[string]any) { b.ExpireDeviceCodes() }, "expired_token"},
		{"approved, then expired", func(t *testing.T, b *BC5, c *clock, d map[string]any) {
			if err := b.Approve(t.Context(), str(d, "user_code")); err != nil {
				t.Fatal(err)
			}
			c.Advance(DefaultDeviceCodeTTL)
		}, "expired_token"},
		{"unknown code", func(_ *testing.T, _ *BC5, _ *clock, d map[string]any) { d["device_code"] = "nope" }, "invalid_grant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, b, c := startBC5(t, BC5Options{})
			d := startDevice(t, b, url.Values{"scope": {"read"}})
			tc.act(t, b, c, d)
			a := poll(t, b, str(d, "device_code"))
			if tc.want == "" {
				if a.status != http.StatusOK || !strings.HasPrefix(str(decodeObject(t, a.body), "access_token"), "bc_at_") {
					t.Fatalf("poll: %d %s, want tokens", a.status, a.body)
				}
				// A code is traded once.
				c.Advance(5 * time.Second)
				if e, _ := oauthErrorOf(t, poll(t, b, str(d, "device_code")), 400); e != "invalid_grant" {
					t.Errorf("second trade: %q, want invalid_grant", e)
				}
				return
			}
			if e, _ := oauthErrorOf(t, a, http.StatusBadRequest); e != tc.want {
				t.Errorf("error %q, want %q", e, tc.want)
			}
			if late := b.LatePolls(); (tc.want == "expired_token") != (late == 1) {
				t.Errorf("LatePolls() = %d", late)
			}
		})
	}
}

func TestPollingFasterThanTheIntervalSlowsDown(t *testing.T) {
	_, b, c := startBC5(t, BC5Options{})
	code := str(startDevice(t, b, nil), "device_code")
	expect := func(want string) {
		t.Helper()
		if e, _ := oauthErrorOf(t, poll(t, b, code), http.StatusBadRequest); e != want {
			t.Fatalf("error %q, want %q", e, want)
		}
	}
	expect("authorization_pending") // the first poll may come at once
	c.Advance(4 * time.Second)
	expect("slow_down") // the interval is now 10 s
	c.Advance(5 * time.Second)
	expect("slow_down") // 5 s is too soon: now 15 s
	c.Advance(15 * time.Second)
	expect("authorization_pending")
	c.Advance(15 * time.Second)
	expect("authorization_pending")
	if n := b.Polls(); n != 5 {
		t.Errorf("Polls() = %d, want 5", n)
	}
}

func TestPollingSwitches(t *testing.T) {
	_, b, c := startBC5(t, BC5Options{})
	d := startDevice(t, b, nil)
	code := str(d, "device_code")
	if err := b.Approve(t.Context(), str(d, "user_code")); err != nil {
		t.Fatal(err)
	}
	b.TooManyRequests(7 * time.Second)
	b.TooManyRequests(1500 * time.Millisecond)
	b.SlowDownNext(1)
	b.PendingPolls(2)
	interval := 5 * time.Second
	for i, want := range []struct {
		status int
		error  string
	}{
		{429, "too_many_requests"},
		{429, "too_many_requests"},
		{400, "slow_down"},
		{400, "authorization_pending"},
		{400, "authorization_pending"},
		{200, ""},
	} {
		a := poll(t, b, code)
		if a.status != want.status {
			t.Fatalf("poll %d: %d %s, want %d %s", i, a.status, a.body, want.status, want.error)
		}
		if want.status != 200 {
			if e, _ := oauthErrorOf(t, a, want.status); e != want.error {
				t.Fatalf("poll %d: error %q, want %q", i, e, want.error)
			}
		}
		if want.error == "slow_down" {
			interval += 5 * time.Second
		}
		if i < 2 {
			if ra := a.header.Get("Retry-After"); ra != []string{"7", "2"}[i] {
				t.Errorf("poll %d: Retry-After %q", i, ra)
			}
		}
		c.Advance(interval)
	}
}

func TestBC5AutoApprove(t *testing.T) {
	_, b, c := startBC5(t, BC5Options{AutoApprove: true})
	d := startDevice(t, b, nil)
	if codes := b.PendingUserCodes(); len(codes) != 0 {
		t.Errorf("auto-approved codes still pending: %v", codes)
	}
	b.PendingPolls(5)
	if e, _ := oauthErrorOf(t, poll(t, b, str(d, "device_code")), http.StatusBadRequest); e != "authorization_pending" {
		t.Fatalf("with PendingPolls: %q", e)
	}
	b.ClearFaults() // the switches too
	c.Advance(5 * time.Second)
	if a := poll(t, b, str(d, "device_code")); a.status != http.StatusOK {
		t.Fatalf("after ClearFaults: %d %s, want tokens", a.status, a.body)
	}
}

func TestPendingUserCodesInOrder(t *testing.T) {
	_, b, c := startBC5(t, BC5Options{})
	var want []string
	for range 3 {
		want = append(want, str(startDevice(t, b, nil), "user_code"))
	}
	if got := b.PendingUserCodes(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("PendingUserCodes() = %v, want %v", got, want)
	}
	if err := b.Deny(t.Context(), want[1]); err != nil {
		t.Fatal(err)
	}
	if got := b.PendingUserCodes(); strings.Join(got, " ") != want[0]+" "+want[2] {
		t.Errorf("after a denial: %v", got)
	}
	c.Advance(DefaultDeviceCodeTTL)
	if got := b.PendingUserCodes(); len(got) != 0 {
		t.Errorf("after expiry: %v", got)
	}
}
