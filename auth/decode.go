package auth

import (
	"errors"
	"fmt"
	"math/bits"
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
		a.accountsAt = p.accountsAt
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
	// accountsAt is where the accounts array lies.
	accountsAt [2]int
}

func (p *plainParser) ws() {
	if p.i < len(p.s) && p.s[p.i] > ' ' {
		return // most of the time: Launchpad sends no spaces
	}
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
// plainByte stands (len(s) if none), eight bytes a step: this loop is
// most of a parse, and runs again over everything accounts --json writes.
func plainRun(s string, i int) int {
	for i+8 <= len(s) {
		w := s[i : i+8]
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		if m := notPlain(x); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
		i += 8
	}
	for i < len(s) && plainByte[s[i]] {
		i++
	}
	return i
}

// notPlain marks, in the high bit of each, the bytes of x (read
// little-endian) that are no plainByte: below 0x20 or above 0x7e, a quote
// or a backslash. The lowest mark is exact, and so the first such byte;
// those above it may not be, as borrows and carries run upwards.
func notPlain(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	below := (x - 0x20*ones) &^ x
	above := (x + (0x80-0x7f)*ones) | x // 0x7f and up set their high bit
	q := x ^ '"'*ones
	quote := (q - ones) &^ q
	bs := x ^ '\\'*ones
	backslash := (bs - ones) &^ bs
	return (below | above | quote | backslash) & highs
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
//
// Both halves read into one array: the first from its start, the second
// from as far in as the first half's text has braces (each of its
// accounts has one); joined, the second moves down to the first's end.
// (Each read into one of its own cost a fresh process another megabyte at
// 30,000 accounts, and a copy.)
func (p *plainParser) accounts(out *[]Account) bool {
	p.ws()
	start := p.i
	if !p.eat('[') {
		return false
	}
	if p.eat(']') {
		*out = []Account{}
		p.accountsAt = [2]int{start, p.i}
		return true
	}
	seam, n := -1, 0
	var all, first []Account
	var second chan half
	if rest := len(p.s) - p.i; rest >= p.halvesFrom {
		if k := strings.Index(p.s[p.i+rest/2:], "},{"); k >= 0 {
			seam = p.i + rest/2 + k + 1
			var secondBuf []Account
			if n = strings.Count(p.s[p.i:seam], "{"); n <= MaxAccounts/2 {
				// The second half about as long as the first.
				all = make([]Account, 0, 2*n+n/4+64)
				first, secondBuf = all[:0:n], all[n:n]
			}
			second = make(chan half, 1)
			go func() {
				q := plainParser{s: p.s, i: seam + 1, halvesFrom: p.halvesFrom}
				accs, ok := q.elements(-1, secondBuf)
				second <- half{accs, q.i, ok}
			}()
		}
	}
	accs, ok := p.elements(seam, first)
	if ok && seam >= 0 && p.i == seam {
		h := <-second
		if within(accs, all, 0) && within(h.accs, all, n) {
			// In one array: the second half moves down to the first's end.
			accs = all[:len(accs)+copy(all[len(accs):cap(all)], h.accs)]
		} else {
			accs = append(accs, h.accs...)
		}
		ok, p.i = h.ok, h.end
	}
	if len(accs) > MaxAccounts {
		p.tooMany = true
		return false
	}
	*out = accs
	p.accountsAt = [2]int{start, p.i}
	return ok
}

// within reports whether part, not empty, lies in all from its element at
// on: read where it was given to be read.
func within(part, all []Account, at int) bool {
	return len(part) > 0 && at < cap(all) && &part[0] == &all[:at+1][at]
}

// elements reads account objects and the bracket that ends the array, or
// stops on the comma at stop (-1: nowhere) after an element, into accs, or
// a slice of its own when accs has no room.
func (p *plainParser) elements(stop int, accs []Account) ([]Account, bool) {
	if cap(accs) == 0 {
		// A guess at the count, from the bytes left, saves regrowing.
		accs = make([]Account, 0, min((len(p.s)-p.i)/128+1, MaxAccounts+1))
	}
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

// quickAccount reads an account written as Launchpad writes them, with
// no space, and only the keys account knows, each spelt exactly, an id of
// at most 17 digits; on anything else it reports false, having moved
// nothing, and account reads the object. It is account without the calls
// a byte: most of a parse, at thousands of accounts.
func (p *plainParser) quickAccount(a *Account) bool {
	s, i := p.s, p.i
	if i >= len(s) || s[i] != '{' {
		return false
	}
	i++
	for {
		if i+1 >= len(s) || s[i] != '"' {
			return false
		}
		var field *string
		switch rest := s[i:]; {
		case s[i+1] == 'p' && strings.HasPrefix(rest, `"product":"`):
			field, i = &a.Product, i+len(`"product":"`)
		case s[i+1] == 'n' && strings.HasPrefix(rest, `"name":"`):
			field, i = &a.Name, i+len(`"name":"`)
		case s[i+1] == 'h' && strings.HasPrefix(rest, `"href":"`):
			field, i = &a.Href, i+len(`"href":"`)
		case s[i+1] == 'a' && strings.HasPrefix(rest, `"app_href":"`):
			field, i = &a.AppHref, i+len(`"app_href":"`)
		case s[i+1] == 'i' && strings.HasPrefix(rest, `"id":`):
			i += len(`"id":`)
		default:
			return false
		}
		if field != nil {
			start := i
			if i = plainRun(s, i); i >= len(s) || s[i] != '"' {
				return false
			}
			*field = s[start:i]
			i++
		} else {
			// As int reads it: no sign, no leading zero, no fraction.
			start := i
			var n int64
			for i < len(s) && s[i] >= '0' && s[i] <= '9' && i-start < 17 {
				n = n*10 + int64(s[i]-'0')
				i++
			}
			if i == start || (s[start] == '0' && i-start > 1) {
				return false
			}
			a.ID = n
		}
		if i >= len(s) {
			return false
		}
		switch s[i] {
		case ',':
			i++
		case '}':
			p.i = i + 1
			return true
		default: // a digit past 17, a fraction, a space: for account
			return false
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

// account is object with field inlined: a login's thousands of accounts
// are most of a parse. An account written as Launchpad writes them is
// read by quickAccount.
func (p *plainParser) account(a *Account) bool {
	if p.quickAccount(a) {
		return true
	}
	*a = Account{}
	if !p.eat('{') {
		return false
	}
	if p.eat('}') {
		return true
	}
	for {
		key, ok := p.str()
		if !ok || !p.eat(':') {
			return false
		}
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
		if !ok {
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

// AccountsSpan is where in Body the accounts array lies, brackets
// included, as the plain parser found it; ok is false when it did not
// read a.
func (a *Authorization) AccountsSpan() (from, to int, ok bool) {
	return a.accountsAt[0], a.accountsAt[1], a.accountsAt[1] > 0
}

// SkimAuthorization reads body, a text ParseAuthorization read before
// (from the account cache), all but its accounts array, which lies at
// from:to (as AccountsSpan gave it): the identity and the expiry, at the
// cost of a few hundred bytes, not of thousands of accounts. It is for a
// run that already has what those accounts make (the list as a command
// writes it, kept with the cache) and needs only whose the answer is. The
// Authorization it gives says so (Skimmed) and lists no accounts. It
// fails when from:to is not an array in body, or the rest is no
// authorization.json.
func SkimAuthorization(body string, from, to int) (*Authorization, error) {
	if from <= 0 || to <= from+1 || to > len(body) || body[from] != '[' || body[to-1] != ']' {
		return nil, errors.New("the accounts are not where the cache says")
	}
	a, err := ParseAuthorization(body[:from] + "[]" + body[to:])
	if err != nil {
		return nil, err
	}
	if len(a.Accounts) != 0 {
		return nil, errors.New("the answer lists accounts twice")
	}
	a.body, a.accountsAt, a.skimmed, a.plain, a.Accounts = body, [2]int{from, to}, true, false, nil
	return a, nil
}

// Indexed reports whether AccountIndex can be had: a was read by the
// plain parser, and its Body is the text.
func (a *Authorization) Indexed() bool { return a.accountsAt[1] > 0 }

// AccountIndex is, for each of a's accounts, in order, its id and where
// in Body its object starts, for an index of the text by id (see
// AccountAt); ok is false when a was not read by the plain parser.
func (a *Authorization) AccountIndex() (ids []int64, at []int, ok bool) {
	if a.accountsAt[1] == 0 {
		return nil, nil, false
	}
	p := plainParser{s: a.body, i: a.accountsAt[0]}
	if !p.eat('[') {
		return nil, nil, false
	}
	ids, at = make([]int64, 0, len(a.Accounts)), make([]int, 0, len(a.Accounts))
	for !p.eat(']') {
		if len(at) > 0 && !p.eat(',') {
			return nil, nil, false
		}
		p.ws()
		var acc Account
		at = append(at, p.i)
		if !p.account(&acc) {
			return nil, nil, false
		}
		ids = append(ids, acc.ID)
	}
	if len(ids) != len(a.Accounts) {
		return nil, nil, false
	}
	return ids, at, true
}

// AccountAt reads the account whose object starts text, as the plain
// parser reads one in an authorization.json, and says where the object
// ends; ok is false when it is not such an account, or is cut short.
func AccountAt(text string) (a Account, end int, ok bool) {
	p := plainParser{s: text}
	if !p.account(&a) {
		return Account{}, 0, false
	}
	return a, p.i, true
}
