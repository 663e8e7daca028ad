package ui

import (
	"errors"
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
	// With a loopback Launchpad (the fake, the demo), loopback http is fine.
	if _, err := resolveAPI(sess, "http://127.0.0.1:8", APIQuery{Account: "5", Path: "/projects.json"}); err != nil {
		t.Errorf("loopback with a loopback Launchpad: %v", err)
	}
}

func TestChooseAccount(t *testing.T) {
	accs := []auth.Account{
		{Product: "bc3", ID: 1, Name: "Alpha"}, {Product: "bc3", ID: 2, Name: "Beta"},
		{Product: "bcx", ID: 2, Name: "Beta Two"}, {Product: "highrise", ID: 3, Name: "Gamma"},
	}
	for _, tc := range []struct {
		last, account, product string
		want                   string // key, or "" for an error
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
		{choices: 4},
		{account: "Delta", choices: 4},
		{product: "campfire", choices: 0},
	} {
		got, err := ChooseAccount(accs, tc.last, tc.account, tc.product)
		var ce *ChoiceError
		switch {
		case tc.want != "" && (err != nil || got.Key() != tc.want):
			t.Errorf("%+v: got %s, %v; want %s", tc, got.Key(), err, tc.want)
		case tc.want == "" && (!errors.As(err, &ce) || len(ce.Choices) != tc.choices):
			t.Errorf("%+v: got %s, %v; want %d choices", tc, got.Key(), err, tc.choices)
		}
	}
}
