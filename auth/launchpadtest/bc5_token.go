package launchpadtest

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// A login on BC5 is what one approved device code becomes: the person, the
// scope, the accounts it covers, and a chain of refresh tokens of which
// only the last is alive. Access tokens are kept in the Server's own map
// too, so authorization.json and the product APIs take them.

// bc5Login is one login (one grant) and every token it was given.
type bc5Login struct {
	who      person
	scope    string
	accounts []string // the resource indicators its refresh tokens cover
	resource string   // the one the device grant's answer named, if any
	current  string   // the refresh token alive now
	access   map[string]bool
	revoked  string // why it was revoked, once it was
}

// bc5Refresh is one refresh token of a login, alive or replaced.
type bc5Refresh struct {
	login      *bc5Login
	expiry     time.Time
	replaced   bool
	replacedAt time.Time
}

// bc5Access is one live access token's login and scope.
type bc5Access struct {
	login *bc5Login
	scope string
}

// The descriptions of invalid_grant that tests and clients single out.
const (
	// BC5ReuseDetected is the error_description of a refresh refused
	// because a replaced refresh token came back: the login is revoked.
	BC5ReuseDetected = "token reuse detected"
	bc5Revoked       = "the login was revoked"
)

// token answers the token endpoint: the device grant's polls and
// refreshes. It never redirects.
func (b *BC5) token(w http.ResponseWriter, r *http.Request, p url.Values) {
	if !b.checkClient(w, r, p) {
		return
	}
	switch gt := p.Get("grant_type"); gt {
	case deviceCodeGrant:
		b.poll(w, p)
	case "refresh_token":
		b.refreshGrant(w, p)
	case "":
		writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "grant_type is missing"})
	default:
		writeJSON(w, http.StatusBadRequest, oauthError{"unsupported_grant_type", "this issuer takes " + deviceCodeGrant + " and refresh_token, not " + gt})
	}
}

// poll answers one poll of the device grant (RFC 8628 §3.4-3.5).
func (b *BC5) poll(w http.ResponseWriter, p url.Values) {
	code := p.Get("device_code")
	if code == "" {
		writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "device_code is missing"})
		return
	}
	now := b.now()
	s := b.s
	s.mu.Lock()
	d := b.devices[code]
	switch {
	case d == nil:
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, oauthError{"invalid_grant", "unknown device_code"})
		return
	case d.state == deviceRedeemed:
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, oauthError{"invalid_grant", "the device_code was used already"})
		return
	case !now.Before(d.expiry):
		b.stats.latePolls++
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, oauthError{"expired_token", "the device_code has expired: start again"})
		return
	}
	tooFast := d.polled && now.Sub(d.lastPoll) < d.interval
	d.polled, d.lastPoll = true, now
	if len(b.tooMany) > 0 {
		retry := b.tooMany[0]
		b.tooMany = b.tooMany[1:]
		s.mu.Unlock()
		w.Header().Set("Retry-After", strconv.FormatInt(int64(wholeSeconds(retry, 0)/time.Second), 10))
		writeJSON(w, http.StatusTooManyRequests, oauthError{"too_many_requests", "too many requests: wait Retry-After seconds"})
		return
	}
	forced := b.slowDown > 0
	if forced {
		b.slowDown--
	}
	if forced || tooFast {
		d.interval += slowDownIncrease
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, oauthError{"slow_down", "polling too fast: add 5 seconds to the interval"})
		return
	}
	if d.state == deviceApproved && b.pending > 0 {
		b.pending--
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, oauthError{"authorization_pending", "waiting for the person to approve"})
		return
	}
	switch d.state {
	case devicePending:
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, oauthError{"authorization_pending", "waiting for the person to approve"})
		return
	case deviceDenied:
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, oauthError{"access_denied", "the person declined"})
		return
	}
	d.state = deviceRedeemed
	login, err := b.newLoginLocked(d.who, d.scope, d.resource)
	if err != nil {
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, oauthError{"invalid_target", err.Error()})
		return
	}
	answer := b.issueLocked(login, login.scope, login.resource, now, "")
	edit := b.editToken
	s.mu.Unlock()
	b.writeTokenAnswer(w, answer, edit)
}

// newLoginLocked starts a login for who: bound to resource when one was
// asked for, else covering all of who's accounts, its answer naming the
// first. The caller holds s.mu.
func (b *BC5) newLoginLocked(who person, scope, resource string) (*bc5Login, error) {
	_, accounts := b.s.personLocked(who)
	var all []string
	for _, a := range accounts {
		if urn := "urn:bc:account:" + strconv.FormatInt(a.ID, 10); !slices.Contains(all, urn) {
			all = append(all, urn)
		}
	}
	login := &bc5Login{who: who, scope: scope, accounts: all, access: map[string]bool{}}
	switch {
	case resource != "" && !slices.Contains(all, resource):
		return nil, fmt.Errorf("%s is not an account of the person who approved", resource)
	case resource != "":
		login.accounts, login.resource = []string{resource}, resource
	case len(all) > 0:
		login.resource = all[0]
	}
	b.logins++
	return login, nil
}

// issueLocked gives login a new access token of scope, and a new refresh
// token unless keep names the one to hand out again, and returns the
// answer, naming resource when it is not empty. The caller holds s.mu.
func (b *BC5) issueLocked(login *bc5Login, scope, resource string, now time.Time, keep string) map[string]any {
	access := "bc_at_" + randomString(24)
	expiry := now.Add(b.opts.AccessTTL)
	b.s.access[access] = issued{expiry, login.who}
	b.tokens[access] = &bc5Access{login, scope}
	login.access[access] = true
	refresh := keep
	if refresh == "" {
		refresh = "bc_rt_" + randomString(32)
		b.refresh[refresh] = &bc5Refresh{login: login, expiry: now.Add(b.s.opts.RefreshTTL)}
		login.current = refresh
	}
	answer := map[string]any{
		"access_token":  access,
		"token_type":    "Bearer",
		"expires_in":    int64(b.opts.AccessTTL / time.Second),
		"refresh_token": refresh,
		"scope":         scope,
	}
	if resource != "" {
		answer["resource"] = resource
	}
	return answer
}

func (b *BC5) writeTokenAnswer(w http.ResponseWriter, answer map[string]any, edit func(map[string]any)) {
	if edit != nil {
		edit(answer)
	}
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, answer)
}

// refreshGrant rotates a refresh token: every answer carries a new one and
// the old one dies. A replaced one presented again within the grace window
// gets the current one back; later, it revokes the whole login.
func (b *BC5) refreshGrant(w http.ResponseWriter, p url.Values) {
	token := p.Get("refresh_token")
	if token == "" {
		writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "refresh_token is missing"})
		return
	}
	now := b.now()
	s := b.s
	s.mu.Lock()
	rt := b.refresh[token]
	refuse := func(status int, e oauthError) {
		s.mu.Unlock()
		writeJSON(w, status, e)
	}
	switch {
	case rt == nil:
		refuse(http.StatusBadRequest, oauthError{"invalid_grant", "unknown refresh token"})
		return
	case rt.login.revoked != "":
		refuse(http.StatusBadRequest, oauthError{"invalid_grant", rt.login.revoked})
		return
	case !now.Before(rt.expiry):
		refuse(http.StatusBadRequest, oauthError{"invalid_grant", "the refresh token has expired"})
		return
	}
	login := rt.login
	inGrace := false
	if rt.replaced {
		if now.Sub(rt.replacedAt) >= b.grace {
			b.stats.reuses++
			b.revokeLoginLocked(login, BC5ReuseDetected)
			refuse(http.StatusBadRequest, oauthError{"invalid_grant", BC5ReuseDetected})
			return
		}
		inGrace = true
	}
	resource := p.Get("resource")
	switch {
	case p.Has("resource") && !slices.Contains(login.accounts, resource):
		refuse(http.StatusBadRequest, oauthError{"invalid_target", "resource " + strconv.Quote(resource) + " is not an account this login covers"})
		return
	case !p.Has("resource") && len(login.accounts) > 1:
		refuse(http.StatusBadRequest, oauthError{"invalid_request", "resource is required: this refresh token covers several accounts"})
		return
	}
	scope := login.scope
	if p.Has("scope") {
		scope = p.Get("scope")
		if scope != login.scope && scope != "read" {
			refuse(http.StatusBadRequest, oauthError{"invalid_scope", "scope may only narrow the login's " + login.scope})
			return
		}
	}
	keep := ""
	if inGrace {
		keep = login.current
		b.stats.graceReuses++
	} else {
		rt.replaced, rt.replacedAt = true, now
		b.stats.refreshUses++
	}
	answer := b.issueLocked(login, scope, resource, now, keep)
	edit := b.editToken
	s.mu.Unlock()
	b.writeTokenAnswer(w, answer, edit)
}

// revokeLoginLocked ends login: its access tokens die at once, its refresh
// tokens are refused with why. The caller holds s.mu.
func (b *BC5) revokeLoginLocked(login *bc5Login, why string) {
	if login.revoked != "" {
		return
	}
	login.revoked = why
	for t := range login.access {
		delete(b.s.access, t)
		delete(b.tokens, t)
	}
	clear(login.access)
	b.stats.revokedLogins++
}

// revokeBC5Locked revokes every BC5 login, as changing the password does;
// the caller holds s.mu.
func (s *Server) revokeBC5Locked() {
	b := s.bc5
	if b == nil {
		return
	}
	for _, rt := range b.refresh {
		b.revokeLoginLocked(rt.login, bc5Revoked)
	}
}

// EditTokenAnswers makes edit change every successful token answer (device
// grant and refresh), a fresh map each time, just before it is sent: no
// resource, an empty or numeric resource, no refresh_token, an empty
// access_token. The login itself is unchanged. Nil stops the editing.
func (b *BC5) EditTokenAnswers(edit func(answer map[string]any)) {
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	b.editToken = edit
}

// BC5Tokens is a login's tokens as IssueLogin hands them out.
type BC5Tokens struct {
	AccessToken, RefreshToken string
	// Expiry is the access token's, on the fake's clock.
	Expiry time.Time
	Scope  string
	// Resource is what the token answer's resource would say ("" for none).
	Resource string
}

// IssueLogin makes a login for the first person as if a device code had
// just been approved and traded, for client tests of refreshing that need
// no device flow. scope is "read" or "full"; resource "" covers all the
// person's accounts (a multi-account refresh token when they have several),
// else binds the login to that one account.
func (b *BC5) IssueLogin(scope, resource string) (BC5Tokens, error) {
	if _, ok := scopeOf(url.Values{"scope": {scope}}); !ok {
		return BC5Tokens{}, fmt.Errorf("launchpadtest: scope %q is neither read nor full", scope)
	}
	now := b.now()
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	login, err := b.newLoginLocked(personFirst, scope, resource)
	if err != nil {
		return BC5Tokens{}, errors.New("launchpadtest: " + err.Error())
	}
	a := b.issueLocked(login, scope, login.resource, now, "")
	return BC5Tokens{
		AccessToken: a["access_token"].(string), RefreshToken: a["refresh_token"].(string),
		Expiry: now.Add(b.opts.AccessTTL), Scope: scope, Resource: login.resource,
	}, nil
}

// Polls returns how many device code polls reached the token endpoint,
// faulted and refused ones included.
func (b *BC5) Polls() int { return b.stat(func(st bc5Stats) int { return st.polls }) }

// LatePolls returns how many polls came for a device code already past its
// expiry, which a client never sends once it knows.
func (b *BC5) LatePolls() int { return b.stat(func(st bc5Stats) int { return st.latePolls }) }

// RefreshRequests returns how many token requests asked to refresh,
// faulted and refused ones included.
func (b *BC5) RefreshRequests() int {
	return b.stat(func(st bc5Stats) int { return st.refreshRequests })
}

// RefreshTokenUses returns how many refreshes rotated a live refresh token
// (answers within the reuse grace window not included).
func (b *BC5) RefreshTokenUses() int { return b.stat(func(st bc5Stats) int { return st.refreshUses }) }

// GraceReuses returns how many refreshes presented a replaced refresh
// token within the grace window, and were answered.
func (b *BC5) GraceReuses() int { return b.stat(func(st bc5Stats) int { return st.graceReuses }) }

// ReuseDetected returns how many times a replaced refresh token came back
// after the grace window, each revoking its login.
func (b *BC5) ReuseDetected() int { return b.stat(func(st bc5Stats) int { return st.reuses }) }

// Logins returns how many logins the issuer started (device codes traded,
// IssueLogin).
func (b *BC5) Logins() int {
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	return b.logins
}

// Revoked reports whether any login has been revoked: by reuse detection,
// by the revocation endpoint, or by Server.RevokeAll.
func (b *BC5) Revoked() bool { return b.RevokedLogins() > 0 }

// RevokedLogins returns how many logins have been revoked.
func (b *BC5) RevokedLogins() int { return b.stat(func(st bc5Stats) int { return st.revokedLogins }) }

// Revocations returns how many revocation requests killed a live token.
func (b *BC5) Revocations() int { return b.stat(func(st bc5Stats) int { return st.revocation }) }

func (b *BC5) stat(f func(bc5Stats) int) int {
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	return f(b.stats)
}

// bc5ScopeRefuses answers 403, and reports true, when the request's
// Bearer token is a BC5 token of scope read and the request would change
// something: read sees, full changes.
func (s *Server) bc5ScopeRefuses(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return false
	}
	token, _ := bearer(r)
	s.mu.Lock()
	var scope string
	if s.bc5 != nil {
		if a := s.bc5.tokens[token]; a != nil {
			scope = a.scope
		}
	}
	s.mu.Unlock()
	if scope != "read" {
		return false
	}
	w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_scope", scope="full"`)
	writeJSON(w, http.StatusForbidden, oauthError{"insufficient_scope", "this token's scope is read: log in with scope full to change anything"})
	return true
}
