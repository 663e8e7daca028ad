package auth

import (
	"bytes"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// decodeSeeds are authorization.json bodies in and out of the plain shape.
var decodeSeeds = []string{
	`{"expires_at":"2012-03-22T16:56:48-05:00","identity":{"id":9999999,"first_name":"Jason","last_name":"Fried","email_address":"jason@example.com"},"accounts":[{"product":"bc3","id":99999999,"name":"Honcho Design","href":"http://127.0.0.1:9/bc3/99999999","app_href":"http://127.0.0.1:9/web/bc3/99999999"}]}`,
	`{"identity":{"id":1},"accounts":[{"product":"basecamp","id":7,"name":"x","href":"h","hidden":true,"extra":{"a":[1,2,{"b":false}]}}]}`,
	` {"identity": {"id": 1}, "accounts": [] } trailing`,
	`{"identity":{"id":1},"accounts":null}`,
	`{"identity":{"id":1,"ID":2}}`,
	`{"Identity":{"id":1}}`,
	`{"identity":{"id":1.5}}`,
	`{"identity":{"id":"1"}}`,
	`{"identity":{"id":-0,"email_address":"a\u00e9"}}`,
	`{"identity":{"id":01}}`,
	`{"identity":{"email_address":"\"quoted\""}}`,
	`{"identity":{"id":1},"accounts":[{"name":"株式会社"}]}`,
	`{"identity":{"id":1},"expires_at":"not a time"}`,
	`{"identity":{"id":1},"expires_at":null}`,
	`{"identity":{"id":0}}`,
	`{"identity":{"id":99999999999999999999}}`,
	`[]`, ``, `{`, `{"identity":{"id":1},}`, `{"identity":{"id":1}`,
}

// FuzzPlainDecoder checks that the plain decoder and encoding/json
// always agree, answer and error alike.
func FuzzPlainDecoder(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"identity":{"id":1},"accounts":[{"name":"a},{b"},{"name":"c"},{"name":"d},{"}]}`))
	f.Add([]byte(`{"identity":{"id":1},"accounts":[{"id":1},{"id":2},{"id":3}],"x":[{},{}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		want, wantErr := DecodeAuthorization(bytes.NewReader(body))
		// Each body is read as it comes and in halves, from wherever
		// "},{" happens to be past its middle.
		for _, halves := range []int{halvesFrom, 1} {
			got, gotErr := parseAuthorization(string(body), halves)
			if got != nil {
				if got.plain && !plainStrings(got) {
					t.Fatalf("%q: PlainText, yet a string is not plain: %+v", body, got)
				}
				if got.Indexed() {
					checkAccountIndex(t, got)
				} else if got.plain && strings.Contains(string(body), `"accounts"`) && len(got.Accounts) > 0 {
					t.Fatalf("%q: read plainly, yet no index", body)
				}
				got.body, got.plain, got.accountsAt = "", false, [2]int{} // DecodeAuthorization keeps no text
			}
			if (wantErr == nil) != (gotErr == nil) || (wantErr != nil && wantErr.Error() != gotErr.Error()) {
				t.Fatalf("%q (halves from %d): error %v, encoding/json says %v", body, halves, gotErr, wantErr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%q (halves from %d):\n got %+v\nwant %+v", body, halves, got, want)
			}
		}
	})
}

// checkAccountIndex checks that AccountIndex of a plainly read answer
// says where each account's object is: one AccountAt reads as that
// account, and that ends before a comma or the array's bracket.
func checkAccountIndex(t *testing.T, a *Authorization) {
	t.Helper()
	ids, at, ok := a.AccountIndex()
	if !ok || len(ids) != len(a.Accounts) || len(at) != len(a.Accounts) {
		t.Fatalf("%q: AccountIndex = %v, %v, %v for %d accounts", a.Body(), ids, at, ok, len(a.Accounts))
	}
	for k, acc := range a.Accounts {
		got, end, ok := AccountAt(a.Body()[at[k]:])
		if !ok || got != acc || ids[k] != acc.ID {
			t.Fatalf("%q: account %d at %d reads as %+v (%v), id %d; want %+v", a.Body(), k, at[k], got, ok, ids[k], acc)
		}
		rest := strings.TrimLeft(a.Body()[at[k]+end:], " \t\r\n")
		if rest == "" || (rest[0] != ',' && rest[0] != ']') {
			t.Fatalf("%q: account %d at %d ends before %.10q", a.Body(), k, at[k], rest)
		}
	}
}

// plainStrings says whether every string of a is what PlainText promises.
func plainStrings(a *Authorization) bool {
	ss := []string{a.Identity.FirstName, a.Identity.LastName, a.Identity.EmailAddress}
	for _, acc := range a.Accounts {
		ss = append(ss, acc.Product, acc.Name, acc.Href, acc.AppHref)
	}
	for _, s := range ss {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
				return false
			}
		}
	}
	return true
}

// TestAccountsInHalves reads long lists in two halves, with the first
// "},{" past the middle a real seam and, in another list, inside a name:
// both must read as encoding/json reads them.
func TestAccountsInHalves(t *testing.T) {
	for _, trap := range []bool{false, true} {
		var sb strings.Builder
		sb.WriteString(`{"identity":{"id":1},"accounts":[`)
		n := 10000
		for i := range n {
			if i > 0 {
				sb.WriteByte(',')
			}
			// Long names, so that the middle falls inside one.
			name := "Account " + strconv.Itoa(i) + strings.Repeat(" of the long-named", 10)
			if trap {
				name += " },{trap"
			}
			fmt.Fprintf(&sb, `{"product":"bc3","id":%d,"name":%q,"href":"http://127.0.0.1:9/%d"}`, i, name, i)
		}
		sb.WriteString(`],"later":[{"a":1},{"b":2}]}`)
		body := sb.String()
		start := strings.Index(body, "[") + 1
		mid := start + (len(body)-start)/2
		seam := mid + strings.Index(body[mid:], "},{") + 1
		if len(body)-start < halvesFrom || strings.HasPrefix(body[seam:], ",{trap") != trap {
			t.Fatalf("trap %v: the body does not test what it should (%d bytes, seam at %q)", trap, len(body), body[seam-5:seam+5])
		}
		want, err := DecodeAuthorization(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		// Read by the plain parser itself: encoding/json, which it leaves
		// a body to when it gives up, would hide a wrong seam.
		p := plainParser{s: body, halvesFrom: halvesFrom}
		got, ok := p.authorization()
		if !ok {
			t.Fatalf("trap %v: the plain parser gave up", trap)
		}
		got.plain = false
		if len(got.Accounts) != n || !reflect.DeepEqual(got, want) {
			t.Fatalf("trap %v: %d accounts, want %d as encoding/json reads them", trap, len(got.Accounts), n)
		}
	}
}

func BenchmarkDecodeAuthorization30000(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"expires_at":"2026-03-22T16:56:48-05:00","identity":{"id":9999999,"first_name":"Jason","last_name":"Fried","email_address":"jason@example.com"},"accounts":[`)
	for i := range 30000 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"product":"bc3","id":%d,"name":"Account %d","href":"http://127.0.0.1:9/bc3/%d","app_href":"http://127.0.0.1:9/web/bc3/%d"}`, i, i, i, i)
	}
	sb.WriteString(`]}`)
	body := []byte(sb.String())
	for _, c := range []struct {
		name   string
		decode func() (*Authorization, error)
	}{
		{"plain", func() (*Authorization, error) { return ParseAuthorization(string(body)) }},
		{"encoding-json", func() (*Authorization, error) { return DecodeAuthorization(bytes.NewReader(body)) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := c.decode(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
