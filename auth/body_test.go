package auth_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"bcauth/auth"
)

// TestAuthorizationCutShort checks that an answer whose connection closes
// before its end is a temporary failure (Launchpad could not be read, try
// again), not an unexpected answer, whether it is short or long, and
// announced by Content-Length or chunked. And that a whole answer of any
// of these shapes reads.
func TestAuthorizationCutShort(t *testing.T) {
	whole := func(n int) string {
		var b strings.Builder
		b.WriteString(`{"identity":{"id":1,"email_address":"a@example.com"},"accounts":[`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"product":"bc3","id":%d,"name":"Account %d","href":"http://127.0.0.1:9/%d"}`, i, i, i)
		}
		b.WriteString(`]}`)
		return b.String()
	}
	for _, c := range []struct {
		name    string
		body    string
		chunked bool
	}{
		{"short", whole(3), false},
		{"long", whole(20000), false}, // past the first 256 KiB read
		{"long chunked", whole(20000), true},
	} {
		for _, cut := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s cut %v", c.name, cut), func(t *testing.T) {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					conn, rw, err := http.NewResponseController(w).Hijack()
					if err != nil {
						t.Error(err)
						return
					}
					defer conn.Close()
					send := c.body
					if cut {
						send = send[:len(send)*2/3]
					}
					if c.chunked {
						fmt.Fprintf(rw, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", len(send), send)
						if !cut {
							rw.WriteString("0\r\n\r\n")
						}
					} else {
						fmt.Fprintf(rw, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(c.body), send)
					}
					rw.Flush()
				}))
				t.Cleanup(srv.Close)
				cl, err := auth.NewForToken(auth.Config{LaunchpadURL: srv.URL, HTTPClient: &http.Client{Timeout: 10 * time.Second}})
				if err != nil {
					t.Fatal(err)
				}
				a, err := cl.Authorization(t.Context(), cl.TokenSource(&oauth2.Token{AccessToken: "x"}, nil, auth.WithoutRefresh()))
				switch {
				case cut && !auth.Temporary(err):
					t.Errorf("an answer cut short: %v; want a temporary failure", err)
				case !cut && err != nil:
					t.Errorf("a whole answer: %v", err)
				case !cut && a.Body() != c.body:
					t.Errorf("a whole answer read as %d bytes, want %d", len(a.Body()), len(c.body))
				}
			})
		}
	}
}
