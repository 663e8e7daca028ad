package auth

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/oauth2"
)

// maxAnswerBytes is what x/oauth2 reads of a token answer, so the copy
// kept here is never shorter than what it parsed.
const maxAnswerBytes = 1 << 20

// answer is the token endpoint's successful answer, kept for the error
// message when x/oauth2 cannot read a token in it: its own error names
// neither the status nor the body.
type answer struct {
	status int
	body   []byte
}

// came reports whether a successful answer was recorded.
func (a *answer) came() bool { return a != nil && a.status >= 200 && a.status < 300 }

type answerKey struct{}

// withAnswer makes the client's transport record in a the successful
// answer to the request made with ctx.
func withAnswer(ctx context.Context, a *answer) context.Context {
	return context.WithValue(ctx, answerKey{}, a)
}

// recorder is the client's transport, which keeps a copy of a successful
// answer for a request whose context asks for one (see withAnswer).
type recorder struct{ next http.RoundTripper }

func (t recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	a, _ := req.Context().Value(answerKey{}).(*answer)
	if err != nil || a == nil || resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	resp.Body.Close()
	if err != nil {
		// A broken answer is a broken connection, as it would be unread.
		return nil, err
	}
	a.status, a.body = resp.StatusCode, body
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// maxLineRunes bounds the line of an answer shown to a person.
const maxLineRunes = 200

var (
	tagRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`<[^>]*>`)
	})
	// escapeRE finds terminal escape sequences (CSI, OSC with its payload,
	// and two-byte ones), dropped whole so no payload is left as text.
	escapeRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|.)|\x{9b}[0-?]*[ -/]*[@-~]`)
	})
	// jsonSecretRE and formSecretRE find a token's value, which an answer
	// bcauth cannot read may hold all the same: it is never shown.
	jsonSecretRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`("(?:access|refresh|id)_token"\s*:\s*)"(?:[^"\\]|\\.)*"`)
	})
	formSecretRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`((?:access|refresh|id)_token=)[^&\s]*`)
	})
)

// firstLine is the first line of body with any text, for a person to see
// what answered: an HTML page's tags are dropped (its title usually comes
// first), so are terminal escapes, control and bidirectional formatting
// characters, and a token's value becomes "…". It is cleaned here because auth cannot use
// core.Clean; a front end cleans it again as it cleans all of Launchpad's
// text.
func firstLine(body []byte) string {
	body = body[:min(len(body), 64<<10)] // a line to show is near the start
	s := string(bytes.ToValidUTF8(body, []byte("\uFFFD")))
	s = jsonSecretRE().ReplaceAllString(s, `$1"…"`)
	s = formSecretRE().ReplaceAllString(s, `$1…`)
	s = escapeRE().ReplaceAllString(s, "")
	if looksLikeHTML(bytes.TrimSpace(body)) {
		s = tagRE().ReplaceAllString(s, "\n")
	}
	for line := range strings.Lines(s) {
		line = strings.Join(strings.Fields(strings.Map(visible, line)), " ")
		if line == "" {
			continue
		}
		if r := []rune(line); len(r) > maxLineRunes {
			line = string(r[:maxLineRunes]) + "…"
		}
		return line
	}
	return ""
}

// visible drops control characters and bidirectional formatting, which
// could make a terminal or the page show something else than was sent;
// a tab stays, as a space.
func visible(r rune) rune {
	switch {
	case r == '\t':
		return ' '
	case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r):
		return -1
	}
	return r
}

// unusable refuses a token x/oauth2 read but no request could carry: a
// space, a control character or anything beyond ASCII in a Bearer
// header. Refused here, the browser's page says the login failed rather
// than "connected" before the first use of the token fails. The token is
// never quoted.
func unusable(op Op, tok *oauth2.Token, ans *answer) error {
	// An access token travels in an Authorization header: visible ASCII,
	// no space. A refresh token only ever travels in a form body, and
	// RFC 6749 lets it hold spaces (VSCHAR, %x20-7E).
	if strings.ContainsFunc(tok.AccessToken, func(r rune) bool { return r <= ' ' || r >= 0x7f }) ||
		strings.ContainsFunc(tok.RefreshToken, func(r rune) bool { return r < ' ' || r >= 0x7f }) {
		return &LaunchpadError{Op: op, Status: ans.status, Kind: KindUnexpected, Text: "a token with characters a token cannot have"}
	}
	return nil
}
