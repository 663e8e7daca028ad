package auth_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"bcauth/auth"
)

// authorizationText is an authorization.json of n accounts, the one at
// changed renamed (to a name as long), and tail after it.
func authorizationText(n, changed int, tail string) string {
	var b strings.Builder
	b.WriteString(`{"identity":{"id":1,"email_address":"a@example.com"},"accounts":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		name := fmt.Sprintf("Account %d", i)
		if i == changed {
			name = fmt.Sprintf("Renamed %d", i)
		}
		fmt.Fprintf(&b, `{"product":"bc3","id":%d,"name":"%s","href":"http://127.0.0.1:9/%d"}`, i, name, i)
	}
	b.WriteString(`]}` + tail)
	return b.String()
}

// askAgain asks srv, as Launchpad, for authorization.json through
// AuthorizationAgain with last, and closes srv after the test.
func askAgain(t *testing.T, srv *httptest.Server, last func() *auth.Authorization) (*auth.Authorization, error) {
	t.Helper()
	t.Cleanup(srv.Close)
	cl, err := auth.NewForToken(auth.Config{LaunchpadURL: srv.URL, HTTPClient: &http.Client{Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	return cl.AuthorizationAgain(t.Context(), cl.TokenSource(&oauth2.Token{AccessToken: "x"}, nil, auth.WithoutRefresh()), last)
}

// TestAuthorizationCutShort checks that an answer whose connection closes
// before its end is a temporary failure (Launchpad could not be read, try
// again), not an unexpected answer, whether it is short or long, and
// announced by Content-Length or chunked. And that a whole answer of any
// of these shapes reads.
func TestAuthorizationCutShort(t *testing.T) {
	for _, c := range []struct {
		name    string
		body    string
		chunked bool
	}{
		{"short", authorizationText(3, -1, ""), false},
		{"long", authorizationText(20000, -1, ""), false}, // past the first 256 KiB read
		{"long chunked", authorizationText(20000, -1, ""), true},
	} {
		// again: with the whole answer given as the one before, so that the
		// part that came is only compared, never copied.
		for _, again := range []bool{false, true} {
			for _, cut := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s cut %v again %v", c.name, cut, again), func(t *testing.T) {
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
					var last func() *auth.Authorization
					if again {
						prev, err := auth.ParseAuthorization(c.body)
						if err != nil {
							t.Fatal(err)
						}
						last = func() *auth.Authorization { return prev }
					}
					a, err := askAgain(t, srv, last)
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
}

// TestAuthorizationAgain checks that an answer which is, byte for byte,
// the one given before is that one, not parsed again, and that any other
// answer is read and parsed whole, wherever it starts to differ: in the
// first buffer read, in a later one, at its very end, or by being longer
// or shorter, with Content-Length or chunked.
func TestAuthorizationAgain(t *testing.T) {
	const n = 20000 // several 256 KiB buffers
	before := authorizationText(n, -1, "")
	prev, err := auth.ParseAuthorization(before)
	if err != nil {
		t.Fatal(err)
	}
	withTail, err := auth.ParseAuthorization(authorizationText(n, -1, "\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		prev   *auth.Authorization
		answer string
		same   bool
	}{
		{"the same", prev, before, true},
		{"nothing before", nil, before, false},
		{"one built, not read", &auth.Authorization{Identity: prev.Identity, Accounts: prev.Accounts}, before, false},
		{"changed in the first buffer", prev, authorizationText(n, 2, ""), false},
		{"changed in the middle", prev, authorizationText(n, n/2, ""), false},
		{"changed in the last account", prev, authorizationText(n, n-1, ""), false},
		{"one account more", prev, authorizationText(n+1, -1, ""), false},
		{"one account fewer", prev, authorizationText(n-1, -1, ""), false},
		{"a start of the one before", withTail, before, false},
		{"the one before and more", prev, authorizationText(n, -1, "\n"), false},
	} {
		for _, chunked := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s chunked %v", c.name, chunked), func(t *testing.T) {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if !chunked {
						w.Header().Set("Content-Length", fmt.Sprint(len(c.answer)))
					}
					w.Header().Set("Content-Type", "application/json")
					w.Write([]byte(c.answer))
				}))
				calls := 0
				a, err := askAgain(t, srv, func() *auth.Authorization { calls++; return c.prev })
				if err != nil {
					t.Fatal(err)
				}
				if calls == 0 {
					t.Error("the answer before was never asked for")
				}
				if got := a == c.prev; got != c.same {
					t.Errorf("the answer before returned: %v, want %v", got, c.same)
				}
				want, err := auth.ParseAuthorization(c.answer)
				if err != nil {
					t.Fatal(err)
				}
				if a.Body() != c.answer {
					t.Errorf("read %d bytes, want the %d sent", len(a.Body()), len(c.answer))
				}
				if !reflect.DeepEqual(a.Accounts, want.Accounts) || a.Identity != want.Identity {
					t.Error("the accounts read are not the ones sent")
				}
			})
		}
	}
}
