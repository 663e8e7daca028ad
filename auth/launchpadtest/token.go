package launchpadtest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
)

// The token endpoint's errors, in Launchpad's own mixed styles.
const (
	textMissingClientID = "Missing client_id"
	textCodeExpired     = "code expired"
	textDeadbolt        = "This Basecamp ID rekeyed its deadbolt."
)

// tokenResponse is Launchpad's token answer: no token_type, and no
// refresh_token when refreshing.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

type grant int

const (
	grantUnknown grant = iota
	grantCode
	grantRefresh
)

// grantOf reads the grant from either naming style; both may be sent but
// must then agree.
func grantOf(p url.Values) grant {
	legacy := map[string]grant{"web_server": grantCode, "refresh": grantRefresh}
	standard := map[string]grant{"authorization_code": grantCode, "refresh_token": grantRefresh}
	t, hasT := p["type"]
	gt, hasGT := p["grant_type"]
	switch {
	case hasT && hasGT:
		if a, b := legacy[first(t)], standard[first(gt)]; a == b {
			return a
		}
		return grantUnknown
	case hasT:
		return legacy[first(t)]
	case hasGT:
		return standard[first(gt)]
	}
	return grantUnknown
}

// token trades a code or a refresh token for an access token. Parameters
// come from the query and the form body alike (r.Form, filled in by
// logTokenRequest); client credentials are read from them only, never from
// Basic auth.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeText(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	p := r.Form
	clientID := p.Get("client_id")
	if clientID == "" {
		writeText(w, http.StatusBadRequest, textMissingClientID)
		return
	}
	if clientID != s.opts.ClientID || p.Get("client_secret") != s.opts.ClientSecret {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	switch grantOf(p) {
	case grantCode:
		s.exchangeCode(w, p)
	case grantRefresh:
		s.refreshToken(w, p)
	default:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
	}
}

// exchangeCode trades a code, once. A redirect_uri mismatch leaves the code
// usable, so a client can correct itself within the code's lifetime.
func (s *Server) exchangeCode(w http.ResponseWriter, p url.Values) {
	access, refresh := newToken(), newToken()
	code := p.Get("code")
	now := s.opts.Now()
	s.mu.Lock()
	grant, ok := s.codes[code]
	if ok && !now.Before(grant.expiry) {
		delete(s.codes, code)
		ok = false
	}
	if !ok {
		s.mu.Unlock()
		writeText(w, http.StatusBadRequest, textCodeExpired)
		return
	}
	if p.Get("redirect_uri") != s.opts.RedirectURI {
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "redirect_uri does not match"})
		return
	}
	delete(s.codes, code)
	s.access[access] = issued{now.Add(s.opts.AccessTTL), grant.who}
	s.refresh[refresh] = issued{now.Add(s.opts.RefreshTTL), grant.who}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken:  access,
		ExpiresIn:    int64(s.opts.AccessTTL.Seconds()),
		RefreshToken: refresh,
	})
}

// refreshToken issues a new access token. The refresh token stays valid and
// is not repeated in the answer, as with the real Launchpad, unless
// Options.RotateRefreshTokens asks for a new one each time.
func (s *Server) refreshToken(w http.ResponseWriter, p url.Values) {
	access := newToken()
	var rotated string
	if s.opts.RotateRefreshTokens {
		rotated = newToken()
	}
	rt := p.Get("refresh_token")
	now := s.opts.Now()
	s.mu.Lock()
	if s.revoked[rt] {
		s.mu.Unlock()
		writeText(w, http.StatusBadRequest, textDeadbolt)
		return
	}
	grant, ok := s.refresh[rt]
	if !ok || !now.Before(grant.expiry) {
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "authorization_expired"})
		return
	}
	s.access[access] = issued{now.Add(s.opts.AccessTTL), grant.who}
	if rotated != "" {
		delete(s.refresh, rt)
		s.refresh[rotated] = issued{now.Add(s.opts.RefreshTTL), grant.who}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken:  access,
		ExpiresIn:    int64(s.opts.AccessTTL.Seconds()),
		RefreshToken: rotated,
	})
}

// newToken returns an opaque token shaped like Launchpad's signed Rails
// messages. It holds '+', '/' and '=' on purpose: a client that forgets to
// form-encode it fails here, not only in production.
func newToken() string {
	payload := make([]byte, 31)
	sig := make([]byte, 20)
	rand.Read(payload) // never fails since Go 1.24
	rand.Read(sig)
	return "BAhb" + base64.StdEncoding.EncodeToString(payload) + "--" + hex.EncodeToString(sig)
}

// newCode returns an authorization code.
func newCode() string {
	b := make([]byte, 10)
	rand.Read(b)
	return hex.EncodeToString(b)
}
