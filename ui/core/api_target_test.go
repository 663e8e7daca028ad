package core_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/auth/product"
	"bcauth/ui/core"
	"bcauth/ui/uitest"
)

// TestAPITargetThroughTheFake resolves `bcauth api` targets for a real
// login: from the account cache when it knows the account, from
// Launchpad when it does not, and never to a host that is not the
// login's; the call itself goes out with the login's token.
func TestAPITargetThroughTheFake(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	sess := e.LogIn(t)
	ctx := testContext(t)
	honcho := e.Fake.URL + "/bc3/99999999"
	for _, tc := range []struct {
		name     string
		q        core.APIQuery
		wantURL  string
		wantAcct string // the account's key; "" for Launchpad itself
		asks     int    // authorization.json requests it makes
		foreign  bool
		choice   bool
	}{
		{name: "an id from the cache", q: core.APIQuery{Account: "99999999", Product: "bc3", Path: "projects.json"},
			wantURL: honcho + "/projects.json", wantAcct: "bc3:99999999"},
		{name: "a full URL names its account", q: core.APIQuery{Path: honcho + "/projects.json?page=2"},
			wantURL: honcho + "/projects.json?page=2", wantAcct: "bc3:99999999"},
		{name: "Launchpad itself", q: core.APIQuery{Path: e.Fake.URL + "/authorization.json"},
			wantURL: e.Fake.URL + "/authorization.json"},
		{name: "a name the cache lacks asks Launchpad once", q: core.APIQuery{Account: "Nobody Ltd", Path: "/"}, asks: 1, choice: true},
		{name: "another host, even loopback", q: core.APIQuery{Path: "http://127.0.0.2:1/bc3/99999999/projects.json"}, asks: 1, foreign: true},
		{name: "another port", q: core.APIQuery{Path: "http://127.0.0.1:1/bc3/99999999/projects.json"}, asks: 1, foreign: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.Fake.Requests(launchpadtest.EndpointAuthorization)
			tg, err := e.Svc.APITarget(ctx, tc.q)
			if n := e.Fake.Requests(launchpadtest.EndpointAuthorization) - before; n != tc.asks {
				t.Errorf("%d authorization requests, want %d", n, tc.asks)
			}
			var fe *core.ForeignURLError
			var ce *core.ChoiceError
			switch {
			case tc.foreign:
				if !errors.As(err, &fe) || fe.Insecure {
					t.Fatalf("got %v, %v; want a ForeignURLError", tg, err)
				}
				return
			case tc.choice:
				if !errors.As(err, &ce) || !ce.None || len(ce.Choices) == 0 {
					t.Fatalf("got %v, %v; want a ChoiceError listing every account", tg, err)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			key := ""
			if tg.Account.Product != "" {
				key = tg.Account.Key()
			}
			if tg.URL.String() != tc.wantURL || key != tc.wantAcct {
				t.Errorf("URL %s for %q, want %s for %q", tg.URL, key, tc.wantURL, tc.wantAcct)
			}
			if tg.Tokens == nil || tg.Session == nil || tg.Session.Identity.ID != sess.Identity.ID || tg.UserAgent == "" {
				t.Errorf("target %+v lacks its token source, session or User-Agent", tg)
			}
		})
	}

	// The call goes out with the login's token, to the account's href.
	tg, err := e.Svc.APITarget(ctx, core.APIQuery{Account: "99999999", Product: "bc3", Path: "/projects.json", Calls: product.Config{HTTPClient: e.Svc.HTTPClient}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := tg.Call(ctx, product.Request{Method: http.MethodGet, URL: tg.URL})
	if err != nil {
		t.Fatal(err)
	}
	res.Response.Body.Close()
	if res.Response.StatusCode != http.StatusOK {
		t.Errorf("the call: %s, want 200", res.Response.Status)
	}
	reqs := e.Fake.ProductRequests()
	if len(reqs) == 0 || !strings.Contains(reqs[len(reqs)-1].Path, "/bc3/99999999/projects.json") {
		t.Errorf("the fake saw %+v", reqs)
	}

	// An account added at Launchpad since the cache was written is found.
	accs := e.Fake.Accounts()
	accs = append(accs, launchpadtest.Account{Product: "bc3", ID: 11111111, Name: "New Co", Href: e.Fake.URL + "/bc3/11111111"})
	e.Fake.SetAccounts(accs)
	tg, err = e.Svc.APITarget(ctx, core.APIQuery{Account: "11111111", Path: "projects.json"})
	if err != nil || tg.URL.String() != e.Fake.URL+"/bc3/11111111/projects.json" {
		t.Errorf("a new account: %v, %v", tg, err)
	}
}

// TestAPITargetWhenLaunchpadIsDown: the cache answers; an account it does
// not know is a choice to make, not Launchpad's outage; with no cache the
// outage is the error.
func TestAPITargetWhenLaunchpadIsDown(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	sess := e.LogIn(t)
	ctx := testContext(t)
	e.Fake.InjectFault(launchpadtest.EndpointAuthorization, launchpadtest.Fault{Status: http.StatusBadGateway})
	if _, err := e.Svc.APITarget(ctx, core.APIQuery{Account: "99999999", Path: "/projects.json"}); err != nil {
		t.Errorf("an account the cache knows: %v", err)
	}
	var ce *core.ChoiceError
	if _, err := e.Svc.APITarget(ctx, core.APIQuery{Account: "12345", Path: "/"}); !errors.As(err, &ce) {
		t.Errorf("an account nobody knows: %v, want a ChoiceError", err)
	}
	// Launchpad refusing, not down, when asked about an account the cache
	// lacks: its refusal is the answer, not the cache's list.
	e.Fake.ClearFaults()
	e.Fake.InjectFault(launchpadtest.EndpointAuthorization, launchpadtest.Fault{Status: http.StatusForbidden, Body: `{"error":"nope"}`, Times: 1})
	if _, err := e.Svc.APITarget(ctx, core.APIQuery{Account: "12345", Path: "/"}); err == nil || errors.As(err, &ce) || auth.Temporary(err) {
		t.Errorf("an unknown account, Launchpad refusing: %v, want its refusal", err)
	}
	e.Fake.InjectFault(launchpadtest.EndpointAuthorization, launchpadtest.Fault{Status: http.StatusBadGateway})
	if err := e.Svc.Store.ForgetAuthorization(sess.Key()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.APITarget(ctx, core.APIQuery{Account: "99999999", Path: "/"}); !auth.Temporary(err) {
		t.Errorf("no cache: %v, want Launchpad's temporary error", err)
	}
	e.Fake.ClearFaults()
	e.Fake.InjectFault(launchpadtest.EndpointAuthorization, launchpadtest.Fault{Status: http.StatusForbidden, Body: `{"error":"nope"}`})
	if _, err := e.Svc.APITarget(ctx, core.APIQuery{Account: "99999999", Path: "/"}); err == nil || auth.Temporary(err) {
		t.Errorf("Launchpad refusing: %v, want its refusal", err)
	}
	e.Svc.ID = "nobody"
	var ie *core.IDError
	if _, err := e.Svc.APITarget(ctx, core.APIQuery{Path: "/"}); !errors.As(err, &ie) {
		t.Errorf("--id nobody: %v, want an IDError", err)
	}
}

// TestAPITargetWithEnvToken: BASECAMP_TOKEN has no cache, so every
// target asks Launchpad, and its token is never refreshed.
func TestAPITargetWithEnvToken(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	access, _, _ := e.Fake.IssueToken()
	svc := envService(e, access)
	ctx := testContext(t)
	for range 2 {
		before := e.Fake.Requests(launchpadtest.EndpointAuthorization)
		tg, err := svc.APITarget(ctx, core.APIQuery{Account: "88888887", Path: "/projects.json"})
		if err != nil {
			t.Fatal(err)
		}
		if n := e.Fake.Requests(launchpadtest.EndpointAuthorization) - before; n != 1 || tg.Account.Product != "bcx" {
			t.Errorf("%d authorization requests for %+v, want 1", n, tg.Account)
		}
	}
}

func TestChoiceErrorText(t *testing.T) {
	two := []auth.Account{{Product: "bc3", ID: 1, Name: "Honcho\x1b[2J"}, {Product: "bcx", ID: 2, Name: "Wayne"}}
	for _, tc := range []struct {
		name string
		err  core.ChoiceError
		head string
	}{
		{name: "no accounts", err: core.ChoiceError{}, head: "this login reaches no accounts"},
		{name: "none of the product", err: core.ChoiceError{What: `--product "hey"`, None: true},
			head: `no account matches --product "hey", and this login has none of that product`},
		{name: "no match", err: core.ChoiceError{What: `--account "x"`, Choices: two, None: true},
			head: `no account matches --account "x"; name one with --account ID (and --product CODE when an id is shared):`},
		{name: "several, nothing named", err: core.ChoiceError{Choices: two},
			head: "which account? This login has several: name one with --account ID or --product CODE, or pick one in the app:"},
		{name: "several match", err: core.ChoiceError{What: `--account "1"`, Choices: two},
			head: `--account "1" matches 2 accounts; name one with --account ID and --product CODE:`},
	} {
		if got := tc.err.Head(); got != tc.head {
			t.Errorf("%s: Head() = %q, want %q", tc.name, got, tc.head)
		}
		if got, want := tc.err.Error(), tc.head+" "+strings.Join(tc.err.Lines(), "; "); got != want {
			t.Errorf("%s: Error() = %q, want %q", tc.name, got, want)
		}
	}
	lines := (&core.ChoiceError{Choices: two}).Lines()
	if len(lines) != 2 || lines[0] != "bc3\t1\tHoncho" || lines[1] != "bcx\t2\tWayne" {
		t.Errorf("Lines() = %q", lines)
	}
}

func TestForeignURLErrorText(t *testing.T) {
	u, _ := url.Parse("https://evil.example/x")
	for _, tc := range []struct {
		name string
		err  *core.ForeignURLError
		want string
	}{
		{name: "foreign", err: &core.ForeignURLError{URL: u.String(), Host: u.Host},
			want: "refusing to send the token to evil.example: https://evil.example/x is under none of this login's account hrefs nor its Launchpad; nothing was sent"},
		{name: "insecure", err: &core.ForeignURLError{URL: "http://h/x", Host: "h\x1b[2J", Insecure: true},
			want: "refusing to send the token over plain http to h: use https"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
	pe := &core.PathError{Path: "../x\x1b[2J", Href: "https://h/1"}
	if got := pe.Error(); got != "../x climbs out of the account's href https://h/1" {
		t.Errorf("PathError: %q", got)
	}
}

func TestAPICommand(t *testing.T) {
	honcho := auth.Account{Product: "bc3", ID: 99999999}
	wayne := auth.Account{Product: "bcx", ID: 88888888}
	globex := auth.Account{Product: "highrise", ID: 88888888}
	odd := auth.Account{Product: "it's odd", ID: 88888888}
	all := []auth.Account{honcho, wayne, globex, odd}
	for _, tc := range []struct {
		name string
		acc  auth.Account
		all  []auth.Account
		id   int64
		want string // "" for an error
	}{
		{name: "plain", acc: honcho, all: all, want: "bcauth api --account 99999999 /projects.json"},
		{name: "with --id", acc: honcho, all: all, id: 9999999, want: "bcauth api --id 9999999 --account 99999999 /projects.json"},
		{name: "a shared id", acc: wayne, all: all, want: "bcauth api --product bcx --account 88888888 /projects.json"},
		{name: "classic's path", acc: globex, all: all, want: "bcauth api --product highrise --account 88888888 /people.xml"},
		{name: "alone", acc: wayne, all: []auth.Account{wayne}, want: "bcauth api --account 88888888 /projects.json"},
		// A product with no API bcauth knows a path of: the root answers
		// 404, so there is no line to copy, and the error says why.
		{name: "unknown product alone", acc: odd, all: []auth.Account{odd}},
		{name: "HEY has no public API", acc: auth.Account{Product: "hey", ID: 5}, all: all},
		{name: "a product code no shell reads as is", acc: odd, all: all},
	} {
		got, err := core.APICommand(tc.acc, tc.all, tc.id)
		if got != tc.want || (err != nil) != (tc.want == "") {
			t.Errorf("%s:\n got %q, %v\nwant %q", tc.name, got, err, tc.want)
		}
	}
}
