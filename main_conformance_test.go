package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"bcauth/auth"
	"bcauth/ui/core"
)

// Basecamp's conformance fixtures for resource-first discovery (in
// auth/testdata/conformance, run against auth.Discover in auth's own
// tests) run once more against bcauth itself: a bcauth process per
// fixture, with BASECAMP_BASE_URL pointing at a fake resource origin that
// serves the fixture, asked `bcauth discover --json`. Its answer and its
// exit code must agree with the fixture: the server it selects or falls
// back to (exit 0), or the hard error (exit 2) naming the setting, with
// nothing sent to Launchpad. The process runs under the same network guard
// as these tests, so a dial off loopback fails it.
//
// Both clients are configured (a Launchpad one and a BC5 one), so the
// server is the one discovery chooses, not the one a missing client
// forces. As in auth's test, a fixture's step-2-only "discover" runs
// behind a resource origin advertising exactly its issuer, and the one
// deliberate difference holds: an issuer offering no device login, which
// the SDK selects, is chosen by bcauth and then refused (exit 2), since
// the device login is the only one bcauth makes on BC5.

// discoverDoc is `bcauth discover --json`.
type discoverDoc struct {
	Server *struct {
		Name   string  `json:"name"`
		Kind   string  `json:"kind"`
		Issuer *string `json:"issuer"`
	} `json:"server"`
	Note       *string  `json:"note"`
	Skipped    *string  `json:"skipped"`
	Resource   *string  `json:"resource"`
	Advertised []string `json:"advertised"`
	Problem    *struct {
		Kind    string  `json:"kind"`
		Message string  `json:"message"`
		Fix     string  `json:"fix"`
		Setting *string `json:"setting"`
	} `json:"problem"`
}

// fixtureCase is what this test reads of a fixture (schema.json has it
// all; auth's test holds the fixtures to it).
type fixtureCase struct {
	Name           string    `json:"name"`
	Operation      string    `json:"operation"`
	ResourceOrigin string    `json:"resourceOrigin"`
	IssuerOrigin   string    `json:"issuerOrigin"`
	ExpectedIssuer string    `json:"expectedIssuer"`
	Hop1           *fakeHop  `json:"hop1"`
	Hop2           *fakeHop  `json:"hop2"`
	Expect         fixtureTo `json:"expect"`
}

type fixtureTo struct {
	Outcome        string `json:"outcome"`
	SelectedIssuer string `json:"selectedIssuer"`
	FallbackReason string `json:"fallbackReason"`
	Error          string `json:"error"`
}

// fakeHop is one mocked discovery step.
type fakeHop struct {
	Origin         string          `json:"origin"`
	Status         int             `json:"status"`
	TransportError bool            `json:"transportError"`
	Body           json.RawMessage `json:"body"`
	Oversized      bool            `json:"oversized"`
	RedirectTo     string          `json:"redirectTo"`
}

// fakeOrigin is a fixture's origin on loopback: it answers the hops
// routed to it and counts every request.
type fakeOrigin struct {
	srv    *httptest.Server
	routes map[string]*fakeHop // set before it starts

	mu   sync.Mutex
	hits []string
}

func newFakeOrigin(t *testing.T, ln net.Listener) *fakeOrigin {
	t.Helper()
	o := &fakeOrigin{routes: map[string]*fakeHop{}}
	o.srv = httptest.NewUnstartedServer(http.HandlerFunc(o.serve))
	if ln != nil {
		o.srv.Listener.Close()
		o.srv.Listener = ln
	}
	t.Cleanup(o.srv.Close)
	return o
}

func (o *fakeOrigin) url() string { return "http://" + o.srv.Listener.Addr().String() }

func (o *fakeOrigin) requests() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.hits)
}

func (o *fakeOrigin) serve(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	o.hits = append(o.hits, r.URL.Path)
	o.mu.Unlock()
	hop := o.routes[r.URL.Path]
	switch {
	case hop == nil:
		http.NotFound(w, r)
		return
	case hop.TransportError:
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
		return
	case hop.RedirectTo != "":
		w.Header().Set("Location", hop.RedirectTo)
	}
	status := hop.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(hop.Body)
	if hop.Oversized {
		// Far past discovery's cap (auth's test measures that the read
		// stops near it).
		w.Write(bytes.Repeat([]byte(" "), 1<<20))
	}
}

// offersDeviceLogin reports whether an issuer's metadata offers the
// device login: a device_authorization_endpoint, and the device grant
// among grant_types_supported when that is given.
func offersDeviceLogin(hop *fakeHop) bool {
	var doc struct {
		Device *string   `json:"device_authorization_endpoint"`
		Grants *[]string `json:"grant_types_supported"`
	}
	if hop == nil || json.Unmarshal(hop.Body, &doc) != nil || doc.Device == nil {
		return false
	}
	return doc.Grants == nil || slices.Contains(*doc.Grants, "urn:ietf:params:oauth:grant-type:device_code")
}

// discoverIn runs `bcauth discover` (with args) as a process of its own
// in this test's environment.
func discoverIn(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := bcauthProcess(t, append([]string{"discover"}, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitCode()
	default:
		t.Fatalf("bcauth discover: %v", err)
	}
	return out.String(), errOut.String(), code
}

func TestDiscoverCommandAgreesWithBasecampsFixtures(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("auth", "testdata", "conformance", "oauth", "fixtures", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no conformance fixtures (%v)", err)
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".json"), func(t *testing.T) {
			discoverFixture(t, path)
		})
	}
}

func discoverFixture(t *testing.T, path string) {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The literal loopback origin a fixture serves (http://[::1]:3000) is
	// served where it says: bcauth dials what it is given.
	var peek fixtureCase
	if err := json.Unmarshal(raw, &peek); err != nil {
		t.Fatal(err)
	}
	var literal net.Listener
	if peek.Hop1 != nil && !strings.Contains(peek.ResourceOrigin, "{{") {
		host := strings.TrimPrefix(strings.TrimPrefix(peek.ResourceOrigin, "http://"), "https://")
		if h, _, err := net.SplitHostPort(host); err != nil || !auth.IsLoopbackHost(h) {
			t.Fatalf("the fixture serves %s, which is not a loopback origin this test may listen on", peek.ResourceOrigin)
		}
		if literal, err = net.Listen("tcp", host); err != nil {
			t.Skipf("cannot serve the fixture's literal origin %s here: %v", peek.ResourceOrigin, err)
		}
	}
	resource, issuer, bc5, launchpad := newFakeOrigin(t, literal), newFakeOrigin(t, nil), newFakeOrigin(t, nil), newFakeOrigin(t, nil)
	origins := map[string]*fakeOrigin{resource.url(): resource, issuer.url(): issuer, bc5.url(): bc5, launchpad.url(): launchpad}
	var f fixtureCase
	if err := json.Unmarshal([]byte(strings.NewReplacer(
		"{{RESOURCE_ORIGIN}}", resource.url(),
		"{{ISSUER_ORIGIN}}", issuer.url(),
		"{{LAUNCHPAD_ORIGIN}}", launchpad.url(),
		"{{BC5_ISSUER}}", bc5.url(),
	).Replace(string(raw))), &f); err != nil {
		t.Fatal(err)
	}
	base, pin := f.ResourceOrigin, f.ExpectedIssuer
	switch f.Operation {
	case "discoverFromResource", "discoverProtectedResource":
		if f.Hop1 != nil {
			resource.routes["/.well-known/oauth-protected-resource"] = f.Hop1
		}
	case "discover":
		base = resource.url()
		doc, _ := json.Marshal(map[string]any{"resource": base, "authorization_servers": []string{f.IssuerOrigin}})
		resource.routes["/.well-known/oauth-protected-resource"] = &fakeHop{Body: doc}
	default:
		t.Fatalf("unknown operation %q", f.Operation)
	}
	if f.Hop2 != nil {
		o := origins[f.Hop2.Origin]
		if o == nil {
			t.Fatalf("hop2 is served by %q, which is no fake", f.Hop2.Origin)
		}
		o.routes["/.well-known/oauth-authorization-server"] = f.Hop2
	}
	for _, o := range origins {
		o.srv.Start()
	}
	emptyConfig(t,
		auth.SettingClientID, "conformance-client", auth.SettingClientSecret, "conformance-secret",
		auth.SettingLaunchpadURL, launchpad.url(), auth.SettingBC5ClientID, "conformance-bc5-client",
		auth.SettingResource, base, auth.SettingIssuer, pin,
		auth.SettingToken, "", core.IDSetting, "", core.KeyringSetting, "")

	stdout, stderr, code := discoverIn(t, "--json")
	var doc discoverDoc
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || stderr != "" {
		t.Fatalf("discover --json: exit %d, %v; stdout:\n%s\nstderr (want none):\n%s", code, err, stdout, stderr)
	}
	if got := launchpad.requests(); len(got) != 0 {
		t.Errorf("Launchpad received %q, want nothing", got)
	}
	shown, _ := json.Marshal(doc)
	e := f.Expect
	switch {
	case e.Outcome == "selected" && f.Operation == "discoverProtectedResource":
		// Step 1 bound to the resource, which names no server but
		// Launchpad.
		if code != 0 || doc.Server == nil || doc.Server.Kind != "launchpad" || optStr(doc.Note) != "the API host advertises no authorization server but Launchpad" ||
			optStr(doc.Resource) != e.SelectedIssuer || doc.Advertised == nil || doc.Problem != nil {
			t.Fatalf("exit %d, %s; want 0 and Launchpad, none but it advertised by %s", code, shown, e.SelectedIssuer)
		}
	case e.Outcome == "selected" && !offersDeviceLogin(f.Hop2):
		// The deliberate difference: chosen, its metadata read once,
		// refused for want of the device login.
		if code != 2 || doc.Server != nil || doc.Problem == nil || optStr(doc.Problem.Setting) != auth.SettingResource ||
			!strings.Contains(doc.Problem.Message, "device") || !strings.Contains(doc.Problem.Message, e.SelectedIssuer) {
			t.Fatalf("exit %d, %s; want 2 and %s refused for offering no device login", code, shown, e.SelectedIssuer)
		}
		if got := origins[f.Hop2.Origin].requests(); len(got) != 1 {
			t.Fatalf("the selected issuer was asked %q, want its metadata once", got)
		}
	case e.Outcome == "selected":
		if code != 0 || doc.Server == nil || doc.Server.Kind != "bc5" || optStr(doc.Server.Issuer) != e.SelectedIssuer || doc.Server.Name != e.SelectedIssuer ||
			doc.Note != nil || doc.Problem != nil || !slices.Contains(doc.Advertised, e.SelectedIssuer) {
			t.Fatalf("exit %d, %s; want 0 and the issuer %s", code, shown, e.SelectedIssuer)
		}
	case e.Outcome == "fallback":
		if code != 0 || doc.Server == nil || doc.Server.Kind != "launchpad" || doc.Server.Issuer != nil || doc.Problem != nil {
			t.Fatalf("exit %d, %s; want 0 and Launchpad", code, shown)
		}
		switch e.FallbackReason {
		case "resource_discovery_failed":
			if !strings.HasPrefix(optStr(doc.Note), "the API host's metadata could not be read: ") || doc.Advertised != nil {
				t.Fatalf("%s: want step 1 failed, nothing advertised read", shown)
			}
		case "no_as_advertised":
			if optStr(doc.Note) != "the API host advertises no authorization server but Launchpad" || doc.Advertised == nil {
				t.Fatalf("%s: want none advertised but Launchpad", shown)
			}
		default:
			t.Fatalf("unknown fallback reason %q", e.FallbackReason)
		}
	case e.Outcome == "raise":
		setting := auth.SettingResource
		if e.Error == "ambiguous_issuers" || e.Error == "expected_issuer_unavailable" {
			setting = auth.SettingIssuer
		}
		if code != 2 || doc.Server != nil || doc.Problem == nil || doc.Problem.Kind != core.KindInvalidConfig || optStr(doc.Problem.Setting) != setting {
			t.Fatalf("exit %d, %s; want 2 and %s (%s) named", code, shown, setting, e.Error)
		}
		if e.Error == "usage" {
			for u, o := range origins {
				if got := o.requests(); len(got) != 0 {
					t.Errorf("a bad %s still asked %s %q", setting, u, got)
				}
			}
		} else if !strings.Contains(doc.Problem.Message, "nothing was sent to Launchpad") {
			t.Errorf("%s: the problem does not say Launchpad was not asked", shown)
		}
	default:
		t.Fatalf("unknown outcome %q", e.Outcome)
	}
}

// TestDiscoverCommandForPeople: the plain report, exit 1 when no client
// could make the login, and the cases where discovery asks nothing.
func TestDiscoverCommandForPeople(t *testing.T) {
	resource := newFakeOrigin(t, nil)
	issuer := newFakeOrigin(t, nil)
	resource.routes["/.well-known/oauth-protected-resource"] = &fakeHop{Body: fmt.Appendf(nil,
		`{"resource": %q, "authorization_servers": [%q, "https://launchpad.37signals.com"]}`, resource.url(), issuer.url())}
	issuer.routes["/.well-known/oauth-authorization-server"] = &fakeHop{Body: fmt.Appendf(nil,
		`{"issuer": %[1]q, "token_endpoint": "%[1]s/oauth/token", "device_authorization_endpoint": "%[1]s/oauth/device"}`, issuer.url())}
	resource.srv.Start()
	issuer.srv.Start()
	// Launchpad is never asked: discover only chooses it.
	launchpadClient := []string{auth.SettingClientID, "client", auth.SettingClientSecret, "secret"}
	for _, tc := range []struct {
		name  string
		env   []string
		code  int
		lines []string // on stdout
		err   string   // on stderr
	}{
		{"BC5 and its client", []string{auth.SettingBC5ClientID, "bc5", auth.SettingResource, resource.url()}, 0,
			[]string{"Server        " + issuer.url() + " (BC5", "Why           the API origin advertises it", "Advertised    " + issuer.url() + ", https://launchpad.37signals.com"}, ""},
		{"BC5 there, a Launchpad client only", append([]string{auth.SettingResource, resource.url()}, launchpadClient...), 0,
			[]string{"Server        Launchpad", "Why           Basecamp's newer sign-in (" + issuer.url() + ") is available; set " + auth.SettingBC5ClientID}, ""},
		{"no client at all", []string{auth.SettingResource, resource.url()}, 1,
			[]string{"Server        " + issuer.url() + " (BC5"}, "to fix: run bcauth setup, or set " + auth.SettingBC5ClientID},
		{"another Launchpad, no API origin", append([]string{auth.SettingLaunchpadURL, "http://127.0.0.1:1"}, launchpadClient...), 0,
			[]string{"Server        Launchpad", "Why           discovery skipped", "API origin    none asked", "Advertised    not asked"}, ""},
		{"Launchpad pinned", append([]string{auth.SettingResource, resource.url(), auth.SettingIssuer, auth.DefaultLaunchpadURL}, launchpadClient...), 0,
			[]string{"Server        Launchpad", "Why           " + auth.SettingIssuer + " pins it", "Advertised    not asked"}, ""},
		{"a pinned issuer not advertised", append([]string{auth.SettingResource, resource.url(), auth.SettingIssuer, "https://other.example"}, launchpadClient...), 2,
			nil, "set " + auth.SettingIssuer + " to one of the authorization servers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emptyConfig(t, append([]string{auth.SettingToken, "", auth.SettingBC5ClientID, "", auth.SettingResource, "", auth.SettingIssuer, "",
				core.IDSetting, "", core.KeyringSetting, ""}, tc.env...)...)
			before := len(resource.requests())
			stdout, stderr, code := discoverIn(t)
			if code != tc.code || (tc.err == "") != (stderr == "") || !strings.Contains(stderr, tc.err) {
				t.Fatalf("exit %d, want %d; stdout:\n%s\nstderr (want %q):\n%s", code, tc.code, stdout, tc.err, stderr)
			}
			for _, l := range tc.lines {
				if !strings.Contains(stdout, l) {
					t.Errorf("stdout lacks %q:\n%s", l, stdout)
				}
			}
			if tc.lines == nil && stdout != "" {
				t.Errorf("stdout, want none:\n%s", stdout)
			}
			if strings.Contains(strings.Join(tc.lines, "\n"), "not asked") && len(resource.requests()) != before {
				t.Errorf("the API origin was asked: %q", resource.requests()[before:])
			}
		})
	}
}

// optStr is *s, or "<nil>".
func optStr(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
