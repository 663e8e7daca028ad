package launchpadtest

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Every BC5 endpoint takes the Launchpad side's faults, counted the same.
func TestBC5Faults(t *testing.T) {
	s, b, _ := startBC5(t, BC5Options{})
	tok, _ := b.IssueLogin("read", "")
	requests := map[BC5Endpoint]func() answer{
		BC5ResourceMetadata: func() answer { return get(t, s.URL+"/.well-known/oauth-protected-resource") },
		BC5IssuerMetadata:   func() answer { return get(t, b.Issuer+"/.well-known/oauth-authorization-server") },
		BC5Device: func() answer {
			return postForm(t, b.DeviceAuthorizationEndpoint, url.Values{"client_id": {BC5ClientID}})
		},
		BC5Token:         func() answer { return refreshBC5(t, b, "bc_rt_nope", "") },
		BC5Revoke:        func() answer { return postForm(t, b.RevocationEndpoint, revokeForm("x", "")) },
		BC5Authorization: func() answer { return getAuthorizationAt(t, b.AuthorizationURL, tok.AccessToken, "t") },
		BC5Page:          func() answer { return get(t, b.VerificationURI) },
	}
	for e, request := range requests {
		t.Run(string(e), func(t *testing.T) {
			usual := request().status
			b.InjectFault(e, Fault{Status: 503, Body: "Service Unavailable", Header: http.Header{"Retry-After": {"3"}}, Times: 2})
			b.InjectFault(e, Fault{Status: 302, Header: http.Header{"Location": {"http://127.0.0.1:1/elsewhere"}}, Times: 1})
			before := b.Requests(e)
			for i, want := range []int{503, 503, 302, usual} {
				a := request()
				if a.status != want {
					t.Errorf("request %d: %d %s, want %d", i, a.status, a.body, want)
				}
				if want == 503 && (a.body != "Service Unavailable" || a.header.Get("Retry-After") != "3") {
					t.Errorf("request %d: body %q Retry-After %q", i, a.body, a.header.Get("Retry-After"))
				}
			}
			if n := b.Requests(e) - before; n != 4 {
				t.Errorf("counted %d, want 4", n)
			}
			b.InjectFault(e, Fault{Status: 500})
			b.ClearFaults()
			if a := request(); a.status != usual {
				t.Errorf("after ClearFaults: %d", a.status)
			}
		})
	}
}

func TestBC5FaultDelayAndClose(t *testing.T) {
	_, b, _ := startBC5(t, BC5Options{})
	const delay = 30 * time.Millisecond
	b.InjectFault(BC5IssuerMetadata, Fault{Delay: delay, Times: 1})
	began := time.Now()
	if a := get(t, b.Issuer+"/.well-known/oauth-authorization-server"); a.status != http.StatusOK || time.Since(began) < delay {
		t.Errorf("delay-only fault: %d after %v", a.status, time.Since(began))
	}

	b.InjectFault(BC5Token, Fault{Status: 200, Body: "too late", Delay: time.Hour})
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, b.TokenEndpoint, strings.NewReader("grant_type=refresh_token"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := noFollow.Do(req)
		if err == nil {
			resp.Body.Close()
			err = errors.New(resp.Status)
		}
		done <- err
	}()
	Eventually(t, "the delayed request to arrive", func() bool { return b.Requests(BC5Token) > 0 })
	b.Close()
	b.Close() // twice is fine
	if err := <-done; err == nil || err.Error() == "200 OK" {
		t.Errorf("delayed request got %v, want a dropped connection", err)
	}
}

// Issue 22's rule for the Launchpad side holds here too: a flood of forms
// keeps a bounded log of bounded entries.
func TestBC5RequestLogIsBounded(t *testing.T) {
	_, b, _ := startBC5(t, BC5Options{})
	form := url.Values{"client_id": {strings.Repeat("c", 4<<10)}}
	for i := range 40 {
		form.Set("p"+strconv.Itoa(i), "v")
	}
	for range maxBC5Log + maxBC5Log/2 + 10 {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, b.RevocationEndpoint, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	log := b.RequestLog(BC5Revoke)
	if len(log) < maxBC5Log/2 || len(log) > maxBC5Log+maxBC5Log/2 {
		t.Errorf("%d requests logged, want between %d and %d", len(log), maxBC5Log/2, maxBC5Log+maxBC5Log/2)
	}
	if e := log[len(log)-1].Body; len(e) > maxLoggedParams || len(e.Get("client_id")) > loggedBytes {
		t.Errorf("an entry keeps %d parameters, client_id of %d bytes", len(e), len(e.Get("client_id")))
	}
}

func TestTooManyDeviceCodesAreRefused(t *testing.T) {
	_, b, c := startBC5(t, BC5Options{})
	// Fill the table directly: ten thousand requests would only be slower.
	b.s.mu.Lock()
	for i := range maxBC5UserCodes {
		d := &deviceCode{code: "d" + strconv.Itoa(i), user: "U" + strconv.Itoa(i), expiry: c.Now().Add(time.Minute)}
		b.devices[d.code] = d
		b.userCodes[normalUserCode(d.user)] = d
	}
	b.s.mu.Unlock()
	form := url.Values{"client_id": {BC5ClientID}}
	if e, _ := oauthErrorOf(t, postForm(t, b.DeviceAuthorizationEndpoint, form), http.StatusTooManyRequests); e != "too_many_requests" {
		t.Errorf("error %q", e)
	}
	// Once they have been expired a lifetime, they are swept.
	c.Advance(time.Minute + DefaultDeviceCodeTTL)
	if a := postForm(t, b.DeviceAuthorizationEndpoint, form); a.status != http.StatusOK {
		t.Errorf("after the sweep: %d %s", a.status, a.body)
	}
}
