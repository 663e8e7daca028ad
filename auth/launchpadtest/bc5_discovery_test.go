package launchpadtest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// resourceDoc reads the resource origin's metadata, as raw JSON values.
func resourceDoc(t *testing.T, s *Server) map[string]json.RawMessage {
	t.Helper()
	a := get(t, s.URL+"/.well-known/oauth-protected-resource")
	if a.status != http.StatusOK {
		t.Fatalf("protected-resource metadata: %d %s", a.status, a.body)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(a.body), &m); err != nil {
		t.Fatalf("not a JSON object: %v: %s", err, a.body)
	}
	return m
}

func TestProtectedResourceMetadataAdvertisesTheIssuerOnlyWhileLit(t *testing.T) {
	s := start(t, Options{})
	servers := func() string {
		t.Helper()
		m := resourceDoc(t, s)
		if string(m["resource"]) != `"`+s.URL+`"` {
			t.Errorf("resource %s, want %q exactly", m["resource"], s.URL)
		}
		v, ok := m["authorization_servers"]
		if !ok {
			return "absent"
		}
		return string(v)
	}
	if got := servers(); got != "absent" {
		t.Errorf("before StartBC5: authorization_servers %s, want the key left out", got)
	}
	b, err := s.StartBC5(BC5Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.Issuer, "http://127.0.0.1:") || strings.Count(b.Issuer, "/") != 2 || b.Issuer == s.URL {
		t.Errorf("Issuer %q, want an origin of its own with an empty path", b.Issuer)
	}
	for _, step := range []struct {
		name string
		dark bool
		want string
	}{
		{"lit", false, `["` + b.Issuer + `"]`},
		{"dark", true, "absent"},
		{"lit again", false, `["` + b.Issuer + `"]`},
	} {
		b.SetDark(step.dark)
		if got := servers(); got != step.want {
			t.Errorf("%s: authorization_servers %s, want %s", step.name, got, step.want)
		}
	}
	if n := b.Requests(BC5ResourceMetadata); n != 4 || s.Requests(EndpointProtectedResource) != 4 {
		t.Errorf("Requests(BC5ResourceMetadata) = %d, want 4 (one before BC5 started)", n)
	}
	b.Close()
	if got := servers(); got != "absent" {
		t.Errorf("after Close: authorization_servers %s, want the key left out", got)
	}
	if _, err := s.StartBC5(BC5Options{Dark: true}); err != nil {
		t.Fatalf("StartBC5 after Close: %v", err)
	}
	if got := servers(); got != "absent" {
		t.Errorf("started dark: authorization_servers %s, want the key left out", got)
	}
	if _, err := s.StartBC5(BC5Options{}); err == nil {
		t.Error("a second StartBC5 while one runs: no error")
	}
}

func TestResourceMetadataRows(t *testing.T) {
	s, b, _ := startBC5(t, BC5Options{})
	other := "https://issuer.invalid"
	for _, tc := range []struct {
		name      string
		advertise []string
		edit      func(map[string]any)
		dark      bool
		key, want string
	}{
		{name: "default", key: "authorization_servers", want: `["` + b.Issuer + `"]`},
		{name: "two issuers", advertise: []string{b.Issuer, other}, key: "authorization_servers", want: `["` + b.Issuer + `","` + other + `"]`},
		{name: "none", advertise: []string{}, key: "authorization_servers", want: `[]`},
		{name: "twice, with a slash", advertise: []string{b.Issuer + "/", b.Issuer + "/"}, key: "authorization_servers", want: `["` + b.Issuer + `/","` + b.Issuer + `/"]`},
		{name: "dark wins", advertise: []string{other}, dark: true, key: "authorization_servers", want: "absent"},
		{name: "null", edit: func(m map[string]any) { m["authorization_servers"] = nil }, key: "authorization_servers", want: "null"},
		{name: "not an array", edit: func(m map[string]any) { m["authorization_servers"] = b.Issuer }, key: "authorization_servers", want: `"` + b.Issuer + `"`},
		{name: "resource mismatch", edit: func(m map[string]any) { m["resource"] = s.URL + "/" }, key: "resource", want: `"` + s.URL + `/"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b.AdvertiseIssuers(tc.advertise)
			b.SetResourceMetadata(tc.edit)
			b.SetDark(tc.dark)
			t.Cleanup(func() { b.AdvertiseIssuers(nil); b.SetResourceMetadata(nil); b.SetDark(false) })
			got := "absent"
			if v, ok := resourceDoc(t, s)[tc.key]; ok {
				got = string(v)
			}
			if got != tc.want {
				t.Errorf("%s = %s, want %s", tc.key, got, tc.want)
			}
		})
	}
}

func TestIssuerMetadata(t *testing.T) {
	s, b, _ := startBC5(t, BC5Options{})
	doc := func() map[string]any {
		t.Helper()
		a := get(t, b.Issuer+"/.well-known/oauth-authorization-server")
		if a.status != http.StatusOK {
			t.Fatalf("issuer metadata: %d %s", a.status, a.body)
		}
		return decodeObject(t, a.body)
	}
	m := doc()
	for k, want := range map[string]string{
		"issuer":                        b.Issuer,
		"token_endpoint":                b.TokenEndpoint,
		"device_authorization_endpoint": b.DeviceAuthorizationEndpoint,
		"revocation_endpoint":           b.RevocationEndpoint,
	} {
		if got := str(m, k); got != want || !strings.HasPrefix(got, b.Issuer) {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if _, ok := m["authorization_endpoint"]; ok {
		t.Error("a device-only issuer names an authorization_endpoint")
	}
	grants, _ := m["grant_types_supported"].([]any)
	if !slices.Contains(grants, any(deviceCodeGrant)) || !slices.Contains(grants, any("refresh_token")) {
		t.Errorf("grant_types_supported %v lacks the device grant's URN or refresh_token", grants)
	}

	b.SetMetadata(func(m map[string]any) {
		m["issuer"] = b.Issuer + "/"
		delete(m, "device_authorization_endpoint")
		m["revocation_endpoint"] = ""
	})
	m = doc()
	if _, has := m["device_authorization_endpoint"]; str(m, "issuer") != b.Issuer+"/" || has || str(m, "revocation_endpoint") != "" {
		t.Errorf("edited metadata %v", m)
	}
	b.SetMetadata(nil)
	if str(doc(), "issuer") != b.Issuer {
		t.Error("SetMetadata(nil) did not restore the metadata")
	}
	if n := b.Requests(BC5IssuerMetadata); n != 3 {
		t.Errorf("Requests(BC5IssuerMetadata) = %d, want 3", n)
	}
	// The API host's own RFC 8414 path answers 404 for good.
	if a := get(t, s.URL+"/.well-known/oauth-authorization-server"); a.status != http.StatusNotFound {
		t.Errorf("the resource origin's RFC 8414 path: %d, want 404", a.status)
	}
	if a := postForm(t, b.Issuer+"/.well-known/oauth-authorization-server", nil); a.status != http.StatusMethodNotAllowed {
		t.Errorf("POST to the metadata: %d, want 405", a.status)
	}
}
