package auth_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"bcauth/auth"

	"golang.org/x/oauth2"
)

// The guarded client a BC5 server is reached through is a copy of the
// caller's: it keeps the caller's transport (its TLS roots, its dialer)
// and puts the guard in front of the dialer. Each test here stands
// against a wrong program mutation testing found the other tests let
// through.

// tlsIssuer is a BC5 token endpoint over TLS, with a certificate only
// its own client trusts.
func tlsIssuer(t *testing.T) (*httptest.Server, auth.Server) {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"access_token":"bc_at_2","refresh_token":"r2"}`)
	}))
	t.Cleanup(srv.Close)
	return srv, auth.Server{Kind: auth.ServerBC5, Issuer: srv.URL, TokenEndpoint: srv.URL + tokenPath, Resource: srv.URL}
}

// TestGuardedClientKeepsTheCallersTransport: the TLS roots of the
// caller's *http.Transport still decide which certificates are trusted.
func TestGuardedClientKeepsTheCallersTransport(t *testing.T) {
	srv, server := tlsIssuer(t)
	c, err := auth.New(auth.Config{ClientID: bc5ClientID, Server: server, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.RefreshToken(context.Background(), &oauth2.Token{RefreshToken: "r1"})
	if err != nil || tok.AccessToken != "bc_at_2" {
		t.Fatalf("a refresh over TLS with the caller's roots: %+v, %v", tok, err)
	}
}

// TestGuardedClientDialsThroughTheCallersDialer: the caller's DialContext
// makes the connection, to the address the guard judged; a transport
// without one gets a plain dialer.
func TestGuardedClientDialsThroughTheCallersDialer(t *testing.T) {
	is := newIssuer(t)
	is.always(tokenPath, 200, `{"access_token":"bc_at_2","refresh_token":"r2"}`)
	var mu sync.Mutex
	var dialled []string
	d := &net.Dialer{Timeout: 10 * time.Second}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		mu.Lock()
		dialled = append(dialled, addr)
		mu.Unlock()
		return d.DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	for name, hc := range map[string]*http.Client{
		"the caller's dialer": {Transport: tr},
		"no dialer":           {Transport: &http.Transport{}},
	} {
		c, err := auth.New(auth.Config{ClientID: bc5ClientID, Server: is.server(), HTTPClient: hc})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.RefreshToken(context.Background(), &oauth2.Token{RefreshToken: "r1"}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(dialled) != 1 || dialled[0] != is.srv.Listener.Addr().String() {
		t.Fatalf("the caller's dialer dialled %v, want once, to %s", dialled, is.srv.Listener.Addr())
	}
}
