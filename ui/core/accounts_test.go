package core

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"bcauth/auth"
)

// TestSortAccounts checks the one sort against its definition, written
// the plain way (a stable sort of whole accounts): by product in the
// catalogue's order, unknown products after by code, then by name as it
// reads on screen without case, then by id, ties kept in Launchpad's order.
func TestSortAccounts(t *testing.T) {
	products := []string{"bc3", "bcx", "basecamp", "campfire", "highrise", "hey", "zzz-unknown", "aaa-unknown", "BC3"}
	names := []string{"Honcho", "honcho", "HONCHO", "Acme", "acme\x1b[31m", "Émile", "émile", "  space", "zeta", "株式会社", "a\u202eb", "",
		// alike for longer than the eight bytes a key holds
		"Account 1 of the bench", "account 1 of the Bench", "Account 1 of the bench, too", "Account 10 of the bench"}
	// Many products, so that their ranks take more than a key's top byte.
	many := slices.Clone(products)
	for i := range 300 {
		many = append(many, fmt.Sprintf("p%03d", i))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 60 {
		n := rng.IntN(200)
		if round%10 == 0 {
			n = 4096 + rng.IntN(6000) // long enough to be sorted in two halves
		}
		codes := products
		if round%7 == 3 {
			codes = many
		}
		in := make([]auth.Account, n)
		for i := range in {
			in[i] = auth.Account{
				Product: codes[rng.IntN(len(codes))],
				ID:      int64(rng.IntN(5)), // many ties
				Name:    names[rng.IntN(len(names))],
				Href:    fmt.Sprintf("http://127.0.0.1:9/%d", i), // tells ties apart
			}
		}
		want := slices.Clone(in)
		slices.SortStableFunc(want, func(a, b auth.Account) int {
			return cmp.Or(
				CompareProducts(a.Product, b.Product),
				strings.Compare(strings.ToLower(Clean(a.Name)), strings.ToLower(Clean(b.Name))),
				cmp.Compare(a.ID, b.ID),
			)
		})
		before := slices.Clone(in)
		got := SortAccounts(in)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: SortAccounts =\n%v\nwant\n%v", round, got, want)
		}
		// Sorted where they lie, as the lookahead sorts its own parse.
		a := &auth.Authorization{Accounts: slices.Clone(in)}
		order := sortInPlace(a)
		if !reflect.DeepEqual(a.Accounts, want) {
			t.Fatalf("round %d: sortInPlace =\n%v\nwant\n%v", round, a.Accounts, want)
		}
		checkOrder(t, round, in, order, want, rng)
		if !reflect.DeepEqual(in, before) {
			t.Fatalf("round %d: SortAccounts changed its argument", round)
		}
	}
	if got := SortAccounts(nil); len(got) != 0 {
		t.Errorf("SortAccounts(nil) = %v", got)
	}
}

// checkOrder checks inOrder and putInOrder with order, which sortInPlace
// gave for in (sorted: want): the order holds, and puts in in want's
// order; any other order does not hold, and leaves in as it is.
func checkOrder(t *testing.T, round int, in []auth.Account, order []uint32, want []auth.Account, rng *rand.Rand) {
	t.Helper()
	a := &auth.Authorization{Accounts: slices.Clone(in)}
	if !putInOrder(a, order) || !reflect.DeepEqual(a.Accounts, want) {
		t.Fatalf("round %d: putInOrder with sortInPlace's order =\n%v\nwant\n%v", round, a.Accounts, want)
	}
	n := len(in)
	wrong := func(why string, other []uint32) {
		t.Helper()
		a := &auth.Authorization{Accounts: slices.Clone(in)}
		if putInOrder(a, other) || !reflect.DeepEqual(a.Accounts, in) {
			t.Fatalf("round %d: %s: putInOrder took it, or moved the accounts", round, why)
		}
	}
	if n == 0 {
		wrong("one place too many", []uint32{0})
		return
	}
	wrong("one place short", order[:n-1])
	wrong("one place too many", append(slices.Clone(order), uint32(n-1)))
	for range 3 {
		i, j := rng.IntN(n), rng.IntN(n)
		if i == j {
			continue
		}
		swapped := slices.Clone(order)
		swapped[i], swapped[j] = swapped[j], swapped[i]
		wrong("two places swapped", swapped)
		twice := slices.Clone(order)
		twice[i] = twice[j]
		wrong("one place twice", twice)
	}
	past := slices.Clone(order)
	past[rng.IntN(n)] = uint32(n + rng.IntN(3))
	wrong("a place past the end", past)
	if n > 1 {
		wrong("neighbours swapped at the end", append(slices.Clone(order[:n-2]), order[n-1], order[n-2]))
		wrong("neighbours swapped at the start", append([]uint32{order[1], order[0]}, order[2:]...))
		if n >= halvesFrom {
			// where the two halves meet
			swapped := slices.Clone(order)
			swapped[n/2-1], swapped[n/2] = swapped[n/2], swapped[n/2-1]
			wrong("neighbours swapped where the halves meet", swapped)
		}
	}
}

// BenchmarkSortAccounts30000 sorts the bench's list (one product, names
// alike but for a number) and a mixed one.
func BenchmarkSortAccounts30000(b *testing.B) {
	words := []string{"Honcho", "Design", "Acme", "Studio", "Labs", "Partners", "Émile", "North", "Group", "Works"}
	for _, c := range []struct {
		name string
		acc  func(i int) auth.Account
	}{
		{"bench", func(i int) auth.Account {
			return auth.Account{Product: "bc3", ID: int64(10_000_000 + i), Name: fmt.Sprintf("Account %d of the bench", i)}
		}},
		{"mixed", func(i int) auth.Account {
			return auth.Account{Product: []string{"bc3", "bcx", "hey", "zz"}[i%4], ID: int64(i),
				Name: words[(i*7)%len(words)] + " " + words[(i*13/7)%len(words)] + fmt.Sprint(i%97)}
		}},
	} {
		// Through Launchpad's text and the parser, so that the names lie in
		// one string, in order, as they do in a run.
		accs := make([]auth.Account, 30000)
		for i := range accs {
			accs[i] = c.acc(i)
		}
		body, err := json.Marshal(map[string]any{"expires_at": "2026-03-22T16:56:48-05:00", "identity": map[string]any{"id": 1}, "accounts": accs})
		if err != nil {
			b.Fatal(err)
		}
		a, err := auth.ParseAuthorization(string(body))
		if err != nil {
			b.Fatal(err)
		}
		in := a.Accounts
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				SortAccounts(in)
			}
		})
		// As the account pipeline sorts a parsed answer: names known
		// plain when the parser found them so.
		b.Run(c.name+"-parsed", func(b *testing.B) {
			for b.Loop() {
				sortedAccounts(a)
			}
		})
		// As the lookahead puts its own parse in the order the cache kept.
		b.Run(c.name+"-kept-order", func(b *testing.B) {
			own := *a
			own.Accounts = slices.Clone(in)
			order := sortInPlace(&own)
			for b.Loop() {
				b.StopTimer()
				own.Accounts = slices.Clone(in)
				b.StartTimer()
				if !putInOrder(&own, order) {
					b.Fatal("the order did not hold")
				}
			}
		})
		// As the lookahead sorts its own parse: in place.
		b.Run(c.name+"-in-place", func(b *testing.B) {
			own := *a
			for b.Loop() {
				b.StopTimer()
				own.Accounts = slices.Clone(in)
				b.StartTimer()
				sortInPlace(&own)
			}
		})
	}
}
