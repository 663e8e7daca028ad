package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// MaxBodyBytes bounds every response body bcauth reads from Launchpad or a
// product API, so a broken or hostile server cannot exhaust memory.
const MaxBodyBytes = 10 << 20

// Identity is the Basecamp ID behind a token. Its ID is a Launchpad id, not a
// person id inside any product, and its email address is not verified.
type Identity struct {
	ID           int64  `json:"id"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	EmailAddress string `json:"email_address"`
}

// Name is the identity's full name, or its email address when it has none.
func (i Identity) Name() string {
	switch {
	case i.FirstName != "" && i.LastName != "":
		return i.FirstName + " " + i.LastName
	case i.FirstName != "" || i.LastName != "":
		return i.FirstName + i.LastName
	default:
		return i.EmailAddress
	}
}

// Account is one product account the identity can reach. Product codes that
// bcauth does not know are kept as they are.
type Account struct {
	Product string `json:"product"`
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Href    string `json:"href"`
	AppHref string `json:"app_href,omitempty"`
}

// Key identifies an account across products: two products may share an id.
func (a Account) Key() string { return fmt.Sprintf("%s:%d", a.Product, a.ID) }

// SplitKey reads a Key back into its product code and id, so a list can
// be searched for one without building every account's key; ok is false
// for anything Key would not have written.
func SplitKey(key string) (product string, id int64, ok bool) {
	i := strings.LastIndexByte(key, ':')
	if i < 0 {
		return "", 0, false
	}
	id, err := strconv.ParseInt(key[i+1:], 10, 64)
	if err != nil || strconv.FormatInt(id, 10) != key[i+1:] {
		return "", 0, false
	}
	return key[:i], id, true
}

// WebURL is where a person opens the account in a browser: app_href when
// Launchpad gives one (older products do not), else href.
func (a Account) WebURL() string {
	if a.AppHref != "" {
		return a.AppHref
	}
	return a.Href
}

// Authorization is Launchpad's answer to GET /authorization.json.
type Authorization struct {
	ExpiresAt time.Time `json:"expires_at"`
	Identity  Identity  `json:"identity"`
	Accounts  []Account `json:"accounts"`

	// body is the text ParseAuthorization read this from: what the
	// account cache keeps, so a run never encodes thousands of accounts
	// again only to write them down.
	body string
	// plain is set when the plain parser read every string, which it
	// takes only as printable ASCII without a quote or a backslash.
	plain bool
	// accountsAt is where in body the accounts array lies, brackets
	// included, when the plain parser read it; zero when not.
	accountsAt [2]int
	// skimmed is set when the accounts array was not read (see
	// SkimAuthorization).
	skimmed bool
}

// Skimmed reports whether a's accounts were not read (SkimAuthorization):
// Accounts is then empty whatever the answer lists, and a is good for its
// identity, its expiry and its Body, never for a list.
func (a *Authorization) Skimmed() bool { return a.skimmed }

// Body is the authorization.json text ParseAuthorization read a from, as
// Launchpad sent it; "" when a was built or decoded another way. Whoever
// changes a parsed Authorization must not save it by its Body.
func (a *Authorization) Body() string { return a.body }

// PlainText reports whether every string in a (codes, names, hrefs) is
// known to be printable ASCII without a quote or a backslash: read by the
// plain parser, which takes nothing else. Such a string needs no escape in
// JSON and no cleaning before a terminal. False says only that nobody
// checked. Like Body, it speaks of a as it was parsed.
func (a *Authorization) PlainText() bool { return a.plain }

// DecodeAuthorization parses an authorization.json body. Unknown fields are
// ignored; a missing accounts list is an empty one.
func DecodeAuthorization(r io.Reader) (*Authorization, error) {
	var a Authorization
	dec := json.NewDecoder(io.LimitReader(r, MaxBodyBytes+1))
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("authorization.json from Launchpad is not valid JSON: %w", err)
	}
	if a.Identity.ID == 0 && a.Identity.EmailAddress == "" {
		return nil, errors.New("authorization.json from Launchpad has no identity")
	}
	if a.Accounts == nil {
		a.Accounts = []Account{}
	}
	return &a, nil
}

// readBody reads at most MaxBodyBytes+1 of an answer into the string the
// parser slices. While the answer is the text of prev, the answer before
// it, it is only compared with prev, a buffer at a time, and prev (or as
// much of it as came) is the result: an unchanged answer is never copied.
// Otherwise a small answer fits the first buffer, and a larger one goes
// into one string builder grown once to its Content-Length or, when there
// is none (a chunked answer), to the limit: that costs address space, not
// memory, since only the pages the answer fills are touched. Growing by
// doubling instead cost a fresh process five times as long as the
// transfer itself at 30,000 accounts, and a []byte would be copied again
// into the string.
func readBody(resp *http.Response, prev string) (string, error) {
	r := io.LimitReader(resp.Body, MaxBodyBytes+1)
	buf := make([]byte, 256<<10)
	same := 0 // how much of the answer, so far all of it, is prev's text
	for {
		n, err := fill(r, buf)
		if err != nil && err != io.EOF {
			return "", err // an answer cut short, above all
		}
		if same+n <= len(prev) && string(buf[:n]) == prev[same:same+n] {
			if same += n; err == io.EOF {
				return prev[:same], nil
			}
			continue
		}
		if same == 0 && err == io.EOF {
			return string(buf[:n]), nil
		}
		var b strings.Builder
		size := int64(MaxBodyBytes)
		if resp.ContentLength > 0 {
			size = min(resp.ContentLength, size)
		}
		b.Grow(int(size) + 1)
		b.WriteString(prev[:same])
		b.Write(buf[:n])
		if err == io.EOF {
			return b.String(), nil
		}
		_, err = io.CopyBuffer(&b, r, buf)
		return b.String(), err
	}
}

// fill reads r into buf until buf is full (nil) or r ends (io.EOF) or
// fails. Unlike io.ReadFull, it tells an answer that ended from one cut
// short (io.ErrUnexpectedEOF from the body itself).
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := r.Read(buf[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Authorization asks Launchpad who the token belongs to and which accounts it
// reaches. An access token that Launchpad calls expired is refreshed once and
// the request retried. A refreshed token that could not be saved gives the
// answer together with a *SaveError, as a warning.
func (c *Client) Authorization(ctx context.Context, ts *TokenSource) (*Authorization, error) {
	return c.AuthorizationAgain(ctx, ts, nil)
}

// AuthorizationAgain is Authorization for a caller that may hold the
// answer already: last, unless nil, is called once an answer has come and
// gives what Launchpad answered before (nil for nothing), for instance
// parsed from a cache while the request was on its way. When the new
// answer is that one's text byte for byte, that one is the result, and
// the text is not parsed again. last may be called more than once.
func (c *Client) AuthorizationAgain(ctx context.Context, ts *TokenSource, last func() *Authorization) (*Authorization, error) {
	if last == nil {
		return c.AuthorizationSince(ctx, ts, nil, nil)
	}
	var prev *Authorization
	return c.AuthorizationSince(ctx, ts, func() string {
		if prev = last(); prev == nil {
			return ""
		}
		return prev.body
	}, func() *Authorization { return prev })
}

// AuthorizationSince is AuthorizationAgain for a caller that holds the
// earlier answer's text before it has it parsed, as a run that reads its
// cache while the request is on its way: the answer is compared with the
// text as it comes, while the text is parsed elsewhere. text, unless nil,
// is called once an answer has come and gives the earlier answer's text
// ("" for none). parsed is called only when the new answer is that text
// byte for byte, and gives it parsed: the result; nil from it, the text
// could not be had parsed, and the answer is parsed here. Both may be
// called more than once.
func (c *Client) AuthorizationSince(ctx context.Context, ts *TokenSource, text func() string, parsed func() *Authorization) (*Authorization, error) {
	var out *Authorization
	hc, server := c.http, ""
	if c.cfg.Server.IsBC5() {
		hc, server = c.issuer, c.cfg.Server.Issuer
	}
	err := ts.Do(ctx, func(token string) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.AuthorizationURL(), nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return &LaunchpadError{Op: OpAuthorization, Kind: KindRetry, Err: err, Server: server}
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			if server != "" && isRedirect(resp.StatusCode) {
				return c.bc5Error(OpAuthorization, resp, nil)
			}
			le := newHTTPError(OpAuthorization, resp)
			le.Server = server
			return le
		}
		if resp.ContentLength > MaxBodyBytes {
			return &LaunchpadError{Op: OpAuthorization, Server: server, Status: resp.StatusCode, Kind: KindOther,
				Text: fmt.Sprintf("response of %d bytes is larger than the %d MiB limit", resp.ContentLength, MaxBodyBytes>>20)}
		}
		var before string
		if text != nil {
			before = text()
		}
		body, err := readBody(resp, before)
		if err != nil {
			return &LaunchpadError{Op: OpAuthorization, Server: server, Kind: KindRetry, Err: err}
		}
		if len(body) > MaxBodyBytes {
			return &LaunchpadError{Op: OpAuthorization, Server: server, Status: resp.StatusCode, Kind: KindOther,
				Text: fmt.Sprintf("response is larger than the %d MiB limit", MaxBodyBytes>>20)}
		}
		if before != "" && body == before { // the same text: the same answer
			if prev := parsed(); prev != nil && prev.body == body {
				out = prev
				return nil
			}
		}
		a, err := ParseAuthorization(body)
		if err != nil {
			return &LaunchpadError{Op: OpAuthorization, Server: server, Status: resp.StatusCode, Kind: KindUnexpected, Text: firstLine([]byte(body[:min(len(body), 64<<10)])), Err: err}
		}
		out = a
		return nil
	})
	return out, err
}

// AuthorizationURL is the address Authorization and Whose ask: on
// Launchpad its /authorization.json, on BC5 the issuer's
// ({issuer}/authorization.json, or the one the login's Server names).
func (c *Client) AuthorizationURL() string {
	if c.cfg.Server.IsBC5() {
		return c.cfg.Server.AuthorizationURL
	}
	return c.cfg.LaunchpadURL + "/authorization.json"
}

// Whose asks authorization.json about one access token as it is, never
// refreshed: whom a token Launchpad just issued belongs to.
func (c *Client) Whose(ctx context.Context, accessToken string) (*Authorization, error) {
	return c.Authorization(ctx, c.TokenSource(&oauth2.Token{AccessToken: accessToken, TokenType: "Bearer"}, nil, WithoutRefresh()))
}
