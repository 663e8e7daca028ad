package probe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"bcauth/auth"
)

// probeBodyBytes bounds a who-am-I answer: a person is a few hundred bytes.
const probeBodyBytes = 1 << 20

// outcome is what one attempt says about the next.
type outcome struct {
	retry         bool
	retryAfter    time.Duration
	hasRetryAfter bool
	expired       bool          // a 401 that names an expired token
	req           *http.Request // the request sent, for a refresh
	refused       bool          // a 401 or 403: the reason wants a next step
	said          string        // the server's words as `: "…"`, or ""
	retryNote     string        // " (Retry-After 5s)" on a 429 that had one
}

// whoAmIURL builds the request URL, or says why no credentials may go there.
// Plain http reaches loopback hosts only, and none at all with httpsOnly.
func whoAmIURL(href, path, secret string, httpsOnly bool) (*url.URL, string) {
	u, err := url.Parse(strings.TrimSpace(href))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Sprintf("href %q is not an http(s) URL", href)
	}
	if u.Scheme == "http" && (httpsOnly || !auth.IsLoopbackHost(u.Hostname())) {
		return nil, fmt.Sprintf("refusing to send the %s over plain http to %s", secret, u.Host)
	}
	if !auth.IsASCII(u.Host) {
		return nil, fmt.Sprintf("refusing to send the %s to %q: its host is not plain ASCII, as Basecamp's hosts are", secret, u.Host)
	}
	u.User = nil
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	u.Path = strings.TrimRight(u.Path, "/") + path
	u.RawPath = ""
	u.Host = strings.ToLower(u.Host)
	return u, ""
}

// attempt sends one request and classifies its answer.
func (p *Prober) attempt(ctx context.Context, u *url.URL, prod auth.Product, a Authorizer) (Result, outcome) {
	actx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Result{Status: NotProbed, Reason: fmt.Sprintf("cannot build a request for %s: %v", u, err)}, outcome{}
	}
	req.Header.Set("User-Agent", p.cfg.UserAgent)
	if strings.HasSuffix(prod.WhoAmI, ".xml") {
		req.Header.Set("Accept", "application/xml")
	} else {
		req.Header.Set("Accept", "application/json")
	}
	if err := a.Apply(actx, req); err != nil {
		switch {
		case ctx.Err() != nil:
			return canceled(ctx.Err()), outcome{}
		case auth.NeedsLogin(err):
			return Result{Status: Refused, Reason: "Launchpad no longer accepts this login, so there is no token to send: " + err.Error()}, outcome{}
		}
		return Result{Status: Failed, Reason: "could not get credentials to send: " + err.Error()}, outcome{}
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return p.transportFailure(ctx, actx, u, prod, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, probeBodyBytes+1))
	if err != nil {
		r, o := p.transportFailure(ctx, actx, u, prod, err)
		r.HTTPStatus = resp.StatusCode
		return r, o
	}
	res := Result{HTTPStatus: resp.StatusCode}
	code := resp.StatusCode
	// said is the server's own words, quoted once, if it gave any.
	var said string
	if text := auth.ErrorText(body); text != "" && code != http.StatusOK {
		said = fmt.Sprintf(": %q", withoutSecrets(text, req))
	}
	switch {
	case code == http.StatusOK:
		if len(body) > probeBodyBytes {
			res.Status, res.Reason = Failed, fmt.Sprintf("%s's answer is larger than the %d MiB a person can take", prod.Name, probeBodyBytes>>20)
			return res, outcome{}
		}
		person, err := decodePerson(prod, body)
		if err != nil {
			res.Status, res.Reason = Failed, fmt.Sprintf("%s answered 200 OK, but not with a person: %v", prod.Name, err)
			return res, outcome{}
		}
		res.Status, res.Person = Reachable, person
		return res, outcome{}
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		// The probe loop adds the next step, after any refresh.
		res.Status, res.Reason = Refused, strconv.Itoa(code)+said
		expired := code == http.StatusUnauthorized && strings.Contains(strings.ToLower(auth.ErrorText(body)), "expired")
		return res, outcome{expired: expired, req: req, refused: true}
	case code == http.StatusNotFound && strings.EqualFold(strings.TrimSpace(resp.Header.Get("Reason")), "Account Inactive"):
		res.Status, res.Reason = Inactive, "closed or suspended"
		if text := auth.ErrorText(body); text != "" {
			res.Reason += fmt.Sprintf(" (%q)", withoutSecrets(text, req))
		}
		return res, outcome{}
	case code == http.StatusNotFound || code == http.StatusGone:
		res.Status = NotFound
		res.Reason = fmt.Sprintf("no such account, or no such person in it (%d%s)", code, said)
		return res, outcome{}
	case code == http.StatusTooManyRequests:
		wait, ok := retryAfter(resp.Header.Get("Retry-After"), p.cfg.Now())
		var note string
		if ok {
			note = fmt.Sprintf(" (Retry-After %s)", seconds(wait))
		}
		// The probe loop says how many tries it took.
		res.Status, res.Reason = RateLimited, rateLimited(1)+note
		return res, outcome{retry: true, retryAfter: wait, hasRetryAfter: ok, retryNote: note}
	case code >= 500:
		res.Status, res.Reason = ServerError, fmt.Sprintf("HTTP %d%s", code, said)
		wait, ok := retryAfter(resp.Header.Get("Retry-After"), p.cfg.Now())
		if ok && wait > p.cfg.MaxRetryAfter {
			ok = false // a 503's long Retry-After: back off as usual instead
		}
		return res, outcome{retry: true, retryAfter: wait, hasRetryAfter: ok, said: said}
	case code >= 300 && code < 400:
		res.Status = Failed
		res.Reason = fmt.Sprintf("redirected (HTTP %d) to %q; bcauth does not follow redirects with credentials", code, resp.Header.Get("Location"))
		return res, outcome{}
	}
	res.Status, res.Reason = Failed, fmt.Sprintf("unexpected HTTP %d%s", code, said)
	return res, outcome{}
}

// transportFailure classifies a request that got no (complete) answer.
func (p *Prober) transportFailure(ctx, actx context.Context, u *url.URL, prod auth.Product, err error) (Result, outcome) {
	if ctx.Err() != nil {
		return canceled(ctx.Err()), outcome{}
	}
	var ne net.Error
	if errors.Is(actx.Err(), context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return Result{Status: Timeout, Reason: fmt.Sprintf("%s did not answer within %s", prod.Name, p.cfg.Timeout)}, outcome{}
	}
	return Result{Status: Failed, Reason: fmt.Sprintf("could not reach %s: %v", u.Host, unwrapURLError(err))}, outcome{retry: true}
}

// unwrapURLError drops url.Error's "Get URL:" prefix, which repeats the
// host the reason already names.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
