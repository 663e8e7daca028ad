package launchpadtest

import (
	"net/http"
	"strings"
	"testing"
)

// The demo with BC5: discovery finds the issuer, the headless approver
// approves what the app would open, and one Close ends both.
func TestStartDemoBC5(t *testing.T) {
	s, b, err := StartDemoBC5()
	if err != nil {
		t.Fatalf("StartDemoBC5: %v", err)
	}
	t.Cleanup(s.Close)
	if b.Resource != s.URL || !strings.HasPrefix(b.Issuer, "http://127.0.0.1:") {
		t.Errorf("Resource %q Issuer %q", b.Resource, b.Issuer)
	}
	if got := string(resourceDoc(t, s)["authorization_servers"]); got != `["`+b.Issuer+`"]` {
		t.Errorf("the demo advertises %s", got)
	}
	d := startDevice(t, b, nil)
	if d["interval"] != float64(1) {
		t.Errorf("the demo polls every %v s, want 1", d["interval"])
	}
	if err := b.TakeTurns()(t.Context(), str(d, "verification_uri_complete")); err != nil {
		t.Fatalf("TakeTurns: %v", err)
	}
	tok := decodeObject(t, poll(t, b, str(d, "device_code")).body)
	if email, status := identityOf(t, b.AuthorizationURL, str(tok, "access_token")); email != DemoIdentity().EmailAddress {
		t.Errorf("the demo's BC5 login: %d %q", status, email)
	}

	s.Close()
	if resp, err := http.Get(b.Issuer + "/.well-known/oauth-authorization-server"); err == nil {
		resp.Body.Close()
		t.Error("the issuer still answers after the Server's Close")
	}
}

func TestStartBC5OnAClosedFake(t *testing.T) {
	s := NewServer(Options{})
	s.Close()
	if b, err := s.StartBC5(BC5Options{}); err == nil {
		b.Close()
		t.Error("StartBC5 on a closed fake: no error")
	}
}
