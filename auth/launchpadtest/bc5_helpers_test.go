package launchpadtest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// startBC5 runs a fake with a BC5 issuer for one test, on a clock the test
// moves by hand.
func startBC5(t *testing.T, opts BC5Options) (*Server, *BC5, *clock) {
	t.Helper()
	return startBC5On(t, Options{}, opts)
}

// startBC5On is startBC5 with the Server's options (their clock replaced).
func startBC5On(t *testing.T, sopts Options, opts BC5Options) (*Server, *BC5, *clock) {
	t.Helper()
	c := newClock()
	sopts.Now = c.Now
	s := start(t, sopts)
	b, err := s.StartBC5(opts)
	if err != nil {
		t.Fatalf("StartBC5: %v", err)
	}
	t.Cleanup(b.Close)
	return s, b, c
}

// postForm posts form to target as an OAuth client does.
func postForm(t *testing.T, target string, form url.Values) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "launchpadtest-test")
	return do(t, req)
}

// oauthErrorOf is an error answer's error and error_description, failing
// the test unless the status is want.
func oauthErrorOf(t *testing.T, a answer, want int) (string, string) {
	t.Helper()
	if a.status != want {
		t.Fatalf("status %d, want %d: %s", a.status, want, a.body)
	}
	m := decodeObject(t, a.body)
	e, _ := m["error"].(string)
	d, _ := m["error_description"].(string)
	return e, d
}

// startDevice asks for a device code with scope ("" sends none) and
// returns the answer.
func startDevice(t *testing.T, b *BC5, extra url.Values) map[string]any {
	t.Helper()
	form := url.Values{"client_id": {b.Options().ClientID}}
	for k, v := range extra {
		form[k] = v
	}
	a := postForm(t, b.DeviceAuthorizationEndpoint, form)
	if a.status != http.StatusOK {
		t.Fatalf("device authorization: %d %s", a.status, a.body)
	}
	return decodeObject(t, a.body)
}

// poll polls the token endpoint once for deviceCode.
func poll(t *testing.T, b *BC5, deviceCode string) answer {
	t.Helper()
	return postForm(t, b.TokenEndpoint, url.Values{
		"grant_type":  {deviceCodeGrant},
		"device_code": {deviceCode},
		"client_id":   {b.Options().ClientID},
	})
}

// deviceLogin runs the whole device grant, approved as person ("" for the
// page's choice), and returns the token answer.
func deviceLogin(t *testing.T, b *BC5, person string, extra url.Values) map[string]any {
	t.Helper()
	d := startDevice(t, b, extra)
	var err error
	if person == "" {
		err = b.Approve(t.Context(), d["user_code"].(string))
	} else {
		err = b.ApproveAs(t.Context(), d["user_code"].(string), person)
	}
	if err != nil {
		t.Fatalf("approve: %v", err)
	}
	a := poll(t, b, d["device_code"].(string))
	if a.status != http.StatusOK {
		t.Fatalf("poll after approval: %d %s", a.status, a.body)
	}
	return decodeObject(t, a.body)
}

// refreshBC5 refreshes with rt, sending resource unless it is "".
func refreshBC5(t *testing.T, b *BC5, rt, resource string) answer {
	t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {b.Options().ClientID}}
	if resource != "" {
		form.Set("resource", resource)
	}
	return postForm(t, b.TokenEndpoint, form)
}

// getAuthorizationAt asks the authorization.json at target about token.
func getAuthorizationAt(t *testing.T, target, token, userAgent string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("User-Agent", userAgent)
	return do(t, req)
}

// identityOf asks authorization.json at target about token and returns the
// identity's email address, or "" with the status when it refuses.
func identityOf(t *testing.T, target, token string) (string, int) {
	t.Helper()
	a := getAuthorizationAt(t, target, token, "launchpadtest-test")
	if a.status != http.StatusOK {
		return "", a.status
	}
	email, _ := decodeObject(t, a.body)["identity"].(map[string]any)["email_address"].(string)
	return email, a.status
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}
