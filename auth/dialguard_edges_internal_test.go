package auth

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestGuardedHTTPWithoutADefaultTransport: when http.DefaultTransport is
// not an *http.Transport (a program replaced it) and the caller's is not
// one either, the guarded client builds a transport of its own, with a
// TLS handshake timeout, and still dials through the guard.
func TestGuardedHTTPWithoutADefaultTransport(t *testing.T) {
	saved := http.DefaultTransport
	http.DefaultTransport = roundTripFunc(func(*http.Request) (*http.Response, error) {
		return nil, errors.New("test: the default transport was used")
	})
	defer func() { http.DefaultTransport = saved }()

	hc := guardedHTTP(&http.Client{Transport: roundTripFunc(nil)}, dialGuard{lookup: lookupTo("10.0.0.1")})
	tr, ok := hc.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("the guarded client's transport is a %T", hc.Transport)
	}
	if tr.TLSHandshakeTimeout != 10*time.Second || tr.DialContext == nil || tr.Proxy != nil {
		t.Fatalf("the transport built: TLS handshake timeout %v, dialer %v, proxy %v", tr.TLSHandshakeTimeout, tr.DialContext != nil, tr.Proxy != nil)
	}
	if _, err := tr.DialContext(context.Background(), "tcp", "issuer.example:443"); !errors.Is(err, ErrPrivateAddress) {
		t.Fatalf("a dial to a private address: %v, want ErrPrivateAddress", err)
	}
}
