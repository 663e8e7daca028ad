package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
)

// Login is one attempt to connect a Basecamp ID: a fresh state, the
// authorization URL that carries it, the one-time start address that hands
// it to a single browser, and the verification code derived from the state
// that both the terminal and the browser's success page show.
type Login struct {
	c *Client
	// State is the random value Launchpad passes back unchanged.
	State string
	// Code is the short verification code, such as 7KQ4-M2XD.
	Code string
	// URL is the authorization URL, state included. It is for paste-back
	// only (shown on screen, copied through the terminal): never give it to
	// another program, whose arguments every local user can read.
	URL string
	// Start is the one-time loopback address to give the browser, such as
	// http://127.0.0.1:8976/start/NONCE: the listener answers it once, with
	// a redirect to URL and a cookie that binds the callback to that
	// browser. It carries no state, so it may go into $BROWSER's arguments.
	Start string

	nonce   string // the last segment of Start
	binding string // the cookie's value, known only to the first browser
}

// NewLogin starts a Launchpad login (on BC5 it is [ErrNotForBC5]: see
// [Client.StartDevice]) with 256 bits of fresh state, and as much for the
// start address's nonce and for the binding cookie, from crypto/rand.
func (c *Client) NewLogin() (*Login, error) {
	if c.cfg.Server.IsBC5() {
		return nil, ErrNotForBC5
	}
	var secrets [3]string
	for i := range secrets {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("could not make a random state: %w", err)
		}
		secrets[i] = base64.RawURLEncoding.EncodeToString(b)
	}
	state, nonce := secrets[0], secrets[1]
	// The redirect URI was validated by New; the start address lives on
	// the same host and port, so the cookie it sets is the callback's.
	start := &url.URL{Scheme: "http", Host: c.redirect.Host, Path: startPrefix + nonce}
	return &Login{
		c:     c,
		State: state,
		Code:  VerificationCode(state),
		// Launchpad predates the final OAuth 2 names: send both.
		URL:     c.code.AuthCodeURL(state, oauth2.SetAuthURLParam("type", "web_server")),
		Start:   start.String(),
		nonce:   nonce,
		binding: secrets[2],
	}, nil
}

// codeAlphabet is Crockford's base 32: no I, L, O or U to misread.
const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// VerificationCode derives an eight-character code (40 bits) from a state,
// shown as XXXX-XXXX.
func VerificationCode(state string) string {
	sum := sha256.Sum256([]byte("bcauth verification code\x00" + state))
	var b strings.Builder
	var acc uint64
	for i := 0; i < 5; i++ {
		acc = acc<<8 | uint64(sum[i])
	}
	for i := 7; i >= 0; i-- {
		b.WriteByte(codeAlphabet[(acc>>(uint(i)*5))&31])
		if i == 4 {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// checkState compares in constant time, so a local process cannot learn the
// state by timing forged callbacks.
func (l *Login) checkState(got string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(l.State)) == 1
}

// ErrStateMismatch means a callback did not carry this login's state: it is
// stray or forged, and the login goes on.
var ErrStateMismatch = errors.New("the address does not belong to this login (its state does not match): copy the address from the browser that approved this login, or start again")

// ErrNotAnAddress means the pasted text is neither an address nor a code.
// It does not repeat the text, which may hold the code and state.
var ErrNotAnAddress = errors.New("the pasted text is not a valid address: copy the whole address from the browser's address bar, or just the code")

// ErrNotACode means the pasted text is not an address (a stray keystroke,
// a word): nothing is sent to Launchpad, and the login stays open. Paste
// wraps it with the redirect URI the address starts with.
var ErrNotACode = errors.New("the pasted text is not an address")

// ErrBareCode means a code was pasted without the state that proves it
// belongs to this login. Anyone can get a code of their own and ask a
// person to "paste this", which would log the person into the other's
// Basecamp ID; so a bare code is never sent to Launchpad, and the login
// stays open. Paste wraps it with the redirect URI the address starts with.
var ErrBareCode = errors.New("a code on its own cannot be checked against this login (it could be anyone's)")

// minCodeLen is the shortest text taken as a bare authorization code.
// Launchpad's codes are longer; anything shorter is a slip of the keyboard.
const minCodeLen = 8

// looksLikeCode reports whether s could be a bare authorization code: at
// least minCodeLen characters, all of them URL-safe ([A-Za-z0-9_.~-]).
func looksLikeCode(s string) bool {
	if len(s) < minCodeLen {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~':
		default:
			return false
		}
	}
	return true
}

// DeniedError is Launchpad's (or the person's) refusal, as sent back on the
// redirect: error=access_denied and an optional description.
type DeniedError struct {
	Code        string
	Description string
}

func (e *DeniedError) Error() string {
	msg := "Launchpad did not authorize bcauth"
	if e.Code == "access_denied" {
		msg = "access was denied in the browser"
	}
	if e.Description != "" {
		return fmt.Sprintf("%s: %s (%s)", msg, e.Description, e.Code)
	}
	return fmt.Sprintf("%s (%s)", msg, e.Code)
}

// callbackResult is what a redirect's query says, once its state checks out.
type callbackResult struct {
	code string
	err  error
}

// parseCallback reads a redirect's query. A wrong or missing state yields
// ErrStateMismatch and nothing else, so a forged request cannot end a login
// even with an error parameter.
func (l *Login) parseCallback(q url.Values) (callbackResult, error) {
	if !l.checkState(q.Get("state")) {
		return callbackResult{}, ErrStateMismatch
	}
	if e := q.Get("error"); e != "" {
		return callbackResult{err: &DeniedError{Code: e, Description: q.Get("error_description")}}, nil
	}
	code := q.Get("code")
	if code == "" {
		return callbackResult{}, errors.New("the address has neither a code nor an error: copy the whole address from the browser's address bar")
	}
	return callbackResult{code: code}, nil
}

// Paste completes a login from what a person pasted: the whole address the
// browser ended on, or its query, whose state is checked. A bare code is
// refused with ErrBareCode, other text with ErrNotACode. ErrStateMismatch
// and other input errors leave the login open for another try.
func (l *Login) Paste(ctx context.Context, input string) (*oauth2.Token, error) {
	input = strings.TrimSpace(input)
	if input == "" {
		return nil, errors.New("nothing was pasted: paste the address the browser ended on")
	}
	var q url.Values
	if strings.Contains(input, "://") || strings.HasPrefix(input, "/") {
		// The parse error would repeat the address, code and state
		// included, into a message that may be shown or logged.
		u, err := url.Parse(input)
		if err != nil {
			return nil, ErrNotAnAddress
		}
		q = u.Query()
	} else if strings.Contains(input, "=") {
		v, err := url.ParseQuery(strings.TrimPrefix(input, "?"))
		if err != nil {
			return nil, ErrNotAnAddress
		}
		q = v
	} else {
		whole := fmt.Sprintf("paste the whole address the browser ended on (it starts with %s…)", l.c.cfg.RedirectURI)
		if looksLikeCode(input) {
			return nil, fmt.Errorf("%w: %s, which carries this login's state", ErrBareCode, whole)
		}
		return nil, fmt.Errorf("%w: %s", ErrNotACode, whole)
	}
	res, err := l.parseCallback(q)
	if err != nil {
		return nil, err
	}
	if res.err != nil {
		return nil, res.err
	}
	return l.c.Exchange(ctx, res.code)
}
