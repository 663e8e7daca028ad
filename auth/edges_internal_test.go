package auth

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// The edges of what bcauth shows of Launchpad's words and takes of its
// tokens, each at the value where the behaviour turns.

func TestFirstLineIsCutAfterMaxLineRunes(t *testing.T) {
	exact := strings.Repeat("é", maxLineRunes)
	if got := firstLine([]byte(exact)); got != exact {
		t.Errorf("a line of exactly %d runes was changed: %d runes", maxLineRunes, len([]rune(got)))
	}
	if got := firstLine([]byte(exact + "x")); got != exact+"…" {
		t.Errorf("a line of %d runes: %q, want it cut after %d with …", maxLineRunes+1, got, maxLineRunes)
	}
}

func TestUnusableTokens(t *testing.T) {
	for _, tc := range []struct {
		name, token string
		refused     bool
	}{
		{"printable ASCII", "BAhb!~0aZ", false},
		{"a space", "BAhb x", true},
		{"a control character", "BAhb\x1fx", true},
		{"DEL", "BAhb\x7fx", true},
		{"beyond ASCII", "BAhbé", true},
	} {
		for _, which := range []string{"access", "refresh"} {
			tok := &oauth2.Token{AccessToken: "BAhbAccess", RefreshToken: "BAhbRefresh"}
			if which == "access" {
				tok.AccessToken = tc.token
			} else {
				tok.RefreshToken = tc.token
			}
			refused := tc.refused
			if which == "refresh" && tc.name == "a space" {
				refused = false // VSCHAR: a refresh token may hold spaces (RFC 6749)
			}
			err := unusable(OpRefresh, tok, &answer{status: 200})
			if (err != nil) != refused {
				t.Errorf("%s as the %s token: %v, refused %v", tc.name, which, err, refused)
			}
			if err != nil && strings.Contains(err.Error(), tc.token) {
				t.Errorf("the refusal quotes the token: %v", err)
			}
		}
	}
}

func TestErrorWords(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"no answer", &LaunchpadError{Op: OpRefresh, Kind: KindRetry}, "could not refresh the access token"},
		{"an answer", &LaunchpadError{Op: OpRefresh, Status: 400, Kind: KindRelogin, Text: "invalid_grant"}, "could not refresh the access token: Launchpad answered 400 Bad Request"},
		{"denied", &DeniedError{Code: "access_denied"}, "access was denied in the browser (access_denied)"},
		{"denied, with words", &DeniedError{Code: "access_denied", Description: "the person said no"}, "access was denied in the browser: the person said no (access_denied)"},
		{"another refusal", &DeniedError{Code: "server_error"}, "Launchpad did not authorize bcauth (server_error)"},
	} {
		got := tc.err.Error()
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s: %q, want it to start %q", tc.name, got, tc.want)
		}
		if tc.name == "no answer" && strings.Contains(got, "answered") {
			t.Errorf("%s: %q speaks of an answer", tc.name, got)
		}
	}
	for body, want := range map[string]string{
		`{"error":"invalid_grant","error_description":"the refresh token is gone"}`: "invalid_grant: the refresh token is gone",
		`{"error":"invalid_grant"}`: "invalid_grant",
		`{"message":"Try later"}`:   "Try later",
	} {
		if got := ErrorText([]byte(body)); got != want {
			t.Errorf("ErrorText(%s) = %q, want %q", body, got, want)
		}
	}
}

func TestRedactTextThatDoesNotParse(t *testing.T) {
	for raw, want := range map[string]string{
		"#%zz":                "#REDACTED",
		"?a=%zz#x":            "?REDACTED#REDACTED",
		"@%zz":                "REDACTED@%zz",
		"://user:pw@h/%zz":    "://REDACTED@h/%zz",
		"https://h/p#frag":    "https://h/p#REDACTED",
		"https://h/p?tok=1":   "https://h/p?REDACTED",
		"https://u:p@h/p":     "https://REDACTED@h/p",
		"https://h/p":         "https://h/p",
		"http://[::1%zz]/x?t": "http://[::1%zz]/x?REDACTED",
	} {
		if got := Redact(raw); got != want {
			t.Errorf("Redact(%q) = %q, want %q", raw, got, want)
		}
	}
}

// authorizationOf is a valid authorization.json of exactly size bytes.
func authorizationOf(size int) string {
	head, tail := `{"identity":{"id":1},"accounts":[],"pad":"`, `"}`
	return head + strings.Repeat("x", size-len(head)-len(tail)) + tail
}

// TestAnAnswerOfExactlyMaxBodyBytes: the bound is the largest answer
// read, with a Content-Length and chunked, and one byte more is refused.
func TestAnAnswerOfExactlyMaxBodyBytes(t *testing.T) {
	if _, err := DecodeAuthorization(strings.NewReader(authorizationOf(MaxBodyBytes))); err != nil {
		t.Errorf("DecodeAuthorization of exactly MaxBodyBytes: %v", err)
	}
	for _, chunked := range []bool{false, true} {
		for _, size := range []int{MaxBodyBytes, MaxBodyBytes + 1} {
			body := authorizationOf(size)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if !chunked {
					w.Header().Set("Content-Length", strconv.Itoa(len(body)))
				}
				io.WriteString(w, body)
			}))
			c, err := New(Config{ClientID: "id", ClientSecret: "s", LaunchpadURL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			ts := c.TokenSource(&oauth2.Token{AccessToken: "BAhbAccess", Expiry: time.Now().Add(time.Hour)}, nil)
			_, err = c.Authorization(t.Context(), ts)
			srv.Close()
			if want := size == MaxBodyBytes; (err == nil) != want {
				t.Errorf("chunked %v, %d bytes: %v; want read %v", chunked, size, err, want)
			}
		}
	}
}

func TestRedirectPortsAtTheirEdges(t *testing.T) {
	for port, ok := range map[string]bool{"0": false, "1": true, "65535": true, "65536": false} {
		_, err := New(Config{ClientID: "id", ClientSecret: "s", RedirectURI: "http://127.0.0.1:" + port + "/callback"})
		if (err == nil) != ok {
			t.Errorf("port %s: %v, want accepted %v", port, err, ok)
		}
	}
}

func TestIsASCIIAtItsEdge(t *testing.T) {
	if !IsASCII("\x7f") || IsASCII("\x80") || IsASCII("a\xffb") {
		t.Error("IsASCII: DEL is ASCII, 0x80 and above are not")
	}
}

func TestRetryAfterAtItsEdges(t *testing.T) {
	now := time.Now()
	for v, want := range map[string]time.Duration{
		"0": 0, "-5": 0, "1": time.Second,
		"31536000": 365 * 24 * time.Hour, "31536001": 365 * 24 * time.Hour,
	} {
		if got := retryAfter(v, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}
