package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Status is what a product's "who am I" endpoint said about one account.
type Status int

// The outcomes of a probe. The zero Status means "not probed yet" and never
// comes out of a Prober.
const (
	// Reachable: the product answered with the person behind the credentials.
	Reachable Status = iota + 1
	// Refused: 401 or 403, the product does not accept the credentials.
	Refused
	// Inactive: 404 with the header "Reason: Account Inactive", the account
	// is closed or suspended.
	Inactive
	// NotFound: 404 (without that header) or 410, nothing at the href.
	NotFound
	// RateLimited: still 429 after the retries, or a Retry-After longer than
	// the Prober waits.
	RateLimited
	// ServerError: still 5xx after the retries.
	ServerError
	// Timeout: no answer within the per-request timeout.
	Timeout
	// Failed: no usable answer for another reason: the network, a redirect,
	// an unexpected status such as 400, or a body that is not a person.
	Failed
	// NotProbed: bcauth did not ask, because the product has no public who
	// am I endpoint (HEY, unknown products) or the href is not safe to send
	// credentials to.
	NotProbed
	// Canceled: the context ended before an answer came.
	Canceled
)

var statusNames = [...]string{
	Reachable:   "reachable",
	Refused:     "refused",
	Inactive:    "inactive",
	NotFound:    "not_found",
	RateLimited: "rate_limited",
	ServerError: "server_error",
	Timeout:     "timeout",
	Failed:      "failed",
	NotProbed:   "not_probed",
	Canceled:    "canceled",
}

var statusLabels = [...]string{
	Reachable:   "reachable",
	Refused:     "token refused",
	Inactive:    "account inactive",
	NotFound:    "not found",
	RateLimited: "rate limited",
	ServerError: "server error",
	Timeout:     "timed out",
	Failed:      "failed",
	NotProbed:   "not probed",
	Canceled:    "canceled",
}

// String is the status as a person reads it, such as "account inactive".
func (s Status) String() string {
	if s > 0 && int(s) < len(statusLabels) {
		return statusLabels[s]
	}
	return "unknown"
}

// Name is the status's short stable name for scripts and JSON, such as
// "not_found".
func (s Status) Name() string {
	if s > 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "unknown"
}

// MarshalText writes the stable Name, so JSON carries "reachable", never 1.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.Name()), nil }

// UnmarshalText reads a stable Name back.
func (s *Status) UnmarshalText(b []byte) error {
	v, err := ParseStatus(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseStatus returns the Status whose Name is name.
func ParseStatus(name string) (Status, error) {
	for i, n := range statusNames {
		if n != "" && n == name {
			return Status(i), nil
		}
	}
	return 0, fmt.Errorf("unknown probe status %q: use one of %s", name, strings.Join(statusNames[1:], ", "))
}

// Person is who the credentials belong to inside one product account. Its
// ID is the product's own person id, not the Launchpad identity id.
type Person struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	// Admin and Owner are false when the product does not say.
	Admin bool `json:"admin"`
	Owner bool `json:"owner"`
}

// ProbeResult is one account's probe. Reason and Person hold the server's
// text unfiltered: sanitise before display.
type ProbeResult struct {
	Account Account
	Status  Status
	// Person is set when Status is Reachable.
	Person *Person
	// HTTPStatus is the last answer's status code, 0 when none came.
	HTTPStatus int
	// Reason says why in one clause, with the server's own words once when
	// it gave any and the next step when there is one, such as
	// `401: "HTTP Basic: Access denied." — the token is not accepted here`;
	// empty when Reachable.
	Reason string
	// Attempts counts the requests sent, retries included.
	Attempts int
	// Elapsed is the probe's whole time, waits included.
	Elapsed time.Duration
}

// MarshalJSON writes the result for `bcauth probe --json`, elapsed time in
// milliseconds.
func (r ProbeResult) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Account    Account `json:"account"`
		Status     Status  `json:"status"`
		Person     *Person `json:"person,omitempty"`
		HTTPStatus int     `json:"http_status,omitempty"`
		Reason     string  `json:"reason,omitempty"`
		Attempts   int     `json:"attempts"`
		ElapsedMS  int64   `json:"elapsed_ms"`
	}{r.Account, r.Status, r.Person, r.HTTPStatus, r.Reason, r.Attempts, r.Elapsed.Milliseconds()})
}

// Authorizer puts credentials on a product API request.
type Authorizer interface {
	Apply(ctx context.Context, req *http.Request) error
}

// BearerAuth sends the OAuth access token from Source, refreshing it near its
// expiry, and once more when a product calls it expired.
type BearerAuth struct {
	Source *TokenSource
}

// Apply sets "Authorization: Bearer TOKEN".
func (b BearerAuth) Apply(ctx context.Context, req *http.Request) error {
	if b.Source == nil {
		return errors.New("no login to take an access token from")
	}
	// A token that could not be saved still works: probing goes on with it.
	tok, err := b.Source.Token(ctx)
	if !usable(tok, err) {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	return nil
}

// refresh replaces the token a product called expired.
func (b BearerAuth) refresh(ctx context.Context, sent *http.Request) error {
	stale := strings.TrimPrefix(sent.Header.Get("Authorization"), "Bearer ")
	tok, err := b.Source.Refresh(ctx, stale)
	if usable(tok, err) {
		return nil
	}
	return err
}

// BasicAuth sends a person's own login, which Basecamp 2 accepts for their
// own scripts. Never ask a person for someone else's password.
type BasicAuth struct {
	User, Password string
}

// Apply sets HTTP Basic credentials.
func (b BasicAuth) Apply(_ context.Context, req *http.Request) error {
	req.SetBasicAuth(b.User, b.Password)
	return nil
}

// APITokenAuth sends a legacy product API token the way Basecamp Classic,
// Highrise, Campfire and Backpack take it: as the Basic user, password "X".
type APITokenAuth struct {
	Token string
}

// Apply sets HTTP Basic credentials TOKEN:X.
func (a APITokenAuth) Apply(_ context.Context, req *http.Request) error {
	req.SetBasicAuth(a.Token, "X")
	return nil
}

// refresher is an Authorizer that can renew credentials a product called
// expired.
type refresher interface {
	refresh(ctx context.Context, sent *http.Request) error
}

// secretWord names what an Authorizer sends, for reasons.
func secretWord(a Authorizer) string {
	if _, ok := a.(BasicAuth); ok {
		return "password"
	}
	return "token"
}

// Probe defaults, kept under Basecamp's documented limit of about 50
// requests per 10 s per IP.
const (
	DefaultProbeConcurrency = 4
	DefaultPerHostRate      = rate.Limit(4)
	DefaultProbeBurst       = 2
	DefaultMaxRetries       = 3
	DefaultMaxRetryAfter    = 30 * time.Second
	DefaultProbeTimeout     = 15 * time.Second
	DefaultProbeBackoff     = 500 * time.Millisecond
	// maxBackoff caps the exponential backoff between 5xx retries.
	maxBackoff = 8 * time.Second
	// probeBodyBytes bounds a who-am-I answer: a person is a few hundred
	// bytes.
	probeBodyBytes = 1 << 20
)

// ProbeConfig tunes a Prober. The zero value probes politely.
type ProbeConfig struct {
	// HTTPClient sends the requests; its redirect policy is replaced so
	// credentials never follow a redirect. A client with the default
	// transport when nil.
	HTTPClient *http.Client
	// UserAgent is sent on every request; DefaultUserAgent() when empty.
	UserAgent string
	// Concurrency is how many probes run at once; DefaultProbeConcurrency
	// when zero or less.
	Concurrency int
	// PerHostRate and Burst limit requests to each host (host:port);
	// DefaultPerHostRate and DefaultProbeBurst when zero. rate.Inf turns the
	// limit off.
	PerHostRate rate.Limit
	Burst       int
	// MaxRetries is how often a 429, 5xx or network failure is retried;
	// DefaultMaxRetries when zero, none when negative.
	MaxRetries int
	// MaxRetryAfter is the longest Retry-After honoured; a longer one ends
	// the probe as RateLimited at once. DefaultMaxRetryAfter when zero.
	MaxRetryAfter time.Duration
	// Timeout bounds each request; DefaultProbeTimeout when zero.
	Timeout time.Duration
	// Backoff is the first wait before retrying a 5xx, doubled on each
	// retry (up to 8 s) with jitter; DefaultProbeBackoff when zero.
	Backoff time.Duration
	// Now and Sleep are the clock behind the rate limit, Retry-After and
	// backoff; time.Now and a timer when nil. Sleep must return ctx's error
	// as soon as ctx ends.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Prober asks products who the credentials belong to. It is safe for
// concurrent use; its per-host limits are shared by every call.
type Prober struct {
	cfg    ProbeConfig
	client *http.Client

	mu    sync.Mutex
	hosts map[string]*hostGate
}

// hostGate spaces the requests to one host.
type hostGate struct {
	lim *rate.Limiter

	mu    sync.Mutex
	until time.Time // no request before this: the host's Retry-After
}

// NewProber returns a Prober for cfg, defaults filled in.
func NewProber(cfg ProbeConfig) *Prober {
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent()
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultProbeConcurrency
	}
	if cfg.PerHostRate <= 0 {
		cfg.PerHostRate = DefaultPerHostRate
	}
	if cfg.Burst <= 0 {
		cfg.Burst = DefaultProbeBurst
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = DefaultMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultProbeTimeout
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = DefaultProbeBackoff
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	var client http.Client
	if cfg.HTTPClient != nil {
		client = *cfg.HTTPClient
	} else {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = cfg.Concurrency
		client.Transport = t
	}
	// A redirect would carry the credentials somewhere the href check never
	// saw; a who-am-I endpoint that redirects is not answering anyway.
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Prober{cfg: cfg, client: &client, hosts: map[string]*hostGate{}}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ProbeAll probes every account, at most Concurrency at once, and returns
// the results in the order of accs. progress, when not nil, is called once
// per account as its result comes in, from ProbeAll's own goroutine. When
// ctx ends, probes in flight stop, the rest come back Canceled, and no
// goroutine is left running.
func (p *Prober) ProbeAll(ctx context.Context, accs []Account, a Authorizer, progress func(done, total int, r ProbeResult)) []ProbeResult {
	out := make([]ProbeResult, len(accs))
	if len(accs) == 0 {
		return out
	}
	jobs := make(chan int, len(accs))
	for i := range accs {
		jobs <- i
	}
	close(jobs)
	type done struct {
		i int
		r ProbeResult
	}
	// Buffered so a slow progress callback never holds a worker.
	results := make(chan done, len(accs))
	var wg sync.WaitGroup
	for range min(p.cfg.Concurrency, len(accs)) {
		wg.Go(func() {
			for i := range jobs {
				results <- done{i, p.Probe(ctx, accs[i], a)}
			}
		})
	}
	for n := 1; n <= len(accs); n++ {
		d := <-results
		out[d.i] = d.r
		if progress != nil {
			progress(n, len(accs), d.r)
		}
	}
	wg.Wait()
	return out
}

// ProbeURL probes one product href outside any login, for legacy
// credentials. An empty product is guessed from the href (GuessProduct); an
// href that already ends in the product's who-am-I path is taken as is.
func (p *Prober) ProbeURL(ctx context.Context, href, product string, a Authorizer) ProbeResult {
	if product == "" {
		product = GuessProduct(href)
	}
	acc := Account{Product: product, Href: href, ID: accountIDOf(href)}
	if product == "" {
		return ProbeResult{Account: acc, Status: NotProbed,
			Reason: fmt.Sprintf("cannot tell which product %s belongs to: name it (bc3, bcx, basecamp, campfire, highrise or backpack)", href)}
	}
	if who := LookupProduct(product).WhoAmI; who != "" {
		if u, err := url.Parse(href); err == nil && strings.HasSuffix(u.Path, who) {
			u.Path = strings.TrimSuffix(u.Path, who)
			u.RawPath = ""
			acc.Href = u.String()
		}
	}
	return p.Probe(ctx, acc, a)
}

var (
	bcxPath = regexp.MustCompile(`^/(\d+)/api/v1/?`)
	bc3Path = regexp.MustCompile(`^/(\d+)(/|$)`)
)

// GuessProduct names the product an API href belongs to, from its host
// (and, for Basecamp 2, its path), or "" when it cannot tell.
func GuessProduct(href string) string {
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case host == "3.basecampapi.com":
		return "bc3"
	case (host == "basecamp.com" || host == "www.basecamp.com") && bcxPath.MatchString(u.Path):
		return "bcx"
	case strings.HasSuffix(host, ".basecamphq.com"):
		return "basecamp"
	case strings.HasSuffix(host, ".campfirenow.com"):
		return "campfire"
	case strings.HasSuffix(host, ".highrisehq.com"):
		return "highrise"
	case strings.HasSuffix(host, ".backpackit.com"):
		return "backpack"
	}
	return ""
}

// accountIDOf reads the account id from a bc3 or bcx href's path, 0 if none.
func accountIDOf(href string) int64 {
	u, err := url.Parse(href)
	if err != nil {
		return 0
	}
	m := bc3Path.FindStringSubmatch(u.Path)
	if m == nil {
		return 0
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// Probe asks acc's product who a's credentials belong to. Retries (429, 5xx,
// network failures) wait for the host's rate limit like first requests do.
func (p *Prober) Probe(ctx context.Context, acc Account, a Authorizer) ProbeResult {
	start := p.cfg.Now()
	r := p.probe(ctx, acc, a)
	r.Account = acc
	r.Elapsed = p.cfg.Now().Sub(start)
	return r
}

func (p *Prober) probe(ctx context.Context, acc Account, a Authorizer) ProbeResult {
	if err := ctx.Err(); err != nil {
		return canceled(err)
	}
	prod := LookupProduct(acc.Product)
	if prod.WhoAmI == "" {
		return ProbeResult{Status: NotProbed, Reason: "no public who-am-I endpoint for " + prod.Name}
	}
	if a == nil {
		return ProbeResult{Status: NotProbed, Reason: "no credentials to probe with"}
	}
	u, reason := whoAmIURL(acc.Href, prod.WhoAmI, secretWord(a))
	if reason != "" {
		return ProbeResult{Status: NotProbed, Reason: reason}
	}
	gate := p.gate(u.Host)
	refreshed := false
	var res ProbeResult
	var last outcome
	for attempt := 1; ; attempt++ {
		if err := p.wait(ctx, gate); err != nil {
			return canceledAfter(err, res)
		}
		var o outcome
		res, o = p.attempt(ctx, u, prod, a)
		res.Attempts = attempt
		last = o
		if res.Status == Canceled {
			return res
		}
		if o.expired && !refreshed {
			if rf, ok := a.(refresher); ok {
				refreshed = true
				if err := rf.refresh(ctx, o.req); err != nil {
					if ctx.Err() != nil {
						return canceled(ctx.Err())
					}
					res.Reason += " — getting a new token failed: " + err.Error()
					return res
				}
				continue
			}
		}
		if o.expired && refreshed {
			res.Reason += ", even with a freshly refreshed token"
		}
		if o.refused {
			res.Reason += " — " + refusedNext(prod, a, acc.Href)
		}
		if !o.retry || attempt > p.cfg.MaxRetries {
			break
		}
		wait := o.retryAfter
		if res.HTTPStatus == http.StatusTooManyRequests && wait > p.cfg.MaxRetryAfter {
			res.Reason = fmt.Sprintf("%s (Retry-After %s, longer than the %s bcauth waits) — try again later",
				rateLimited(res.Attempts), seconds(wait), seconds(p.cfg.MaxRetryAfter))
			return res
		}
		if !o.hasRetryAfter {
			wait = p.backoff(attempt)
		}
		if res.HTTPStatus == http.StatusTooManyRequests {
			// Basecamp limits by client IP, so the whole host waits, not just
			// this probe.
			gate.pause(p.cfg.Now().Add(wait))
		} else if err := p.cfg.Sleep(ctx, wait); err != nil {
			return canceledAfter(err, res)
		}
	}
	// The last answer's reason, now that the tries are counted.
	switch {
	case res.Status == RateLimited:
		res.Reason = rateLimited(res.Attempts) + last.retryNote
	case res.Status == ServerError:
		res.Reason = fmt.Sprintf("HTTP %d", res.HTTPStatus)
		if res.Attempts > 1 {
			res.Reason += fmt.Sprintf(" after %d tries", res.Attempts)
		}
		res.Reason += last.said
	case res.Status == Failed && res.Attempts > 1:
		res.Reason += fmt.Sprintf(" (after %d tries)", res.Attempts)
	}
	return res
}

// rateLimited opens a 429's reason: "rate limited", or "still rate limited
// after 4 tries".
func rateLimited(attempts int) string {
	if attempts > 1 {
		return fmt.Sprintf("still rate limited after %d tries", attempts)
	}
	return "rate limited"
}

// seconds writes a wait as Retry-After counts it, in whole seconds: "90s",
// not "1m30s".
func seconds(d time.Duration) string {
	return fmt.Sprintf("%ds", int64((d+time.Second-1)/time.Second))
}

// apiTokenProducts are the classic products, which historically take their
// own API tokens rather than Launchpad's OAuth tokens.
var apiTokenProducts = map[string]bool{"basecamp": true, "campfire": true, "highrise": true, "backpack": true}

// refusedNext is the next step after a 401 or 403: for an OAuth token on a
// classic product, a probe with its API token instead.
func refusedNext(prod Product, a Authorizer, href string) string {
	if _, ok := a.(BearerAuth); ok && apiTokenProducts[prod.Code] {
		return "this product may not take OAuth tokens; try bcauth probe --url " + href + " --api-token -"
	}
	return "the " + secretWord(a) + " is not accepted here"
}

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

func canceled(err error) ProbeResult {
	return ProbeResult{Status: Canceled, Reason: "stopped before an answer came: " + err.Error()}
}

// canceledAfter is canceled for a probe that stopped while waiting to
// retry: it keeps the attempts made and the last answer's status.
func canceledAfter(err error, last ProbeResult) ProbeResult {
	r := canceled(err)
	r.Attempts, r.HTTPStatus = last.Attempts, last.HTTPStatus
	if last.Reason != "" {
		r.Reason += "; the last answer: " + last.Reason
	}
	return r
}

// whoAmIURL builds the request URL, or says why no credentials may go there.
func whoAmIURL(href, path, secret string) (*url.URL, string) {
	u, err := url.Parse(strings.TrimSpace(href))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Sprintf("href %q is not an http(s) URL", href)
	}
	if u.Scheme == "http" && !IsLoopbackHost(u.Hostname()) {
		return nil, fmt.Sprintf("refusing to send the %s over plain http to %s", secret, u.Host)
	}
	u.User = nil
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	u.Path = strings.TrimRight(u.Path, "/") + path
	u.RawPath = ""
	u.Host = strings.ToLower(u.Host)
	return u, ""
}

func (p *Prober) gate(host string) *hostGate {
	p.mu.Lock()
	defer p.mu.Unlock()
	g := p.hosts[host]
	if g == nil {
		g = &hostGate{lim: rate.NewLimiter(p.cfg.PerHostRate, p.cfg.Burst)}
		p.hosts[host] = g
	}
	return g
}

// pause holds every request to the host until t.
func (g *hostGate) pause(t time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if t.After(g.until) {
		g.until = t
	}
}

// wait blocks until the host may get another request: after its
// Retry-After, then within its rate. The limiter is read on the Prober's
// clock so tests can drive it.
func (p *Prober) wait(ctx context.Context, g *hostGate) error {
	g.mu.Lock()
	until := g.until
	g.mu.Unlock()
	if d := until.Sub(p.cfg.Now()); d > 0 {
		if err := p.cfg.Sleep(ctx, d); err != nil {
			return err
		}
	}
	now := p.cfg.Now()
	r := g.lim.ReserveN(now, 1)
	if !r.OK() {
		return errors.New("the per-host rate limit allows no request at all")
	}
	if d := r.DelayFrom(now); d > 0 {
		if err := p.cfg.Sleep(ctx, d); err != nil {
			r.CancelAt(p.cfg.Now())
			return err
		}
	}
	return nil
}

// backoff is the wait before retry n (1-based): Backoff doubled each time,
// capped, with "equal jitter" so probes that failed together spread out.
func (p *Prober) backoff(n int) time.Duration {
	d := p.cfg.Backoff << (n - 1)
	if d > maxBackoff || d <= 0 {
		d = maxBackoff
	}
	return d/2 + rand.N(d/2+1)
}

// attempt sends one request and classifies its answer.
func (p *Prober) attempt(ctx context.Context, u *url.URL, prod Product, a Authorizer) (ProbeResult, outcome) {
	actx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodGet, u.String(), nil)
	if err != nil {
		return ProbeResult{Status: NotProbed, Reason: fmt.Sprintf("cannot build a request for %s: %v", u, err)}, outcome{}
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
		case NeedsLogin(err):
			return ProbeResult{Status: Refused, Reason: "Launchpad no longer accepts this login, so there is no token to send: " + err.Error()}, outcome{}
		}
		return ProbeResult{Status: Failed, Reason: "could not get credentials to send: " + err.Error()}, outcome{}
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
	res := ProbeResult{HTTPStatus: resp.StatusCode}
	code := resp.StatusCode
	// said is the server's own words, quoted once, if it gave any.
	var said string
	if text := errorText(body); text != "" && code != http.StatusOK {
		said = fmt.Sprintf(": %q", text)
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
		expired := code == http.StatusUnauthorized && strings.Contains(strings.ToLower(errorText(body)), "expired")
		return res, outcome{expired: expired, req: req, refused: true}
	case code == http.StatusNotFound && strings.EqualFold(strings.TrimSpace(resp.Header.Get("Reason")), "Account Inactive"):
		res.Status, res.Reason = Inactive, "closed or suspended"
		if text := errorText(body); text != "" {
			res.Reason += fmt.Sprintf(" (%q)", text)
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
func (p *Prober) transportFailure(ctx, actx context.Context, u *url.URL, prod Product, err error) (ProbeResult, outcome) {
	if ctx.Err() != nil {
		return canceled(ctx.Err()), outcome{}
	}
	var ne net.Error
	if errors.Is(actx.Err(), context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return ProbeResult{Status: Timeout, Reason: fmt.Sprintf("%s did not answer within %s", prod.Name, p.cfg.Timeout)}, outcome{}
	}
	return ProbeResult{Status: Failed, Reason: fmt.Sprintf("could not reach %s: %v", u.Host, unwrapURLError(err))}, outcome{retry: true}
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

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > int64(24*time.Hour/time.Second) {
			n = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// decodePerson reads a who-am-I answer: JSON for bc3 and bcx, XML for the
// classic products.
func decodePerson(prod Product, body []byte) (*Person, error) {
	var p *Person
	var err error
	if strings.HasSuffix(prod.WhoAmI, ".xml") {
		p, err = decodeXMLPerson(body)
	} else {
		p, err = decodeJSONPerson(body)
	}
	if err != nil {
		return nil, err
	}
	if p.ID == 0 && p.Name == "" && p.Email == "" {
		return nil, errors.New("it names nobody (no id, name or email address)")
	}
	return p, nil
}

// decodeJSONPerson reads bc3's /my/profile.json or bcx's /people/me.json.
func decodeJSONPerson(body []byte) (*Person, error) {
	var j struct {
		ID    int64  `json:"id"`
		Name  string `json:"name"`
		Email string `json:"email_address"`
		Admin *bool  `json:"admin"`
		Owner *bool  `json:"owner"`
	}
	if err := json.Unmarshal(body, &j); err != nil {
		return nil, fmt.Errorf("not the JSON expected: %w", err)
	}
	return &Person{ID: j.ID, Name: j.Name, Email: j.Email,
		Admin: j.Admin != nil && *j.Admin, Owner: j.Owner != nil && *j.Owner}, nil
}

// decodeXMLPerson reads the Rails-style XML of Basecamp Classic, Highrise and
// Backpack (/me.xml) and Campfire (/users/me.xml): a <person> or <user> with
// typed elements. Values are read as text, so an empty
// <admin type="boolean" nil="true"/> is false rather than an error.
func decodeXMLPerson(body []byte) (*Person, error) {
	var x struct {
		XMLName       xml.Name
		ID            string `xml:"id"`
		Name          string `xml:"name"`
		FirstName     string `xml:"first-name"`
		LastName      string `xml:"last-name"`
		Email         string `xml:"email-address"`
		Administrator string `xml:"administrator"`
		Admin         string `xml:"admin"`
		Owner         string `xml:"owner"`
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	d.CharsetReader = charsetReader
	if err := d.Decode(&x); err != nil {
		return nil, fmt.Errorf("not the XML expected: %w", err)
	}
	if x.XMLName.Local != "person" && x.XMLName.Local != "user" {
		return nil, fmt.Errorf("the XML is a <%s>, not a <person> or <user>", x.XMLName.Local)
	}
	p := &Person{Email: strings.TrimSpace(x.Email)}
	if s := strings.TrimSpace(x.ID); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("its id %q is not a number", s)
		}
		p.ID = id
	}
	p.Name = strings.TrimSpace(x.Name)
	if p.Name == "" {
		p.Name = strings.TrimSpace(strings.TrimSpace(x.FirstName) + " " + strings.TrimSpace(x.LastName))
	}
	p.Admin = xmlTrue(x.Administrator) || xmlTrue(x.Admin)
	p.Owner = xmlTrue(x.Owner)
	return p, nil
}

func xmlTrue(s string) bool {
	b, _ := strconv.ParseBool(strings.TrimSpace(s))
	return b
}

// charsetReader lets XML declared as ISO-8859-1 (older Rails apps) through;
// encoding/xml reads only UTF-8 by itself.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "latin1", "latin-1":
		b, err := io.ReadAll(in)
		if err != nil {
			return nil, err
		}
		var out strings.Builder
		for _, c := range b {
			out.WriteRune(rune(c))
		}
		return strings.NewReader(out.String()), nil
	}
	return nil, fmt.Errorf("unsupported charset %q", label)
}
