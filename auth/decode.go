package auth

import (
	"bytes"
	"strconv"
	"strings"
)

// ParseAuthorization is DecodeAuthorization for a body already read (at
// most MaxBodyBytes).
// It first tries a decoder for the plain shape Launchpad sends (ASCII
// strings without escapes, integer ids, known field names, unknown fields
// skipped), which is several times faster than encoding/json on a login
// with thousands of accounts; anything else, from an escape to a null, is
// left to DecodeAuthorization, so both always give the same answer.
func ParseAuthorization(body []byte) (*Authorization, error) {
	// One copy of the body as a string: every field is a slice of it, not
	// an allocation of its own.
	p := plainParser{b: body, s: string(body)}
	if a, ok := p.authorization(); ok {
		if a.Identity.ID != 0 || a.Identity.EmailAddress != "" {
			if a.Accounts == nil {
				a.Accounts = []Account{}
			}
			return a, nil
		}
	}
	return DecodeAuthorization(bytes.NewReader(body))
}

// plainParser reads the subset of JSON described at
// ParseAuthorization; every method reports ok false on anything
// outside it.
type plainParser struct {
	b []byte
	s string // b as a string
	i int
}

func (p *plainParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *plainParser) peek() byte {
	p.ws()
	if p.i >= len(p.b) {
		return 0
	}
	return p.b[p.i]
}

func (p *plainParser) eat(c byte) bool {
	if p.peek() != c {
		return false
	}
	p.i++
	return true
}

// str reads a string of printable ASCII without escapes.
func (p *plainParser) str() (string, bool) {
	if !p.eat('"') {
		return "", false
	}
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			s := p.s[start:p.i]
			p.i++
			return s, true
		case c == '\\' || c < 0x20 || c >= 0x7f:
			return "", false
		}
		p.i++
	}
	return "", false
}

// int reads an integer that fits an int64.
func (p *plainParser) int() (int64, bool) {
	p.ws()
	start := p.i
	if p.i < len(p.b) && p.b[p.i] == '-' {
		p.i++
	}
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	if p.i < len(p.b) && (p.b[p.i] == '.' || p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		return 0, false
	}
	digits := p.b[start:p.i]
	var n int64
	var err error
	if len(digits) > 0 && len(digits) < 18 && digits[0] != '-' {
		for _, d := range digits {
			n = n*10 + int64(d-'0')
		}
	} else {
		n, err = strconv.ParseInt(string(digits), 10, 64)
	}
	if err != nil || (p.b[start] == '0' && p.i-start > 1) || (p.b[start] == '-' && p.i-start > 2 && p.b[start+1] == '0') {
		return 0, false
	}
	return n, true
}

// object calls field for each key of an object; field reads the value.
func (p *plainParser) object(field func(key string) bool) bool {
	if !p.eat('{') {
		return false
	}
	if p.eat('}') {
		return true
	}
	for {
		key, ok := p.str()
		if !ok || !p.eat(':') || !field(key) {
			return false
		}
		if p.eat('}') {
			return true
		}
		if !p.eat(',') {
			return false
		}
	}
}

// skip reads any value of the plain subset: strings, integers, true,
// false, and arrays and objects of them. Floats and null are left to
// encoding/json.
func (p *plainParser) skip() bool {
	switch c := p.peek(); {
	case c == '"':
		_, ok := p.str()
		return ok
	case c == '{':
		return p.object(func(string) bool { return p.skip() })
	case c == '[':
		p.i++
		if p.eat(']') {
			return true
		}
		for {
			if !p.skip() {
				return false
			}
			if p.eat(']') {
				return true
			}
			if !p.eat(',') {
				return false
			}
		}
	case c == 't' && bytes.HasPrefix(p.b[p.i:], []byte("true")):
		p.i += 4
		return true
	case c == 'f' && bytes.HasPrefix(p.b[p.i:], []byte("false")):
		p.i += 5
		return true
	case c == '-' || (c >= '0' && c <= '9'):
		_, ok := p.int()
		return ok
	}
	return false
}

// known says whether key is one of names, or would match one in
// encoding/json's case-insensitive way (then the plain parser gives up).
func known(key string, names ...string) (exact, folded bool) {
	for _, n := range names {
		if key == n {
			return true, false
		}
	}
	for _, n := range names {
		if strings.EqualFold(key, n) {
			return false, true
		}
	}
	return false, false
}

func (p *plainParser) authorization() (*Authorization, bool) {
	var a Authorization
	ok := p.object(func(key string) bool {
		if exact, folded := known(key, "expires_at", "identity", "accounts"); !exact {
			return !folded && p.skip()
		}
		switch key {
		case "expires_at":
			start := p.i
			if _, ok := p.str(); !ok {
				return false
			}
			return a.ExpiresAt.UnmarshalJSON(bytes.TrimLeft(p.b[start:p.i], " \t\r\n")) == nil
		case "identity":
			return p.identity(&a.Identity)
		default:
			if !p.eat('[') {
				return false
			}
			// A guess at the count, from the bytes left, saves regrowing.
			a.Accounts = make([]Account, 0, (len(p.b)-p.i)/128+1)
			if p.eat(']') {
				return true
			}
			for {
				var acc Account
				if !p.account(&acc) {
					return false
				}
				a.Accounts = append(a.Accounts, acc)
				if p.eat(']') {
					return true
				}
				if !p.eat(',') {
					return false
				}
			}
		}
	})
	return &a, ok
}

func (p *plainParser) identity(id *Identity) bool {
	return p.object(func(key string) bool {
		exact, folded := known(key, "id", "first_name", "last_name", "email_address")
		if !exact {
			return !folded && p.skip()
		}
		var ok bool
		switch key {
		case "id":
			id.ID, ok = p.int()
		case "first_name":
			id.FirstName, ok = p.str()
		case "last_name":
			id.LastName, ok = p.str()
		default:
			id.EmailAddress, ok = p.str()
		}
		return ok
	})
}

func (p *plainParser) account(a *Account) bool {
	return p.object(func(key string) bool {
		exact, folded := known(key, "product", "id", "name", "href", "app_href")
		if !exact {
			return !folded && p.skip()
		}
		var ok bool
		switch key {
		case "product":
			a.Product, ok = p.str()
		case "id":
			a.ID, ok = p.int()
		case "name":
			a.Name, ok = p.str()
		case "href":
			a.Href, ok = p.str()
		default:
			a.AppHref, ok = p.str()
		}
		return ok
	})
}
