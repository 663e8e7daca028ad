package product_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/oauth2"

	"bcauth/auth"
	"bcauth/auth/product"
)

// TestCallerSendsTheTokenOnlyOverHTTPSOrLoopback: plain http reaches this
// machine only; the token never goes anywhere else, nor by another scheme.
func TestCallerSendsTheTokenOnlyOverHTTPSOrLoopback(t *testing.T) {
	lg := newLogin(t)
	plain := newAPI(t)
	tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Header.Get("Authorization"))
	}))
	t.Cleanup(tls.Close)
	tests := []struct {
		name     string
		url      string
		client   *http.Client
		insecure bool
	}{
		{name: "plain http elsewhere", url: "http://3.basecampapi.com/99/projects.json", insecure: true},
		{name: "plain http to a name that only starts like loopback", url: "http://127.0.0.1.example.com/x", insecure: true},
		{name: "another scheme on loopback", url: strings.Replace(plain.srv.URL, "http:", "ftp:", 1) + "/x", insecure: true},
		{name: "plain http on 127.0.0.1", url: plain.srv.URL + "/x"},
		{name: "plain http on localhost", url: strings.Replace(plain.srv.URL, "127.0.0.1", "localhost", 1) + "/x"},
		{name: "https", url: tls.URL + "/x", client: tls.Client()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			tr := newTransport()
			if tt.client != nil {
				tr.next = tt.client.Transport
			}
			cfg := config(newClock())
			cfg.HTTPClient = &http.Client{Transport: tr}
			res, err := product.NewCaller(cfg).Do(t.Context(), product.Request{Method: "GET", URL: u}, lg.tokens)
			sent, _ := tr.counts()
			if tt.insecure {
				if !errors.Is(err, product.ErrInsecure) || res != nil || sent != 0 {
					t.Fatalf("Do = %+v, %v after %d requests; want ErrInsecure and nothing sent", res, err, sent)
				}
				if !strings.Contains(err.Error(), u.Host) {
					t.Errorf("%q does not name the host %s", err, u.Host)
				}
				return
			}
			if err != nil || res.Response.StatusCode != 200 || sent != 1 {
				t.Fatalf("Do = %+v, %v after %d requests; want 200 after 1", res, err, sent)
			}
			body(t, res)
		})
	}
}

// TestCallerDoesNotFollowRedirects: a redirect would take the token to an
// address nobody checked; it is returned as the answer instead, and the
// caller's own client keeps its policy.
func TestCallerDoesNotFollowRedirects(t *testing.T) {
	lg := newLogin(t)
	elsewhere := newAPI(t)
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			a := newAPI(t, answer(status, http.Header{"Location": {elsewhere.srv.URL + "/steal"}}, ""))
			mine := &http.Client{Transport: newTransport()}
			cfg := config(newClock())
			cfg.HTTPClient = mine
			res, err := product.NewCaller(cfg).Do(t.Context(), product.Request{Method: "GET", URL: a.url(t, "/x")}, lg.tokens)
			if err != nil {
				t.Fatal(err)
			}
			body(t, res)
			if res.Response.StatusCode != status || res.Response.Header.Get("Location") == "" {
				t.Errorf("answer %d, want the %d itself", res.Response.StatusCode, status)
			}
			if n := len(elsewhere.requests()); n != 0 {
				t.Fatalf("the redirect was followed %d times, token and all", n)
			}
			if mine.CheckRedirect != nil {
				t.Error("NewCaller changed the redirect policy of the caller's own client")
			}
		})
	}
}

// TestCallerBadMethodClosesTheBody: a request that cannot be built sends
// nothing and leaves no body open.
func TestCallerBadMethodClosesTheBody(t *testing.T) {
	lg := newLogin(t)
	a := newAPI(t)
	closed := 0
	req := product.Request{Method: "NOT A METHOD", URL: a.url(t, "/x"), ContentLength: 2,
		Body: func() (io.ReadCloser, error) {
			return closer{Reader: strings.NewReader("{}"), closed: &closed}, nil
		}}
	res, err := product.NewCaller(config(newClock())).Do(t.Context(), req, lg.tokens)
	if err == nil || res != nil {
		t.Fatalf("Do = %+v, %v; want an error", res, err)
	}
	if closed != 1 {
		t.Errorf("body closed %d times, want once", closed)
	}
	if n := len(a.requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

type closer struct {
	io.Reader
	closed *int
}

func (c closer) Close() error { *c.closed++; return nil }

// TestCallerDefaults runs a Caller with nothing configured but its client,
// in a bubble of synthetic time: the real clock, the default backoff, the
// default per-host limits and a Retry-After read against time.Now.
func TestCallerDefaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, err := auth.New(auth.Config{ClientID: "id", ClientSecret: "secret", LaunchpadURL: "http://127.0.0.1:9"})
		if err != nil {
			t.Fatal(err)
		}
		tokens := c.TokenSource(&oauth2.Token{AccessToken: "access", TokenType: "Bearer"}, nil)
		var when []time.Duration
		start := time.Now()
		// In process: a bubble's time stands still while a socket is read.
		answers := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			when = append(when, time.Since(start))
			rec := httptest.NewRecorder()
			switch len(when) {
			case 1:
				rec.WriteHeader(http.StatusServiceUnavailable)
			case 2:
				rec.Header().Set("Retry-After", time.Now().Add(2*time.Minute).UTC().Format(http.TimeFormat))
				rec.WriteHeader(http.StatusTooManyRequests)
			default:
				io.WriteString(rec, r.Header.Get("User-Agent"))
			}
			return rec.Result(), nil
		})
		u, _ := url.Parse("http://127.0.0.1:9/x")
		res, err := product.NewCaller(product.Config{HTTPClient: &http.Client{Transport: answers}}).
			Do(t.Context(), product.Request{Method: "GET", URL: u}, tokens)
		if err != nil {
			t.Fatal(err)
		}
		if got := body(t, res); got != auth.DefaultUserAgent() || res.Attempts != 3 {
			t.Errorf("%d attempts, User-Agent %q; want 3, %q", res.Attempts, got, auth.DefaultUserAgent())
		}
		// The 503 backs off for half to all of 500 ms; the 429 then holds
		// the host until the date it names, two minutes from the start.
		if len(when) != 3 || when[1] < product.DefaultBackoff/2 || when[1] > product.DefaultBackoff || when[2] != 2*time.Minute {
			t.Errorf("requests at %v, want at 0, 250–500ms and 2m", when)
		}
	})
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
