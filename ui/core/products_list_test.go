package core

import (
	"errors"
	"net/url"
	"slices"
	"testing"

	"bcauth/auth"
)

// TestProductCodes: every product of a sorted list, once, cleaned, in
// the list's order, whether a product has one account or many.
func TestProductCodes(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []string // the accounts' products, sorted
		want []string
	}{
		{name: "none", in: nil, want: nil},
		{name: "one each", in: []string{"bc3", "bcx", "hey"}, want: []string{"bc3", "bcx", "hey"}},
		{name: "groups", in: []string{"bc3", "bc3", "bcx", "basecamp", "basecamp", "hey"}, want: []string{"bc3", "bcx", "basecamp", "hey"}},
		{name: "alone at the end", in: []string{"bc3", "bc3", "zz"}, want: []string{"bc3", "zz"}},
		{name: "alike once cleaned", in: []string{"bc3", "bc3\x1b[2J", "bc3"}, want: []string{"bc3"}},
	} {
		accs := make([]auth.Account, len(tc.in))
		for i, p := range tc.in {
			accs[i] = auth.Account{Product: p, ID: int64(i)}
		}
		if got := productCodes(accs); !slices.Equal(got, tc.want) {
			t.Errorf("%s: productCodes = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestChoiceErrorSaysWhatWasAsked: the error names the flags the person
// gave, and only those.
func TestChoiceErrorSaysWhatWasAsked(t *testing.T) {
	accs := []auth.Account{{Product: "bc3", ID: 1, Name: "Honcho"}, {Product: "bc3", ID: 3, Name: "Stark"}, {Product: "bcx", ID: 2, Name: "Wayne"}}
	for _, tc := range []struct {
		account, product string
		what             string
		none             bool // nothing matched: every candidate listed
	}{
		{account: "Nobody", what: `--account "Nobody"`, none: true},
		{account: "Nobody", product: "bc3", what: `--account "Nobody" --product "bc3"`, none: true},
		{account: "4", what: `--account "4"`, none: true},
		{product: "hey", what: `--product "hey"`, none: true},
		{product: "bc3", what: `--product "bc3"`},
		{what: ""},
	} {
		_, err := ChooseAccount(accs, "", tc.account, tc.product)
		var ce *ChoiceError
		if !errors.As(err, &ce) || ce.What != tc.what || ce.None != tc.none {
			t.Errorf("ChooseAccount(%q, %q): %+v, want a ChoiceError about %q, none matched %v", tc.account, tc.product, err, tc.what, tc.none)
		}
	}
}

// TestCleanURL: dot segments resolved, user info and fragment dropped,
// the host lower-cased, a trailing slash kept but never doubled.
func TestCleanURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://u:p@H.Example.com/a/./b/../c/?q=1#frag", "https://h.example.com/a/c/?q=1"},
		{"https://h.example.com/", "https://h.example.com/"},
		{"https://h.example.com", "https://h.example.com"},
		{"https://h.example.com/a/..", "https://h.example.com/"},
		{"https://h.example.com/a/../", "https://h.example.com/"},
		{"https://h.example.com//a//b/", "https://h.example.com/a/b/"},
		{"https://h.example.com/%2e%2e/x", "https://h.example.com/x"},
	} {
		u, err := url.Parse(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := cleanURL(u).String(); got != tc.want {
			t.Errorf("cleanURL(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestSameIdentity: the Launchpad id decides when either side has one;
// only two identities without an id are compared by email address.
func TestSameIdentity(t *testing.T) {
	for _, tc := range []struct {
		name      string
		want, got auth.Identity
		same      bool
	}{
		{name: "same id", want: auth.Identity{ID: 1, EmailAddress: "a@x"}, got: auth.Identity{ID: 1, EmailAddress: "b@x"}, same: true},
		{name: "other id, same email", want: auth.Identity{ID: 1, EmailAddress: "a@x"}, got: auth.Identity{ID: 2, EmailAddress: "a@x"}},
		{name: "stored without an id", want: auth.Identity{EmailAddress: "a@x"}, got: auth.Identity{ID: 2, EmailAddress: "a@x"}},
		{name: "answered without an id", want: auth.Identity{ID: 1, EmailAddress: "a@x"}, got: auth.Identity{EmailAddress: "a@x"}},
		{name: "neither has an id, same email", want: auth.Identity{EmailAddress: "A@x"}, got: auth.Identity{EmailAddress: "a@X"}, same: true},
		{name: "neither has an id, other email", want: auth.Identity{EmailAddress: "a@x"}, got: auth.Identity{EmailAddress: "b@x"}},
	} {
		if got := sameIdentity(tc.want, tc.got); got != tc.same {
			t.Errorf("%s: sameIdentity = %v, want %v", tc.name, got, tc.same)
		}
	}
}
