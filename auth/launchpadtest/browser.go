package launchpadtest

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// ConsentError is what Approve and Deny return when the consent page does
// not send the browser back to the app: an error page (unknown client,
// redirect_uri not approved) or an injected fault.
type ConsentError struct {
	// Status is the HTTP status of the page.
	Status int
	// Text is the page's text, without markup.
	Text string
}

// Error says which status the consent page answered with, and its text.
func (e *ConsentError) Error() string {
	return fmt.Sprintf("launchpadtest: consent page answered %d %s: %s", e.Status, http.StatusText(e.Status), e.Text)
}

// Approve plays a person who opens authURL in a browser and clicks Allow.
// It returns where Launchpad redirects the browser (the app's redirect URI
// with code and state) without following it, so the test can deliver it to
// the app's loopback listener itself.
func (s *Server) Approve(ctx context.Context, authURL string) (*url.URL, error) {
	return s.decide(ctx, authURL, "allow")
}

// Deny plays a person who opens authURL and clicks Deny, and returns where
// Launchpad redirects the browser, without following it. With AutoApprove
// there is nothing to deny and Deny fails.
func (s *Server) Deny(ctx context.Context, authURL string) (*url.URL, error) {
	return s.decide(ctx, authURL, "deny")
}

// ApproveAndFollow plays what a browser does with the address an app gives
// it: load it, following the app's own redirects (its start address, with
// the cookies it sets) to this fake's authorization URL; click Allow; then
// load the redirect's target (the app's loopback callback) with those
// cookies and read the page to the end. It checks nothing of that page:
// the app, not the browser, learns whether the login worked. Redirects
// that leave loopback are not followed, so nothing leaves the machine.
func (s *Server) ApproveAndFollow(ctx context.Context, addr string) error {
	return s.decideAndFollow(ctx, addr, "allow", "")
}

// DenyAndFollow is ApproveAndFollow with a click on Deny.
func (s *Server) DenyAndFollow(ctx context.Context, addr string) error {
	return s.decideAndFollow(ctx, addr, "deny", "")
}

// decideAndFollow is the browser's whole visit; as is the Launchpad id to
// approve as, "" for the first person.
func (s *Server) decideAndFollow(ctx context.Context, addr, decision, as string) error {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return fmt.Errorf("launchpadtest: %w", err)
	}
	b := &http.Client{
		Timeout:   30 * time.Second,
		Jar:       jar,
		Transport: &http.Transport{DisableKeepAlives: true},
		// One request at a time: the app closes its listener once the
		// login ends, and every hop is checked before it is made.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	authURL, err := s.followToConsent(ctx, b, addr)
	if err != nil {
		return err
	}
	loc, err := s.decideAs(ctx, authURL, decision, as)
	if err != nil {
		return err
	}
	return follow(ctx, b, loc)
}

// follow loads the redirect's target with browser b (and its cookies), as
// a browser does, and reads it.
func follow(ctx context.Context, b *http.Client, loc *url.URL) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc.String(), nil)
	if err != nil {
		return fmt.Errorf("launchpadtest: %w", err)
	}
	req.Header.Set("User-Agent", "launchpadtest browser")
	// Named without the query, which holds the code and the state.
	callback := *loc
	callback.RawQuery = ""
	resp, err := b.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("launchpadtest: browser GET %s: %w", callback.String(), err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return fmt.Errorf("launchpadtest: browser GET %s: %w", callback.String(), err)
	}
	return nil
}

// followToConsent loads addr and the loopback redirects it answers with
// until one points at this fake's consent page, and returns that address.
// An address that is already the consent page is returned as it is.
func (s *Server) followToConsent(ctx context.Context, b *http.Client, addr string) (string, error) {
	for range 5 {
		if strings.HasPrefix(addr, s.URL+"/") {
			return addr, nil
		}
		u, err := url.Parse(addr)
		if err != nil || u.Scheme != "http" || !isLoopbackHost(u.Hostname()) {
			return "", errors.New("launchpadtest: the browser loads only loopback http addresses and this fake's consent page")
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, addr, nil)
		if err != nil {
			return "", fmt.Errorf("launchpadtest: %w", err)
		}
		req.Header.Set("User-Agent", "launchpadtest browser")
		resp, err := b.Do(req)
		if err != nil {
			return "", fmt.Errorf("launchpadtest: browser GET %s%s: %w", u.Host, u.Path, err)
		}
		v := &visited{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type")}
		v.body, _ = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		next, err := resp.Location()
		if err != nil {
			return "", &ConsentError{Status: resp.StatusCode, Text: v.text()}
		}
		addr = next.String()
	}
	return "", errors.New("launchpadtest: too many redirects before the consent page")
}

var (
	formAction = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`<form method="post" action="([^"]*)">`)
	})
	hiddenInput = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
	})
	tags = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?s)<style.*?</style>|<title.*?</title>|<p class="fine">.*?</p>|<[^>]*>`)
	})
)

func (s *Server) decide(ctx context.Context, authURL, decision string) (*url.URL, error) {
	return s.decideAs(ctx, authURL, decision, "")
}

// decideAs submits the consent form with decision, approving as the
// Launchpad id as ("" leaves the page's choice, the first person).
func (s *Server) decideAs(ctx context.Context, authURL, decision, as string) (*url.URL, error) {
	if as != "" {
		if err := s.checkPerson(as); err != nil {
			return nil, err
		}
	}
	browser := &http.Client{
		Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	page, err := visit(ctx, browser, http.MethodGet, authURL, nil)
	if err != nil {
		return nil, err
	}
	if page.location != nil {
		if decision == "deny" {
			return nil, errors.New("launchpadtest: the consent page redirected at once (AutoApprove is on): nothing to deny")
		}
		if as != "" {
			return nil, errAutoApproved
		}
		return page.location, nil
	}
	m := formAction().FindSubmatch(page.body)
	if m == nil {
		return nil, errors.New("launchpadtest: the consent page has no form")
	}
	action, err := page.url.Parse(html.UnescapeString(string(m[1])))
	if err != nil {
		return nil, fmt.Errorf("launchpadtest: the consent form's action: %w", err)
	}
	form := url.Values{}
	for _, m := range hiddenInput().FindAllSubmatch(page.body, -1) {
		form.Add(html.UnescapeString(string(m[1])), html.UnescapeString(string(m[2])))
	}
	form.Set("decision", decision)
	if as != "" {
		form.Set("as", as)
	}
	answer, err := visit(ctx, browser, http.MethodPost, action.String(), form)
	if err != nil {
		return nil, err
	}
	if answer.location == nil {
		return nil, &ConsentError{Status: answer.status, Text: answer.text()}
	}
	return answer.location, nil
}

// visited is what the browser saw.
type visited struct {
	url         *url.URL
	status      int
	contentType string
	body        []byte
	location    *url.URL // set for redirects
}

// visit makes one browser request. Anything other than a page or a redirect
// is a ConsentError.
func visit(ctx context.Context, c *http.Client, method, target string, form url.Values) (*visited, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, fmt.Errorf("launchpadtest: %w", err)
	}
	req.Header.Set("User-Agent", "launchpadtest browser")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("launchpadtest: browser %s %s: %w", method, target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("launchpadtest: browser %s %s: %w", method, target, err)
	}
	v := &visited{url: req.URL, status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), body: b}
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		loc, err := resp.Location()
		if err != nil {
			return nil, fmt.Errorf("launchpadtest: redirect without a usable Location: %w", err)
		}
		v.location = loc
	case resp.StatusCode != http.StatusOK:
		return nil, &ConsentError{Status: resp.StatusCode, Text: v.text()}
	}
	return v, nil
}

// text is the visited page's text with markup removed.
func (v *visited) text() string {
	t := string(v.body)
	if strings.HasPrefix(v.contentType, "text/html") {
		t = html.UnescapeString(tags().ReplaceAllString(t, " "))
	}
	t = strings.Join(strings.Fields(t), " ")
	if r := []rune(t); len(r) > 300 {
		t = string(r[:300]) + "…"
	}
	return t
}

// isLoopbackHost reports whether a browser's host is this machine.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
