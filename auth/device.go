package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// The scopes a BC5 login asks for.
const (
	ScopeRead = "read"
	ScopeFull = "full"
)

// Device login timing (RFC 8628).
const (
	// DefaultDeviceInterval is the pause between polls when the server
	// names none.
	DefaultDeviceInterval = 5 * time.Second
	// slowDownStep is what each slow_down adds to the interval.
	slowDownStep = 5 * time.Second
	// maxTimeoutBackoff bounds the pause after polls that timed out.
	maxTimeoutBackoff = 60 * time.Second
)

// ErrBC5Dark means BC5 answered a new login with 503: it is built but not
// enabled yet. It is no protocol failure; Launchpad still logs in.
var ErrBC5Dark = errors.New("the new authorization server (BC5) is not enabled yet (it answered 503 Service Unavailable): try again later")

// ErrDeviceExpired means the device code ran out before the login was
// approved: start again for a new one.
var ErrDeviceExpired = errors.New("the code expired before the login was approved: start again for a new code")

// DeviceCode is a started device login: what to show the person, and how
// long it lasts. The device code itself, the secret that claims the
// login, is kept unexported, and never printed or logged.
type DeviceCode struct {
	// UserCode is what the person types at VerificationURI.
	UserCode string
	// VerificationURI is where to type it; VerificationURIComplete, when
	// the server gives one, carries the code already.
	VerificationURI         string
	VerificationURIComplete string
	// Issued is when the answer arrived (the client's clock); the code
	// expires at Expires, measured from then, not from when it is shown.
	Issued, Expires time.Time
	// Interval is the pause between polls the server asked for.
	Interval time.Duration
	// Scope is what was asked for: ScopeRead or ScopeFull.
	Scope string

	deviceCode string
}

// String names the code without its secret.
func (d DeviceCode) String() string {
	return fmt.Sprintf("device login %s at %s, expires %s", d.UserCode, d.VerificationURI, d.Expires.Format(time.RFC3339))
}

// GoString is String: %#v would otherwise print the device code.
func (d DeviceCode) GoString() string { return d.String() }

// LogValue keeps the device code out of structured logs.
func (d DeviceCode) LogValue() slog.Value { return slog.StringValue(d.String()) }

// StartDevice starts a device login on BC5 (RFC 8628), asking for scope
// (ScopeRead or ScopeFull; it is always sent, since the server would pick
// read). A 503 is [ErrBC5Dark]. An answer with a duration that is not
// whole seconds from 1 to 2,147,483, or without a code or an address, is
// refused.
func (c *Client) StartDevice(ctx context.Context, scope string) (*DeviceCode, error) {
	if !c.cfg.Server.IsBC5() {
		return nil, ErrNotBC5
	}
	if scope != ScopeRead && scope != ScopeFull {
		return nil, fmt.Errorf("a BC5 login asks for the scope %q or %q, not %q", ScopeRead, ScopeFull, scope)
	}
	ep := c.cfg.Server.DeviceAuthorizationEndpoint
	if ep == "" {
		return nil, settingError(SettingIssuer, "the BC5 server %q offers no device login", c.cfg.Server.Issuer)
	}
	resp, body, err := c.bc5Post(ctx, ep, url.Values{"client_id": {c.cfg.ClientID}, "scope": {scope}})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &LaunchpadError{Op: OpDevice, Kind: KindRetry, Server: c.cfg.Server.Issuer, Err: err}
	}
	issued := c.now()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusServiceUnavailable:
		return nil, ErrBC5Dark
	default:
		return nil, c.bc5Error(OpDevice, resp, body)
	}
	dc, life, why := parseDeviceCode(body)
	if why != "" {
		return nil, c.malformed(OpDevice, resp.StatusCode, why)
	}
	dc.Scope = scope
	dc.Issued, dc.Expires = issued, issued.Add(life)
	return dc, nil
}

// Bounds on a device authorization answer's strings: a user code is typed
// by a person (RFC 8628 suggests 8 characters), an address is shown, copied
// and opened; a device code is only ever sent back.
const (
	maxUserCode        = 64
	maxVerificationURI = 2048
	maxDeviceCode      = 4096
)

// visibleASCII reports whether s is all printable ASCII, no space.
func visibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// parseDeviceCode reads a device authorization answer and the code's
// lifetime; why says what is wrong with it.
func parseDeviceCode(body []byte) (dc *DeviceCode, life time.Duration, why string) {
	var doc map[string]json.RawMessage
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' || json.Unmarshal(t, &doc) != nil {
		return nil, 0, "an answer that is not a JSON object: " + firstLine(body)
	}
	dc = &DeviceCode{Interval: DefaultDeviceInterval}
	for _, f := range []struct {
		key      string
		to       *string
		required bool
		address  bool
		most     int // bytes
	}{
		{"device_code", &dc.deviceCode, true, false, maxDeviceCode},
		{"user_code", &dc.UserCode, true, false, maxUserCode},
		{"verification_uri", &dc.VerificationURI, true, true, maxVerificationURI},
		{"verification_uri_complete", &dc.VerificationURIComplete, false, true, maxVerificationURI},
	} {
		s, present, ok := optionalString(doc, f.key)
		switch {
		case !ok || (present && s == ""):
			return nil, 0, "a " + f.key + " that is empty or not a string"
		case f.required && !present:
			return nil, 0, "an answer without " + f.key
		case len(s) > f.most:
			return nil, 0, fmt.Sprintf("a %s of %d bytes (at most %d)", f.key, len(s), f.most)
		case !visibleASCII(s):
			// Shown, copied and handed to a browser: nothing but what
			// prints as itself (a real address percent-encodes the rest).
			return nil, 0, "a " + f.key + " with characters other than visible ASCII"
		case present && f.address && endpointProblem(s) != "":
			return nil, 0, "a " + f.key + " that is no web address: " + endpointProblem(s)
		}
		*f.to = s
	}
	raw, ok := doc["expires_in"]
	if !ok {
		return nil, 0, "an answer without expires_in"
	}
	life, ok = seconds(raw)
	if !ok {
		return nil, 0, "an expires_in that is not whole seconds from 1 to 2147483"
	}
	if raw, ok := doc["interval"]; ok {
		if dc.Interval, ok = seconds(raw); !ok {
			return nil, 0, "an interval that is not whole seconds from 1 to 2147483"
		}
	}
	return dc, life, ""
}

// PollDevice waits for the person to approve the device login and returns
// the token. It asks the token endpoint every Interval, adding 5 s for
// each slow_down (for every later poll too), waiting max(interval,
// Retry-After) once after a 429 too_many_requests, and backing off,
// doubling up to 60 s, after a poll that timed out. A denial is a
// *DeniedError, the code's end (said by the server, or reached before
// the next poll, which is then never sent) [ErrDeviceExpired]. Only a
// 200 with an access token is a login; a redirect or any other answer
// ends the wait. When ctx ends, PollDevice returns its error at once and
// sends nothing more.
func (c *Client) PollDevice(ctx context.Context, dc *DeviceCode) (*oauth2.Token, error) {
	if !c.cfg.Server.IsBC5() {
		return nil, ErrNotBC5
	}
	if dc == nil || dc.deviceCode == "" {
		return nil, errors.New("PollDevice needs a device code from StartDevice")
	}
	interval := dc.Interval
	if interval <= 0 {
		interval = DefaultDeviceInterval
	}
	form := url.Values{"grant_type": {deviceGrant}, "device_code": {dc.deviceCode}, "client_id": {c.cfg.ClientID}}
	next, backoff := interval, interval
	for {
		if left := dc.Expires.Sub(c.now()); next >= left {
			// The code ends before the next poll may be sent: wait for
			// its end (a person may still be reading it), never post.
			if left > 0 {
				if err := c.wait(ctx, left); err != nil {
					return nil, err
				}
			}
			return nil, ErrDeviceExpired
		}
		if err := c.wait(ctx, next); err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !c.now().Before(dc.Expires) {
			return nil, ErrDeviceExpired
		}
		next = interval
		resp, body, err := c.bc5Post(ctx, c.cfg.Server.TokenEndpoint, form)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				backoff = max(interval, min(2*backoff, maxTimeoutBackoff))
				next = backoff
				continue
			}
			return nil, &LaunchpadError{Op: OpPoll, Kind: KindRetry, Server: c.cfg.Server.Issuer, Err: err}
		}
		backoff = interval
		if resp.StatusCode == http.StatusOK {
			tok, err := c.parseBC5Token(OpPoll, resp.StatusCode, body)
			if err != nil {
				return nil, withoutSecrets(err, dc.deviceCode)
			}
			return tok, nil
		}
		code := oauthErrorCode(body)
		client := resp.StatusCode >= 400 && resp.StatusCode < 500
		switch {
		case resp.StatusCode == http.StatusBadRequest && code == "authorization_pending":
		case resp.StatusCode == http.StatusBadRequest && code == "slow_down":
			interval += slowDownStep
			next, backoff = interval, interval
		case resp.StatusCode == http.StatusTooManyRequests && code == "too_many_requests":
			next = max(interval, retryAfter(resp.Header.Get("Retry-After"), c.now()))
		case client && code == "access_denied":
			return nil, &DeniedError{Code: code, Description: strings.ReplaceAll(errorDescription(body), dc.deviceCode, "[redacted]")}
		case client && code == "expired_token":
			return nil, ErrDeviceExpired
		case resp.StatusCode >= 200 && resp.StatusCode < 300:
			return nil, c.malformed(OpPoll, resp.StatusCode, fmt.Sprintf("an answer of status %d, which is no login", resp.StatusCode))
		default:
			return nil, withoutSecrets(c.bc5Error(OpPoll, resp, body), dc.deviceCode)
		}
	}
}

// errorDescription is an error answer's error_description, if any.
func errorDescription(body []byte) string {
	var j struct {
		Description any `json:"error_description"`
	}
	if json.Unmarshal(bytes.TrimSpace(body), &j) != nil {
		return ""
	}
	s, _ := j.Description.(string)
	return s
}
