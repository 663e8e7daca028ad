package auth

import (
	"fmt"
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
// The body is a string so that every field is a slice of it, not an
// allocation of its own; Body gives it back.
func ParseAuthorization(body string) (*Authorization, error) {
	return parseAuthorization(body, halvesFrom)
}

func parseAuthorization(body string, halvesFrom int) (*Authorization, error) {
	p := plainParser{s: body, halvesFrom: halvesFrom}
	a, ok := p.authorization()
	if p.tooMany {
		return nil, errTooManyAccounts
	}
	if !ok || (a.Identity.ID == 0 && a.Identity.EmailAddress == "") {
		var err error
		// encoding/json bounds nesting itself (10,000 deep).
		if a, err = DecodeAuthorization(strings.NewReader(body)); err != nil {
			return nil, err
		}
		if len(a.Accounts) > MaxAccounts {
			return nil, errTooManyAccounts
		}
	} else {
		a.plain = true
	}
	if a.Accounts == nil {
		a.Accounts = []Account{}
	}
	a.body = body
	return a, nil
}

// MaxAccounts bounds the accounts an authorization.json (from Launchpad
// or the account cache) may list: a body of MaxBodyBytes of real accounts
// (a hundred bytes and more each) lists fewer, and one that lists more
// (millions of "{}") would cost gigabytes in every command that shows
// them.
const MaxAccounts = 100_000

// maxPlainDepth is how deep the plain parser follows arrays and objects it
// skips; deeper ones are left to encoding/json, which refuses more than
// 10,000 levels, so a body of nothing but "[" never exhausts the stack.
const maxPlainDepth = 32

var errTooManyAccounts = fmt.Errorf("authorization.json lists more than %d accounts, more than bcauth reads", MaxAccounts)

// plainParser reads the subset of JSON described at
// ParseAuthorization; every method reports ok false on anything
// outside it.
type plainParser struct {
	s     string
	i     int
	depth int // of the arrays and objects skip is in
	// tooMany says the accounts array holds more than MaxAccounts.
	tooMany bool
	// halvesFrom is halvesFrom but in tests, which read short bodies in
	// halves too.
	halvesFrom int
}

func (p *plainParser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *plainParser) peek() byte {
	p.ws()
	if p.i >= len(p.s) {
		return 0
	}
	return p.s[p.i]
}

func (p *plainParser) eat(c byte) bool {
	if p.peek() != c {
		return false
	}
	p.i++
	return true
}

// plainByte says which bytes a plain string holds as they are: printable
// ASCII but the quote and the backslash, the bytes a JSON string holds as
// they are.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plainRun returns where, from i on, the first byte of s that is not
// plainByte stands (len(s) if none), four bytes a step: this loop is
// most of a parse, and runs again over everything accounts --json writes.
func plainRun(s string, i int) int {
	for i+4 <= len(s) && plainByte[s[i]] && plainByte[s[i+1]] && plainByte[s[i+2]] && plainByte[s[i+3]] {
		i += 4
	}
	for i < len(s) && plainByte[s[i]] {
		i++
	}
	return i
}

// PlainString reports whether s is printable ASCII without a quote or a
// backslash: what PlainText promises of every string, and a string JSON
// writes as it is.
func PlainString(s string) bool { return plainRun(s, 0) == len(s) }

// str reads a string of printable ASCII without escapes. It scans with
// locals, not p.i.
func (p *plainParser) str() (string, bool) {
	if !p.eat('"') {
		return "", false
	}
	start := p.i
	i := plainRun(p.s, start)
	if i >= len(p.s) || p.s[i] != '"' {
		return "", false
	}
	p.i = i + 1
	return p.s[start:i], true
}

// int reads an integer that fits an int64.
func (p *plainParser) int() (int64, bool) {
	p.ws()
	start := p.i
	if p.i < len(p.s) && p.s[p.i] == '-' {
		p.i++
	}
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	if p.i < len(p.s) && (p.s[p.i] == '.' || p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		return 0, false
	}
	digits := p.s[start:p.i]
	var n int64
	var err error
	if len(digits) > 0 && len(digits) < 18 && digits[0] != '-' {
		for i := 0; i < len(digits); i++ {
			n = n*10 + int64(digits[i]-'0')
		}
	} else {
		n, err = strconv.ParseInt(digits, 10, 64)
	}
	if err != nil || (p.s[start] == '0' && p.i-start > 1) || (p.s[start] == '-' && p.i-start > 2 && p.s[start+1] == '0') {
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
	if c := p.peek(); c == '{' || c == '[' {
		if p.depth >= maxPlainDepth {
			return false
		}
		p.depth++
		defer func() { p.depth-- }()
	}
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
	case c == 't' && strings.HasPrefix(p.s[p.i:], "true"):
		p.i += 4
		return true
	case c == 'f' && strings.HasPrefix(p.s[p.i:], "false"):
		p.i += 5
		return true
	case c == '-' || (c >= '0' && c <= '9'):
		_, ok := p.int()
		return ok
	}
	return false
}

// other reads the value of a key that is none of names. A key that
// matches one of them only in encoding/json's case-insensitive way makes
// the plain parser give up.
func (p *plainParser) other(key string, names ...string) bool {
	for _, n := range names {
		if strings.EqualFold(key, n) {
			return false
		}
	}
	return p.skip()
}

func (p *plainParser) authorization() (*Authorization, bool) {
	var a Authorization
	ok := p.object(func(key string) bool {
		switch key {
		case "expires_at":
			start := p.i
			if _, ok := p.str(); !ok {
				return false
			}
			return a.ExpiresAt.UnmarshalJSON([]byte(strings.TrimLeft(p.s[start:p.i], " \t\r\n"))) == nil
		case "identity":
			return p.identity(&a.Identity)
		case "accounts":
			return p.accounts(&a.Accounts)
		default:
			return p.other(key, "expires_at", "identity", "accounts")
		}
	})
	return &a, ok
}

// halvesFrom is how long the rest of a body must be for its accounts to
// be read in two halves at once (see accounts).
const halvesFrom = 1 << 20

// half is what the second half of an accounts array read: its elements,
// and where the array ended.
type half struct {
	accs []Account
	end  int
	ok   bool
}

// accounts reads the accounts array. A long one is read in two halves at
// once: the second from the first "},{" past the middle, on another
// goroutine, while this one reads from the start up to that comma. Should
// the first half come to rest exactly on it, after an element, the comma
// is one between two elements (the brace before it closes an element, so
// it is no string's), the second half read exactly what this one would
// have, and the two are joined. Otherwise, as when the "},{" was inside a
// name, the second half is thrown away and this one reads on alone.
func (p *plainParser) accounts(out *[]Account) bool {
	if !p.eat('[') {
		return false
	}
	if p.eat(']') {
		*out = []Account{}
		return true
	}
	seam := -1
	var second chan half
	if rest := len(p.s) - p.i; rest >= p.halvesFrom {
		if k := strings.Index(p.s[p.i+rest/2:], "},{"); k >= 0 {
			seam = p.i + rest/2 + k + 1
			second = make(chan half, 1)
			go func() {
				q := plainParser{s: p.s, i: seam + 1, halvesFrom: p.halvesFrom}
				accs, ok := q.elements(-1)
				second <- half{accs, q.i, ok}
			}()
		}
	}
	accs, ok := p.elements(seam)
	if ok && seam >= 0 && p.i == seam {
		h := <-second
		accs, ok, p.i = append(accs, h.accs...), h.ok, h.end
	}
	if len(accs) > MaxAccounts {
		p.tooMany = true
		return false
	}
	*out = accs
	return ok
}

// elements reads account objects and the bracket that ends the array, or
// stops on the comma at stop (-1: nowhere) after an element.
func (p *plainParser) elements(stop int) ([]Account, bool) {
	// A guess at the count, from the bytes left, saves regrowing.
	accs := make([]Account, 0, min((len(p.s)-p.i)/128+1, MaxAccounts+1))
	for {
		if len(accs) > MaxAccounts {
			return accs, true // accounts says how many too many
		}
		accs = append(accs, Account{})
		if !p.account(&accs[len(accs)-1]) {
			return accs, false
		}
		if p.i == stop || p.eat(']') {
			return accs, true
		}
		if !p.eat(',') {
			return accs, false
		}
	}
}

func (p *plainParser) identity(id *Identity) bool {
	return p.object(func(key string) bool {
		var ok bool
		switch key {
		case "id":
			id.ID, ok = p.int()
		case "first_name":
			id.FirstName, ok = p.str()
		case "last_name":
			id.LastName, ok = p.str()
		case "email_address":
			id.EmailAddress, ok = p.str()
		default:
			ok = p.other(key, "id", "first_name", "last_name", "email_address")
		}
		return ok
	})
}

func (p *plainParser) account(a *Account) bool {
	return p.object(func(key string) bool {
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
		case "app_href":
			a.AppHref, ok = p.str()
		default:
			ok = p.other(key, "product", "id", "name", "href", "app_href")
		}
		return ok
	})
}
