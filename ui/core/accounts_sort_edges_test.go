package core

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"bcauth/auth"
)

// TestSortAccountsEdges checks SortAccounts against its definition on the
// inputs random ones rarely are: a long list already sorted, or sorted
// backwards (so one half of the parallel sort runs out first, then the
// other), and names that differ only by a capital at either end of the
// alphabet.
func TestSortAccountsEdges(t *testing.T) {
	long := func(n int, name func(i int) string) []auth.Account {
		out := make([]auth.Account, n)
		for i := range out {
			out[i] = auth.Account{Product: "bc3", ID: int64(i), Name: name(i)}
		}
		return out
	}
	for _, tc := range []struct {
		name string
		in   []auth.Account
	}{
		{name: "long, in order", in: long(5000, func(i int) string { return fmt.Sprintf("Account %05d", i) })},
		{name: "long, backwards", in: long(5000, func(i int) string { return fmt.Sprintf("Account %05d", 5000-i) })},
		{name: "long, one name", in: long(4096, func(int) string { return "Same" })},
		// Names alike for far longer than a key, in groups of more than a
		// few, so that ties are told apart eight bytes at a time, and past
		// 256 bytes whole; cases mixed, and the groups apart from the
		// start, so that no prefix is common to all.
		{name: "long, alike far past a key", in: long(5000, func(i int) string {
			shared := strings.Repeat([]string{"Project Alpha ", "project ALPHA ", "Beta "}[i%3], 1+i%5*4)
			return fmt.Sprintf("%c%s%03d", 'A'+i%2, shared, (i*7919)%1000)
		})},
		{name: "short, alike past 256 bytes", in: long(40, func(i int) string {
			return strings.Repeat("x", 300) + fmt.Sprint(39-i)
		})},
		{name: "capitals at the ends of the alphabet", in: []auth.Account{
			{Product: "bc3", ID: 1, Name: "Zeta"}, {Product: "bc3", ID: 2, Name: "yak"}, {Product: "bc3", ID: 3, Name: "Alpha"},
			{Product: "bc3", ID: 4, Name: "_under"}, {Product: "bc3", ID: 5, Name: "[bracket"}, {Product: "bc3", ID: 6, Name: "@at"},
			{Product: "bc3", ID: 7, Name: "ZZ top"}, {Product: "bc3", ID: 8, Name: "zz bottom"}, {Product: "bc3", ID: 9, Name: "aardvark"},
		}},
		{name: "products told apart by rank", in: []auth.Account{
			{Product: "zzz-unknown", ID: 1, Name: "a"}, {Product: "bc3", ID: 2, Name: "z"}, {Product: "bcx", ID: 3, Name: "m"},
			{Product: "bc3", ID: 4, Name: "a"}, {Product: "aaa-unknown", ID: 5, Name: "a"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := slices.Clone(tc.in)
			slices.SortStableFunc(want, func(a, b auth.Account) int {
				return cmp.Or(
					CompareProducts(a.Product, b.Product),
					strings.Compare(strings.ToLower(Clean(a.Name)), strings.ToLower(Clean(b.Name))),
					cmp.Compare(a.ID, b.ID),
				)
			})
			if got := SortAccounts(tc.in); !reflect.DeepEqual(got, want) {
				n := min(len(got), 12)
				t.Errorf("SortAccounts, first %d: %v\nwant %v", n, got[:n], want[:n])
			}
		})
	}
}

// TestAppendLowerASCII: A to Z and nothing else, the letters around them
// in the table included.
func TestAppendLowerASCII(t *testing.T) {
	const in = "@AZ[`az{ÀÉ"
	if got, want := string(appendLowerASCII([]byte("x"), in)), "x@az[`az{ÀÉ"; got != want {
		t.Errorf("appendLowerASCII = %q, want %q", got, want)
	}
	if got, want := string(appendLower(nil, "ÀB")), "àb"; got != want {
		t.Errorf("appendLower = %q, want %q", got, want)
	}
}
