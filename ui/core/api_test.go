package core

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"reflect"
	"testing"

	"bcauth/auth"
	"bcauth/store"
)

// The hosts are Basecamp's real ones because the rules are about real
// hosts (https, look-alikes, user info); resolveAPI only parses, and
// nothing here dials.
func TestResolveAPIKeepsTheTokenToTheLoginsHosts(t *testing.T) {
	sess := &store.Session{Authorization: &auth.Authorization{Accounts: []auth.Account{
		{Product: "bc3", ID: 99999999, Name: "Honcho", Href: "https://3.basecampapi.com/99999999"},
		{Product: "bcx", ID: 88888888, Name: "Wayne", Href: "https://basecamp.com/88888888/api/v1"},
		{Product: "basecamp", ID: 7, Name: "Old", Href: "http://old.basecamphq.com"},
		{Product: "bc3", ID: 5, Name: "Local", Href: "http://127.0.0.1:9/bc3/5"},
	}}}
	const lp = "https://launchpad.37signals.com"
	for _, tc := range []struct {
		name, account, path, want string
		foreign, insecure         bool
		climbs                    bool // a relative path that leaves its account
	}{
		{name: "relative", account: "99999999", path: "projects.json", want: "https://3.basecampapi.com/99999999/projects.json"},
		{name: "query kept", account: "99999999", path: "/projects.json?page=2", want: "https://3.basecampapi.com/99999999/projects.json?page=2"},
		{name: "full URL names its account", path: "https://basecamp.com/88888888/api/v1/people/me.json", want: "https://basecamp.com/88888888/api/v1/people/me.json"},
		{name: "Launchpad", path: "https://launchpad.37signals.com/authorization.json", want: "https://launchpad.37signals.com/authorization.json"},
		{name: "a look-alike id", path: "https://3.basecampapi.com/999999990/projects.json", foreign: true},
		{name: "climbing out with dot segments", account: "99999999", path: "/../../12345678/projects.json", climbs: true},
		{name: "climbing out, encoded", account: "88888888", path: "/%2e%2e/%2e%2e/77777777/api/v1/x.json", climbs: true},
		{name: "climbing into another account of the login", account: "99999999", path: "/../5/projects.json", climbs: true},
		{name: "another host", path: "https://evil.example.com/99999999/projects.json", foreign: true},
		{name: "user info is no way round it", path: "https://3.basecampapi.com@evil.example.com/99999999", foreign: true},
		{name: "plain http to a real host", account: "7", path: "/projects.xml", insecure: true},
		{name: "loopback http when Launchpad is not loopback", account: "5", path: "/projects.json", insecure: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target, err := resolveAPI(sess, lp, APIQuery{Account: tc.account, Path: tc.path})
			var fe *ForeignURLError
			var pe *PathError
			switch {
			case tc.climbs:
				if !errors.As(err, &pe) {
					t.Fatalf("got %v, %v; want a PathError", target, err)
				}
			case tc.foreign || tc.insecure:
				if !errors.As(err, &fe) || fe.Insecure != tc.insecure {
					t.Fatalf("got %v, %v; want a ForeignURLError (insecure %v)", target, err, tc.insecure)
				}
			case err != nil:
				t.Fatal(err)
			case target.URL.String() != tc.want:
				t.Errorf("URL %s, want %s", target.URL, tc.want)
			}
		})
	}
	// An href with a query or a fragment takes no path: joined as text,
	// the path went into the query (or was cut off) and the method hit
	// the account's root.
	odd := *sess
	odd.Authorization = &auth.Authorization{Accounts: []auth.Account{
		{Product: "bc3", ID: 1004, Name: "Query", Href: "https://3.basecampapi.com/1004?x=1"},
		{Product: "bc3", ID: 1005, Name: "Fragment", Href: "https://3.basecampapi.com/1005#f"},
	}}
	for _, id := range []string{"1004", "1005"} {
		var pe *PathError
		if target, err := resolveAPI(&odd, lp, APIQuery{Account: id, Path: "/projects/5.json"}); !errors.As(err, &pe) || !pe.Joinless {
			t.Errorf("account %s, whose href has a query or fragment: %v, %v; want a PathError, nothing called", id, target, err)
		}
	}
	// With a loopback Launchpad (the fake, the demo), loopback http is fine.
	if _, err := resolveAPI(sess, "http://127.0.0.1:8", APIQuery{Account: "5", Path: "/projects.json"}); err != nil {
		t.Errorf("loopback with a loopback Launchpad: %v", err)
	}
}

func TestChooseAccount(t *testing.T) {
	// Not in the order they are listed, which choices must be in.
	accs := []auth.Account{
		{Product: "highrise", ID: 3, Name: "Gamma"}, {Product: "bc3", ID: 2, Name: "Beta"},
		{Product: "bcx", ID: 2, Name: "Beta Two"}, {Product: "bc3", ID: 1, Name: "Alpha"},
		{Product: "sortfolio", ID: 4, Name: "Twice"}, {Product: "sortfolio", ID: 4, Name: "Also twice"},
	}
	for _, tc := range []struct {
		last, account, product string
		want                   string // key, or "" for an error
		name                   string // and the account's name, when given
		choices                int
	}{
		{account: "1", want: "bc3:1"},
		{account: "ALPHA", want: "bc3:1"},
		{account: "2", choices: 2},
		{account: "2", product: "bcx", want: "bcx:2"},
		{product: "highrise", want: "highrise:3"},
		{product: "bc3", choices: 2},
		{product: "bc3", last: "bc3:2", want: "bc3:2"},
		{product: "bc3", last: "highrise:3", choices: 2},
		{last: "highrise:3", want: "highrise:3"},
		{choices: 6},
		{account: "Delta", choices: 6},
		{account: "01", choices: 6}, // not how id 1 is written
		{account: "+1", choices: 6},
		{account: "4", product: "sortfolio", choices: 2},
		{product: "sortfolio", last: "sortfolio:4", want: "sortfolio:4", name: "Also twice"}, // the first as listed
		{last: "bc3:1", want: "bc3:1"},
		{last: "bc3:01", choices: 6},
		{last: "bc3", choices: 6},
		{product: "campfire", choices: 0},
	} {
		got, err := ChooseAccount(accs, tc.last, tc.account, tc.product)
		var ce *ChoiceError
		switch {
		case tc.want != "" && (err != nil || got.Key() != tc.want || (tc.name != "" && got.Name != tc.name)):
			t.Errorf("%+v: got %s %q, %v; want %s", tc, got.Key(), got.Name, err, tc.want)
		case tc.want == "" && (!errors.As(err, &ce) || len(ce.Choices) != tc.choices):
			t.Errorf("%+v: got %s, %v; want %d choices", tc, got.Key(), err, tc.choices)
		case ce != nil && !reflect.DeepEqual(ce.Choices, SortAccounts(ce.Choices)):
			t.Errorf("%+v: choices %v, not in the order accounts are listed", tc, ce.Choices)
		}
	}
}

// TestAllowedAsIfEveryHrefWereParsed checks Allowed, which parses only the
// hrefs that are not plain, against its definition: every href parsed
// and checked with under, the longest winning. The hrefs and URLs mix
// what url.Parse reads otherwise than it is written: case, user info,
// ports, escapes, queries, dot segments, doubled and trailing slashes.
func TestAllowedAsIfEveryHrefWereParsed(t *testing.T) {
	schemes := []string{"https", "http", "HTTPS", "ftp"}
	hosts := []string{"h.example.com", "H.example.com", "127.0.0.1:8", "127.0.0.1:9", "u@h.example.com", "h.example.com:443", "[::1]:8", "h%2eexample.com", "",
		"\u0130.example.com", "%C4%B0.example.com", "\u017f.example.com", "i.example.com", "s.example.com"}
	paths := []string{"", "/", "/1", "/1/", "/1/api", "/1/api/v1", "/12", "/1//", "/1/./api", "/A", "/1?x=1", "/1#f", "/%31", "//1", "/1/api/v1/projects.json"}
	pick := func(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }
	check := func(accs []auth.Account, u *url.URL) {
		t.Helper()
		tgt := &APITarget{hrefs: accs, launchpad: "http://127.0.0.1:8"}
		got, gotErr := tgt.Allowed(u)
		// The definition.
		want, bestLen := auth.Account{}, -1
		for _, a := range accs {
			if n, ok := under(u, a.Href); ok && n > bestLen {
				want, bestLen = a, n
			}
		}
		_, lp := under(u, tgt.launchpad)
		if (bestLen >= 0 || lp) && u.Scheme == "http" && !auth.IsLoopbackHost(u.Hostname()) {
			bestLen, lp = -1, false // plain http to a host that is not loopback
		}
		if allowed := bestLen >= 0 || lp; allowed != (gotErr == nil) || got != want && gotErr == nil {
			t.Fatalf("Allowed(%s) over %q = %+v, %v; want %+v, allowed %v", u, hrefsOf(accs), got, gotErr, want, allowed)
		}
	}
	// The same base, parsed and plain: the first wins the tie.
	check([]auth.Account{{ID: 1, Href: "https://H.example.com/1"}, {ID: 2, Href: "https://h.example.com/1"}},
		&url.URL{Scheme: "https", Host: "h.example.com", Path: "/1/projects.json"})
	r := rand.New(rand.NewPCG(3, 4))
	for range 3000 {
		var accs []auth.Account
		for i := range 1 + r.IntN(6) {
			href := pick(r, schemes) + "://" + pick(r, hosts) + pick(r, paths)
			if r.IntN(5) == 0 {
				href = " " + href + "/ "
			}
			accs = append(accs, auth.Account{Product: "bc3", ID: int64(i), Href: href})
		}
		u, err := url.Parse(pick(r, schemes[:2]) + "://" + pick(r, hosts) + pick(r, paths) + pick(r, paths))
		if err != nil {
			continue
		}
		if r.IntN(2) == 0 {
			u = cleanURL(u)
		}
		check(accs, u)
	}
}

func hrefsOf(accs []auth.Account) []string {
	var out []string
	for _, a := range accs {
		out = append(out, fmt.Sprintf("%q", a.Href))
	}
	return out
}

// TestAllowedRefusesLookAlikeHosts: a host that only Unicode case folding
// makes one of the login's (a dotted capital I lowers to "i", a long s
// folds to "s", the Kelvin sign to "k") is another domain once the
// transport spells it in punycode, and gets nothing: neither a URL typed
// in full nor one a Link header names, which no cleanURL lower-cases.
func TestAllowedRefusesLookAlikeHosts(t *testing.T) {
	// Plain, and not (so parsed): both ways of checking are asked.
	hrefs := []auth.Account{{Product: "bc3", ID: 999, Href: "https://3.basecampapi.com/999"}, {Product: "bc3", ID: 888, Href: "https://3.BaseCampAPI.com/888"}}
	sess := &store.Session{Authorization: &auth.Authorization{Accounts: hrefs}}
	for _, raw := range []string{
		"https://3.basecampap\u0130.com/999/projects.json",
		"https://3.basecampap%C4%B0.com/999/projects.json",
		"https://3.ba\u017fecampapi.com/999/projects.json",
		"https://3.ba%C5%BFecampapi.com/999/projects.json",
		"https://3.basecampapi.com\u212a/999/projects.json",
		"https://3.BASECAMPAP\u0130.COM/999/projects.json",
		"https://3.ba\u017fecampapi.com/888/projects.json",
		"https://3.basecampap\u0130.com/888/projects.json",
		"https://3.basecampapi.com\u212a/888/projects.json",
	} {
		u, err := url.Parse(raw)
		if err != nil {
			continue // not a URL at all: nothing to send it to
		}
		tgt := &APITarget{hrefs: hrefs, launchpad: "https://launchpad.37signals.com"}
		if acc, err := tgt.Allowed(u); err == nil {
			t.Errorf("Allowed(%q) = %+v: the token would go to %s", raw, acc, u.Host)
		}
		if tg, err := resolveAPI(sess, "https://launchpad.37signals.com", APIQuery{Path: raw}); err == nil {
			t.Errorf("resolveAPI(%q) = %s: the token would go there", raw, tg.URL)
		}
	}
}
