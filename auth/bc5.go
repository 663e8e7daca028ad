package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// BC5 is Basecamp's standards-based authorization server: a public client
// (a client id, no secret), the device login, rotating refresh tokens
// bound to an account by an RFC 8707 resource indicator, and revocation.
// Everything it needs is here and in device.go and revoke.go; a *Client
// whose Config.Server is a BC5 one speaks it, and nothing else.

// ErrBC5NotConfigured means BC5 was chosen but no client id for it is set.
var ErrBC5NotConfigured = errors.New("the API host uses Basecamp's new authorization server (BC5), and no client is configured for it: register one with Basecamp and set " + SettingBC5ClientID)

// ErrNotForBC5 is a Launchpad step (the browser login, a code exchange)
// asked of a client for a BC5 server, which logs in with StartDevice.
var ErrNotForBC5 = errors.New("this login goes through Basecamp's new authorization server (BC5), which uses a device code, not the browser's redirect")

// ErrNotBC5 is a BC5 step (the device login) asked of a Launchpad client.
var ErrNotBC5 = errors.New("the device login is offered by Basecamp's new authorization server (BC5), and this client is for Launchpad")

// validateBC5 checks a BC5 configuration whose defaults are filled in.
func (c Config) validateBC5(needClient bool) error {
	if needClient {
		id := strings.TrimSpace(c.ClientID)
		if id == "" {
			return ErrBC5NotConfigured
		}
		if strings.ContainsFunc(c.ClientID, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
			return settingError(SettingBC5ClientID, "the BC5 client id must be printable ASCII without spaces")
		}
	}
	s := c.Server
	if err := CheckOrigin(SettingIssuer, s.Issuer); err != nil {
		return err
	}
	if s.Resource != "" {
		if err := CheckOrigin(SettingResource, s.Resource); err != nil {
			return err
		}
	}
	if s.TokenEndpoint == "" {
		return settingError(SettingIssuer, "the BC5 server %q has no token endpoint", s.Issuer)
	}
	for _, e := range []struct{ name, v string }{
		{"token endpoint", s.TokenEndpoint},
		{"device authorization endpoint", s.DeviceAuthorizationEndpoint},
		{"revocation endpoint", s.RevocationEndpoint},
		{"authorization.json address", s.AuthorizationURL},
	} {
		if e.v == "" {
			continue
		}
		if why := endpointProblem(e.v); why != "" {
			return settingError(SettingIssuer, "the BC5 server's %s %q is not usable: %s", e.name, Redact(e.v), why)
		}
	}
	return nil
}

// Resource is the RFC 8707 resource indicator a BC5 token is bound to
// (urn:bc:account:<id>), "" when none.
func Resource(tok *oauth2.Token) string {
	if tok == nil {
		return ""
	}
	s, _ := tok.Extra("resource").(string)
	return s
}

// WithResource is a copy of tok bound to resource ("" for none), as a
// store gives it back: the resource is kept among the token's extras, the
// only ones of which bcauth keeps are it and "scope".
func WithResource(tok *oauth2.Token, resource string) *oauth2.Token {
	extra := map[string]any{}
	if s, ok := tok.Extra("scope").(string); ok && s != "" {
		extra["scope"] = s
	}
	if resource != "" {
		extra["resource"] = resource
	}
	return tok.WithExtra(extra)
}

// bc5Post posts form to a BC5 endpoint through the guarded client, and
// reads at most maxAnswerBytes of the answer. A network failure comes
// back as it is, for the caller to judge.
func (c *Client) bc5Post(ctx context.Context, endpoint string, form url.Values) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.issuer.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	if err != nil {
		return resp, nil, err
	}
	if len(body) > maxAnswerBytes {
		return resp, nil, fmt.Errorf("the answer is larger than %d KiB", maxAnswerBytes>>10)
	}
	return resp, body, nil
}

// oauthErrorCode is the "error" member of an RFC 6749 error answer, "" if
// there is none.
func oauthErrorCode(body []byte) string {
	var j struct {
		Error any `json:"error"`
	}
	if t := bytes.TrimSpace(body); len(t) > 0 && t[0] == '{' && json.Unmarshal(t, &j) == nil {
		s, _ := j.Error.(string)
		return s
	}
	return ""
}

// bc5Error is a BC5 endpoint's failure, in the words it answered.
func (c *Client) bc5Error(op Op, resp *http.Response, body []byte) *LaunchpadError {
	issuer := c.cfg.Server.Issuer
	if isRedirect(resp.StatusCode) {
		le := redirectError(op, resp)
		le.Server = issuer
		where := "an address it did not give"
		if u, err := resp.Location(); err == nil && u.Host != "" {
			where = u.Host
		}
		le.Err = fmt.Errorf("redirected to %s, which bcauth does not follow, so that no code or token goes to another address", where)
		return le
	}
	text := ErrorText(body)
	return &LaunchpadError{Op: op, Status: resp.StatusCode, Text: text, Server: issuer,
		Kind:       classifyBC5(op, resp.StatusCode, oauthErrorCode(body), text),
		RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now())}
}

// classifyBC5 decides what a person should do about a BC5 endpoint's
// failure. BC5 speaks RFC 6749, so its error code decides, not phrases.
func classifyBC5(op Op, status int, code, text string) Kind {
	switch {
	case status >= 500 || status == http.StatusTooManyRequests || status == http.StatusRequestTimeout:
		return KindRetry
	case code == "invalid_client" || code == "unauthorized_client":
		return KindConfig
	case op == OpRefresh && (code == "invalid_grant" || strings.Contains(strings.ToLower(text), "reuse detected")):
		// The refresh token is dead, or was presented after it was
		// replaced, which ends the whole login.
		return KindRelogin
	case code == "invalid_request":
		// Such as a refresh token for several accounts sent without
		// the resource: the request is wrong, not the login.
		return KindOther
	case status == http.StatusUnauthorized && code == "":
		return KindUnexpected
	}
	return KindOther
}

// bc5Advice is LaunchpadError.Advice for a BC5 server's answer.
func (e *LaunchpadError) bc5Advice() string {
	switch e.Kind {
	case KindRelogin:
		return e.Server + " no longer accepts this login: log in again (bcauth login)."
	case KindRetry:
		return "This is probably temporary: check the network and try again."
	case KindConfig:
		return "Check the client id in " + SettingBC5ClientID + ": it must be one registered with " + e.Server + "."
	case KindUnexpected:
		return "Check that " + SettingResource + ", if set, is Basecamp's API host (a proxy or a captive portal may have answered in its place), then try again."
	}
	return ""
}

// malformed is a success answer bcauth cannot read.
func (c *Client) malformed(op Op, status int, why string) *LaunchpadError {
	return &LaunchpadError{Op: op, Status: status, Kind: KindUnexpected, Server: c.cfg.Server.Issuer, Text: why}
}

// seconds reads a duration in whole seconds from 1 to 2,147,483, which is
// what BC5 may send; anything else is malformed.
func seconds(raw json.RawMessage) (time.Duration, bool) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || !(t[0] == '-' || (t[0] >= '0' && t[0] <= '9')) {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(t), 64)
	if err != nil || f != math.Trunc(f) || f < 1 || f > 2147483 {
		return 0, false
	}
	return time.Duration(f) * time.Second, true
}

// optionalString reads a member that is absent, null or a string; ok is
// false for anything else.
func optionalString(doc map[string]json.RawMessage, key string) (s string, present, ok bool) {
	raw, there := doc[key]
	if !there || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return "", false, true
	}
	if !isJSONString(raw) || json.Unmarshal(raw, &s) != nil {
		return "", true, false
	}
	return s, true, true
}

// parseBC5Token reads a successful token answer (device grant or
// refresh). The expiry is dated by the client's clock.
func (c *Client) parseBC5Token(op Op, status int, body []byte) (*oauth2.Token, error) {
	var doc map[string]json.RawMessage
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' || json.Unmarshal(t, &doc) != nil {
		return nil, &LaunchpadError{Op: op, Status: status, Kind: KindUnexpected, Server: c.cfg.Server.Issuer, Text: firstLine(body)}
	}
	tok := &oauth2.Token{}
	var ok bool
	var present bool
	if tok.AccessToken, _, ok = optionalString(doc, "access_token"); !ok || tok.AccessToken == "" {
		return nil, c.malformed(op, status, "an answer without an access token")
	}
	if tok.TokenType, _, ok = optionalString(doc, "token_type"); !ok {
		return nil, c.malformed(op, status, "a token_type that is not a string")
	}
	if tok.TokenType == "" {
		tok.TokenType = "Bearer"
	}
	if tok.RefreshToken, _, ok = optionalString(doc, "refresh_token"); !ok {
		return nil, c.malformed(op, status, "a refresh_token that is not a string")
	}
	if raw, there := doc["expires_in"]; there && !bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		d, ok := seconds(raw)
		if !ok {
			return nil, c.malformed(op, status, "an expires_in that is not whole seconds from 1 to 2147483")
		}
		tok.ExpiresIn = int64(d / time.Second)
		tok.Expiry = c.now().Add(d)
	}
	scope, _, ok := optionalString(doc, "scope")
	if !ok {
		return nil, c.malformed(op, status, "a scope that is not a string")
	}
	resource, present, ok := optionalString(doc, "resource")
	if !ok || (present && resource == "") {
		return nil, c.malformed(op, status, "a resource that is empty or not a string")
	}
	extra := map[string]any{}
	if scope != "" {
		extra["scope"] = scope
	}
	if resource != "" {
		extra["resource"] = resource
	}
	tok = tok.WithExtra(extra)
	if err := unusable(op, tok, &answer{status: status}); err != nil {
		err.(*LaunchpadError).Server = c.cfg.Server.Issuer
		return nil, err
	}
	return tok, nil
}

// MalformedRotationError is a BC5 refresh answer bcauth cannot use (an
// expires_in out of range, a resource of the wrong type…) that carries a
// new refresh token all the same. The issuer replaced the old one when it
// answered, so the new one is the login now: a [TokenSource] saves it in
// place of the old (the access token as it was) and returns Err, and the
// next refresh presents the new one, never the spent one.
type MalformedRotationError struct {
	Err error
	// Replacement is the answer's refresh token. Never print it.
	Replacement string
}

func (e *MalformedRotationError) Error() string {
	return e.Err.Error() + " (its new refresh token was kept, so the login is not lost)"
}

func (e *MalformedRotationError) Unwrap() error { return e.Err }

// replacement is the refresh token a BC5 token answer carries, as a
// non-empty string a refresh token can be (VSCHAR, at most
// maxRefreshToken bytes), whatever else is wrong with the answer; ""
// when there is none to keep.
func replacement(body []byte) string {
	var doc map[string]json.RawMessage
	if json.Unmarshal(bytes.TrimSpace(body), &doc) != nil {
		return ""
	}
	rt, present, ok := optionalString(doc, "refresh_token")
	if !present || !ok || rt == "" || len(rt) > maxRefreshToken ||
		strings.ContainsFunc(rt, func(r rune) bool { return r < ' ' || r >= 0x7f }) {
		return ""
	}
	return rt
}

// maxRefreshToken bounds a refresh token bcauth keeps: far above any
// real one, far below an answer's cap.
const maxRefreshToken = 64 << 10

// spent reports whether a token answer names a refresh token other than
// sent, of any shape: the one sent is then replaced at the issuer.
func spent(body []byte, sent string) bool {
	var doc map[string]json.RawMessage
	if json.Unmarshal(bytes.TrimSpace(body), &doc) != nil {
		return false
	}
	raw, ok := doc["refresh_token"]
	if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return false
	}
	var rt string
	return json.Unmarshal(raw, &rt) != nil || rt != sent
}

// refreshBC5 trades a refresh token at BC5's token endpoint, with the
// resource the login is bound to. The answer's refresh token replaces the
// old one (BC5 rotates them); its resource, when it names one, replaces
// the stored one.
func (c *Client) refreshBC5(ctx context.Context, refreshToken, resource string) (*oauth2.Token, error) {
	done, err := c.guardFingerprint(ctx, c.fingerprint())
	if err != nil {
		return nil, err
	}
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {refreshToken},
		"client_id":     {c.cfg.ClientID},
	}
	if resource != "" {
		form.Set("resource", resource)
	}
	resp, body, err := c.bc5Post(ctx, c.cfg.Server.TokenEndpoint, form)
	switch {
	case err != nil && errors.Is(err, context.Canceled):
		return nil, err
	case err != nil:
		err = &LaunchpadError{Op: OpRefresh, Kind: KindRetry, Server: c.cfg.Server.Issuer, Err: err}
		done(err)
		return nil, err
	case resp.StatusCode != http.StatusOK:
		err := withoutSecrets(c.bc5Error(OpRefresh, resp, body), refreshToken)
		done(err)
		return nil, err
	}
	done(nil)
	tok, err := c.parseBC5Token(OpRefresh, resp.StatusCode, body)
	if err != nil {
		if next := replacement(body); next != "" && next != refreshToken {
			return nil, &MalformedRotationError{Err: withoutSecrets(err, refreshToken, next), Replacement: next}
		}
		if spent(body, refreshToken) {
			// The answer replaced the refresh token with one that cannot
			// be kept: the old one is spent at the issuer, and sent again
			// it would have the login revoked. A refusal, recorded as one.
			return nil, &LaunchpadError{Op: OpRefresh, Status: resp.StatusCode, Kind: KindRelogin, Server: c.cfg.Server.Issuer,
				Text: "the server replaced the refresh token with one bcauth cannot keep, so the old one is spent (" + withoutSecrets(err, refreshToken).Error() + ")"}
		}
		return nil, withoutSecrets(err, refreshToken)
	}
	if tok.RefreshToken == "" {
		tok.RefreshToken = refreshToken
	}
	if Resource(tok) == "" && resource != "" {
		tok = WithResource(tok, resource)
	}
	return tok, nil
}

// fingerprint is what the token guard keys this client's holds by: for
// BC5 the client id and the issuer (there is no secret or redirect URI).
func (c *Client) fingerprint() string {
	if c.cfg.Server.IsBC5() {
		return Fingerprint(c.cfg.ClientID, "", "", c.cfg.Server.Issuer)
	}
	return Fingerprint(c.cfg.ClientID, c.cfg.ClientSecret, c.cfg.RedirectURI, c.cfg.LaunchpadURL)
}
