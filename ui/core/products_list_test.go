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
