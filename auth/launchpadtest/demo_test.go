package launchpadtest

import (
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func TestStartDemo(t *testing.T) {
	s, err := StartDemo()
	if err != nil {
		t.Fatalf("StartDemo: %v", err)
	}
	t.Cleanup(s.Close)
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Errorf("URL %q is not on loopback", s.URL)
	}
	o := s.Options()
	m := regexp.MustCompile(`^http://127\.0\.0\.1:(\d+)/callback$`).FindStringSubmatch(o.RedirectURI)
	if m == nil || "http://127.0.0.1:"+m[1] == s.URL {
		t.Fatalf("redirect URI %q, want /callback on a loopback port other than %s", o.RedirectURI, s.URL)
	}
	if page := get(t, authURL(s, nil)); !strings.Contains(page.body, "bcauth demo") {
		t.Errorf("the consent page does not name the demo:\n%s", page.body)
	}

	// The app can listen on the redirect URI's port, and a login reaches it.
	ln, err := net.Listen("tcp", "127.0.0.1:"+m[1])
	if err != nil {
		t.Fatalf("the redirect URI's port is not free: %v", err)
	}
	codes := make(chan string, 1)
	callback := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		codes <- r.URL.Query().Get("code")
	}))
	callback.Listener.Close()
	callback.Listener = ln
	callback.Start()
	t.Cleanup(callback.Close)
	if err := s.ApproveAndFollow(t.Context(), authURL(s, nil)); err != nil {
		t.Fatalf("ApproveAndFollow: %v", err)
	}
	if a := postToken(t, s, nil, codeForm(s, <-codes)); a.status != http.StatusOK {
		t.Errorf("code exchange: %d %s", a.status, a.body)
	}
}

// TestIntegrationsPage: the demo's setup screen points at the fake's own
// integrations page, which names the client bcauth demo uses.
func TestIntegrationsPage(t *testing.T) {
	s := start(t, Options{AppName: "bcauth demo"})
	a := get(t, s.URL+"/integrations")
	if a.status != http.StatusOK || !strings.Contains(a.body, s.Options().ClientID) || !strings.Contains(a.body, "bcauth demo") {
		t.Errorf("GET /integrations = %d\n%s", a.status, a.body)
	}
}
