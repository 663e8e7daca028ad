package auth

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Defaults for a client that does not say otherwise.
const (
	DefaultLaunchpadURL = "https://launchpad.37signals.com"
	// DefaultRedirectURI is the loopback address Basecamp's official CLI
	// registers; bcauth suggests the same.
	DefaultRedirectURI = "http://127.0.0.1:8976/callback"
	// ProjectURL is the contact bcauth puts in its User-Agent.
	ProjectURL = "https://github.com/bcauth/bcauth"
)

// Version is bcauth's version, set by main at build time.
var Version = "dev"

// DefaultUserAgent names the app and a contact, which Basecamp's APIs require.
func DefaultUserAgent() string { return "bcauth/" + Version + " (" + ProjectURL + ")" }

// Config is a Launchpad client registration plus where to reach Launchpad.
type Config struct {
	ClientID     string
	ClientSecret string
	// ClientSecretFunc, when ClientSecret is empty, reads the secret the
	// first time Launchpad needs it (a code exchange or a refresh): bcauth
	// keeps it in the OS keyring when asked, and a run that only reads
	// what is stored should not wait for the keyring.
	ClientSecretFunc func(context.Context) (string, error)
	// RedirectURI must equal, byte for byte, the one registered for the client.
	RedirectURI string
	// LaunchpadURL is Launchpad's base URL; DefaultLaunchpadURL when empty.
	LaunchpadURL string
	// UserAgent is sent on every request; DefaultUserAgent() when empty.
	UserAgent string
	// HTTPClient is used for every request; a client with a 30 s timeout
	// when nil. New works on a copy that never follows redirects, and
	// leaves this one as it is. Requests to a BC5 server go through a
	// copy whose every connection is judged (see [ErrPrivateAddress]):
	// its transport, when an *http.Transport, is cloned with the guard
	// and without a proxy; any other RoundTripper cannot be guarded and
	// is not used for them.
	HTTPClient *http.Client
	// Server is the authorization server the client speaks to, as
	// Discover chose it or the store kept it; the zero Server is
	// Launchpad at LaunchpadURL. With a BC5 server only ClientID (the
	// client id registered with BC5, SettingBC5ClientID) is needed:
	// ClientSecret and RedirectURI are Launchpad's, and never sent to it.
	Server Server
}

// Setting names, as a person sets them, used in error messages.
const (
	SettingClientID     = "BASECAMP_OAUTH_CLIENT_ID"
	SettingClientSecret = "BASECAMP_OAUTH_CLIENT_SECRET"
	SettingRedirectURI  = "BASECAMP_OAUTH_REDIRECT_URI"
	SettingLaunchpadURL = "BASECAMP_LAUNCHPAD_URL"
	// SettingToken is an access token from the environment, used instead
	// of the stored login and never refreshed.
	SettingToken = "BASECAMP_TOKEN"
)

// ErrNotConfigured means no client id or secret is known yet.
var ErrNotConfigured = errors.New("no Launchpad client is configured: register one at https://launchpad.37signals.com/integrations and set " + SettingClientID + " and " + SettingClientSecret + " (or run bcauth to enter them)")

// SettingError is a client setting that does not validate. Setting is the
// environment variable that sets it, so a caller can say where to fix it.
type SettingError struct {
	Setting string // SettingRedirectURI or SettingLaunchpadURL
	Reason  string
}

func (e *SettingError) Error() string { return e.Reason + ": check " + e.Setting }

func settingError(setting, format string, args ...any) error {
	return &SettingError{Setting: setting, Reason: fmt.Sprintf(format, args...)}
}

// withDefaults fills empty fields.
func (c Config) withDefaults() Config {
	if c.LaunchpadURL == "" {
		c.LaunchpadURL = DefaultLaunchpadURL
	}
	c.LaunchpadURL = strings.TrimRight(c.LaunchpadURL, "/")
	if c.RedirectURI == "" {
		c.RedirectURI = DefaultRedirectURI
	}
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent()
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if c.Server.IsBC5() {
		// A public client: Launchpad's secret must never reach BC5.
		c.ClientSecret, c.ClientSecretFunc = "", nil
		if c.Server.AuthorizationURL == "" && c.Server.Issuer != "" {
			c.Server.AuthorizationURL = strings.TrimSuffix(c.Server.Issuer, "/") + "/authorization.json"
		}
	}
	return c
}

// Validate checks the configuration and says how to fix what is wrong.
func (c Config) Validate() error {
	c = c.withDefaults()
	if err := c.validateKind(); err != nil {
		return err
	}
	if c.Server.IsBC5() {
		return c.validateBC5(true)
	}
	if strings.TrimSpace(c.ClientID) == "" || (strings.TrimSpace(c.ClientSecret) == "" && c.ClientSecretFunc == nil) {
		return ErrNotConfigured
	}
	return c.validateAddresses()
}

// validateKind refuses a server kind bcauth does not know, which a newer
// bcauth may have stored.
func (c Config) validateKind() error {
	switch c.Server.Kind {
	case "", ServerLaunchpad, ServerBC5:
		return nil
	}
	return settingError(SettingIssuer, "the login's authorization server is of a kind this bcauth does not know (%q)", c.Server.Kind)
}

// validateAddresses checks the redirect URI and the Launchpad URL of a
// configuration whose defaults are filled in.
func (c Config) validateAddresses() error {
	if _, err := ParseRedirectURI(c.RedirectURI); err != nil {
		return err
	}
	u, err := url.Parse(c.LaunchpadURL)
	if err != nil || u.Host == "" {
		return settingError(SettingLaunchpadURL, "the Launchpad URL %q is not an absolute URL", Redact(c.LaunchpadURL))
	}
	// Endpoint URLs are built by appending paths, which would land inside
	// a query or fragment; credentials in the URL would travel with every
	// request.
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(c.LaunchpadURL, "#") {
		return settingError(SettingLaunchpadURL, "the Launchpad URL %q must not carry a user, query or fragment, such as %s", Redact(c.LaunchpadURL), DefaultLaunchpadURL)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && IsLoopbackHost(u.Hostname()):
	default:
		return settingError(SettingLaunchpadURL, "the Launchpad URL %q must use https (plain http is allowed only on a loopback address), so the client secret is never sent in clear", Redact(c.LaunchpadURL))
	}
	return nil
}

// ParseRedirectURI checks that a redirect URI is one bcauth can listen on:
// http, a loopback host, an explicit port and a path.
func ParseRedirectURI(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, settingError(SettingRedirectURI, "redirect URI %q is not a URL", Redact(raw))
	}
	if u.Scheme != "http" {
		return nil, settingError(SettingRedirectURI, "redirect URI %q must start with http:// (bcauth receives the callback itself, on this machine)", Redact(raw))
	}
	if !IsLoopbackHost(u.Hostname()) {
		return nil, settingError(SettingRedirectURI, "redirect URI %q must point at this machine (127.0.0.1, [::1] or localhost), so no other host can receive the code", Redact(raw))
	}
	if u.Port() == "" {
		return nil, settingError(SettingRedirectURI, "redirect URI %q needs an explicit port, such as http://127.0.0.1:8976/callback", Redact(raw))
	}
	// Port 0 would listen on whatever port is free, which Launchpad never
	// redirects to.
	if port, err := strconv.Atoi(u.Port()); err != nil || port < 1 || port > 65535 {
		return nil, settingError(SettingRedirectURI, "redirect URI %q needs a port from 1 to 65535, such as http://127.0.0.1:8976/callback", Redact(raw))
	}
	if u.Path == "" || u.Path == "/" {
		return nil, settingError(SettingRedirectURI, "redirect URI %q needs a path, such as /callback", Redact(raw))
	}
	if u.User != nil || u.Fragment != "" || u.RawQuery != "" {
		return nil, settingError(SettingRedirectURI, "redirect URI %q must not carry a user, query or fragment", Redact(raw))
	}
	return u, nil
}

// IsLoopbackHost reports whether host is localhost or a loopback IP.
func IsLoopbackHost(host string) bool {
	if isLocalhost(host) {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// isLocalhost reports whether host is "localhost" in any ASCII case. Only
// ASCII: Unicode folds "ſ" to "s", and "localhoſt" is, in punycode, a
// name anyone may register, not this machine.
func isLocalhost(host string) bool {
	return IsASCII(host) && strings.EqualFold(host, "localhost")
}

// IsASCII reports whether s is all ASCII. Every check of a host is made
// only on ASCII ones: beyond it, case folding makes one host pass for
// another ("İ" lowers to "i"), which the transport then sends, in
// punycode, to a third.
func IsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
