package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"bcauth/auth/launchpadtest"
	"bcauth/store"
)

// Issue 22: bcauth api under hostile input and answers, against the fake
// over real HTTP.

// longDescription makes a body longer than the 512 bytes bcauth once read
// to guess its type before opening the input again.
var longDescription = strings.Repeat("0123456789abcdef", 64) + "END"

func projectBody() string {
	b, _ := json.Marshal(map[string]string{"name": "From a pipe", "description": longDescription})
	return string(b)
}

func posts(e *cliEnv, before int) int {
	n := 0
	for _, r := range e.Fake.ProductRequests()[before:] {
		if r.Method == http.MethodPost {
			n++
		}
	}
	return n
}

// Point 1: a pipe is read once, whole, and its body sent once.
func TestAPIInputFromAPipeIsSentWhole(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	for _, how := range []string{"--input -", "--input /dev/fd/N (a process substitution)"} {
		t.Run(how, func(t *testing.T) {
			pr, pw, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer pr.Close()
			go func() {
				// In two writes, as a slow producer would.
				b := projectBody()
				_, _ = io.WriteString(pw, b[:300])
				_, _ = io.WriteString(pw, b[300:])
				pw.Close()
			}()
			o := APIOptions{Account: "99999999", Path: "/projects.json", Input: "-", Stdin: pr}
			if strings.HasPrefix(how, "--input /dev/fd") {
				o.Input, o.Stdin = fmt.Sprintf("/dev/fd/%d", pr.Fd()), nil
			}
			before := len(e.Fake.ProductRequests())
			r := e.api(t, nil, o)
			if r.code != 0 || !strings.Contains(r.stdout, longDescription) {
				t.Fatalf("exit %d, stderr %s\nstdout %.300s…\nwant the whole description back", r.code, r.stderr, r.stdout)
			}
			if n := posts(e, before); n != 1 {
				t.Errorf("%d POSTs, want 1", n)
			}
		})
	}
}

// Point 1: a body that cannot be read whole is an error, and nothing is
// sent.
func TestAPIInputThatBreaksSendsNothing(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		o    APIOptions
		want string
	}{
		{"a read error midway", APIOptions{Input: "-", Stdin: io.MultiReader(strings.NewReader(`{"name":"cut`), iotest.ErrReader(errors.New("input/output error")))}, "input/output error"},
		{"a directory", APIOptions{Input: dir}, "is a directory"},
		{"-F @ a read error", APIOptions{TypedFields: []string{"name=@-"}, Stdin: iotest.ErrReader(errors.New("input/output error"))}, "input/output error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Account, tc.o.Path = "99999999", "/projects.json"
			before := len(e.Fake.ProductRequests())
			r := e.api(t, nil, tc.o)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "nothing was sent") {
				t.Errorf("exit %d, stderr %q; want 2, %q and nothing sent", r.code, r.stderr, tc.want)
			}
			if n := len(e.Fake.ProductRequests()) - before; n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
}

// zeros reads as /dev/zero does.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// Point 3: a body beyond MaxRequestBody is refused before anything is sent.
func TestAPIBodyBeyondTheBoundIsRefused(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	big := filepath.Join(t.TempDir(), "big.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxRequestBody + 1); err != nil { // sparse: costs nothing
		t.Fatal(err)
	}
	f.Close()
	for _, tc := range []struct {
		name string
		o    APIOptions
	}{
		{"--input FILE", APIOptions{Input: big}},
		{"--input - endless", APIOptions{Input: "-", Stdin: zeros{}}},
		{"-F @FILE", APIOptions{TypedFields: []string{"description=@" + big}}},
		{"-F @- endless", APIOptions{TypedFields: []string{"description=@-"}, Stdin: zeros{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Account, tc.o.Path = "99999999", "/projects.json"
			before := len(e.Fake.ProductRequests())
			r := e.api(t, nil, tc.o)
			if r.code != 2 || !strings.Contains(r.stderr, "larger than bcauth api sends (64 MiB)") {
				t.Errorf("exit %d, stderr %q", r.code, r.stderr)
			}
			if n := len(e.Fake.ProductRequests()) - before; n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
	// Just within the bound, it goes (the fake refuses to read so much,
	// as a product would, but it got the request).
	if err := os.Truncate(big, MaxRequestBody); err != nil {
		t.Fatal(err)
	}
	before := len(e.Fake.ProductRequests())
	r := e.api(t, nil, APIOptions{Account: "99999999", Path: "/projects.json", Input: big})
	if n := posts(e, before); n != 1 {
		t.Errorf("a body of exactly the bound: %d POSTs (exit %d, %s)", n, r.code, r.stderr)
	}
}

// pageAnswer is a page of one project, with a Link to next when not "".
func pageAnswer(id int, next string) launchpadtest.ProductAnswer {
	a := launchpadtest.ProductAnswer{Status: http.StatusOK, ContentType: "application/json; charset=utf-8",
		Body: fmt.Sprintf(`[{"id":%d,"name":"Page %d"}]`, id, id)}
	if next != "" {
		a.Header = http.Header{"Link": {next}}
	}
	return a
}

// Point 4: one endless value in an answer ends the output where it got
// to, with an error; what came before it stays.
func TestAPIOneLongValueIsBounded(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	href := e.Fake.URL + "/bc3/99999999/projects.json"
	for _, tc := range []struct {
		name      string
		o         APIOptions
		wantFirst string // the output that came before the long value
	}{
		{"--paginate, piped", APIOptions{Paginate: true}, `[{"id":7,"name":"Page 7"}`},
		{"--paginate, on a terminal", APIOptions{Paginate: true, Pretty: true}, `"name": "Page 7"`},
		{"pretty", APIOptions{Pretty: true}, `"id": 1`},
		{"--jq", APIOptions{JQ: ".[0].id"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			answers := []launchpadtest.ProductAnswer{launchpadtest.AnswerLongString(MaxValue + 4<<20)}
			if tc.o.Paginate {
				answers = append([]launchpadtest.ProductAnswer{pageAnswer(7, "<"+href+`?page=2>; rel="next"`)}, answers...)
			}
			e.Fake.ScriptAPI(99999999, "bc3", answers...)
			t.Cleanup(func() { e.Fake.ScriptAPI(99999999, "bc3") })
			tc.o.Account, tc.o.Path = "99999999", "/projects.json"
			r := e.api(t, nil, tc.o)
			if r.code != 1 || !strings.Contains(r.stderr, "longer than bcauth holds whole (16 MiB)") {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			if !strings.Contains(r.stdout, tc.wantFirst) || len(r.stdout) > 1<<20 {
				t.Errorf("stdout (%d bytes) %.300q, want what came before the long value, %q", len(r.stdout), r.stdout, tc.wantFirst)
			}
			if tc.o.Paginate && !tc.o.Pretty && !json.Valid([]byte(r.stdout)) {
				t.Errorf("the merged array is not closed: %q", r.stdout)
			}
		})
	}
}

// Point 5: a Link cycle, and the page cap, stop --paginate with exit 1;
// one run refreshes the token once, whatever the pages say.
func TestAPIPaginateStopsOnACycleAndAtTheCap(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	href := e.Fake.URL + "/bc3/99999999/projects.json"
	t.Cleanup(func() { e.Fake.ScriptAPI(99999999, "bc3") })
	run := func(o APIOptions) (cliResult, int) {
		o.Account, o.Path, o.Paginate = "99999999", "/projects.json", true
		before := len(e.Fake.ProductRequests())
		r := e.api(t, nil, o)
		return r, len(e.Fake.ProductRequests()) - before
	}

	// Page 2 links back to page 1 (as href?page=1, another spelling of it
	// would be fetched once more, then stop).
	e.Fake.ScriptAPI(99999999, "bc3", pageAnswer(1, "<"+href+`?page=2>; rel="next"`), pageAnswer(2, "<"+href+`>; rel="next"`))
	r, n := run(APIOptions{})
	if r.code != 1 || n != 2 || !strings.Contains(r.stderr, "fetched already") || r.stdout != `[{"id":1,"name":"Page 1"},{"id":2,"name":"Page 2"}]`+"\n" {
		t.Errorf("a cycle: exit %d, %d requests, stdout %q, stderr %q", r.code, n, r.stdout, r.stderr)
	}

	e.Fake.ScriptAPI(99999999, "bc3", launchpadtest.AnswerEndlessPages())
	r, n = run(APIOptions{MaxPages: 5})
	if r.code != 1 || n != 5 || !strings.Contains(r.stderr, "stops at 5 pages") || !strings.Contains(r.stderr, "page=6") {
		t.Errorf("endless pages: exit %d, %d requests, stderr %q", r.code, n, r.stderr)
	}
	var merged []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &merged); err != nil || len(merged) != 5 {
		t.Errorf("the pages before the cap: %v, %q", err, r.stdout)
	}

	// Every page says "expired" once, then answers: one refresh, and the
	// run stops at the first page that still says so.
	var script []launchpadtest.ProductAnswer
	for p := 1; p <= 10; p++ {
		script = append(script, pageAnswer(p, fmt.Sprintf("<%s?page=%d>; rel=\"next\"", href, p+1)), launchpadtest.AnswerRefused())
	}
	e.Fake.ScriptAPI(99999999, "bc3", script...)
	refreshes := e.Fake.RefreshRequests()
	r, _ = run(APIOptions{})
	if got := e.Fake.RefreshRequests() - refreshes; got != 1 || r.code != 1 {
		t.Errorf("pages that say expired: %d refreshes, exit %d, stderr %q; want 1 and exit 1", got, r.code, r.stderr)
	}
}

// Point 6: a next link that is not followed is said, exit 1.
func TestAPIPaginateSaysANextLinkItCannotFollow(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	t.Cleanup(func() { e.Fake.ScriptAPI(99999999, "bc3") })
	port := e.Fake.URL[strings.LastIndex(e.Fake.URL, ":")+1:]
	for _, link := range []string{
		"<http://127.0.0.%31:" + port + `/bc3/99999999/projects.json?page=2>; rel="next"`,
		"<http://[::1/bc3/99999999/projects.json?page=2>; rel=\"next\"",
		`http://127.0.0.1:` + port + `/bc3/99999999/projects.json?page=2; rel="next"`,
		"<https://example.invalid/bc3/99999999/projects.json>; rel=next",
	} {
		e.Fake.ScriptAPI(99999999, "bc3", pageAnswer(1, link))
		r := e.api(t, nil, APIOptions{Account: "99999999", Path: "/projects.json", Paginate: true})
		if r.code != 1 || !strings.Contains(r.stderr, "is not followed") || r.stdout != `[{"id":1,"name":"Page 1"}]`+"\n" {
			t.Errorf("Link %q: exit %d, stdout %q, stderr %q", link, r.code, r.stdout, r.stderr)
		}
	}
}

// Point 9: Highrise's API token is redacted in every form, on every path.
func TestAPIRedactsTheHighriseTokenEverywhere(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	t.Cleanup(func() { e.Fake.ScriptAPI(88888888, "highrise") })
	const secret = "f00dfacecafe0123456789"
	xml := "application/xml; charset=utf-8"
	for _, tc := range []struct {
		name   string
		answer launchpadtest.ProductAnswer
		o      APIOptions
	}{
		{"attributes", launchpadtest.ProductAnswer{Status: 200, ContentType: xml, Body: `<user><token type="string">` + secret + `</token></user>`}, APIOptions{}},
		{"spaces in the tags", launchpadtest.ProductAnswer{Status: 200, ContentType: xml, Body: "<user><token >" + secret + "</token ></user>"}, APIOptions{}},
		{"Campfire's name", launchpadtest.ProductAnswer{Status: 200, ContentType: xml, Body: "<user><api-auth-token>" + secret + "</api-auth-token></user>"}, APIOptions{}},
		{"JSON", launchpadtest.ProductAnswer{Status: 200, ContentType: "application/json", Body: `{"name":"Annie","token" : "` + secret + `"}`}, APIOptions{}},
		{"JSON, --jq", launchpadtest.ProductAnswer{Status: 200, ContentType: "application/json", Body: `{"name":"Annie","token":"` + secret + `"}`}, APIOptions{JQ: ".token"}},
		{"JSON, pretty", launchpadtest.ProductAnswer{Status: 200, ContentType: "application/json", Body: `{"user":{"token":"` + secret + `"}}`}, APIOptions{Pretty: true}},
		{"a number", launchpadtest.ProductAnswer{Status: 200, ContentType: "application/json", Body: `{"token":` + "1234567890987654321" + `}`}, APIOptions{}},
		{"a 422, stdout and stderr", launchpadtest.ProductAnswer{Status: 422, ContentType: "application/json", Body: `{"error":"Token invalid","token":"` + secret + `"}`}, APIOptions{}},
		{"a 500 in XML", launchpadtest.ProductAnswer{Status: 500, ContentType: xml, Body: `<errors><token>` + secret + `</token></errors>`}, APIOptions{}},
		{"--include", launchpadtest.ProductAnswer{Status: 200, ContentType: xml, Body: `<token>` + secret + `</token>`}, APIOptions{Include: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.Fake.ScriptAPI(88888888, "highrise", tc.answer)
			tc.o.Account, tc.o.Product, tc.o.Path = "88888888", "highrise", "/people.xml"
			if tc.name == "a number" {
				r := e.api(t, nil, tc.o)
				if strings.Contains(r.stdout+r.stderr, "1234567890987654321") || !json.Valid([]byte(r.stdout)) {
					t.Errorf("stdout %q, stderr %q", r.stdout, r.stderr)
				}
				return
			}
			r := e.api(t, nil, tc.o)
			if strings.Contains(r.stdout+r.stderr, secret) || !strings.Contains(r.stdout, "REDACTED") {
				t.Errorf("exit %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
			}
		})
	}
}

// redactAll runs s through the redactor a chunk of size bytes at a time.
func redactAll(t *testing.T, s string, size int) string {
	t.Helper()
	got, err := io.ReadAll(redactTokens(iotest.OneByteReader(&chunked{s: s, n: size})))
	if err != nil {
		t.Fatal(err)
	}
	return string(got)
}

func TestRedactorForms(t *testing.T) {
	for in, want := range map[string]string{
		`<token type="string">s3cr3t</token>`:                 `<token type="string">REDACTED</token>`,
		`<token a='>'>s3cr3t</token>`:                         `<token a='>'>REDACTED</token>`,
		"<token\n>s3cr3t</token\n>":                           "<token\n>REDACTED</token\n>",
		`<TOKEN>s3cr3t</TOKEN>`:                               `<TOKEN>REDACTED</TOKEN>`,
		`<token/><name>x</name>`:                              `<token/><name>x</name>`,
		`<tokens>1</tokens><token>s3<b>cr</b>3t</token>`:      `<tokens>1</tokens><token>REDACTED</token>`,
		`{"token":"s3\"cr3t","b":"token"}`:                    `{"token":"REDACTED","b":"token"}`,
		`{"api_token": 42, "x": "\"token\": \"y\""}`:          `{"api_token": "REDACTED", "x": "\"token\": \"y\""}`,
		`{"token":null,"token2":"keep"}`:                      `{"token":null,"token2":"keep"}`,
		`<user><token>s3cr3t`:                                 `<user><token>REDACTED`,
		`{"token":"s3cr3t`:                                    `{"token":"REDACTED`,
		`a < b and "quoted" <token`:                           `a < b and "quoted" <token`,
		`<name>"token": "not JSON, still hidden"</name>`:      `<name>"token": "REDACTED"</name>`,
		"<token>" + strings.Repeat("x", 100<<10) + "</token>": "<token>REDACTED</token>",
	} {
		for _, size := range []int{1, 2, 3, 7, 1 << 20} {
			if got := redactAll(t, in, size); got != want {
				t.Errorf("%.60q in chunks of %d: got %.80q, want %.80q", in, size, got, want)
			}
		}
	}
}

// Point 12: the store's lock held by another bcauth is said as every
// command says it, not as a network failure.
func TestAPISaysTheLockIsHeldAsTokenDoes(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the store's lock timeout")
	}
	e := newCLIEnv(t, cliOpts{})
	e.ExpireStored(t, e.LogIn(t), time.Hour)
	other, err := store.Open(e.Svc.Store.Dir())
	if err != nil {
		t.Fatal(err)
	}
	held, err := other.Hold(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	var wg sync.WaitGroup
	var api, token cliResult
	wg.Go(func() { api = e.api(t, nil, APIOptions{Account: "99999999", Path: "/projects.json"}) })
	wg.Go(func() {
		token = cliRun(func(o Output) int { return Token(context.WithoutCancel(t.Context()), e.Svc, o, false) })
	})
	wg.Wait()
	if api.code != 1 || !strings.Contains(api.stderr, "held the lock") || strings.Contains(api.stderr, "could not reach") {
		t.Errorf("api: exit %d, stderr %q", api.code, api.stderr)
	}
	if strings.ReplaceAll(api.stderr, "\n", " ") != strings.ReplaceAll(token.stderr, "\n", " ") {
		t.Errorf("api says\n%s\ntoken says\n%s", api.stderr, token.stderr)
	}
}

// Point 1: a POST that was sent is never sent again, whatever came back.
func TestAPINeverResendsAPost(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	t.Cleanup(func() { e.Fake.ScriptAPI(99999999, "bc3") })
	for _, answer := range []launchpadtest.ProductAnswer{launchpadtest.AnswerServerError(), launchpadtest.AnswerSlow(time.Minute)} {
		e.Fake.ScriptAPI(99999999, "bc3", answer)
		before := len(e.Fake.ProductRequests())
		o := APIOptions{Account: "99999999", Path: "/projects.json", Input: "-", Stdin: strings.NewReader(projectBody())}
		o.HTTPClient = &http.Client{Timeout: 2 * time.Second}
		clock := &apiClock{now: time.Now()}
		o.Now, o.Sleep = clock.Now, clock.Sleep
		r := cliRun(func(out Output) int { return API(t.Context(), e.Svc, out, o) })
		if n := posts(e, before); n != 1 || r.code != 1 {
			t.Errorf("%+v: %d POSTs, exit %d (%s); want one and exit 1", answer, n, r.code, r.stderr)
		}
	}
}
