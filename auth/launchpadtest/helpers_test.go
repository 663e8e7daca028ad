package launchpadtest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a fake clock tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 22, 21, 56, 48, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// start runs a fake for one test.
func start(t *testing.T, opts Options) *Server {
	t.Helper()
	s := NewServer(opts)
	t.Cleanup(s.Close)
	return s
}

// noFollow is a client that shows redirects instead of following them.
var noFollow = &http.Client{
	Timeout: 10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// answer is a response, read.
type answer struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, req *http.Request) answer {
	t.Helper()
	a, err := send(req)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// send is do for goroutines other than the test's own, which must not call
// t.Fatal.
func send(req *http.Request) (answer, error) {
	resp, err := noFollow.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	return answer{resp.StatusCode, resp.Header, string(b)}, nil
}

func get(t *testing.T, target string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "launchpadtest-test")
	return do(t, req)
}

// authURL is the URL a client would open in the browser.
func authURL(s *Server, v url.Values) string {
	q := url.Values{
		"type":          {"web_server"},
		"response_type": {"code"},
		"client_id":     {s.Options().ClientID},
		"redirect_uri":  {s.Options().RedirectURI},
		"state":         {"xyz"},
	}
	for k, vs := range v {
		if vs == nil {
			delete(q, k)
		} else {
			q[k] = vs
		}
	}
	return s.URL + "/authorization/new?" + q.Encode()
}

// postToken posts query and body (form encoded, if non-nil) to the token endpoint.
func postToken(t *testing.T, s *Server, query, body url.Values) answer {
	t.Helper()
	return do(t, tokenRequest(t.Context(), s, query, body))
}

func tokenRequest(ctx context.Context, s *Server, query, body url.Values) *http.Request {
	target := s.URL + "/authorization/token"
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	var r io.Reader
	if body != nil {
		r = strings.NewReader(body.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, r)
	if err != nil {
		panic(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("User-Agent", "launchpadtest-test")
	return req
}

// getAuthorization asks authorization.json about token.
func getAuthorization(t *testing.T, s *Server, token, userAgent string) answer {
	t.Helper()
	return do(t, authorizationRequest(t.Context(), s, token, userAgent))
}

func authorizationRequest(ctx context.Context, s *Server, token, userAgent string) *http.Request {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/authorization.json", nil)
	if err != nil {
		panic(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("User-Agent", userAgent)
	return req
}

// code approves a fresh authorization and returns its code.
func code(t *testing.T, s *Server) string {
	t.Helper()
	loc, err := s.Approve(t.Context(), authURL(s, nil))
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	c := loc.Query().Get("code")
	if c == "" {
		t.Fatalf("Approve redirected to %s, which has no code", loc)
	}
	return c
}

// codeForm is a standard code exchange body.
func codeForm(s *Server, c string) url.Values {
	o := s.Options()
	return url.Values{
		"grant_type":    {"authorization_code"},
		"client_id":     {o.ClientID},
		"client_secret": {o.ClientSecret},
		"redirect_uri":  {o.RedirectURI},
		"code":          {c},
	}
}

// login runs the whole flow and returns the token response.
func login(t *testing.T, s *Server) map[string]any {
	t.Helper()
	a := postToken(t, s, nil, codeForm(s, code(t, s)))
	if a.status != http.StatusOK {
		t.Fatalf("code exchange: %d %s", a.status, a.body)
	}
	return decodeObject(t, a.body)
}

func decodeObject(t *testing.T, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("not a JSON object: %v: %q", err, body)
	}
	return m
}

func refreshForm(s *Server, rt string) url.Values {
	o := s.Options()
	return url.Values{
		"grant_type":    {"refresh_token"},
		"client_id":     {o.ClientID},
		"client_secret": {o.ClientSecret},
		"refresh_token": {rt},
	}
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}
