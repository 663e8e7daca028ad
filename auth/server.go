package auth

// Server names the authorization server a login belongs to. Discovery
// fills it in once, at login; the store keeps it with the login, so a
// refresh, `token`, `status` or `api` never asks the API host again which
// server to use.
//
// The zero Server is Launchpad at the configured LaunchpadURL, which is
// what every login stored before BC5 existed means.
type Server struct {
	// Kind is ServerLaunchpad or ServerBC5.
	Kind ServerKind `json:"kind,omitempty"`
	// Issuer is the server's identifier: the RFC 8414 issuer on BC5, the
	// base URL on Launchpad. Empty on Launchpad means the configured one.
	Issuer string `json:"issuer,omitempty"`
	// The endpoints BC5's metadata named (empty on Launchpad, whose
	// endpoints are built from its base URL).
	TokenEndpoint               string `json:"token_endpoint,omitempty"`
	DeviceAuthorizationEndpoint string `json:"device_authorization_endpoint,omitempty"`
	RevocationEndpoint          string `json:"revocation_endpoint,omitempty"`
	// AuthorizationURL is where "who am I" (authorization.json) is asked
	// for this login's tokens: {issuer}/authorization.json on BC5.
	AuthorizationURL string `json:"authorization_url,omitempty"`
	// Resource is the API origin discovery started from (RFC 9728), so
	// the login can say which one it was found through.
	Resource string `json:"resource,omitempty"`
	// Scope is what the login was granted ("read" or "full" on BC5,
	// empty on Launchpad, which has no scopes).
	Scope string `json:"scope,omitempty"`
	// Note is why this server, when that needs saying: a soft fallback
	// to Launchpad, discovery skipped, or BC5 there but no BC5 client.
	Note string `json:"note,omitempty"`
}

// ServerKind tells the two servers apart where a person must be told
// which one a login uses; code never branches on it outside auth.
type ServerKind string

const (
	ServerLaunchpad ServerKind = "launchpad"
	ServerBC5       ServerKind = "bc5"
)

// IsBC5 reports whether s is a BC5 issuer rather than Launchpad.
func (s Server) IsBC5() bool { return s.Kind == ServerBC5 }

// Name is how a person sees the server: "Launchpad" or the issuer's URL.
func (s Server) Name() string {
	if s.IsBC5() {
		return s.Issuer
	}
	return "Launchpad"
}
