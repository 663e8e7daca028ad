package launchpadtest

import (
	"net/http"
	"slices"
)

// Discovery, as bc5.md tells it: the resource origin's protected-resource
// metadata (RFC 9728) names the issuer, whose authorization-server metadata
// (RFC 8414) names its endpoints. The switches here make either document
// say something else, for the rows of discovery's table.

// protectedResource serves the resource origin's RFC 9728 metadata. It
// names no authorization server while BC5 is not started or is dark, as
// production leaves the key out while BC5 is dark.
func (s *Server) protectedResource(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeText(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	doc := map[string]any{
		"resource":                 s.URL,
		"bearer_methods_supported": []string{"header"},
		"scopes_supported":         []string{"read", "full"},
	}
	var edit func(map[string]any)
	s.mu.Lock()
	if b := s.bc5; b != nil {
		if !b.dark {
			if b.advertised != nil {
				doc["authorization_servers"] = slices.Clone(b.advertised)
			} else {
				doc["authorization_servers"] = []string{b.Issuer}
			}
		}
		edit = b.editResource
	}
	s.mu.Unlock()
	if edit != nil {
		edit(doc)
	}
	writeJSON(w, http.StatusOK, doc)
}

// metadata serves the issuer's RFC 8414 metadata: a device-only server,
// so no authorization_endpoint.
func (b *BC5) metadata(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeText(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	doc := map[string]any{
		"issuer":                                     b.Issuer,
		"token_endpoint":                             b.TokenEndpoint,
		"device_authorization_endpoint":              b.DeviceAuthorizationEndpoint,
		"revocation_endpoint":                        b.RevocationEndpoint,
		"grant_types_supported":                      []string{deviceCodeGrant, "refresh_token"},
		"scopes_supported":                           []string{"read", "full"},
		"token_endpoint_auth_methods_supported":      []string{"none"},
		"revocation_endpoint_auth_methods_supported": []string{"none"},
	}
	b.s.mu.Lock()
	edit := b.editMetadata
	b.s.mu.Unlock()
	if edit != nil {
		edit(doc)
	}
	writeJSON(w, http.StatusOK, doc)
}

// AdvertiseIssuers makes the resource origin's metadata list issuers as
// its authorization_servers, in order: two issuers, none ([]), Launchpad's
// origin, a malformed origin. Nil restores the default, this issuer alone.
// While the issuer is dark the key is left out all the same; a null or a
// non-array value is SetResourceMetadata's.
func (b *BC5) AdvertiseIssuers(issuers []string) {
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	if issuers == nil {
		b.advertised = nil
		return
	}
	b.advertised = append([]string{}, issuers...)
}

// SetResourceMetadata makes edit change the resource origin's metadata
// document, a fresh map each time, just before it is sent: a resource
// that differs, "authorization_servers": null or a number, a key removed.
// Nil stops the editing.
func (b *BC5) SetResourceMetadata(edit func(doc map[string]any)) {
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	b.editResource = edit
}

// SetMetadata makes edit change the issuer's metadata document, a fresh
// map each time, just before it is sent: an issuer that differs, an
// endpoint missing or empty, grant types without the device grant. Nil
// stops the editing.
func (b *BC5) SetMetadata(edit func(doc map[string]any)) {
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	b.editMetadata = edit
}
