package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"bcauth/auth"
)

// site is an API host and an authorization server, each an httptest
// server whose answers a test sets, and a Launchpad that counts what
// reaches it.
type site struct {
	api, issuer, launchpad *httptest.Server

	mu   sync.Mutex
	prm  http.HandlerFunc // the API host's /.well-known/oauth-protected-resource
	asm  http.HandlerFunc // the issuer's /.well-known/oauth-authorization-server
	hits map[string]int   // "api", "issuer", "launchpad" → requests
}

func newSite(t *testing.T) *site {
	t.Helper()
	s := &site{hits: map[string]int{}}
	serve := func(name string, h func() http.HandlerFunc) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			s.hits[name]++
			s.mu.Unlock()
			if f := h(); f != nil {
				f(w, r)
				return
			}
			http.NotFound(w, r)
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	s.api = serve("api", func() http.HandlerFunc {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.prm
	})
	s.issuer = serve("issuer", func() http.HandlerFunc {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.asm
	})
	s.launchpad = serve("launchpad", func() http.HandlerFunc { return nil })
	// The defaults: the API host names the issuer, which describes
	// itself fully.
	s.advertise(s.issuer.URL)
	s.describe(s.metadata(nil))
	return s
}

func (s *site) count(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[name]
}

// jsonAt answers 200 with v (a string is sent as it is).
func jsonAt(v any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if s, ok := v.(string); ok {
			w.Write([]byte(s))
			return
		}
		json.NewEncoder(w).Encode(v)
	}
}

// advertise makes the API host describe itself with these servers.
func (s *site) advertise(servers ...string) {
	if servers == nil {
		servers = []string{}
	}
	s.setPRM(jsonAt(map[string]any{"resource": s.api.URL, "authorization_servers": servers}))
}

func (s *site) setPRM(h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prm = h
}

func (s *site) describe(v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asm = jsonAt(v)
}

// metadata is the issuer's RFC 8414 document, changed by edit.
func (s *site) metadata(edit func(map[string]any)) map[string]any {
	m := map[string]any{
		"issuer":                        s.issuer.URL,
		"token_endpoint":                s.issuer.URL + "/oauth/token",
		"device_authorization_endpoint": s.issuer.URL + "/oauth/device",
		"revocation_endpoint":           s.issuer.URL + "/oauth/revoke",
		"grant_types_supported":         []string{"urn:ietf:params:oauth:grant-type:device_code", "refresh_token"},
	}
	if edit != nil {
		edit(m)
	}
	return m
}

func (s *site) discover(t *testing.T, edit func(*auth.DiscoveryConfig)) (*auth.Discovery, error) {
	t.Helper()
	cfg := auth.DiscoveryConfig{Resource: s.api.URL, LaunchpadURL: s.launchpad.URL}
	if edit != nil {
		edit(&cfg)
	}
	return auth.Discover(context.Background(), cfg)
}

// wantLaunchpad checks a soft fallback whose reason holds why.
func wantLaunchpad(t *testing.T, d *auth.Discovery, err error, why string) {
	t.Helper()
	if err != nil {
		t.Fatalf("Discover: %v, want a soft fallback to Launchpad", err)
	}
	if d.Server.IsBC5() || d.Server.Kind != auth.ServerLaunchpad {
		t.Fatalf("Server = %+v, want Launchpad", d.Server)
	}
	if !strings.Contains(d.Fallback, why) || d.Server.Note != d.Fallback {
		t.Fatalf("Fallback = %q, Note = %q: want both to say %q", d.Fallback, d.Server.Note, why)
	}
}

// wantHard checks a hard error naming setting, with no request to
// Launchpad.
func wantHard(t *testing.T, s *site, err error, setting, why string) {
	t.Helper()
	var de *auth.DiscoveryError
	if !errors.As(err, &de) {
		t.Fatalf("Discover: %v (%T), want a *auth.DiscoveryError", err, err)
	}
	if de.Setting != setting || !strings.Contains(err.Error(), why) {
		t.Fatalf("error %q (setting %s), want %s and %q", err, de.Setting, setting, why)
	}
	if n := s.count("launchpad"); n != 0 {
		t.Fatalf("Launchpad received %d requests, want none", n)
	}
}

const stepOneFailed = "the API host's metadata could not be read"
const noneAdvertised = "advertises no authorization server but Launchpad"

func TestDiscoverChoosesBC5(t *testing.T) {
	s := newSite(t)
	d, err := s.discover(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := auth.Server{
		Kind:                        auth.ServerBC5,
		Issuer:                      s.issuer.URL,
		TokenEndpoint:               s.issuer.URL + "/oauth/token",
		DeviceAuthorizationEndpoint: s.issuer.URL + "/oauth/device",
		RevocationEndpoint:          s.issuer.URL + "/oauth/revoke",
		AuthorizationURL:            s.issuer.URL + "/authorization.json",
		Resource:                    s.api.URL,
	}
	if d.Server != want || d.Fallback != "" {
		t.Fatalf("Discover = %+v, fallback %q; want %+v", d.Server, d.Fallback, want)
	}
	if len(d.Advertised) != 1 || d.Advertised[0] != s.issuer.URL {
		t.Fatalf("Advertised = %q", d.Advertised)
	}
	if s.count("launchpad") != 0 {
		t.Fatal("discovery asked Launchpad")
	}
}

func TestDiscoverStepOneFailsSoftly(t *testing.T) {
	for _, tc := range []struct {
		name string
		prm  func(s *site) http.HandlerFunc
	}{
		{"404", func(*site) http.HandlerFunc { return http.NotFound }},
		{"500", func(*site) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }
		}},
		{"a redirect, not followed", func(s *site) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, s.launchpad.URL+"/.well-known/oauth-protected-resource", http.StatusFound)
			}
		}},
		{"not JSON", func(*site) http.HandlerFunc { return jsonAt("<html>hello</html>") }},
		{"JSON but no object", func(*site) http.HandlerFunc { return jsonAt(`["x"]`) }},
		{"null", func(*site) http.HandlerFunc { return jsonAt(`null`) }},
		{"trailing garbage", func(s *site) http.HandlerFunc {
			return jsonAt(`{"resource":"` + s.api.URL + `"} x`)
		}},
		{"no resource", func(s *site) http.HandlerFunc {
			return jsonAt(map[string]any{"authorization_servers": []string{s.issuer.URL}})
		}},
		{"a resource that is not a string", func(s *site) http.HandlerFunc {
			return jsonAt(map[string]any{"resource": 3, "authorization_servers": []string{s.issuer.URL}})
		}},
		{"another resource", func(s *site) http.HandlerFunc {
			return jsonAt(map[string]any{"resource": "https://3.basecampapi.com", "authorization_servers": []string{s.issuer.URL}})
		}},
		{"the resource with a slash it was not asked with", func(s *site) http.HandlerFunc {
			return jsonAt(map[string]any{"resource": s.api.URL + "/", "authorization_servers": []string{s.issuer.URL}})
		}},
		{"authorization_servers null", func(s *site) http.HandlerFunc {
			return jsonAt(`{"resource":"` + s.api.URL + `","authorization_servers":null}`)
		}},
		{"authorization_servers a string", func(s *site) http.HandlerFunc {
			return jsonAt(map[string]any{"resource": s.api.URL, "authorization_servers": s.issuer.URL})
		}},
		{"authorization_servers an object", func(s *site) http.HandlerFunc {
			return jsonAt(map[string]any{"resource": s.api.URL, "authorization_servers": map[string]any{}})
		}},
		{"authorization_servers with a number", func(s *site) http.HandlerFunc {
			return jsonAt(map[string]any{"resource": s.api.URL, "authorization_servers": []any{s.issuer.URL, 1}})
		}},
		{"authorization_servers with a null", func(s *site) http.HandlerFunc {
			return jsonAt(map[string]any{"resource": s.api.URL, "authorization_servers": []any{nil}})
		}},
		{"larger than the cap", func(s *site) http.HandlerFunc {
			return jsonAt(`{"resource":"` + s.api.URL + `","pad":"` + strings.Repeat("x", 256<<10) + `"}`)
		}},
		{"larger than the cap, chunked", func(s *site) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte(`{"resource":"` + s.api.URL + `","pad":"`))
				for range 300 {
					w.Write([]byte(strings.Repeat("x", 1024)))
					w.(http.Flusher).Flush()
				}
				w.Write([]byte(`"}`))
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSite(t)
			s.setPRM(tc.prm(s))
			d, err := s.discover(t, nil)
			wantLaunchpad(t, d, err, stepOneFailed)
			if n := s.count("issuer"); n != 0 {
				t.Fatalf("the issuer was asked %d times after a failed step 1", n)
			}
			if n := s.count("launchpad"); n != 0 {
				t.Fatalf("Launchpad was asked %d times during discovery", n)
			}
		})
	}
}

func TestDiscoverStepOneUnreachable(t *testing.T) {
	s := newSite(t)
	url := s.api.URL
	s.api.Close()
	d, err := auth.Discover(context.Background(), auth.DiscoveryConfig{Resource: url, LaunchpadURL: s.launchpad.URL})
	wantLaunchpad(t, d, err, stepOneFailed)
}

func TestDiscoverNoneAdvertised(t *testing.T) {
	for _, tc := range []struct {
		name    string
		servers func(s *site) any // nil: the key left out
	}{
		{"key left out", nil},
		{"empty list", func(*site) any { return []string{} }},
		{"only Launchpad", func(s *site) any { return []string{s.launchpad.URL} }},
		{"only Launchpad, with a slash", func(s *site) any { return []string{s.launchpad.URL + "/"} }},
		{"Launchpad twice", func(s *site) any { return []string{s.launchpad.URL, s.launchpad.URL, s.launchpad.URL + "/"} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSite(t)
			doc := map[string]any{"resource": s.api.URL}
			if tc.servers != nil {
				doc["authorization_servers"] = tc.servers(s)
			}
			s.setPRM(jsonAt(doc))
			d, err := s.discover(t, nil)
			wantLaunchpad(t, d, err, noneAdvertised)
			if s.count("issuer") != 0 || s.count("launchpad") != 0 {
				t.Fatalf("requests beyond step 1: %v", s.hits)
			}
		})
	}
}

func TestDiscoverDefaultLaunchpadIsLaunchpad(t *testing.T) {
	s := newSite(t)
	s.advertise("https://launchpad.37signals.com", "https://LAUNCHPAD.37signals.com:443/")
	d, err := auth.Discover(context.Background(), auth.DiscoveryConfig{Resource: s.api.URL})
	wantLaunchpad(t, d, err, noneAdvertised)
	if len(d.Advertised) != 2 {
		t.Fatalf("Advertised = %q, want both strings as written", d.Advertised)
	}
}

func TestDiscoverHardErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		setup   func(s *site)
		pin     func(s *site) string
		setting string
		why     string
	}{
		{name: "two issuers", setup: func(s *site) { s.advertise(s.issuer.URL, "https://other.example") },
			setting: auth.SettingIssuer, why: "advertises 2 authorization servers"},
		{name: "two issuers and Launchpad", setup: func(s *site) { s.advertise(s.launchpad.URL, s.issuer.URL, s.issuer.URL+"/") },
			setting: auth.SettingIssuer, why: "advertises 2 authorization servers"},
		{name: "pinned, not advertised", setup: func(s *site) { s.advertise(s.issuer.URL) },
			pin: func(*site) string { return "https://other.example" }, setting: auth.SettingIssuer, why: "was pinned"},
		{name: "pinned with a slash, advertised without", setup: func(s *site) { s.advertise(s.issuer.URL) },
			pin: func(s *site) string { return s.issuer.URL + "/" }, setting: auth.SettingIssuer, why: "was pinned"},
		{name: "pinned, but step 1 failed", setup: func(s *site) { s.setPRM(http.NotFound) },
			pin: func(s *site) string { return s.issuer.URL }, setting: auth.SettingIssuer, why: "could not be read"},
		{name: "pinned, none advertised", setup: func(s *site) { s.advertise() },
			pin: func(s *site) string { return s.issuer.URL }, setting: auth.SettingIssuer, why: "advertises none"},

		{name: "a Launchpad look-alike with a path", setup: func(s *site) { s.advertise(s.launchpad.URL + "/x") },
			setting: auth.SettingResource, why: "no path"},
		{name: "issuer on plain http off loopback", setup: func(s *site) { s.advertise("http://bc5.example") },
			setting: auth.SettingResource, why: "https"},
		{name: "issuer with a path", setup: func(s *site) { s.advertise(s.issuer.URL + "/oauth") },
			setting: auth.SettingResource, why: "no path"},
		{name: "issuer with a dot segment", setup: func(s *site) { s.advertise(s.issuer.URL + "/.") },
			setting: auth.SettingResource, why: "no path"},
		{name: "issuer with a query", setup: func(s *site) { s.advertise(s.issuer.URL + "?x=1") },
			setting: auth.SettingResource, why: "no query"},
		{name: "issuer with an empty query", setup: func(s *site) { s.advertise(s.issuer.URL + "?") },
			setting: auth.SettingResource, why: "no query"},
		{name: "issuer with a fragment", setup: func(s *site) { s.advertise(s.issuer.URL + "#x") },
			setting: auth.SettingResource, why: "no fragment"},
		{name: "issuer with an empty fragment", setup: func(s *site) { s.advertise(s.issuer.URL + "#") },
			setting: auth.SettingResource, why: "no fragment"},
		{name: "issuer with user info", setup: func(s *site) { s.advertise(strings.Replace(s.issuer.URL, "://", "://me:pw@", 1)) },
			setting: auth.SettingResource, why: "user information"},
		{name: "issuer with an empty @", setup: func(s *site) { s.advertise(strings.Replace(s.issuer.URL, "://", "://@", 1)) },
			setting: auth.SettingResource, why: "user information"},
		{name: "issuer with port 0", setup: func(s *site) { s.advertise("https://bc5.example:0") },
			setting: auth.SettingResource, why: "port"},
		{name: "issuer with port 65536", setup: func(s *site) { s.advertise("https://bc5.example:65536") },
			setting: auth.SettingResource, why: "port"},
		{name: "issuer with an empty port", setup: func(s *site) { s.advertise("https://bc5.example:") },
			setting: auth.SettingResource, why: "port"},
		{name: "issuer not a URL", setup: func(s *site) { s.advertise("bc5.example") },
			setting: auth.SettingResource, why: "https://"},
		{name: "issuer empty", setup: func(s *site) { s.advertise("") },
			setting: auth.SettingResource, why: "not an origin"},

		{name: "metadata 404", setup: func(s *site) {
			s.mu.Lock()
			s.asm = http.NotFound
			s.mu.Unlock()
		}, setting: auth.SettingResource, why: "404"},
		{name: "metadata redirected", setup: func(s *site) {
			s.mu.Lock()
			s.asm = func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "https://elsewhere.example/", http.StatusFound)
			}
			s.mu.Unlock()
		}, setting: auth.SettingResource, why: "redirected to elsewhere.example"},
		{name: "metadata not JSON", setup: func(s *site) { s.describe("nope") },
			setting: auth.SettingResource, why: "not a JSON object"},
		{name: "metadata too large", setup: func(s *site) {
			s.describe(s.metadata(func(m map[string]any) { m["pad"] = strings.Repeat("x", 256<<10) }))
		}, setting: auth.SettingResource, why: "larger than 256 KiB"},
		{name: "issuer differs by a slash", setup: func(s *site) {
			s.describe(s.metadata(func(m map[string]any) { m["issuer"] = s.issuer.URL + "/" }))
		}, setting: auth.SettingResource, why: "calls its issuer"},
		{name: "issuer slashed, metadata not", setup: func(s *site) { s.advertise(s.issuer.URL + "/") },
			setting: auth.SettingResource, why: "calls its issuer"},
		{name: "no issuer", setup: func(s *site) {
			s.describe(s.metadata(func(m map[string]any) { delete(m, "issuer") }))
		}, setting: auth.SettingResource, why: "names no issuer"},
		{name: "no token endpoint", setup: func(s *site) {
			s.describe(s.metadata(func(m map[string]any) { delete(m, "token_endpoint") }))
		}, setting: auth.SettingResource, why: "no token_endpoint"},
		{name: "no device endpoint", setup: func(s *site) {
			s.describe(s.metadata(func(m map[string]any) { delete(m, "device_authorization_endpoint") }))
		}, setting: auth.SettingResource, why: "no device_authorization_endpoint"},
		{name: "an empty revocation endpoint", setup: func(s *site) {
			s.describe(s.metadata(func(m map[string]any) { m["revocation_endpoint"] = "" }))
		}, setting: auth.SettingResource, why: "empty or invalid revocation_endpoint"},
		{name: "an empty authorization endpoint", setup: func(s *site) {
			s.describe(s.metadata(func(m map[string]any) { m["authorization_endpoint"] = "" }))
		}, setting: auth.SettingResource, why: "authorization_endpoint"},
		{name: "a token endpoint that is a number", setup: func(s *site) {
			s.describe(s.metadata(func(m map[string]any) { m["token_endpoint"] = 7 }))
		}, setting: auth.SettingResource, why: "token_endpoint"},
		{name: "a token endpoint on plain http off loopback", setup: func(s *site) {
			s.describe(s.metadata(func(m map[string]any) { m["token_endpoint"] = "http://bc5.example/token" }))
		}, setting: auth.SettingResource, why: "https"},
		{name: "a device endpoint with user info", setup: func(s *site) {
			s.describe(s.metadata(func(m map[string]any) { m["device_authorization_endpoint"] = "https://@bc5.example/device" }))
		}, setting: auth.SettingResource, why: "user information"},
		{name: "no device grant", setup: func(s *site) {
			s.describe(s.metadata(func(m map[string]any) { m["grant_types_supported"] = []string{"authorization_code"} }))
		}, setting: auth.SettingResource, why: "device login"},
		{name: "grant types not a list", setup: func(s *site) {
			s.describe(s.metadata(func(m map[string]any) { m["grant_types_supported"] = "urn:ietf:params:oauth:grant-type:device_code" }))
		}, setting: auth.SettingResource, why: "grant_types_supported"},
		{name: "an issuer at a private address", setup: func(s *site) { s.advertise("https://10.0.0.1:8443") },
			setting: auth.SettingResource, why: "not a public one"},
		{name: "an issuer at a link-local address", setup: func(s *site) { s.advertise("https://[fe80::1]") },
			setting: auth.SettingResource, why: "not a public one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSite(t)
			tc.setup(s)
			_, err := s.discover(t, func(c *auth.DiscoveryConfig) {
				if tc.pin != nil {
					c.Issuer = tc.pin(s)
				}
			})
			wantHard(t, s, err, tc.setting, tc.why)
		})
	}
}

func TestDiscoverPrivateIssuerRefusedWhenDialled(t *testing.T) {
	s := newSite(t)
	s.advertise("https://169.254.169.254")
	_, err := s.discover(t, nil)
	wantHard(t, s, err, auth.SettingResource, "metadata could not be read")
	if !errors.Is(err, auth.ErrPrivateAddress) {
		t.Fatalf("error %v does not wrap ErrPrivateAddress", err)
	}
}

func TestDiscoverPinned(t *testing.T) {
	s := newSite(t)
	s.advertise(s.launchpad.URL, "https://other.example", s.issuer.URL)
	d, err := s.discover(t, func(c *auth.DiscoveryConfig) { c.Issuer = s.issuer.URL })
	if err != nil {
		t.Fatal(err)
	}
	if !d.Server.IsBC5() || d.Server.Issuer != s.issuer.URL {
		t.Fatalf("Server = %+v, want the pinned issuer", d.Server)
	}

	// Pinning Launchpad asks nothing at all.
	s = newSite(t)
	d, err = s.discover(t, func(c *auth.DiscoveryConfig) { c.Issuer = s.launchpad.URL + "/" })
	if err != nil || d.Server.IsBC5() || d.Fallback != "" {
		t.Fatalf("Discover = %+v, %v; want Launchpad, chosen", d, err)
	}
	if s.count("api") != 0 {
		t.Fatal("a pinned Launchpad still asked the API host")
	}
}

func TestDiscoverDuplicatesCollapse(t *testing.T) {
	s := newSite(t)
	s.advertise(s.issuer.URL, s.launchpad.URL, s.issuer.URL)
	d, err := s.discover(t, nil)
	if err != nil || !d.Server.IsBC5() {
		t.Fatalf("Discover = %+v, %v; want the one issuer", d, err)
	}
	if len(d.Advertised) != 2 {
		t.Fatalf("Advertised = %q, want each once", d.Advertised)
	}
}

func TestDiscoverResourceWithSlash(t *testing.T) {
	s := newSite(t)
	s.setPRM(jsonAt(map[string]any{"resource": s.api.URL + "/", "authorization_servers": []string{s.issuer.URL}}))
	d, err := s.discover(t, func(c *auth.DiscoveryConfig) { c.Resource = s.api.URL + "/" })
	if err != nil || !d.Server.IsBC5() || d.Server.Resource != s.api.URL+"/" {
		t.Fatalf("Discover = %+v, %v; want BC5 found through %s/", d, err, s.api.URL)
	}
	// Asked without the slash, the echo with one is another resource.
	d, err = s.discover(t, nil)
	wantLaunchpad(t, d, err, "describes")
}

func TestDiscoverIssuerWithSlash(t *testing.T) {
	s := newSite(t)
	s.advertise(s.issuer.URL + "/")
	s.describe(s.metadata(func(m map[string]any) { m["issuer"] = s.issuer.URL + "/" }))
	d, err := s.discover(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Server.Issuer != s.issuer.URL+"/" || d.Server.AuthorizationURL != s.issuer.URL+"/authorization.json" {
		t.Fatalf("Server = %+v", d.Server)
	}
}

func TestDiscoverSendsUserAgentAndNoCredentials(t *testing.T) {
	s := newSite(t)
	var mu sync.Mutex
	var seen []http.Header
	record := func(next http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen = append(seen, r.Header.Clone())
			mu.Unlock()
			if r.Method != http.MethodGet {
				t.Errorf("%s %s, want GET", r.Method, r.URL.Path)
			}
			next(w, r)
		}
	}
	s.setPRM(record(jsonAt(map[string]any{"resource": s.api.URL, "authorization_servers": []string{s.issuer.URL}})))
	s.mu.Lock()
	s.asm = record(jsonAt(s.metadata(nil)))
	s.mu.Unlock()
	if _, err := s.discover(t, func(c *auth.DiscoveryConfig) { c.UserAgent = "bcauth-test (me)" }); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 {
		t.Fatalf("%d requests, want 2", len(seen))
	}
	for _, h := range seen {
		if h.Get("User-Agent") != "bcauth-test (me)" || h.Get("Authorization") != "" || h.Get("Cookie") != "" {
			t.Fatalf("headers %v", h)
		}
	}
}

func TestCheckOrigin(t *testing.T) {
	for _, tc := range []struct {
		raw string
		ok  bool
	}{
		{"https://3.basecampapi.com", true},
		{"https://3.basecampapi.com/", true},
		{"https://3.basecampapi.com:8443", true},
		{"http://127.0.0.1:3000", true},
		{"http://[::1]:3000", true},
		{"http://localhost:3000/", true},
		{"https://3.basecampapi.com:1", true},
		{"https://3.basecampapi.com:65535", true},

		{"", false},
		{"3.basecampapi.com", false},
		{"//3.basecampapi.com", false},
		{"http://3.basecampapi.com", false},
		{"ftp://3.basecampapi.com", false},
		{"https:3.basecampapi.com", false},
		{"https://", false},
		{"https://:443", false},
		{"https://3.basecampapi.com:0", false},
		{"https://3.basecampapi.com:65536", false},
		{"https://3.basecampapi.com:", false},
		{"https://3.basecampapi.com/v1", false},
		{"https://3.basecampapi.com//", false},
		{"https://3.basecampapi.com/.", false},
		{"https://3.basecampapi.com/..", false},
		{"https://3.basecampapi.com/%2F", false},
		{"https://3.basecampapi.com?", false},
		{"https://3.basecampapi.com/?a=b", false},
		{"https://3.basecampapi.com#", false},
		{"https://3.basecampapi.com/#x", false},
		{"https://user@3.basecampapi.com", false},
		{"https://@3.basecampapi.com", false},
		{"https://user:pw@3.basecampapi.com", false},
		{"https://bäsecamp.com", false},
		{"https://[fe80::1%25eth0]", false},
		{"https://3.basecampapi.com\\", false},
		{" https://3.basecampapi.com", false},
	} {
		err := auth.CheckOrigin(auth.SettingResource, tc.raw)
		if (err == nil) != tc.ok {
			t.Errorf("CheckOrigin(%q) = %v, want ok %v", tc.raw, err, tc.ok)
			continue
		}
		var se *auth.SettingError
		if err != nil && (!errors.As(err, &se) || se.Setting != auth.SettingResource) {
			t.Errorf("CheckOrigin(%q) = %v (%T), want a *SettingError naming %s", tc.raw, err, err, auth.SettingResource)
		}
	}
}

func TestDiscoverBadSettingsFetchNothing(t *testing.T) {
	s := newSite(t)
	for _, tc := range []struct {
		cfg     auth.DiscoveryConfig
		setting string
	}{
		{auth.DiscoveryConfig{Resource: s.api.URL + "/v1"}, auth.SettingResource},
		{auth.DiscoveryConfig{Resource: "http://example.com"}, auth.SettingResource},
		{auth.DiscoveryConfig{Resource: s.api.URL, Issuer: s.issuer.URL + "/x"}, auth.SettingIssuer},
		{auth.DiscoveryConfig{Resource: s.api.URL, Issuer: "http://bc5.example"}, auth.SettingIssuer},
	} {
		_, err := auth.Discover(context.Background(), tc.cfg)
		var se *auth.SettingError
		if !errors.As(err, &se) || se.Setting != tc.setting {
			t.Errorf("Discover(%+v) = %v, want a *SettingError naming %s", tc.cfg, err, tc.setting)
		}
	}
	if s.count("api")+s.count("issuer")+s.count("launchpad") != 0 {
		t.Fatalf("requests were sent: %v", s.hits)
	}
}

func TestDiscoverCancelled(t *testing.T) {
	s := newSite(t)
	ctx, cancel := context.WithCancel(context.Background())
	s.setPRM(func(w http.ResponseWriter, r *http.Request) {
		cancel()
		<-r.Context().Done()
	})
	_, err := auth.Discover(ctx, auth.DiscoveryConfig{Resource: s.api.URL, LaunchpadURL: s.launchpad.URL})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Discover = %v, want context.Canceled rather than a fallback", err)
	}
}

// TestDiscoverTimesOut: a step that does not answer within the client's
// timeout (cut to discovery's own) fails like any other.
func TestDiscoverTimesOut(t *testing.T) {
	hang := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	hc := &http.Client{Timeout: 100 * time.Millisecond}

	s := newSite(t)
	s.setPRM(hang)
	d, err := s.discover(t, func(c *auth.DiscoveryConfig) { c.HTTPClient = hc })
	wantLaunchpad(t, d, err, stepOneFailed)

	s = newSite(t)
	s.mu.Lock()
	s.asm = hang
	s.mu.Unlock()
	_, err = s.discover(t, func(c *auth.DiscoveryConfig) { c.HTTPClient = hc })
	wantHard(t, s, err, auth.SettingResource, "metadata could not be read")
}
