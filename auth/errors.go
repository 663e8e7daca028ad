package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Op names the Launchpad step that failed.
type Op string

// The steps of a Launchpad login.
const (
	OpExchange      Op = "trade the authorization code"
	OpRefresh       Op = "refresh the access token"
	OpAuthorization Op = "read authorization.json"
	// BC5's steps (see device.go and revoke.go).
	OpDevice Op = "start the device login"
	OpPoll   Op = "finish the device login"
	OpRevoke Op = "revoke the refresh token"
)

// Kind says what a person should do about a failure.
type Kind int

const (
	// KindOther is a failure with no known remedy beyond reading the text.
	KindOther Kind = iota
	// KindRelogin means the login is dead: log in again.
	KindRelogin
	// KindRetry means the failure is probably temporary: try again later.
	KindRetry
	// KindConfig means the client configuration is wrong.
	KindConfig
	// KindUnexpected means an answer came, a success by its status, that
	// holds nothing bcauth understands (an HTML page, a token in another
	// shape): not the network's fault, and not the login's.
	KindUnexpected
)

// LaunchpadError is a failure answered by (or on the way to) Launchpad. Text
// is the server's own words, unfiltered: sanitise it before display.
type LaunchpadError struct {
	Op     Op
	Status int    // HTTP status, 0 when no answer came
	Text   string // Launchpad's own error text, if any
	Kind   Kind
	Err    error // the underlying error, if any
	// RetryAfter is the wait a 429 asked for (Retry-After), zero if none.
	RetryAfter time.Duration
	// Server names the server that answered when it is not Launchpad:
	// a BC5 issuer. Empty means Launchpad.
	Server string
}

// serverName is how the message names the server that answered.
func (e *LaunchpadError) serverName() string {
	if e.Server != "" {
		return e.Server
	}
	return "Launchpad"
}

func (e *LaunchpadError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "could not %s", e.Op)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": %s answered %d %s", e.serverName(), e.Status, http.StatusText(e.Status))
	}
	if e.Kind == KindUnexpected {
		// Text is already one clean line: it reads better unquoted.
		b.WriteString(", but with something bcauth does not understand")
		if e.Text != "" {
			fmt.Fprintf(&b, ": %s", e.Text)
		}
		return b.String()
	}
	if e.Text != "" {
		fmt.Fprintf(&b, ": %q", e.Text)
	} else if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

func (e *LaunchpadError) Unwrap() error { return e.Err }

// Advice is the one thing a person should do next.
func (e *LaunchpadError) Advice() string {
	if e.Server != "" {
		return e.bc5Advice()
	}
	switch e.Kind {
	case KindRelogin:
		return "Launchpad no longer accepts this login: log in again (bcauth login)."
	case KindRetry:
		return "This is probably temporary: check the network and try again."
	case KindConfig:
		return "Check the client id, client secret and redirect URI registered at https://launchpad.37signals.com/integrations."
	case KindUnexpected:
		return "Check that " + SettingLaunchpadURL + ", if set, is Launchpad (a proxy or a captive portal may have answered in its place), then try again."
	}
	return ""
}

func asLaunchpad(err error) (*LaunchpadError, bool) {
	var le *LaunchpadError
	ok := errors.As(err, &le)
	return le, ok
}

// NeedsLogin reports whether err means the stored login is dead and the
// person must log in again (rejected refresh token, password change).
func NeedsLogin(err error) bool {
	var le *LaunchpadError
	return errors.As(err, &le) && le.Kind == KindRelogin
}

// Temporary reports whether err is probably transient (network, 5xx).
func Temporary(err error) bool {
	var le *LaunchpadError
	return errors.As(err, &le) && le.Kind == KindRetry
}

// reloginPhrases are the texts Launchpad uses for a login that is gone.
var reloginPhrases = []string{
	"invalid_grant", "authorization_expired", "rekeyed", "deadbolt",
	"revoked", "unknown basecamp id", "refresh token", "expired",
}

// configPhrases point at the client registration rather than the login.
var configPhrases = []string{"client_id", "client_secret", "invalid_client", "redirect_uri", "unauthorized_client"}

// clientRefused are the config phrases that refuse the client itself, which
// outrank a dead login even when refreshing.
var clientRefused = []string{"invalid_client", "unauthorized_client", "missing client_id"}

func containsAny(s string, phrases []string) bool {
	for _, p := range phrases {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// classify decides what a person should do about an HTTP failure.
func classify(op Op, status int, text string) Kind {
	if status >= 500 || status == http.StatusTooManyRequests || status == http.StatusRequestTimeout {
		return KindRetry
	}
	low := strings.ToLower(text)
	if op == OpRefresh {
		// A refused refresh may name the client in passing ("the refresh
		// token does not belong to this client_id"): the login is what
		// died, unless Launchpad refuses the client itself.
		if containsAny(low, clientRefused) {
			return KindConfig
		}
		if containsAny(low, reloginPhrases) {
			return KindRelogin
		}
	}
	if containsAny(low, configPhrases) {
		return KindConfig
	}
	if status == http.StatusUnauthorized && op == OpRefresh {
		// A bare 401 from the token endpoint (a proxy's page, an empty
		// body) is no refusal of the login: only Launchpad's own words
		// above make one, and a refusal is recorded for good.
		return KindUnexpected
	}
	if status == http.StatusUnauthorized && op != OpExchange {
		return KindRelogin
	}
	for _, p := range reloginPhrases {
		if strings.Contains(low, p) {
			if op == OpExchange {
				// An expired or used code is not a dead login: start over.
				return KindOther
			}
			return KindRelogin
		}
	}
	return KindOther
}

// ErrorText pulls the human text out of an error body: JSON with "error" and
// "error_description", Launchpad's {"status":404,"error":"Not Found"}, or
// plain text; "" for an HTML page. Product APIs answer errors in the same
// shapes, so auth/probe reads them with it too.
func ErrorText(body []byte) string {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return ""
	}
	var j struct {
		Error       any    `json:"error"`
		Description string `json:"error_description"`
		Message     string `json:"message"`
	}
	if body[0] == '{' && json.Unmarshal(body, &j) == nil {
		var parts []string
		if s, ok := j.Error.(string); ok && s != "" {
			parts = append(parts, s)
		}
		if j.Description != "" {
			parts = append(parts, j.Description)
		}
		if j.Message != "" {
			parts = append(parts, j.Message)
		}
		if len(parts) > 0 {
			return strings.Join(parts, ": ")
		}
	}
	if looksLikeHTML(body) {
		return ""
	}
	const max = 500
	s := string(body)
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

func looksLikeHTML(b []byte) bool {
	low := bytes.ToLower(b[:min(len(b), 64)])
	return bytes.HasPrefix(low, []byte("<!doctype")) || bytes.HasPrefix(low, []byte("<html"))
}

// newHTTPError reads (a bounded part of) a failed response into a typed error.
func newHTTPError(op Op, resp *http.Response) *LaunchpadError {
	if isRedirect(resp.StatusCode) {
		return redirectError(op, resp)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	text := ErrorText(body)
	return &LaunchpadError{Op: op, Status: resp.StatusCode, Text: text, Kind: classify(op, resp.StatusCode, text)}
}
