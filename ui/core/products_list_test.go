package core

import (
	"errors"
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
	accs := []auth.Account{{Product: "bc3", ID: 1, Name: "Honcho"}, {Product: "bcx", ID: 2, Name: "Wayne"}}
	for _, tc := range []struct {
		account, product string
		what             string
	}{
		{account: "Nobody", what: `--account "Nobody"`},
		{account: "Nobody", product: "bc3", what: `--account "Nobody" --product "bc3"`},
		{account: "3", what: `--account "3"`},
		{product: "hey", what: `--product "hey"`},
		{what: ""},
	} {
		_, err := ChooseAccount(accs, "", tc.account, tc.product)
		var ce *ChoiceError
		if !errors.As(err, &ce) || ce.What != tc.what {
			t.Errorf("ChooseAccount(%q, %q): %v, want a ChoiceError about %q", tc.account, tc.product, err, tc.what)
		}
	}
}
