package cli

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"bcauth/auth/launchpadtest"
)

func TestAPIMethodsAndBodies(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	dir := t.TempDir()
	desc := filepath.Join(dir, "desc.txt")
	if err := os.WriteFile(desc, []byte("From a file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	input := filepath.Join(dir, "project.json")
	if err := os.WriteFile(input, []byte(`{"name":"From --input"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		o          APIOptions
		method     string
		query      string
		wantOut    []string
		code       int
		wantStderr string
	}{
		{name: "-f makes a JSON POST", o: APIOptions{Path: "/projects.json", Fields: []string{"name=Launch"}, TypedFields: []string{"description=@" + desc}},
			method: "POST", wantOut: []string{`"name": "Launch"`, `"description": "From a file\n"`}},
		{name: "--input file", o: APIOptions{Path: "/projects.json", Input: input}, method: "POST", wantOut: []string{`"name": "From --input"`}},
		{name: "--input - from stdin", o: APIOptions{Path: "/projects.json", Input: "-", Stdin: strings.NewReader(`{"name":"From stdin"}`)}, method: "POST", wantOut: []string{`"From stdin"`}},
		{name: "-X GET with fields puts them in the query", o: APIOptions{Path: "/projects.json", Method: "get", Fields: []string{"page=3"}}, method: "GET", query: "page=3", wantOut: []string{"[]"}},
		{name: "-X PUT", o: APIOptions{Path: "/projects/2086956010.json", Method: "put", Fields: []string{"name=Renamed"}}, method: "PUT", wantOut: []string{`"name": "Renamed"`}},
		{name: "-X DELETE", o: APIOptions{Path: "/projects/2086956010.json", Method: "DELETE"}, method: "DELETE"},
		{name: "-X DELETE of nothing", o: APIOptions{Path: "/projects/1.json", Method: "DELETE"}, method: "DELETE", code: 1, wantStderr: "HTTP 404 Not Found"},
		{name: "a validation error", o: APIOptions{Path: "/projects.json", TypedFields: []string{"description=null"}}, method: "POST", code: 1, wantStderr: "HTTP 422 Unprocessable Entity: Name can't be blank"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Account, tc.o.Pretty = "99999998", true
			before := len(e.Fake.ProductRequests())
			r := e.api(t, nil, tc.o)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.wantStderr) {
				t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
			}
			for _, w := range tc.wantOut {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
				}
			}
			reqs := e.Fake.ProductRequests()[before:]
			if len(reqs) != 1 || reqs[0].Method != tc.method || reqs[0].Query != tc.query {
				t.Fatalf("requests %+v, want one %s ?%s", reqs, tc.method, tc.query)
			}
			if (tc.method == "POST" || tc.method == "PUT") && reqs[0].ContentType != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", reqs[0].ContentType)
			}
		})
	}
}

func TestAPIUsageErrorsSendNothing(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	for _, o := range []APIOptions{
		{Headers: []string{"no colon"}},
		{Headers: []string{"Authorization: Bearer mine"}},
		{Fields: []string{"novalue"}},
		{TypedFields: []string{"f=@/no/such/file"}},
		{Method: "GE T"},
		{Paginate: true, Method: "POST"},
		{JQ: ".[] |"},
	} {
		o.Account, o.Path = "99999999", "/projects.json"
		before := len(e.Fake.ProductRequests())
		if r := e.api(t, nil, o); r.code != 2 || !strings.HasPrefix(r.stderr, "bcauth: ") {
			t.Errorf("%+v: exit %d, stderr %q", o, r.code, r.stderr)
		}
		if n := len(e.Fake.ProductRequests()) - before; n != 0 {
			t.Errorf("%+v: %d requests sent", o, n)
		}
	}
}

func TestAPIPaginateMergesEveryPageInOrder(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	for _, pretty := range []bool{false, true} {
		before := len(e.Fake.ProductRequests())
		r := e.api(t, nil, APIOptions{Account: "99999999", Path: "/projects.json", Paginate: true, Pretty: pretty, Color: pretty})
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		out := r.stdout
		if pretty {
			if !strings.Contains(out, "\x1b[34;1m\"name\"\x1b[0m: \x1b[32m\"The Leto Laptop\"\x1b[0m") {
				t.Errorf("not coloured:\n%.400s", out)
			}
			out = stripSGR(out)
		}
		var got []struct{ Name string }
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("not one JSON array: %v\n%.300s", err, out)
		}
		if len(got) != launchpadtest.DemoProjects || got[0].Name != "The Leto Laptop" || got[14].Name != "Annual Report 3" || got[39].Name != "Hiring: Designer 7" {
			t.Errorf("%d projects, merged out of order: %v", len(got), got)
		}
		var queries []string
		for _, q := range e.Fake.ProductRequests()[before:] {
			queries = append(queries, q.Query)
		}
		if strings.Join(queries, " ") != " page=2 page=3" {
			t.Errorf("pages asked: %q", queries)
		}
	}
}

func TestAPIJQ(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	r := e.api(t, nil, APIOptions{Account: "99999999", Path: "/projects.json", Paginate: true, JQ: ".[] | select(.name | startswith(\"Office\")) | .name"})
	if r.code != 0 || r.stdout != "Office Move\nOffice Move 2\nOffice Move 3\nOffice Move 4\nOffice Move 5\nOffice Move 6\n" {
		t.Errorf("exit %d\n%q\n%s", r.code, r.stdout, r.stderr)
	}
	r = e.api(t, nil, APIOptions{Account: "99999999", Path: "/people.json", JQ: "[.[] | {id, admin}] | first"})
	if r.code != 0 || !strings.HasPrefix(r.stdout, `{"admin":true,"id":`) || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("non-string results are compact JSON, one a line: %q %s", r.stdout, r.stderr)
	}
	r = e.api(t, nil, APIOptions{Account: "99999999", Path: "/people.json", JQ: ".[0].nope.deeper | error(\"boom\")"})
	if r.code != 1 || !strings.Contains(r.stderr, "boom") {
		t.Errorf("a jq error: exit %d %q", r.code, r.stderr)
	}
}

func TestAPIIncludeNeverShowsTheToken(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	tok := e.Current(t).Token.AccessToken
	r := e.api(t, nil, APIOptions{Account: "99999999", Path: "/projects.json", Include: true})
	head, body, _ := strings.Cut(r.stdout, "\n\n")
	if r.code != 0 || !strings.HasPrefix(head, "HTTP/1.1 200 OK\n") || !strings.Contains(head, "\nLink: <") ||
		!strings.Contains(head, "X-Total-Count: 40") || !strings.HasPrefix(body, "[{") {
		t.Errorf("exit %d\n%s", r.code, r.stdout)
	}
	if strings.Contains(r.stdout+r.stderr, tok) || strings.Contains(r.stdout, "Authorization") {
		t.Errorf("the token or Authorization was printed")
	}
}

func TestAPIRefreshesOnceAfterExpired(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	old := e.Current(t).Token.AccessToken
	e.Fake.ExpireAccessTokens() // the stored expiry says fresh; the product says expired
	tokens := len(e.Fake.TokenRequests())
	before := len(e.Fake.ProductRequests())
	r := e.api(t, nil, APIOptions{Account: "99999999", Path: "/people.json"})
	reqs := e.Fake.ProductRequests()[before:]
	if r.code != 0 || len(reqs) != 2 || reqs[0].Status != 401 || reqs[1].Status != 200 {
		t.Fatalf("exit %d, requests %+v\n%s", r.code, reqs, r.stderr)
	}
	if n := len(e.Fake.TokenRequests()) - tokens; n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
	if now := e.Current(t).Token.AccessToken; now == old {
		t.Errorf("the refreshed token was not saved")
	}
	// A login Launchpad no longer takes: one refresh, refused, not retried.
	e.Fake.ScriptAPI(99999999, "bc3", launchpadtest.AnswerRefused())
	e.Fake.InjectFault(launchpadtest.EndpointToken, launchpadtest.Fault{Status: 400, Body: `{"error":"invalid_grant"}`})
	tokens = len(e.Fake.TokenRequests())
	r = e.api(t, nil, APIOptions{Account: "99999999", Path: "/people.json"})
	if r.code != 1 || !strings.Contains(r.stderr, "HTTP 401") || !strings.Contains(r.stderr, "bcauth login") {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
	if n := len(e.Fake.TokenRequests()) - tokens; n != 1 {
		t.Errorf("%d refreshes of a dead login, want 1", n)
	}
}

func TestAPIWaitsOutRetryAfter(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	e.Fake.ScriptAPI(99999999, "bc3", launchpadtest.AnswerRateLimited(7), launchpadtest.AnswerReachable())
	clock := &apiClock{now: time.Now()}
	before := len(e.Fake.ProductRequests())
	r := e.api(t, clock, APIOptions{Account: "99999999", Path: "/projects.json", Method: "POST", Fields: []string{"name=Twice"}})
	reqs := e.Fake.ProductRequests()[before:]
	if r.code != 0 || len(reqs) != 2 || reqs[0].Status != 429 || reqs[1].Status != 201 {
		t.Fatalf("exit %d, requests %+v\n%s", r.code, reqs, r.stderr)
	}
	if !strings.Contains(r.stderr, "is rate limiting (HTTP 429); trying again in 7s, as its Retry-After asks (Ctrl-C stops)") {
		t.Errorf("stderr %q", r.stderr)
	}
	var waited time.Duration
	for _, d := range clock.slept {
		waited += d
	}
	if waited < 7*time.Second {
		t.Errorf("waited %v, want the Retry-After's 7s", waited)
	}
}

func TestAPIRetries5xxForGETOnly(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	for _, tc := range []struct {
		method   string
		sent     int
		code     int
		statuses string
	}{
		{"GET", 2, 0, "500 200"},
		{"POST", 1, 1, "500"},
	} {
		e.Fake.ScriptAPI(99999998, "bc3", launchpadtest.AnswerServerError(), launchpadtest.AnswerReachable())
		before := len(e.Fake.ProductRequests())
		o := APIOptions{Account: "99999998", Path: "/projects.json", Method: tc.method}
		if tc.method == "POST" {
			o.Fields = []string{"name=Once"}
		}
		r := e.api(t, nil, o)
		var got []string
		for _, q := range e.Fake.ProductRequests()[before:] {
			got = append(got, strconv.Itoa(q.Status))
		}
		if r.code != tc.code || strings.Join(got, " ") != tc.statuses {
			t.Errorf("%s: exit %d, statuses %v\n%s", tc.method, r.code, got, r.stderr)
		}
		if tc.method == "POST" && !strings.Contains(r.stderr, "answered HTTP 500 Internal Server Error: Internal Server Error") {
			t.Errorf("stderr %q", r.stderr)
		}
	}
}

func TestAPIErrorsSayWhatTheServerSaid(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	e.Fake.ScriptAPI(99999999, "bc3", launchpadtest.AnswerForbidden())
	r := e.api(t, nil, APIOptions{Account: "99999999", Path: "/people.json"})
	if r.code != 1 || !strings.Contains(r.stderr, "HTTP 403 Forbidden: You do not have access to this resource.") || !strings.Contains(r.stdout, `{"error"`) {
		t.Errorf("403: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	e.Fake.ScriptAPI(99999999, "bc3")
	r = e.api(t, nil, APIOptions{Account: "99999999", Path: "/projects/1.json"})
	if r.code != 1 || !strings.Contains(r.stderr, "HTTP 404 Not Found: Not Found") {
		t.Errorf("404: exit %d\n%s", r.code, r.stderr)
	}
}

func TestAPIClassicProductsGetXML(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	before := len(e.Fake.ProductRequests())
	r := e.api(t, nil, APIOptions{Product: "highrise", Path: "people.xml"})
	reqs := e.Fake.ProductRequests()[before:]
	if r.code != 0 || !strings.Contains(r.stdout, "<first-name>Dana</first-name>") || len(reqs) != 1 || reqs[0].Accept != "application/xml" {
		t.Errorf("exit %d, requests %+v\n%s\n%s", r.code, reqs, r.stdout, r.stderr)
	}
	if !strings.HasPrefix(reqs[0].UserAgent, "bcauth/") {
		t.Errorf("User-Agent %q", reqs[0].UserAgent)
	}
}

func TestAPIHostileBytesNeverReachATerminalRaw(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	hostile := "\x1b]52;c;aGk=\x07\x1b[2J\u202e"
	e.Fake.ScriptAPI(99999994, "bc3", launchpadtest.ProductAnswer{Status: 200, ContentType: "text/plain",
		Body: "plain " + hostile + " text\n", Header: http.Header{"X-Evil": {"a\x1b[31mred"}}})
	for _, o := range []APIOptions{
		{Path: "/projects.json"}, // JSON: the fake's own hostile project name
		{Path: "/projects.json", Paginate: true},
		{Path: "/projects.json", JQ: ".[0].name"},
	} {
		o.Account, o.Pretty, o.Color = "99999994", true, true
		e.Fake.ScriptAPI(99999994, "bc3")
		r := e.api(t, nil, o)
		plain := stripSGR(r.stdout)
		if r.code != 0 || strings.ContainsAny(plain, "\x1b\x07\u202e") || !strings.Contains(plain, "Evil") {
			t.Errorf("%+v: exit %d, %q", o, r.code, plain)
		}
	}
	e.Fake.ScriptAPI(99999994, "bc3", launchpadtest.ProductAnswer{Status: 200, ContentType: "text/plain",
		Body: "plain " + hostile + " text\n", Header: http.Header{"X-Evil": {"a\u202ebc"}}})
	r := e.api(t, nil, APIOptions{Account: "99999994", Path: "/people.json", Pretty: true, Include: true})
	if r.code != 0 || strings.ContainsAny(r.stdout, "\x1b\x07\u202e") || !strings.Contains(r.stdout, "X-Evil: a") || !strings.Contains(r.stdout, "plain ") {
		t.Errorf("text on a terminal: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	// Go's client refuses a header with an escape in it: nothing printed.
	e.Fake.ScriptAPI(99999994, "bc3", launchpadtest.ProductAnswer{Status: 200, Header: http.Header{"X-Evil": {"a\x1b[31mred"}}})
	if r := e.api(t, nil, APIOptions{Account: "99999994", Path: "/people.json", Include: true}); r.code != 1 || r.stdout != "" || strings.Contains(r.stderr, "\x1b[31m") {
		t.Errorf("an escape in a header: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	e.Fake.ScriptAPI(99999994, "bc3", launchpadtest.ProductAnswer{Status: 200, ContentType: "text/plain", Body: "plain " + hostile + " text\n"})
	// Piped, the body is the server's, byte for byte.
	r = e.api(t, nil, APIOptions{Account: "99999994", Path: "/people.json"})
	if r.stdout != "plain "+hostile+" text\n" {
		t.Errorf("piped: %q", r.stdout)
	}
}

// stripSGR removes the colours writePrettyJSON adds, and nothing else.
func stripSGR(s string) string {
	for _, c := range []string{colorKey, colorString, colorNumber, colorLit, colorReset} {
		s = strings.ReplaceAll(s, c, "")
	}
	return s
}
