package probe

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"bcauth/auth"
	"bcauth/auth/product"
)

// Probe defaults, kept under Basecamp's documented limit of about 50
// requests per 10 s per IP.
const (
	DefaultConcurrency   = 4
	DefaultPerHostRate   = product.DefaultPerHostRate
	DefaultBurst         = product.DefaultBurst
	DefaultMaxRetries    = 3
	DefaultMaxRetryAfter = 30 * time.Second
	DefaultTimeout       = 15 * time.Second
	DefaultBackoff       = product.DefaultBackoff
)

// Config tunes a Prober. The zero value probes politely.
type Config struct {
	// HTTPClient sends the requests; its redirect policy is replaced so
	// credentials never follow a redirect. A client with the default
	// transport when nil.
	HTTPClient *http.Client
	// UserAgent is sent on every request; [auth.DefaultUserAgent]() when
	// empty.
	UserAgent string
	// HTTPSOnly refuses plain http even to a loopback host. A login made
	// with a real (https) Launchpad sets it, so its token reaches only
	// https addresses, whatever an href says; only the built-in fake, on
	// loopback itself, serves products over plain http.
	HTTPSOnly bool
	// Concurrency is how many probes run at once; DefaultConcurrency
	// when zero or less.
	Concurrency int
	// PerHostRate and Burst limit requests to each host (host:port);
	// DefaultPerHostRate and DefaultBurst when zero. rate.Inf turns the
	// limit off.
	PerHostRate rate.Limit
	Burst       int
	// MaxRetries is how often a 429, 5xx or network failure is retried;
	// DefaultMaxRetries when zero, none when negative.
	MaxRetries int
	// MaxRetryAfter is the longest Retry-After honoured; a longer one ends
	// the probe as RateLimited at once. DefaultMaxRetryAfter when zero.
	MaxRetryAfter time.Duration
	// Timeout bounds each request; DefaultTimeout when zero.
	Timeout time.Duration
	// Backoff is the first wait before retrying a 5xx, doubled on each
	// retry (up to 8 s) with jitter; DefaultBackoff when zero.
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
	cfg    Config
	client *http.Client

	hosts *product.Hosts
}

// New returns a Prober for cfg, defaults filled in.
func New(cfg Config) *Prober {
	if cfg.UserAgent == "" {
		cfg.UserAgent = auth.DefaultUserAgent()
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.PerHostRate <= 0 {
		cfg.PerHostRate = DefaultPerHostRate
	}
	if cfg.Burst <= 0 {
		cfg.Burst = DefaultBurst
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
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = product.Sleep
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
	return &Prober{cfg: cfg, client: &client, hosts: product.NewHosts(cfg.PerHostRate, cfg.Burst, cfg.Now, cfg.Sleep)}
}

// ProbeAll probes every account, at most Concurrency at once, and returns
// the results in the order of accs. progress, when not nil, is called once
// per account as its result comes in, from ProbeAll's own goroutine. When
// ctx ends, probes in flight stop, the rest come back Canceled, and no
// goroutine is left running.
func (p *Prober) ProbeAll(ctx context.Context, accs []auth.Account, a Authorizer, progress func(done, total int, r Result)) []Result {
	out := make([]Result, len(accs))
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
		r Result
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
// credentials. An empty product is guessed from the href
// ([auth.GuessProduct]); an href that already ends in the product's who-am-I
// path is taken as is.
func (p *Prober) ProbeURL(ctx context.Context, href, product string, a Authorizer) Result {
	if product == "" {
		product = auth.GuessProduct(href)
	}
	acc := auth.Account{Product: product, Href: href, ID: accountIDOf(href)}
	if product == "" {
		return Result{Account: acc, Status: NotProbed,
			Reason: fmt.Sprintf("cannot tell which product %s belongs to: name it (bc3, bcx, basecamp, campfire, highrise or backpack)", href)}
	}
	if who := auth.LookupProduct(product).WhoAmI; who != "" {
		if u, err := url.Parse(href); err == nil && strings.HasSuffix(u.Path, who) {
			u.Path = strings.TrimSuffix(u.Path, who)
			u.RawPath = ""
			acc.Href = u.String()
		}
	}
	return p.Probe(ctx, acc, a)
}

// bc3Path is how bc3 and bcx hrefs begin: the account id.
var bc3Path = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^/(\d+)(/|$)`)
})

// accountIDOf reads the account id from a bc3 or bcx href's path, 0 if none.
func accountIDOf(href string) int64 {
	u, err := url.Parse(href)
	if err != nil {
		return 0
	}
	m := bc3Path().FindStringSubmatch(u.Path)
	if m == nil {
		return 0
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// Probe asks acc's product who a's credentials belong to. Retries (429, 5xx,
// network failures) wait for the host's rate limit like first requests do.
func (p *Prober) Probe(ctx context.Context, acc auth.Account, a Authorizer) Result {
	start := p.cfg.Now()
	r := p.probe(ctx, acc, a)
	r.Account = acc
	r.Elapsed = p.cfg.Now().Sub(start)
	return r
}

func (p *Prober) probe(ctx context.Context, acc auth.Account, a Authorizer) Result {
	if err := ctx.Err(); err != nil {
		return canceled(err)
	}
	prod := auth.LookupProduct(acc.Product)
	if prod.WhoAmI == "" {
		return Result{Status: NotProbed, Reason: "no public who-am-I endpoint for " + prod.Name}
	}
	if a == nil {
		return Result{Status: NotProbed, Reason: "no credentials to probe with"}
	}
	u, reason := whoAmIURL(acc.Href, prod.WhoAmI, secretWord(a), p.cfg.HTTPSOnly)
	if reason != "" {
		return Result{Status: NotProbed, Reason: reason}
	}
	refreshed := false
	var res Result
	var last outcome
	for attempt := 1; ; attempt++ {
		if err := p.wait(ctx, u.Host); err != nil {
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
			p.hosts.Pause(u.Host, p.cfg.Now().Add(wait))
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
