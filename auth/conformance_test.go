package auth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"bcauth/auth"
)

// Basecamp's own conformance fixtures for resource-first discovery
// (testdata/conformance/oauth, kept as Basecamp publishes them), run
// through auth.Discover: each fixture's hops served by httptest servers on
// loopback, its placeholders replaced by their URLs, and its expected
// outcome held against what bcauth decides.
//
// The fixtures' three operations map onto bcauth's one entry point:
//
//   - discoverFromResource is Discover itself: the resource origin, the
//     pinned issuer (expectedIssuer is BASECAMP_OAUTH_ISSUER's), and the
//     fake Launchpad as the configured one.
//   - discoverProtectedResource (step 1 alone) is Discover too, whose
//     step 1 is the same: its "selected" names the resource step 1 bound
//     to, which bcauth shows as Launchpad chosen because the document
//     names no other server (not because it could not be read), found
//     through that resource.
//   - discover (step 2 alone, for a given issuer) has no entry point of
//     its own in bcauth, which reads an issuer's metadata only once the
//     API host has advertised it: the fixture runs behind a resource
//     origin whose document advertises exactly its issuerOrigin, so
//     step 2 is the fixture's.
//
// One difference is deliberate, decided by bc5.md. bcauth logs in on BC5
// only with the device grant, so an issuer whose metadata names no
// device_authorization_endpoint (or whose grant_types_supported leaves the
// device grant out) "lacks the endpoint the grant needs": a hard error
// naming the resource setting, with nothing sent to Launchpad. The SDK's
// discover selects such an issuer and leaves the check to the consumer (a
// device login then raises capability_unavailable, fixture 13 says), so
// where a fixture expects "selected" for such a document, this test holds
// bcauth to having chosen that very issuer (its metadata was asked for,
// once) and to that hard error.

// conformanceFixture is one fixture, as schema.json describes it.
type conformanceFixture struct {
	Name           string          `json:"name"`
	Description    string          `json:"description"`
	Operation      string          `json:"operation"`
	ResourceOrigin string          `json:"resourceOrigin"`
	IssuerOrigin   string          `json:"issuerOrigin"`
	ExpectedIssuer string          `json:"expectedIssuer"`
	BC5Committed   *bool           `json:"bc5Committed"`
	Hop1           *conformanceHop `json:"hop1"`
	Hop2           *conformanceHop `json:"hop2"`
	Expect         struct {
		Outcome            string `json:"outcome"`
		SelectedIssuer     string `json:"selectedIssuer"`
		FallbackReason     string `json:"fallbackReason"`
		Error              string `json:"error"`
		LaunchpadContacted *bool  `json:"launchpadContacted"`
		ErrorCategory      string `json:"errorCategory"`
	} `json:"expect"`
}

// conformanceHop is a mocked exchange of one discovery step.
type conformanceHop struct {
	Origin         string          `json:"origin"`
	Status         int             `json:"status"`
	TransportError bool            `json:"transportError"`
	Body           json.RawMessage `json:"body"`
	Oversized      bool            `json:"oversized"`
	RedirectTo     string          `json:"redirectTo"`
}

const (
	prmPath = "/.well-known/oauth-protected-resource"
	asmPath = "/.well-known/oauth-authorization-server"
	// oversizedBytes is what an oversized hop offers: far more than
	// discovery's cap, and more than loopback's socket buffers hold, so
	// the mock cannot write it all unless the client reads it all.
	oversizedBytes = 64 << 20
)

// conformanceMock is one origin of a fixture: an httptest server that
// answers the hops routed to it and counts every request.
type conformanceMock struct {
	srv    *httptest.Server
	routes map[string]*conformanceHop // path → hop; set before Start

	mu      sync.Mutex
	hits    []string // paths asked, in order
	written int64    // bytes of an oversized body written
}

func newConformanceMock(t *testing.T) *conformanceMock {
	t.Helper()
	m := &conformanceMock{routes: map[string]*conformanceHop{}}
	m.srv = httptest.NewUnstartedServer(http.HandlerFunc(m.serve))
	t.Cleanup(m.srv.Close)
	return m
}

// url is the mock's origin, known before it starts.
func (m *conformanceMock) url() string { return "http://" + m.srv.Listener.Addr().String() }

func (m *conformanceMock) requests() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.hits)
}

func (m *conformanceMock) serve(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	m.hits = append(m.hits, r.URL.Path)
	m.mu.Unlock()
	hop := m.routes[r.URL.Path]
	if hop == nil {
		http.NotFound(w, r)
		return
	}
	if hop.TransportError {
		// The connection ends with no answer at all.
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
		return
	}
	status := hop.Status
	if status == 0 {
		status = http.StatusOK
	}
	if hop.RedirectTo != "" {
		w.Header().Set("Location", hop.RedirectTo)
	}
	if len(hop.Body) > 0 {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	w.Write(hop.Body)
	if !hop.Oversized {
		return
	}
	// The document, then blanks past any cap, streamed with no length
	// given: a bounded read stops and hangs up long before the end.
	pad := bytes.Repeat([]byte(" "), 32<<10)
	for n := int64(len(hop.Body)); n < oversizedBytes; n += int64(len(pad)) {
		if _, err := w.Write(pad); err != nil {
			return
		}
		m.mu.Lock()
		m.written += int64(len(pad))
		m.mu.Unlock()
	}
}

// conformanceDialer is the discovery's only way out: it records every
// address dialled, refuses (and fails the test on) any that is not
// loopback, and sends a literal loopback origin a fixture serves to the
// mock serving it. A host name is looked up before it is dialled, and
// TestMain's network guard fails the run on any lookup leaving loopback.
type conformanceDialer struct {
	t       *testing.T
	rewrite map[string]string // host:port as dialled → the mock's

	mu     sync.Mutex
	dialed []string
}

func (d *conformanceDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	d.dialed = append(d.dialed, addr)
	d.mu.Unlock()
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		d.t.Errorf("discovery dialled %s, which is not loopback: the fixtures' literal origins must never be dialled", addr)
		return nil, fmt.Errorf("conformance: %s is not loopback", addr)
	}
	if to, ok := d.rewrite[addr]; ok {
		addr = to
	}
	return (&net.Dialer{}).DialContext(ctx, network, addr)
}

func (d *conformanceDialer) dials() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.dialed)
}

// loadConformanceFixture reads one fixture with its placeholders
// replaced (in the raw text, as Basecamp's README says, so every string
// that names one is the mock's URL, code point for code point), refusing
// a field schema.json does not have.
func loadConformanceFixture(t *testing.T, path string, placeholders *strings.Replacer) conformanceFixture {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(placeholders.Replace(string(raw))))
	dec.DisallowUnknownFields()
	var f conformanceFixture
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if want := strings.TrimSuffix(filepath.Base(path), ".json"); !strings.HasSuffix(want, "-"+f.Name) {
		t.Fatalf("%s names itself %q", path, f.Name)
	}
	return f
}

// conformanceFixtures are the fixtures' paths, in their order.
func conformanceFixtures(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "conformance", "oauth", "fixtures", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no conformance fixtures (%v)", err)
	}
	return paths
}

func TestDiscoveryConformance(t *testing.T) {
	for _, path := range conformanceFixtures(t) {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".json"), func(t *testing.T) {
			runConformanceFixture(t, path)
		})
	}
}

func runConformanceFixture(t *testing.T, path string) {
	resource, issuer, bc5, launchpad := newConformanceMock(t), newConformanceMock(t), newConformanceMock(t), newConformanceMock(t)
	origins := map[string]*conformanceMock{
		resource.url(): resource, issuer.url(): issuer, bc5.url(): bc5, launchpad.url(): launchpad,
	}
	f := loadConformanceFixture(t, path, strings.NewReplacer(
		"{{RESOURCE_ORIGIN}}", resource.url(),
		"{{ISSUER_ORIGIN}}", issuer.url(),
		"{{LAUNCHPAD_ORIGIN}}", launchpad.url(),
		"{{BC5_ISSUER}}", bc5.url(),
	))
	t.Log(f.Description)

	dialer := &conformanceDialer{t: t, rewrite: map[string]string{}}
	cfg := auth.DiscoveryConfig{
		Resource:     f.ResourceOrigin,
		Issuer:       f.ExpectedIssuer,
		LaunchpadURL: launchpad.url(),
		HTTPClient:   &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}},
	}
	switch f.Operation {
	case "discoverFromResource", "discoverProtectedResource":
		if f.Hop1 != nil {
			resource.routes[prmPath] = f.Hop1
			// A literal origin the fixture serves (http://[::1]:3000) is
			// asked for as it is written, and answered by the mock.
			if hp, err := hostPort(f.ResourceOrigin); err == nil && hp != resource.srv.Listener.Addr().String() {
				dialer.rewrite[hp] = resource.srv.Listener.Addr().String()
			}
		}
	case "discover":
		// Step 2 alone: a resource origin advertising exactly the issuer.
		cfg.Resource = resource.url()
		doc, _ := json.Marshal(map[string]any{"resource": resource.url(), "authorization_servers": []string{f.IssuerOrigin}})
		resource.routes[prmPath] = &conformanceHop{Status: 200, Body: doc}
	default:
		t.Fatalf("unknown operation %q", f.Operation)
	}
	if f.Hop2 != nil {
		m, ok := origins[f.Hop2.Origin]
		if !ok {
			t.Fatalf("hop2 is served by %q, which is no mock", f.Hop2.Origin)
		}
		m.routes[asmPath] = f.Hop2
	}
	for _, m := range origins {
		m.srv.Start()
	}

	d, err := auth.Discover(t.Context(), cfg)

	if got := launchpad.requests(); len(got) != 0 {
		// Discovery chooses Launchpad, never asks it: not even where the
		// fixture allows it (launchpadContacted true).
		t.Errorf("Launchpad received %d requests (%q), want none", len(got), got)
	}
	switch f.Expect.Outcome {
	case "selected":
		wantConformanceSelected(t, f, d, err, origins)
	case "fallback":
		wantConformanceFallback(t, f, d, err)
	case "raise":
		wantConformanceRaise(t, f, d, err, dialer, origins)
	default:
		t.Fatalf("unknown outcome %q", f.Expect.Outcome)
	}
}

// hostPort is an origin's host:port as a dialer sees it.
func hostPort(origin string) (string, error) {
	req, err := http.NewRequest(http.MethodGet, origin, nil)
	if err != nil {
		return "", err
	}
	port := req.URL.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[req.URL.Scheme]
	}
	return net.JoinHostPort(req.URL.Hostname(), port), nil
}

// deviceCapable reports whether an issuer's metadata offers the device
// login bcauth makes: a device_authorization_endpoint, and the device
// grant among grant_types_supported when that is given.
func deviceCapable(hop *conformanceHop) bool {
	var doc struct {
		Device *string   `json:"device_authorization_endpoint"`
		Grants *[]string `json:"grant_types_supported"`
	}
	if hop == nil || json.Unmarshal(hop.Body, &doc) != nil || doc.Device == nil {
		return false
	}
	return doc.Grants == nil || slices.Contains(*doc.Grants, "urn:ietf:params:oauth:grant-type:device_code")
}

func wantConformanceSelected(t *testing.T, f conformanceFixture, d *auth.Discovery, err error, origins map[string]*conformanceMock) {
	t.Helper()
	if f.Operation == "discoverProtectedResource" {
		// Step 1 bound to the resource as the caller wrote it, and
		// named no server but Launchpad.
		if err != nil {
			t.Fatalf("Discover: %v; want step 1 to bind to %s", err, f.Expect.SelectedIssuer)
		}
		if d.Server.IsBC5() || d.Fallback != "the API host advertises no authorization server but Launchpad" || d.Server.Resource != f.Expect.SelectedIssuer {
			t.Fatalf("Discover = %+v (fallback %q); want Launchpad, as none but it is advertised by %s", d.Server, d.Fallback, f.Expect.SelectedIssuer)
		}
		return
	}
	if !deviceCapable(f.Hop2) {
		// The deliberate difference (see the top of this file): the
		// issuer was chosen, its metadata asked for once, and then
		// refused for lacking what the device login needs.
		var de *auth.DiscoveryError
		if !errors.As(err, &de) || de.Setting != auth.SettingResource || !strings.Contains(de.Reason, "device") {
			t.Fatalf("Discover = %+v, %v; want a hard error saying %s offers no device login", d, err, f.Expect.SelectedIssuer)
		}
		if !strings.Contains(de.Reason, fmt.Sprintf("%q", f.Expect.SelectedIssuer)) {
			t.Fatalf("error %q does not name the issuer %s, which the fixture selects", de.Reason, f.Expect.SelectedIssuer)
		}
		if got := origins[f.Hop2.Origin].requests(); !slices.Equal(got, []string{asmPath}) {
			t.Fatalf("the selected issuer was asked %q, want its metadata once", got)
		}
		return
	}
	if err != nil {
		t.Fatalf("Discover: %v; want %s selected", err, f.Expect.SelectedIssuer)
	}
	if !d.Server.IsBC5() || d.Server.Issuer != f.Expect.SelectedIssuer || d.Fallback != "" {
		t.Fatalf("Discover = %+v (fallback %q); want the issuer %s", d.Server, d.Fallback, f.Expect.SelectedIssuer)
	}
}

func wantConformanceFallback(t *testing.T, f conformanceFixture, d *auth.Discovery, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("Discover: %v; want a fallback to Launchpad (%s)", err, f.Expect.FallbackReason)
	}
	if d.Server.IsBC5() || d.Server.Kind != auth.ServerLaunchpad || d.Server.Note != d.Fallback {
		t.Fatalf("Discover = %+v (fallback %q); want Launchpad, saying why", d.Server, d.Fallback)
	}
	switch f.Expect.FallbackReason {
	case "resource_discovery_failed":
		if !strings.HasPrefix(d.Fallback, "the API host's metadata could not be read: ") || d.Advertised != nil {
			t.Fatalf("fallback %q, advertised %q; want step 1 failed, nothing read", d.Fallback, d.Advertised)
		}
	case "no_as_advertised":
		if d.Fallback != "the API host advertises no authorization server but Launchpad" || d.Advertised == nil {
			t.Fatalf("fallback %q, advertised %q; want none advertised but Launchpad, as read", d.Fallback, d.Advertised)
		}
	default:
		t.Fatalf("unknown fallback reason %q", f.Expect.FallbackReason)
	}
}

// conformanceReasons are the words of bcauth's hard errors for each of
// the fixtures' typed errors (and words they must not hold), and the
// setting each names.
var conformanceReasons = map[string]struct{ setting, words, not string }{
	"ambiguous_issuers":           {auth.SettingIssuer, "bcauth does not guess", ""},
	"expected_issuer_unavailable": {auth.SettingIssuer, "was pinned, but the API host", ""},
	"invalid_issuer_origin":       {auth.SettingResource, "which is not an origin", ""},
	"as_fetch_failed":             {auth.SettingResource, "whose metadata could not be read", ""},
	"api_error":                   {auth.SettingResource, "whose metadata could not be read", ""},
	"issuer_mismatch":             {auth.SettingResource, "calls its issuer", ""},
	// The document itself is malformed, whatever it offers: said before
	// anything it lacks for the device login.
	"invalid_metadata":       {auth.SettingResource, "whose metadata ", "the device login"},
	"capability_unavailable": {auth.SettingResource, "the device login", ""},
}

func wantConformanceRaise(t *testing.T, f conformanceFixture, d *auth.Discovery, err error, dialer *conformanceDialer, origins map[string]*conformanceMock) {
	t.Helper()
	if err == nil {
		t.Fatalf("Discover = %+v; want %s", d.Server, f.Expect.Error)
	}
	if f.Expect.Error == "usage" {
		// A setting that is not an origin: refused before any socket.
		var se *auth.SettingError
		if !errors.As(err, &se) || se.Setting != auth.SettingResource {
			t.Fatalf("Discover: %v (%T); want a *auth.SettingError naming %s", err, err, auth.SettingResource)
		}
		if got := dialer.dials(); len(got) != 0 {
			t.Fatalf("a bad setting still dialled %q", got)
		}
		return
	}
	var de *auth.DiscoveryError
	if !errors.As(err, &de) {
		t.Fatalf("Discover: %v (%T); want a *auth.DiscoveryError (%s, %s)", err, err, f.Expect.Error, f.Expect.ErrorCategory)
	}
	want, ok := conformanceReasons[f.Expect.Error]
	if !ok {
		t.Fatalf("no bcauth reason is known for %q", f.Expect.Error)
	}
	if de.Setting != want.setting || !strings.Contains(de.Reason, want.words) || (want.not != "" && strings.Contains(de.Reason, want.not)) {
		t.Fatalf("error %q naming %s; want %q (and not %q) naming %s (%s)", de.Reason, de.Setting, want.words, want.not, want.setting, f.Expect.Error)
	}
	if h := f.Hop2; h != nil {
		switch {
		case h.Oversized:
			if !strings.Contains(de.Reason, "larger than") {
				t.Errorf("error %q does not say the document is too large", de.Reason)
			}
			m := origins[h.Origin]
			m.srv.Close() // its handler has ended: what it wrote is known
			m.mu.Lock()
			written := m.written
			m.mu.Unlock()
			if written >= oversizedBytes/2 {
				t.Errorf("the oversized document was read to %d bytes; want the read to stop near the cap", written)
			}
		case h.RedirectTo != "":
			if !strings.Contains(de.Reason, "not followed") {
				t.Errorf("error %q does not say the redirect was not followed", de.Reason)
			}
		}
	}
}
