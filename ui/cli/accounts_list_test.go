package cli

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"bcauth/auth"
)

// TestAccountListAsRows checks that a list written by writeAccountList is
// the text writeAccountsJSON writes of its rows, plain or not, across the
// pieces it is written in, with products that change along the list and
// accounts with and without app_href; and that a writer that fails is
// reported.
func TestAccountListAsRows(t *testing.T) {
	for _, n := range []int{0, 1, 2, 700, 3000} {
		for _, plain := range []bool{true, false} {
			// plain promises strings that need no escape; the others
			// have some that do.
			codes := []string{"bc3", "bcx", "odd-code", "bc3"}
			if !plain {
				codes[2] = "odd\x7fcode"
			}
			accs := make([]auth.Account, n)
			for i := range accs {
				name := fmt.Sprintf("Account %d", i)
				if !plain && i%97 == 3 {
					name = "tab\there \x1b[31m\u202e \"quoted\" \\"
				}
				accs[i] = auth.Account{Product: codes[i*len(codes)/max(n, 1)], ID: int64(i - 1), Name: name,
					Href: fmt.Sprintf("http://127.0.0.1:9/%d", i), AppHref: strings.Repeat("x", i%2)}
			}
			var want, got strings.Builder
			if err := writeAccountsJSON(&want, accountRows(accs), false); err != nil {
				t.Fatal(err)
			}
			if err := writeAccountList(&got, accs, plain); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("%d accounts (plain %v): written as a list, %d bytes, differ from the rows' %d", n, plain, got.Len(), want.Len())
			}
			if err := writeAccountList(failingWriter{}, accs, plain); err == nil {
				t.Errorf("%d accounts: a writer that fails gave no error", n)
			}
		}
	}
}

// BenchmarkAccountList writes the bench's 30,000 accounts as accounts
// --json does, and as rows.
func BenchmarkAccountList(b *testing.B) {
	accs := make([]auth.Account, 30000)
	for i := range accs {
		id := 10_000_000 + i
		accs[i] = auth.Account{Product: "bc3", ID: int64(id), Name: fmt.Sprintf("Account %d of the bench", i),
			Href: fmt.Sprintf("http://127.0.0.1:38221/bc3/%d", id), AppHref: fmt.Sprintf("http://127.0.0.1:38221/web/bc3/%d", id)}
	}
	b.Run("list", func(b *testing.B) {
		for b.Loop() {
			if err := writeAccountList(io.Discard, accs, true); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("rows", func(b *testing.B) {
		for b.Loop() {
			if err := writeAccountsJSON(io.Discard, accountRows(accs), true); err != nil {
				b.Fatal(err)
			}
		}
	})
}
