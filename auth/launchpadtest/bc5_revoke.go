package launchpadtest

import (
	"net/http"
	"net/url"
)

// revoke answers the revocation endpoint (RFC 7009): 200 whether or not
// the token was known, so that nobody learns which tokens exist. A refresh
// token ends its whole login; an access token ends alone. token_type_hint
// is only a hint: the fake looks everywhere.
func (b *BC5) revoke(w http.ResponseWriter, r *http.Request, p url.Values) {
	if !b.checkClient(w, r, p) {
		return
	}
	token := p.Get("token")
	if token == "" {
		writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "token is missing"})
		return
	}
	s := b.s
	s.mu.Lock()
	if rt := b.refresh[token]; rt != nil {
		if rt.login.revoked == "" {
			b.stats.revocation++
			b.revokeLoginLocked(rt.login, bc5Revoked)
		}
	} else if a := b.tokens[token]; a != nil {
		b.stats.revocation++
		delete(s.access, token)
		delete(b.tokens, token)
		delete(a.login.access, token)
	}
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}
