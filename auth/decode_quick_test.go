package auth

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestPlainRunEveryByte checks the eight-bytes-a-step plainRun against
// plainByte, a byte at a time: every byte value at every place of a word,
// after a run of plain bytes of every length around a word's.
func TestPlainRunEveryByte(t *testing.T) {
	slow := func(s string, i int) int {
		for i < len(s) && plainByte[s[i]] {
			i++
		}
		return i
	}
	for lead := range 20 {
		for c := range 256 {
			for tail := range 3 {
				s := strings.Repeat("a", lead) + string([]byte{byte(c)}) + strings.Repeat("~", tail*8)
				for from := range min(lead+1, 9) {
					if got, want := plainRun(s, from), slow(s, from); got != want {
						t.Fatalf("plainRun(%q, %d) = %d, want %d", s, from, got, want)
					}
				}
			}
		}
	}
	// Two bytes that are not plain in one word: the first counts.
	for i := range 8 {
		for j := i + 1; j < 8; j++ {
			b := []byte("abcdefghijk")
			b[i], b[j] = '"', 0x01
			if got := plainRun(string(b), 0); got != i {
				t.Fatalf("plainRun(%q) = %d, want %d", b, got, i)
			}
		}
	}
}

// TestQuickAccountAsAccount checks that an account quickAccount reads
// is what the plain parser's field by field reading gives, and that what
// it leaves (spaces, other keys, keys in another case, numbers it does
// not take) is read as before.
func TestQuickAccountAsAccount(t *testing.T) {
	for _, obj := range []string{
		`{"product":"bc3","id":99999999,"name":"Honcho Design","href":"http://127.0.0.1:9/bc3/99999999","app_href":"http://127.0.0.1:9/web/bc3/99999999"}`,
		`{"id":1}`, `{}`, `{"name":""}`, `{"id":0}`, `{"id":01}`, `{"id":-1}`, `{"id":1.5}`, `{"id":1e3}`,
		`{"id":12345678901234567}`, `{"id":123456789012345678}`, `{"id":9223372036854775807}`, `{"id":9223372036854775808}`,
		`{"id":1,"id":2}`, `{"name":"a","name":"b"}`, `{"NAME":"x"}`, `{"Id":3}`, `{"product" :"bc3"}`, `{ "id":1}`,
		`{"id":1 }`, `{"extra":true,"id":2}`, `{"extra":{"id":3},"id":2}`, `{"name":"a},{b","id":2}`, `{"name":"tab\there"}`,
		`{"name":"é"}`, `{"name":"a\"b"}`, `{"href":"x",}`, `{"href":"x"`, `{"href"`, `{"id":`, `{"id":1,`,
	} {
		body := `{"identity":{"id":1},"accounts":[` + obj + `]}`
		quick := plainParser{s: body, i: strings.Index(body, "[") + 1}
		var q Account
		quickOK := quick.quickAccount(&q)
		slow := plainParser{s: body, i: strings.Index(body, "[") + 1}
		var a Account
		slowOK := slow.account(&a)
		if quickOK && (!slowOK || q != a || quick.i != slow.i) {
			t.Errorf("%s: quickAccount read %+v to %d, account %+v to %d (ok %v)", obj, q, quick.i, a, slow.i, slowOK)
		}
		want, wantErr := DecodeAuthorization(strings.NewReader(body))
		got, gotErr := ParseAuthorization(body)
		if (wantErr == nil) != (gotErr == nil) || (wantErr == nil && !reflect.DeepEqual(got.Accounts, want.Accounts)) {
			t.Errorf("%s: parsed %+v (%v), encoding/json %+v (%v)", obj, got, gotErr, want, wantErr)
		}
	}
}

// TestAccountIndex checks where AccountIndex says accounts start on the
// shapes that could mislead it: braces, commas and keys in names, spaces,
// a key written twice, an account that holds an object; and that only an
// answer the plain parser read has an index.
func TestAccountIndex(t *testing.T) {
	body := `{"identity":{"id":5,"email_address":"a@example.com"},"accounts":[` +
		`{"product":"bc3","id":5,"name":"{5},{","href":"http://x/5"},` +
		`{"product":"bcx","id":15,"name":"id: 5","href":"http://x/15"},` +
		` { "name" : "spaced" , "id" : 5 , "product" : "hey" } ,` +
		`{"id":7,"id":5,"name":"twice, last 5"},` +
		`{"id":5,"x":{"id":8,"y":[{}]},"name":"deep"}` +
		`],"tail":{"id":5}}`
	a, err := ParseAuthorization(body)
	if err != nil {
		t.Fatal(err)
	}
	checkAccountIndex(t, a)
	for _, other := range []string{
		`{"identity":{"id":1},"accounts":[{"id":1,"name":"\u00e9"}]}`, // read by encoding/json
		`{"identity":{"id":1}}`, // no accounts at all
	} {
		a, err := ParseAuthorization(other)
		if err != nil {
			t.Fatal(err)
		}
		if ids, at, ok := a.AccountIndex(); ok {
			t.Errorf("%s: AccountIndex = %v, %v", other, ids, at)
		}
	}
	// An account cut short, or none at all, does not read.
	for _, text := range []string{`{"id":5,"name":"x`, `{"id":5`, ``, `]`, `{"id":5.5}`} {
		if a, _, ok := AccountAt(text); ok {
			t.Errorf("AccountAt(%q) = %+v", text, a)
		}
	}
}

// BenchmarkAccountAt30000 reads one account of the bench's 30,000 where
// the index says it is, and, to compare, all of them.
func BenchmarkAccountAt30000(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"expires_at":"2026-03-22T16:56:48-05:00","identity":{"id":9999999,"first_name":"Jason","last_name":"Fried","email_address":"jason@example.com"},"accounts":[`)
	for i := range 30000 {
		if i > 0 {
			sb.WriteByte(',')
		}
		id := 10_000_000 + i
		fmt.Fprintf(&sb, `{"product":"bc3","id":%d,"name":"Account %d of the bench","href":"http://127.0.0.1:38221/bc3/%d","app_href":"http://127.0.0.1:38221/web/bc3/%d"}`, id, i, id, id)
	}
	sb.WriteString(`]}`)
	body := sb.String()
	a, err := ParseAuthorization(body)
	if err != nil {
		b.Fatal(err)
	}
	_, at, ok := a.AccountIndex()
	if !ok {
		b.Fatal("no index")
	}
	b.Run("one", func(b *testing.B) {
		for b.Loop() {
			if acc, _, ok := AccountAt(body[at[15000]:]); !ok || acc.ID != 10_015_000 {
				b.Fatal(acc, ok)
			}
		}
	})
	b.Run("all", func(b *testing.B) {
		for b.Loop() {
			if _, err := ParseAuthorization(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("index", func(b *testing.B) {
		for b.Loop() {
			if _, _, ok := a.AccountIndex(); !ok {
				b.Fatal("no index")
			}
		}
	})
}
