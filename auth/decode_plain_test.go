package auth

import (
	"reflect"
	"strings"
	"testing"
)

// TestThePlainParserItself holds the plain parser, not the encoding/json
// fallback that would hide its mistakes, to what it takes and refuses:
// each body is read by the plain parser alone, which must either give up
// (leaving the body to encoding/json) or read exactly what encoding/json
// reads. A mistake that accepts what JSON refuses, or reads another value,
// fails here even though parseAuthorization would fall back.
func TestThePlainParserItself(t *testing.T) {
	const head = `{"identity":{"id":`
	for _, tc := range []struct {
		name  string
		body  string
		plain bool // the plain parser reads it (else it must give up)
	}{
		{"a plain body", head + `12345},"accounts":[{"product":"bc3","id":7,"name":"N","href":"h"}]}`, true},
		{"a leading zero", head + `012}}`, false},
		{"a negative leading zero", head + `-012}}`, false},
		{"minus zero", head + `-0,"email_address":"e"}}`, true},
		{"a minus alone", head + `-}}`, false},
		{"a fraction", head + `1.0}}`, false},
		{"an exponent", head + `1e3}}`, false},
		{"an upper-case exponent", head + `1E3}}`, false},
		{"seventeen digits", head + `12345678901234567}}`, true},
		{"eighteen digits", head + `123456789012345678}}`, true},
		{"nineteen digits", head + `9223372036854775807}}`, true},
		{"past int64", head + `9223372036854775808}}`, false},
		{"a negative id", head + `-42}}`, true},
		{"DEL in a string", head + `1,"first_name":"a` + "\x7f" + `b"}}`, false},
		{"the last printable byte", head + `1,"first_name":"a~b"}}`, true},
		{"an escape", head + `1,"first_name":"a\"b"}}`, false},
		{"a string cut off", head + `1,"first_name":"abc`, false},
		{"a string of four-byte steps", head + `1,"first_name":"abcdefgh"}}`, true},
		{"a string of steps and a tail", head + `1,"first_name":"abcdefghij"}}`, true},
		{"nesting the parser skips", head + `1},"x":[[[{"a":[1,"b",true,false]}]]]}`, true},
		{"an empty array and object skipped", head + `1},"x":[],"y":{}}`, true},
		{"null is left to encoding/json", head + `1},"x":null}`, false},
		{"too deep to skip", head + `1},"x":` + strings.Repeat("[", maxPlainDepth+1) + strings.Repeat("]", maxPlainDepth+1) + `}`, false},
		{"just deep enough", head + `1},"x":` + strings.Repeat("[", maxPlainDepth) + strings.Repeat("]", maxPlainDepth) + `}`, true},
		{"an empty accounts array", head + `1},"accounts":[]}`, true},
		{"accounts with a trailing comma", head + `1},"accounts":[{"id":1},]}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := plainParser{s: tc.body, halvesFrom: halvesFrom}
			got, ok := p.authorization()
			want, err := DecodeAuthorization(strings.NewReader(tc.body))
			if ok != tc.plain {
				t.Fatalf("the plain parser read it: %v, want %v (encoding/json: %v)", ok, tc.plain, err)
			}
			if !ok {
				return
			}
			if err != nil {
				t.Fatalf("the plain parser read what encoding/json refuses: %v", err)
			}
			got.plain = false
			if got.Accounts == nil {
				got.Accounts = want.Accounts
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("the plain parser read %+v, encoding/json %+v", got, want)
			}
		})
	}
}
