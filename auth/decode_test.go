package auth

import (
	"bytes"
	"fmt"
	"reflect"
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
	f.Fuzz(func(t *testing.T, body []byte) {
		want, wantErr := DecodeAuthorization(bytes.NewReader(body))
		got, gotErr := ParseAuthorization(string(body))
		if got != nil {
			got.body = "" // DecodeAuthorization keeps no text
		}
		if (wantErr == nil) != (gotErr == nil) || (wantErr != nil && wantErr.Error() != gotErr.Error()) {
			t.Fatalf("%q: error %v, encoding/json says %v", body, gotErr, wantErr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\n got %+v\nwant %+v", body, got, want)
		}
	})
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
