package auth

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Discovery's defaults and the settings that change them.
const (
	// DefaultResource is Basecamp's API host, where discovery starts.
	DefaultResource = "https://3.basecampapi.com"
	// SettingResource is the API host's origin (Basecamp's CLI reads the
	// same variable).
	SettingResource = "BASECAMP_BASE_URL"
	// SettingIssuer pins the authorization server to use, which the API
	// host must advertise.
	SettingIssuer = "BASECAMP_OAUTH_ISSUER"
	// SettingBC5ClientID is the client id registered with BC5 (a public
	// client: there is no secret).
	SettingBC5ClientID = "BCAUTH_BC5_CLIENT_ID"
)

const (
	// discoveryTimeout bounds each discovery request.
	discoveryTimeout = 10 * time.Second
	// maxMetadataBytes is how much of a metadata document is read: the
	// read stops one byte past it.
	maxMetadataBytes = 256 << 10
	// deviceGrant is RFC 8628's grant type.
	deviceGrant = "urn:ietf:params:oauth:grant-type:device_code"
)

// DiscoveryConfig says where discovery starts and what it may use.
type DiscoveryConfig struct {
	// Resource is the API host's origin; DefaultResource when empty.
	Resource string
	// Issuer pins the authorization server; empty lets discovery choose.
	Issuer string
	// LaunchpadURL is the configured Launchpad base URL, whose origin
	// counts as Launchpad when advertised; DefaultLaunchpadURL when empty.
	LaunchpadURL string
	// HTTPClient sends the requests (its timeout is cut to discovery's
	// own); a plain client when nil. Requests to an advertised issuer go
	// through a guarded copy (see [Config.HTTPClient]).
	HTTPClient *http.Client
	// UserAgent is sent on every request; DefaultUserAgent() when empty.
	UserAgent string

	// lookup, set by tests, resolves issuer hosts for the dial guard.
	lookup lookupFunc
}

// Discovery is the authorization server discovery chose, and why.
type Discovery struct {
	// Server is the server chosen: Launchpad, or a BC5 issuer with the
	// endpoints its metadata names.
	Server Server
	// Fallback, when Launchpad was chosen because discovery could not
	// choose anything else, says why, for a person: "the API host's
	// metadata could not be read: …". Server.Note says it too.
	Fallback string
	// Advertised are the authorization servers the API host named, each
	// once, in its order: empty (not nil) when its metadata named none,
	// nil when it was not read (it could not be, or Launchpad was pinned).
	Advertised []string
}

// DiscoveryError is discovery failing in a way that must not fall back
// to Launchpad: the API host advertised something unusable, or two
// servers, or not the one pinned. Setting names what a person may check.
type DiscoveryError struct {
	Setting string
	Reason  string
	// Err is the underlying failure, if any (such as ErrPrivateAddress).
	Err error
}

func (e *DiscoveryError) Error() string { return e.Reason + ": check " + e.Setting }

func (e *DiscoveryError) Unwrap() error { return e.Err }

// Discover asks the API host which authorization server to use (RFC 9728)
// and, when it names one other than Launchpad, reads that server's
// metadata (RFC 8414). It falls back to Launchpad only before a BC5
// issuer is chosen; from then on every failure is a *DiscoveryError, and
// nothing is sent to Launchpad. A configured origin that is not one is a
// *SettingError, and nothing is fetched.
func Discover(ctx context.Context, cfg DiscoveryConfig) (*Discovery, error) {
	resource := cmp.Or(cfg.Resource, DefaultResource)
	if err := CheckOrigin(SettingResource, resource); err != nil {
		return nil, err
	}
	if cfg.Issuer != "" {
		if err := CheckOrigin(SettingIssuer, cfg.Issuer); err != nil {
			return nil, err
		}
	}
	launchpad := cmp.Or(cfg.LaunchpadURL, DefaultLaunchpadURL)
	d := &discoverer{cfg: cfg, resource: resource, launchpad: originKey(launchpad)}
	d.init()
	if cfg.Issuer != "" && d.isLaunchpad(cfg.Issuer) {
		// Launchpad needs no advertising: it is what "none" means.
		return &Discovery{Server: Server{Kind: ServerLaunchpad, Resource: resource}}, nil
	}

	advertised, err := d.protectedResource(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		why := "the API host's metadata could not be read: " + err.Error()
		if cfg.Issuer != "" {
			return nil, &DiscoveryError{Setting: SettingIssuer, Err: err,
				Reason: fmt.Sprintf("the authorization server %q was pinned, but %s", cfg.Issuer, why)}
		}
		return &Discovery{Server: Server{Kind: ServerLaunchpad, Resource: resource, Note: why}, Fallback: why}, nil
	}
	out := &Discovery{Advertised: advertised}
	var others []string
	for _, s := range advertised {
		if !d.isLaunchpad(s) {
			others = append(others, s)
		}
	}
	var issuer string
	switch {
	case cfg.Issuer != "":
		if !slices.Contains(advertised, cfg.Issuer) {
			return nil, &DiscoveryError{Setting: SettingIssuer,
				Reason: fmt.Sprintf("the authorization server %q was pinned, but the API host %s advertises %s", cfg.Issuer, resource, listed(advertised))}
		}
		issuer = cfg.Issuer
	case len(others) == 0:
		out.Fallback = "the API host advertises no authorization server but Launchpad"
		out.Server = Server{Kind: ServerLaunchpad, Resource: resource, Note: out.Fallback}
		return out, nil
	case len(others) > 1:
		return nil, &DiscoveryError{Setting: SettingIssuer,
			Reason: fmt.Sprintf("the API host %s advertises %d authorization servers (%s), and bcauth does not guess which one to use", resource, len(others), strings.Join(quoteAll(others), ", "))}
	default:
		issuer = others[0]
	}
	srv, err := d.authorizationServer(ctx, issuer)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	out.Server = *srv
	return out, nil
}

// CheckOrigin checks that raw, the value of setting, is an origin and
// nothing more: https (http only for a loopback host), a host, an
// optional port in 1–65535, a path that is empty or "/", and no query,
// fragment or user info. Anything else is a *SettingError naming setting.
func CheckOrigin(setting, raw string) error {
	if why := originProblem(raw); why != "" {
		return &SettingError{Setting: setting, Reason: fmt.Sprintf("%q is not an origin: %s", Redact(raw), why)}
	}
	return nil
}

// originProblem says what keeps raw from being an origin ("" if nothing).
func originProblem(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "it does not parse as a URL"
	}
	if u.Scheme == "" || u.Opaque != "" || !strings.HasPrefix(raw[len(u.Scheme):], "://") {
		return "it needs https:// and a host, such as " + DefaultResource
	}
	host := u.Hostname()
	switch {
	case u.User != nil || strings.Contains(authorityOf(raw), "@"):
		return "it must carry no user information"
	case host == "":
		return "it has no host"
	case !IsASCII(host) || strings.Contains(host, "%"):
		return "its host must be plain ASCII (punycode for other names), with no zone"
	case strings.HasSuffix(u.Host, ":"):
		return "its port is empty"
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "its port must be from 1 to 65535"
		}
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && IsLoopbackHost(host):
	default:
		return "it must use https (plain http only on a loopback host)"
	}
	switch {
	case u.Path != "" && u.Path != "/", u.RawPath != "":
		return "it must have no path (at most a single /)"
	case u.RawQuery != "" || u.ForceQuery:
		return "it must have no query"
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return "it must have no fragment"
	}
	return ""
}

// originKey is raw's scheme, lower-cased host and port (the scheme's own
// when none is written), "" when raw does not parse as an absolute URL.
func originKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
	}
	return u.Scheme + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// discoverer holds what one discovery needs.
type discoverer struct {
	cfg       DiscoveryConfig
	resource  string
	launchpad string // originKey of the configured Launchpad
	api       *http.Client
	issuers   *http.Client // guarded: see guardedHTTP
}

func (d *discoverer) init() {
	hc := d.cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	api := *hc
	if api.Timeout == 0 || api.Timeout > discoveryTimeout {
		api.Timeout = discoveryTimeout
	}
	api.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	ua := cmp.Or(d.cfg.UserAgent, DefaultUserAgent())
	issuers := guardedHTTP(&api, dialGuard{allowLoopback: loopbackOrigin(d.resource), lookup: d.cfg.lookup})
	issuers.Transport = userAgent{next: issuers.Transport, ua: ua}
	api.Transport = userAgent{next: api.Transport, ua: ua}
	d.api, d.issuers = &api, issuers
}

// isLaunchpad reports whether an advertised server is the configured
// Launchpad: an origin (a look-alike with a path is not) of the same
// scheme, host and port.
func (d *discoverer) isLaunchpad(s string) bool {
	return originProblem(s) == "" && d.launchpad != "" && originKey(s) == d.launchpad
}

// protectedResource is step 1: the servers the API host advertises, each
// once. Any error means step 1 failed (a soft failure).
func (d *discoverer) protectedResource(ctx context.Context) ([]string, error) {
	doc, err := fetchMetadata(ctx, d.api, strings.TrimSuffix(d.resource, "/")+"/.well-known/oauth-protected-resource")
	if err != nil {
		return nil, err
	}
	res, ok := doc["resource"]
	var s string
	if !ok || json.Unmarshal(res, &s) != nil || !isJSONString(res) {
		return nil, errors.New("it names no resource")
	}
	if s != d.resource {
		return nil, fmt.Errorf("it describes %q, not %q", s, d.resource)
	}
	out := []string{} // read: not nil, even when it names none
	raw, ok := doc["authorization_servers"]
	if !ok {
		return out, nil
	}
	var items []json.RawMessage
	if bytes.Equal(raw, []byte("null")) || json.Unmarshal(raw, &items) != nil {
		return nil, errors.New("its authorization_servers is not a list")
	}
	for _, it := range items {
		var s string
		if !isJSONString(it) || json.Unmarshal(it, &s) != nil {
			return nil, errors.New("its authorization_servers holds something that is not a string")
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

// authorizationServer is step 2, for the issuer chosen: every failure is
// a hard one.
func (d *discoverer) authorizationServer(ctx context.Context, issuer string) (*Server, error) {
	hard := func(err error, format string, args ...any) error {
		return &DiscoveryError{Setting: SettingResource, Err: err,
			Reason: fmt.Sprintf("the API host %s advertises the authorization server %q, ", d.resource, issuer) + fmt.Sprintf(format, args...)}
	}
	if why := originProblem(issuer); why != "" {
		return nil, hard(nil, "which is not an origin: %s", why)
	}
	doc, err := fetchMetadata(ctx, d.issuers, strings.TrimSuffix(issuer, "/")+"/.well-known/oauth-authorization-server")
	if err != nil {
		return nil, hard(err, "whose metadata could not be read: %v", err)
	}
	srv, err := parseServerMetadata(doc, issuer)
	if err != nil {
		return nil, hard(err, "whose metadata %v", err)
	}
	srv.Resource = d.resource
	return srv, nil
}

// parseServerMetadata reads an RFC 8414 document for issuer.
func parseServerMetadata(doc map[string]json.RawMessage, issuer string) (*Server, error) {
	var got string
	if raw, ok := doc["issuer"]; !ok || !isJSONString(raw) || json.Unmarshal(raw, &got) != nil {
		return nil, errors.New("names no issuer")
	}
	if got != issuer {
		return nil, fmt.Errorf("calls its issuer %q", got)
	}
	// Every endpoint present must be a non-empty string.
	endpoints := map[string]string{}
	for k, raw := range doc {
		if !strings.HasSuffix(k, "_endpoint") {
			continue
		}
		var s string
		if !isJSONString(raw) || json.Unmarshal(raw, &s) != nil || s == "" {
			return nil, fmt.Errorf("has an empty or invalid %s", k)
		}
		endpoints[k] = s
	}
	if endpoints["token_endpoint"] == "" {
		return nil, errors.New("has no token_endpoint, which every authorization server must name")
	}
	for _, k := range []string{"token_endpoint", "device_authorization_endpoint", "revocation_endpoint"} {
		if v, ok := endpoints[k]; ok {
			if why := endpointProblem(v); why != "" {
				return nil, fmt.Errorf("has a %s that is not usable: %s", k, why)
			}
		}
	}
	var grants []string
	raw, listsGrants := doc["grant_types_supported"]
	if listsGrants && (json.Unmarshal(raw, &grants) != nil || bytes.Equal(raw, []byte("null"))) {
		return nil, errors.New("has a grant_types_supported that is not a list of strings")
	}
	// The document is well formed; what the device login needs is
	// checked only now, so a malformed one is told as malformed.
	if endpoints["device_authorization_endpoint"] == "" {
		return nil, errors.New("has no device_authorization_endpoint, which the device login needs")
	}
	if listsGrants && !slices.Contains(grants, deviceGrant) {
		return nil, errors.New("does not offer the device login (" + deviceGrant + ")")
	}
	return &Server{
		Kind:                        ServerBC5,
		Issuer:                      issuer,
		TokenEndpoint:               endpoints["token_endpoint"],
		DeviceAuthorizationEndpoint: endpoints["device_authorization_endpoint"],
		RevocationEndpoint:          endpoints["revocation_endpoint"],
		AuthorizationURL:            strings.TrimSuffix(issuer, "/") + "/authorization.json",
	}, nil
}

// endpointProblem says what keeps raw from being an endpoint credentials
// may be posted to: an absolute https URL (http only on a loopback host)
// without user information or fragment. A query is allowed (RFC 6749).
func endpointProblem(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "it does not parse as a URL"
	case u.Host == "" || u.Opaque != "":
		return "it is not an absolute URL"
	case u.User != nil || strings.Contains(authorityOf(raw), "@"):
		return "it carries user information"
	case !IsASCII(u.Hostname()) || strings.Contains(u.Hostname(), "%"):
		return "its host must be plain ASCII, with no zone"
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return "it has a fragment"
	case u.Scheme == "https", u.Scheme == "http" && IsLoopbackHost(u.Hostname()):
		return ""
	}
	return "it must use https"
}

// fetchMetadata GETs a metadata document under a short timeout, follows
// no redirect, reads at most maxMetadataBytes, and returns its members.
func fetchMetadata(ctx context.Context, hc *http.Client, u string) (map[string]json.RawMessage, error) {
	ctx, cancel := context.WithTimeout(ctx, discoveryTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is said by whoever reports it
		}
		return nil, err
	}
	defer resp.Body.Close()
	if isRedirect(resp.StatusCode) {
		where := "an address it did not give"
		if l, err := resp.Location(); err == nil && l.Host != "" {
			where = l.Host
		}
		return nil, fmt.Errorf("it redirected to %s, which is not followed", where)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("it answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	if resp.ContentLength > maxMetadataBytes {
		return nil, fmt.Errorf("it is larger than %d KiB", maxMetadataBytes>>10)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadataBytes+1))
	if err != nil {
		return nil, fmt.Errorf("it was cut short: %w", err)
	}
	if len(body) > maxMetadataBytes {
		return nil, fmt.Errorf("it is larger than %d KiB", maxMetadataBytes>>10)
	}
	var doc map[string]json.RawMessage
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' || json.Unmarshal(t, &doc) != nil {
		return nil, errors.New("it is not a JSON object")
	}
	return doc, nil
}

// authorityOf is what stands between "://" and the path, query or
// fragment of raw: where user information would be, "@" included.
func authorityOf(raw string) string {
	_, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return ""
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// isJSONString reports whether raw is a JSON string (not null, not a
// number).
func isJSONString(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && t[0] == '"'
}

// loopbackOrigin reports whether an origin's host is loopback: only then
// may the issuers it advertises be loopback too.
func loopbackOrigin(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && IsLoopbackHost(u.Hostname())
}

func listed(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return "only " + strings.Join(quoteAll(s), ", ")
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = strconv.Quote(v)
	}
	return out
}
