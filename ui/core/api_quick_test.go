package core_test

import (
	"fmt"
	"net/url"
	"testing"

	"bcauth/auth/launchpadtest"
	"bcauth/ui/core"
	"bcauth/ui/uitest"
)

// TestAPITargetQuickAsSlow holds the target found by id in the cache's
// index to the one chosen among every cached account: the same account
// and URL when the quick way applies, and it applies only when one account
// has the id (of the product, when given) and the path stays under it.
// Its Allowed still knows every href, as --paginate's next pages need.
func TestAPITargetQuickAsSlow(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	accs := []launchpadtest.Account{}
	for i := range 200 {
		id := int64(10_000_000 + i)
		accs = append(accs, launchpadtest.Account{Product: "bc3", ID: id, Name: fmt.Sprintf("Account {%d}, id:%d", i, id+1),
			Href: fmt.Sprintf("%s/bc3/%d", e.Fake.URL, id)})
	}
	// One id in two products, and an href that no path can be joined to.
	accs = append(accs, launchpadtest.Account{Product: "bcx", ID: 10_000_007, Name: "Twin", Href: e.Fake.URL + "/bcx/10000007"},
		launchpadtest.Account{Product: "bc3", ID: 555, Name: "Query", Href: e.Fake.URL + "/bc3/555?x=1"})
	e.Fake.SetAccounts(accs)
	e.LogIn(t)
	ctx := testContext(t)
	for _, tc := range []struct {
		q     core.APIQuery
		quick bool
	}{
		{core.APIQuery{Account: "10000042", Path: "/projects.json"}, true},
		{core.APIQuery{Account: " 10000199 ", Path: "projects.json?page=2"}, true},
		{core.APIQuery{Account: "10000042", Product: "BC3", Path: "/projects.json"}, true},
		{core.APIQuery{Account: "10000007", Product: "bcx", Path: "/projects.json"}, true},
		{core.APIQuery{Account: "10000007", Path: "/projects.json"}, false},                    // two accounts: a choice
		{core.APIQuery{Account: "10000042", Product: "bcx", Path: "/projects.json"}, false},    // not of that product
		{core.APIQuery{Account: "10000043", Path: "/projects.json"}, true},                     // in a name too
		{core.APIQuery{Account: "99", Path: "/projects.json"}, false},                          // no such account
		{core.APIQuery{Account: "010000042", Path: "/projects.json"}, false},                   // not how an id is written
		{core.APIQuery{Account: "name:Twin", Path: "/projects.json"}, false},                   // a name
		{core.APIQuery{Account: "10000042", Path: "/../../bc3/10000043/x.json"}, false},        // climbs out
		{core.APIQuery{Account: "555", Path: "/projects.json"}, false},                         // an href with a query
		{core.APIQuery{Account: "10000042", Path: e.Fake.URL + "/bc3/10000042/x.json"}, false}, // a URL
	} {
		quick, slow, err := e.Svc.QuickAndSlowTargets(ctx, tc.q)
		if (quick != nil) != tc.quick {
			t.Errorf("%+v: the quick way applies: %v, want %v", tc.q, quick != nil, tc.quick)
		}
		if quick == nil {
			continue
		}
		if err != nil || quick.URL.String() != slow.URL.String() || quick.Account != slow.Account {
			t.Errorf("%+v: quick %s for %+v; slow %v for %+v (%v)", tc.q, quick.URL, quick.Account, slow, slow, err)
			continue
		}
		other, _ := url.Parse(e.Fake.URL + "/bc3/10000150/projects.json?page=3")
		if got, err := quick.Allowed(other); err != nil || got.ID != 10_000_150 {
			t.Errorf("%+v: Allowed(another account's page) = %+v, %v", tc.q, got, err)
		}
	}
}
