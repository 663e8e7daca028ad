package cli

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"bcauth/auth/launchpadtest"
	"bcauth/store"
)

// apiClock is the injected clock of the retries: sleeping advances it and
// records how long, so no test waits in real time.
type apiClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func (c *apiClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *apiClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.slept = append(c.slept, d)
	return ctx.Err()
}

// api runs bcauth api against the fake with the injected clock.
func (e *cliEnv) api(t *testing.T, clock *apiClock, o APIOptions) cliResult {
	t.Helper()
	if clock == nil {
		clock = &apiClock{now: time.Now()}
	}
	o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	o.Now, o.Sleep = clock.Now, clock.Sleep
	return cliRun(func(out Output) int { return API(t.Context(), e.Svc, out, o) })
}

// apiRequests is the fake's product requests other than who-am-I probes.
func apiRequests(e *cliEnv) []launchpadtest.ProductRequest {
	return e.Fake.ProductRequests()
}

func TestAPIChoosesTheAccount(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	for _, tc := range []struct {
		name    string
		o       APIOptions
		last    string
		code    int
		path    string   // the request the fake saw
		stderr  []string // in stderr
		noQuery bool
	}{
		{name: "by id", o: APIOptions{Account: "99999998", Path: "/projects.json"}, path: "/bc3/99999998/projects.json"},
		{name: "by exact name, any case", o: APIOptions{Account: "honcho design", Path: "projects.json"}, path: "/bc3/99999999/projects.json"},
		{name: "the only account of a product", o: APIOptions{Product: "basecamp", Path: "/projects.xml"}, path: "/classic/northwind/projects.xml"},
		{name: "an id two products share, with its product", o: APIOptions{Account: "88888888", Product: "highrise", Path: "/people.xml"}, path: "/highrise/globex/people.xml"},
		{name: "last picked in the app", last: "bcx:88888887", o: APIOptions{Path: "/people.json"}, path: "/bcx/88888887/api/v1/people.json"},
		{name: "last picked, within the product", last: "bc3:99999997", o: APIOptions{Product: "bc3", Path: "/people.json"}, path: "/bc3/99999997/people.json"},
		{name: "an id two products share", o: APIOptions{Account: "88888888", Path: "/people.json"}, code: 1,
			stderr: []string{`--account "88888888" matches 2 accounts`, "bcx\t88888888\tWayne Enterprises, Ltd.", "highrise\t88888888\tGlobex Sales"}},
		{name: "nothing named, several accounts", o: APIOptions{Path: "/projects.json"}, code: 1,
			stderr: []string{"which account?", "bc3\t99999999\tHoncho Design", "campfire\t44444444\tAcme Shipping Co."}},
		{name: "several of the product", last: "bcx:88888887", o: APIOptions{Product: "bc3", Path: "/projects.json"}, code: 1,
			stderr: []string{`--product "bc3"`, "bc3\t99999998\tStark Street Bakery"}},
		{name: "no such account", o: APIOptions{Account: "Nope", Path: "/projects.json"}, code: 1,
			stderr: []string{`no account matches --account "Nope"`, "bcx\t88888887\tBlue Heron Architects"}},
		{name: "hostile names are cleaned in the list", o: APIOptions{Account: "1", Path: "/x"}, code: 1,
			stderr: []string{"bc3\t99999994\tEvil Corp"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := e.Svc.Store.Update(func(st *store.State) error {
				s, _ := st.CurrentSession()
				s.LastAccount = tc.last
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			before := len(apiRequests(e))
			r := e.api(t, nil, tc.o)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", r.code, tc.code, r.stdout, r.stderr)
			}
			for _, w := range tc.stderr {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if strings.ContainsAny(r.stderr, "\x1b\x07") {
				t.Errorf("a control character reached stderr: %q", r.stderr)
			}
			reqs := apiRequests(e)[before:]
			if tc.path == "" {
				if len(reqs) != 0 {
					t.Errorf("an API request was sent: %+v", reqs)
				}
				return
			}
			if len(reqs) != 1 || reqs[0].Path != tc.path || reqs[0].Status != 200 {
				t.Fatalf("requests %+v, want one 200 for %s", reqs, tc.path)
			}
		})
	}
}

func TestAPIURLs(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	base := e.Fake.URL
	for _, tc := range []struct {
		name, path string
		code       int
		sent       string // the path the fake saw, "" for nothing sent
		stderr     string
	}{
		{"full URL under an href names its account", base + "/bcx/88888888/api/v1/people.json", 0, "/bcx/88888888/api/v1/people.json", ""},
		{"Launchpad itself", base + "/authorization.json", 0, "", ""},
		// A name off this machine, refused before any lookup (the guard
		// would fail a dial); the next row is the loopback twin.
		{"a foreign host", "https://evil.example.com/bc3/99999999/projects.json", 2, "", "refusing to send the token to evil.example.com"},
		{"another loopback host", strings.Replace(base, "127.0.0.1", "127.0.0.2", 1) + "/bc3/99999999/projects.json", 2, "", "refusing to send the token to 127.0.0.2:"},
		{"a relative path cannot climb into another account", "/../99999998/people.json", 2, "", "climbs out of the account's href"},
		{"nor up to Launchpad, however spelt", "/%2e%2e/%2e%2e/authorization.json", 2, "", "climbs out of the account's href"},
		{"dot segments that stay inside are fine", "/people/../projects.json", 0, "/bc3/99999999/projects.json", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(apiRequests(e))
			beforeLP := e.Fake.Requests(launchpadtest.EndpointAuthorization)
			r := e.api(t, nil, APIOptions{Account: "99999999", Path: tc.path})
			reqs := apiRequests(e)[before:]
			if tc.sent != "" {
				if r.code != tc.code || len(reqs) != 1 || reqs[0].Path != tc.sent {
					t.Fatalf("exit %d, requests %+v\n%s", r.code, reqs, r.stderr)
				}
				return
			}
			if tc.stderr != "" {
				if r.code != tc.code || !strings.Contains(r.stderr, tc.stderr) || len(reqs) != 0 {
					t.Fatalf("exit %d, %d requests, stderr:\n%s", r.code, len(reqs), r.stderr)
				}
				return
			}
			if r.code != 0 || !strings.Contains(r.stdout, `"identity"`) || e.Fake.Requests(launchpadtest.EndpointAuthorization) != beforeLP+1 || len(reqs) != 0 {
				t.Errorf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
		})
	}
}

// TestPrettyJSONEndsItsLineOnBadJSON: an answer that stops being JSON
// part-way leaves its half-printed line ended, so the error that follows
// starts on its own.
func TestPrettyJSONEndsItsLineOnBadJSON(t *testing.T) {
	var b strings.Builder
	err := writePrettyJSON(&b, strings.NewReader(`{"a": [1, tru`), false)
	if err == nil || !strings.HasSuffix(b.String(), "\n") {
		t.Errorf("writePrettyJSON = %q, %v; want an error after an ended line", b.String(), err)
	}
}

// TestHighriseTokensAreRedacted: whatever chunks the answer comes in, the
// person's API token in Highrise's <token> never reaches the output.
func TestHighriseTokensAreRedacted(t *testing.T) {
	const in = "<user><name>Annie</name><token>abcdef0123456789</token><dropbox>x</dropbox></user>\n<token>second-one</token>"
	const want = "<user><name>Annie</name><token>REDACTED</token><dropbox>x</dropbox></user>\n<token>REDACTED</token>"
	for _, size := range []int{1, 2, 3, 7, 8, 64} {
		got, err := io.ReadAll(redactTokens(iotest.OneByteReader(&chunked{s: in, n: size})))
		if err != nil || string(got) != want {
			t.Errorf("chunks of %d: %q, %v", size, got, err)
		}
	}
}

// chunked reads s n bytes at a time.
type chunked struct {
	s string
	n int
}

func (c *chunked) Read(p []byte) (int, error) {
	if c.s == "" {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.n)], c.s)
	c.s = c.s[n:]
	return n, nil
}

// TestAPIHidesHighrisesAPIToken: Highrise's /me.xml carries the person's
// own API token; bcauth api prints the answer without it.
func TestAPIHidesHighrisesAPIToken(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	r := e.api(t, nil, APIOptions{Account: "88888888", Product: "highrise", Path: "/me.xml"})
	secret := launchpadtest.HighriseAPIToken(88888888)
	if r.code != 0 || strings.Contains(r.stdout+r.stderr, secret) || !strings.Contains(r.stdout, "<token>REDACTED</token>") || !strings.Contains(r.stdout, "<name>") {
		t.Errorf("api /me.xml = %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
