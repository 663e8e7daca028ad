package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// TestBC5ClientGuardsEveryRequest sends each BC5 request of a client
// whose issuer's name resolves to loopback while the resource is not:
// every one is refused where the connection would be made, and nothing is
// dialled (the test's network guard would fail the run).
func TestBC5ClientGuardsEveryRequest(t *testing.T) {
	srv := Server{
		Kind:                        ServerBC5,
		Issuer:                      "https://bc5.example",
		TokenEndpoint:               "https://bc5.example/oauth/token",
		DeviceAuthorizationEndpoint: "https://bc5.example/oauth/device",
		RevocationEndpoint:          "https://bc5.example/oauth/revoke",
		Resource:                    "https://api.example",
	}
	for _, addr := range []string{"127.0.0.1", "10.0.0.7", "169.254.169.254"} {
		c, err := New(Config{ClientID: "bc5-client", Server: srv, HTTPClient: &http.Client{}}, withLookup(lookupTo(addr)))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		_, err1 := c.StartDevice(ctx, ScopeRead)
		_, err2 := c.RefreshToken(ctx, &oauth2.Token{RefreshToken: "r"})
		_, err3 := c.Revoke(ctx, "r")
		_, err4 := c.Whose(ctx, "a")
		for i, err := range []error{err1, err2, err3, err4} {
			if !errors.Is(err, ErrPrivateAddress) {
				t.Errorf("%s, request %d: %v, want ErrPrivateAddress", addr, i+1, err)
			}
			if err != nil && !strings.Contains(err.Error(), addr) {
				t.Errorf("%s, request %d: %q does not name the address", addr, i+1, err)
			}
		}
	}
}
