package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/auth/probe"
	"bcauth/ui/core"
)

func (e *cliEnv) probe(t *testing.T, opts ProbeOptions) cliResult {
	return cliRun(func(o Output) int { return Probe(t.Context(), e.Svc, o, opts) })
}

// followSuggestion runs the bcauth probe a refusal suggests, with an API
// token the fake accepts: the line must work as written, not end in a
// usage error.
func followSuggestion(t *testing.T, e *cliEnv, detail string) {
	t.Helper()
	args := strings.Fields(detail[strings.Index(detail, "bcauth probe "):])[2:]
	var opts ProbeOptions
	for i := 0; i+1 < len(args); i += 2 {
		switch args[i] {
		case "--url":
			opts.URL = args[i+1]
		case "--product":
			opts.Product = args[i+1]
		case "--api-token":
			opts.APIToken = "classic-api-token" // what "-" reads from BASECAMP_API_TOKEN
		default:
			t.Fatalf("the suggestion has a flag probe does not take: %q", args[i])
		}
	}
	e.Fake.AllowBasic("classic-api-token", "X")
	if r := e.probe(t, opts); r.code != ExitOK || !strings.Contains(r.stdout, "\treachable\t") {
		t.Errorf("the suggested bcauth probe %q exited %d:\n%s%s", detail, r.code, r.stdout, r.stderr)
	}
}

// cliProbeLine is one plain line of bcauth probe.
type cliProbeLine struct {
	product, id, status, name, detail string
}

func cliProbeLines(t *testing.T, r cliResult) []cliProbeLine {
	t.Helper()
	var out []cliProbeLine
	for l := range strings.Lines(r.stdout) {
		f := strings.Split(strings.TrimSuffix(l, "\n"), "\t")
		if len(f) != 5 {
			t.Fatalf("line %q has %d fields, want 5", l, len(f))
		}
		out = append(out, cliProbeLine{f[0], f[1], f[2], f[3], f[4]})
	}
	return out
}

// cliDemoStatus is what the fake's product endpoints say about each demo
// account with a good token.
var cliDemoStatus = map[string]string{
	"bc3:99999999": "reachable", "bc3:99999998": "reachable", "bc3:99999997": "reachable",
	"bc3:99999996": "reachable", "bc3:99999994": "reachable", "bc3:99999995": "inactive",
	"bcx:88888888": "reachable", "bcx:88888887": "reachable",
	"basecamp:77777777": "refused", "campfire:44444444": "reachable", "highrise:88888888": "reachable",
	"sortfolio:55555555": "not_probed",
}

// cliDemoPerson is the demo identity as the fake's products describe it in
// account id (see launchpadtest's personID and admin/owner rules; only
// Basecamp says who owns an account).
func cliDemoPerson(product string, id int64) string {
	pid := 1_000_000_000 + id%100_000_000*7%900_000_000
	notes := fmt.Sprintf("person %d", pid)
	if id%2 == 1 {
		notes += ", admin"
	}
	if product == "bc3" && id%4 == 3 {
		notes += ", owner"
	}
	return "Annie Bryan <annie@example.com> (" + notes + ")"
}

func TestProbePlain(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{})
	r := e.probe(t, ProbeOptions{})
	if r.code != ExitUnreachable || r.stderr != "" {
		t.Fatalf("probe = %d, stderr %q; want 3 (some accounts are not reachable)", r.code, r.stderr)
	}
	if strings.ContainsAny(r.stdout, "\x1b\x07\r") {
		t.Errorf("output holds terminal controls: %q", r.stdout)
	}
	lines := cliProbeLines(t, r)

	// Same accounts, same order as bcauth accounts.
	acc := e.accounts(t, false, "")
	var want []string
	hrefs := map[string]string{}
	for l := range strings.Lines(acc.stdout) {
		f := strings.Split(strings.TrimSuffix(l, "\n"), "\t")
		want = append(want, f[0]+":"+f[1]+":"+f[2])
		hrefs[f[0]+":"+f[1]] = f[3]
	}
	var got []string
	for _, l := range lines {
		got = append(got, l.product+":"+l.id+":"+l.name)
	}
	if !slices.Equal(got, want) {
		t.Errorf("accounts in order\n%q\nwant (as bcauth accounts)\n%q", got, want)
	}

	suggested := ""
	for _, l := range lines {
		key := l.product + ":" + l.id
		if l.status != cliDemoStatus[key] {
			t.Errorf("%s status %q, want %q", key, l.status, cliDemoStatus[key])
		}
		var id int64
		fmt.Sscan(l.id, &id)
		switch l.status {
		case "reachable":
			if l.detail != cliDemoPerson(l.product, id) {
				t.Errorf("%s detail %q, want %q", key, l.detail, cliDemoPerson(l.product, id))
			}
		case "inactive":
			if want := `closed or suspended ("This account is no longer active.")`; l.detail != want {
				t.Errorf("%s detail %q, want %q", key, l.detail, want)
			}
		case "refused":
			// Basecamp Classic: an OAuth token there calls for its API token.
			if want := `401: "HTTP Basic: Access denied." — this product may not take OAuth tokens; try bcauth probe --url ` + hrefs[key] + ` --product basecamp --api-token -`; l.detail != want {
				t.Errorf("%s detail %q, want %q", key, l.detail, want)
			}
			suggested = l.detail
		case "not_probed":
			if !strings.Contains(l.detail, "no public who-am-I endpoint") {
				t.Errorf("%s detail %q, want why it was not probed", key, l.detail)
			}
		}
	}
	if i := slices.IndexFunc(lines, func(l cliProbeLine) bool { return l.id == "99999994" }); i < 0 || lines[i].name != "Evil Corp" {
		t.Errorf("the hostile demo name is not cleaned to %q: %+v", "Evil Corp", lines)
	}
	for _, req := range e.Fake.ProductRequests() {
		if req.Auth != "Bearer" {
			t.Errorf("%s was probed with %q, want Bearer", req.Path, req.Auth)
		}
	}
	followSuggestion(t, e, suggested)
}

// cliProbeDoc mirrors one element of probe --json.
type cliProbeDoc struct {
	Product     string        `json:"product"`
	ProductName string        `json:"product_name"`
	ID          int64         `json:"id"`
	Name        string        `json:"name"`
	Href        string        `json:"href"`
	Status      string        `json:"status"`
	HTTPStatus  int           `json:"http_status"`
	Person      *probe.Person `json:"person"`
	Reason      string        `json:"reason"`
	Attempts    int           `json:"attempts"`
	ElapsedMS   int64         `json:"elapsed_ms"`
}

var cliProbeKeys = []string{"attempts", "elapsed_ms", "href", "http_status", "id", "name", "person", "product", "product_name", "reason", "status"}

func cliDecodeProbes(t *testing.T, r cliResult) []cliProbeDoc {
	t.Helper()
	// Every key is always there, null or empty when it does not apply.
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil {
		t.Fatalf("probe --json: %v\n%s", err, r.stdout)
	}
	for _, m := range raw {
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, cliProbeKeys) {
			t.Errorf("object keys %v, want %v", keys, cliProbeKeys)
		}
	}
	var docs []cliProbeDoc
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&docs); err != nil {
		t.Fatalf("probe --json: %v\n%s", err, r.stdout)
	}
	return docs
}

func TestProbeJSON(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{})
	r := e.probe(t, ProbeOptions{JSON: true})
	if r.code != ExitUnreachable || r.stderr != "" {
		t.Fatalf("probe --json = %d, stderr %q", r.code, r.stderr)
	}
	if strings.ContainsAny(r.stdout, "\x1b\x07") || !strings.Contains(r.stdout, `\u001b[2J`) {
		t.Errorf("control characters not escaped:\n%s", r.stdout)
	}
	docs := cliDecodeProbes(t, r)
	demo := launchpadtest.DemoAccounts(e.Fake.URL)
	if len(docs) != len(demo) {
		t.Fatalf("%d results, want %d", len(docs), len(demo))
	}
	for _, want := range demo {
		i := slices.IndexFunc(docs, func(d cliProbeDoc) bool { return d.Product == want.Product && d.ID == want.ID })
		if i < 0 {
			t.Errorf("account %s:%d missing", want.Product, want.ID)
			continue
		}
		d := docs[i]
		key := fmt.Sprintf("%s:%d", want.Product, want.ID)
		if d.Name != want.Name || d.Href != want.Href || d.ProductName != auth.LookupProduct(want.Product).Name {
			t.Errorf("%s = %+v, want %+v", key, d, want)
		}
		if d.Status != cliDemoStatus[key] {
			t.Errorf("%s status %q, want %q", key, d.Status, cliDemoStatus[key])
		}
		switch d.Status {
		case "reachable":
			p := d.Person
			if p == nil || p.Name != "Annie Bryan" || p.Email != "annie@example.com" || p.ID == 0 ||
				p.Admin != (want.ID%2 == 1) || d.Reason != "" || d.HTTPStatus != 200 || d.Attempts != 1 {
				t.Errorf("%s = %+v person %+v, want the demo person, 200, no reason", key, d, p)
			}
		case "not_probed":
			if d.Person != nil || d.Reason == "" || d.HTTPStatus != 0 || d.Attempts != 0 {
				t.Errorf("%s = %+v, want a reason and nothing sent", key, d)
			}
		default:
			if d.Person != nil || d.Reason == "" || d.HTTPStatus == 0 || d.Attempts == 0 {
				t.Errorf("%s = %+v, want a reason and the answer's status", key, d)
			}
		}
	}
	if docs[0].Product != "bc3" || docs[len(docs)-1].Product != "sortfolio" {
		t.Errorf("not in product order: first %s, last %s", docs[0].Product, docs[len(docs)-1].Product)
	}
	sess := e.Current(t)
	if strings.Contains(r.stdout, sess.Token.AccessToken) || strings.Contains(r.stdout, sess.Token.RefreshToken) {
		t.Error("probe --json prints a token")
	}
}

// cliReachableOnly lists one bc3 and one bcx account that both answer.
func cliReachableOnly(base string) []launchpadtest.Account {
	return []launchpadtest.Account{
		{Product: "bcx", ID: 88888888, Name: "Wayne Enterprises, Ltd.", Href: base + "/bcx/88888888/api/v1"},
		{Product: "bc3", ID: 99999999, Name: "Honcho Design", Href: base + "/bc3/99999999"},
	}
}

func TestProbeExitsZeroWhenEveryAccountIsReachable(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{})
	e.Fake.SetAccounts(cliReachableOnly(e.Fake.URL))
	var progress bytes.Buffer
	r := e.probe(t, ProbeOptions{Progress: &progress})
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("probe = %d, stderr %q; want 0", r.code, r.stderr)
	}
	want := "bc3\t99999999\treachable\tHoncho Design\t" + cliDemoPerson("bc3", 99999999) + "\n" +
		"bcx\t88888888\treachable\tWayne Enterprises, Ltd.\t" + cliDemoPerson("bcx", 88888888) + "\n"
	if r.stdout != want {
		t.Errorf("stdout = %q, want %q", r.stdout, want)
	}
	if p := progress.String(); !strings.Contains(p, "probed 1 of 2") || !strings.Contains(p, "probed 2 of 2") || !strings.HasSuffix(p, "\r\x1b[K") {
		t.Errorf("progress = %q, want a counter that clears its line at the end", p)
	}

	r = e.probe(t, ProbeOptions{JSON: true})
	if docs := cliDecodeProbes(t, r); r.code != 0 || len(docs) != 2 {
		t.Errorf("probe --json = %d with %d results, want 0 and 2", r.code, len(docs))
	}
}

func TestProbeProductFilter(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{})
	tests := []struct {
		product string
		want    []string // product:id:status
		code    int
		note    bool
	}{
		{product: "bcx", want: []string{"bcx:88888887:reachable", "bcx:88888888:reachable"}, code: 0},
		{product: "Basecamp", want: []string{"basecamp:77777777:refused"}, code: ExitUnreachable},
		{product: "sortfolio", want: []string{"sortfolio:55555555:not_probed"}, code: 0}, // nothing to ask: no failure
		{product: "hey", code: 0, note: true},
	}
	for _, tt := range tests {
		t.Run(tt.product, func(t *testing.T) {
			r := e.probe(t, ProbeOptions{Product: tt.product})
			if r.code != tt.code || (r.stderr != "") != tt.note {
				t.Fatalf("probe --product %s = %d, stderr %q; want %d", tt.product, r.code, r.stderr, tt.code)
			}
			var got []string
			for _, l := range cliProbeLines(t, r) {
				got = append(got, l.product+":"+l.id+":"+l.status)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if tt.note && !strings.Contains(r.stderr, "no accounts of product") {
				t.Errorf("stderr = %q, want a note that nothing matched", r.stderr)
			}
			r = e.probe(t, ProbeOptions{Product: tt.product, JSON: true})
			if docs := cliDecodeProbes(t, r); r.code != tt.code || len(docs) != len(tt.want) {
				t.Errorf("--json: %d with %d results, want %d with %d", r.code, len(docs), tt.code, len(tt.want))
			}
			if len(tt.want) == 0 && strings.TrimSpace(r.stdout) != "[]" {
				t.Errorf("--json with no match = %q, want []", r.stdout)
			}
		})
	}
}

func TestProbePlainCleansHostileText(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{})
	e.Fake.SetAccounts([]launchpadtest.Account{
		{Product: "bc3", ID: 1, Name: "Tab\there\nnew\x1b]52;c;aGk=\x07 line\u202e", Href: e.Fake.URL + "/bc3/1"},
		{Product: "bc3", ID: 2, Name: "Shut", Href: e.Fake.URL + "/bc3/2"},
	})
	e.Fake.SetIdentity(launchpadtest.Identity{ID: 9999999, FirstName: "Ann\x1b[2J\tie", LastName: "Bry\nan", EmailAddress: "a\x07@example.com"})
	e.Fake.ScriptProduct(2, "bc3", launchpadtest.ProductAnswer{Status: http.StatusUnauthorized, Body: "no\x1b[31m\r\nway\u202e"})
	r := e.probe(t, ProbeOptions{})
	if r.code != ExitUnreachable {
		t.Fatalf("probe = %d, stderr %q", r.code, r.stderr)
	}
	if strings.ContainsAny(r.stdout, "\x1b\x07\r\u202e") {
		t.Errorf("output holds terminal controls: %q", r.stdout)
	}
	lines := cliProbeLines(t, r)
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), r.stdout)
	}
	if l := lines[1]; l.name != "Tab here new line" || !strings.HasPrefix(l.detail, "Ann ie Bry an <a@example.com> (person ") {
		t.Errorf("line = %+v, want the name and the person cleaned", l)
	}
	if l := lines[0]; l.status != "refused" || !strings.HasPrefix(l.detail, `401: "no\x1b[31m\r\nway\u202e" — `) {
		t.Errorf("line = %+v, want the server's reason cleaned", l)
	}
}

func TestProbeFallsBackToTheCacheWhenLaunchpadIsDown(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{})
	e.Fake.SetAccounts(cliReachableOnly(e.Fake.URL))
	if r := e.accounts(t, false, ""); r.code != 0 {
		t.Fatalf("accounts = %d: %s", r.code, r.stderr)
	}
	e.Fake.InjectFault(launchpadtest.EndpointAuthorization, launchpadtest.Fault{Status: http.StatusBadGateway})
	r := e.probe(t, ProbeOptions{})
	if r.code != 0 || len(cliProbeLines(t, r)) != 2 {
		t.Fatalf("probe = %d, stdout %q, stderr %q; want both cached accounts probed", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "warning") || !strings.Contains(r.stderr, "probably temporary") {
		t.Errorf("stderr = %q, want a warning that the list is cached", r.stderr)
	}
}

func TestProbeFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		noLogin bool
		setup   func(e *cliEnv)
		code    int
		stderr  string
	}{
		{name: "not logged in", noLogin: true, code: ExitRelogin, stderr: "run bcauth login"},
		{name: "rejected", setup: func(e *cliEnv) { e.Fake.RevokeAll(); e.Fake.ExpireAccessTokens() }, code: ExitRelogin, stderr: "run bcauth login"},
		{name: "not configured", setup: func(e *cliEnv) { e.Svc.Env.ClientID = "" }, code: 2, stderr: "to fix: run bcauth setup to enter the client ID of the integration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newCLIEnv(t, cliOpts{noLogin: tt.noLogin})
			if tt.setup != nil {
				tt.setup(e)
			}
			for _, asJSON := range []bool{false, true} {
				r := e.probe(t, ProbeOptions{JSON: asJSON})
				if r.code != tt.code || r.stdout != "" || !strings.Contains(r.stderr, tt.stderr) {
					t.Errorf("json %v: %d, stdout %q, stderr %q; want %d and %q on stderr", asJSON, r.code, r.stdout, r.stderr, tt.code, tt.stderr)
				}
			}
			if n := len(e.Fake.ProductRequests()); n != 0 {
				t.Errorf("%d product requests, want none", n)
			}
		})
	}
}

func TestProbeInterrupted(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{})
	e.Fake.SetAccounts(cliReachableOnly(e.Fake.URL))
	e.Fake.ScriptProduct(99999999, "bc3", launchpadtest.AnswerSlow(time.Minute))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// Interrupt as soon as the fast account has answered.
	stop := cliWriterFunc(func(p []byte) {
		if bytes.Contains(p, []byte("probed 1 of 2")) {
			cancel()
		}
	})
	r := cliRun(func(o Output) int { return Probe(ctx, e.Svc, o, ProbeOptions{Progress: stop}) })
	if r.code != 1 || !strings.Contains(r.stderr, "stopped before every account answered") {
		t.Fatalf("probe = %d, stderr %q; want 1 and a note", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "bc3\t99999999\tcanceled\t") || !strings.Contains(r.stdout, "bcx\t88888888\treachable\t") {
		t.Errorf("stdout = %q, want the answer that came and the one canceled", r.stdout)
	}
}

// cliWriterFunc is an io.Writer that hands each write to a function.
type cliWriterFunc func(p []byte)

func (f cliWriterFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }

// cliStateFile is state.json's content, or "" when there is none.
func cliStateFile(t *testing.T, e *cliEnv) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(e.Svc.Store.Dir(), "state.json"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

func TestProbeLegacyCredentials(t *testing.T) {
	t.Parallel()
	const (
		user     = "annie@example.com"
		password = "correct horse battery"
		token    = "f00dbabe5eed1e55c0ffee"
	)
	tests := []struct {
		name     string
		loggedIn bool
		opts     func(base string) ProbeOptions
		line     string // the plain line, without its detail
		detail   string // a part of the detail
		code     int
	}{
		{
			name: "basic bcx", loggedIn: true,
			opts: func(base string) ProbeOptions {
				return ProbeOptions{URL: base + "/bcx/88888888/api/v1", Product: "bcx", BasicUser: user, Password: password}
			},
			line: "bcx\t0\treachable\t", detail: cliDemoPerson("bcx", 88888888),
		},
		{
			name: "basic with the who-am-I path",
			opts: func(base string) ProbeOptions {
				return ProbeOptions{URL: base + "/bcx/88888888/api/v1/people/me.json", Product: "BCX", BasicUser: user, Password: password}
			},
			line: "bcx\t0\treachable\t", detail: cliDemoPerson("bcx", 88888888),
		},
		{
			name: "basic wrong password",
			opts: func(base string) ProbeOptions {
				return ProbeOptions{URL: base + "/bcx/88888888/api/v1", Product: "bcx", BasicUser: user, Password: "wrong password"}
			},
			line: "bcx\t0\trefused\t", detail: `401: "HTTP Basic: Access denied." — the password is not accepted here`, code: ExitUnreachable,
		},
		{
			name: "api token highrise", loggedIn: true,
			opts: func(base string) ProbeOptions {
				return ProbeOptions{URL: base + "/highrise/globex", Product: "highrise", APIToken: token}
			},
			line: "highrise\t0\treachable\t", detail: cliDemoPerson("highrise", 88888888),
		},
		{
			name: "api token campfire",
			opts: func(base string) ProbeOptions {
				return ProbeOptions{URL: base + "/campfire/acme4444444", Product: "campfire", APIToken: token}
			},
			line: "campfire\t0\treachable\t", detail: cliDemoPerson("campfire", 44444444),
		},
		{
			name: "api token refused",
			opts: func(base string) ProbeOptions {
				return ProbeOptions{URL: base + "/highrise/globex", Product: "highrise", APIToken: "not-" + token}
			},
			line: "highrise\t0\trefused\t", detail: `401: "HTTP Basic: Access denied." — the token is not accepted here`, code: ExitUnreachable,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newCLIEnv(t, cliOpts{noLogin: !tt.loggedIn})
			e.Fake.AllowBasic(user, password)
			e.Fake.AllowBasic(token, "X")
			before := cliStateFile(t, e)
			opts := tt.opts(e.Fake.URL)
			for _, asJSON := range []bool{false, true} {
				opts.JSON = asJSON
				r := e.probe(t, opts)
				if r.code != tt.code || r.stderr != "" {
					t.Fatalf("json %v: probe = %d, stderr %q; want %d", asJSON, r.code, r.stderr, tt.code)
				}
				if asJSON {
					docs := cliDecodeProbes(t, r)
					if len(docs) != 1 || docs[0].Href == "" || docs[0].Name != "" || !strings.HasPrefix(tt.line, docs[0].Product+"\t0\t"+docs[0].Status+"\t") {
						t.Errorf("--json = %+v, want one result like %q", docs, tt.line)
					}
				} else if !strings.HasPrefix(r.stdout, tt.line) || !strings.Contains(r.stdout, tt.detail) || strings.Count(r.stdout, "\n") != 1 {
					t.Errorf("stdout = %q, want one line %q…%q", r.stdout, tt.line, tt.detail)
				}
				for _, s := range []string{password, token} {
					if strings.Contains(r.stdout+r.stderr, s) {
						t.Errorf("output holds the secret %q", s)
					}
				}
			}
			reqs := e.Fake.ProductRequests()
			if len(reqs) != 2 {
				t.Fatalf("%d product requests, want 2", len(reqs))
			}
			for _, req := range reqs {
				if req.Auth != "Basic" {
					t.Errorf("%s was sent %q credentials, want Basic", req.Path, req.Auth)
				}
			}
			// The stored login is neither used nor changed, and none is made.
			if after := cliStateFile(t, e); after != before {
				t.Errorf("state.json changed:\n%s\nto\n%s", before, after)
			}
			st, err := e.Svc.Store.Load()
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{true: 1, false: 0}[tt.loggedIn]; len(st.Sessions) != want {
				t.Errorf("%d sessions stored, want %d", len(st.Sessions), want)
			}
			if e.Fake.Requests(launchpadtest.EndpointToken) != map[bool]int{true: 1, false: 0}[tt.loggedIn] {
				t.Errorf("Launchpad's token endpoint was asked")
			}
		})
	}
}

func TestProbeLegacyNeedsNoStore(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{noLogin: true})
	e.Fake.AllowBasic("annie", "hunter22")
	svc := &core.Service{HTTPClient: e.Svc.HTTPClient} // no Store at all
	r := cliRun(func(o Output) int {
		return Probe(t.Context(), svc, o, ProbeOptions{URL: e.Fake.URL + "/bc3/99999999", Product: "bc3", BasicUser: "annie", Password: "hunter22"})
	})
	// No name to print: the href names the account.
	if r.code != 0 || !strings.HasPrefix(r.stdout, "bc3\t0\treachable\t"+e.Fake.URL+"/bc3/99999999\tAnnie Bryan") {
		t.Errorf("probe = %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestProbeLegacyRedactsEchoedSecrets(t *testing.T) {
	t.Parallel()
	const token = "s3cr3t-api-token"
	e := newCLIEnv(t, cliOpts{noLogin: true})
	e.Fake.ScriptProduct(88888888, "highrise", launchpadtest.ProductAnswer{Status: http.StatusUnauthorized, Body: "Unknown API token " + token})
	for _, asJSON := range []bool{false, true} {
		r := e.probe(t, ProbeOptions{JSON: asJSON, URL: e.Fake.URL + "/highrise/globex", Product: "highrise", APIToken: token})
		if r.code != ExitUnreachable || strings.Contains(r.stdout+r.stderr, token) || !strings.Contains(r.stdout, "Unknown API token [redacted]") {
			t.Errorf("json %v: probe = %d, stdout %q, stderr %q; want 3 and the token redacted", asJSON, r.code, r.stdout, r.stderr)
		}
	}
}

func TestProbeLegacyUsage(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{})
	base := e.Fake.URL
	tests := []struct {
		name   string
		opts   ProbeOptions
		stderr string
	}{
		{"no password", ProbeOptions{URL: base + "/bcx/1/api/v1", Product: "bcx", BasicUser: "annie"}, PasswordEnv},
		{"two credentials", ProbeOptions{URL: base + "/bcx/1/api/v1", Product: "bcx", BasicUser: "annie", Password: "pw", APIToken: "t"}, "give one"},
		{"no url", ProbeOptions{APIToken: "tok"}, "--url HREF"},
		{"no credentials", ProbeOptions{URL: base + "/bcx/1/api/v1", Product: "bcx"}, "--basic USER or --api-token TOKEN"},
		// Real host names where the rule is about hosts off this machine
		// (plain http is allowed to loopback): each is refused before any
		// request, and the network guard would fail a dial.
		{"credentials in the url", ProbeOptions{URL: "https://annie:hunter22@basecamp.com/1/api/v1", APIToken: "tok"}, "holds credentials"},
		{"unknown product", ProbeOptions{URL: base + "/x/1", APIToken: "tok"}, "--product bc3, bcx, basecamp, campfire, highrise, backpack"},
		{"no who-am-I", ProbeOptions{URL: "https://app.hey.com/1", Product: "hey", APIToken: "tok"}, "no public who-am-I endpoint"},
		{"not a url", ProbeOptions{URL: "basecamp.com/1/api/v1", Product: "bcx", APIToken: "tok"}, "not an http(s) URL"},
		{"plain http", ProbeOptions{URL: "http://basecamp.com/1/api/v1", APIToken: "tok"}, "plain http"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.probe(t, tt.opts)
			if r.code != ExitMisconfigured || r.stdout != "" || !strings.Contains(r.stderr, tt.stderr) || !strings.Contains(r.stderr, "to fix:") {
				t.Errorf("probe = %d, stdout %q, stderr %q; want 2 and %q", r.code, r.stdout, r.stderr, tt.stderr)
			}
			if strings.Contains(r.stderr, "hunter22") {
				t.Errorf("stderr holds the password: %q", r.stderr)
			}
		})
	}
	if n := len(e.Fake.ProductRequests()); n != 0 {
		t.Errorf("%d product requests, want none", n)
	}
}
