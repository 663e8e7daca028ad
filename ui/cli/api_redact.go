package cli

import (
	"io"
	"strings"
)

// The classic products put the person's own API token in their answers:
// Highrise's /me.xml in <token>, Campfire's in <api-auth-token>.
// launchpad.md says never to show it. tokenRedactor reads an answer (any
// status, any type) and hands it on with every such value replaced by
// REDACTED, whatever chunks the answer arrives in and in whatever form
// bcauth can recognise: an XML element of that name, with attributes or
// spaces in its tag (<token type="string">, <token >), and a JSON member
// of that name, a string or a bare value. It reads byte by byte and holds
// back at most a tag or key name's length, so it streams in bounded memory.
type tokenRedactor struct {
	json  bool // reads JSON (keys and strings), else XML (tags)
	r     io.Reader
	buf   []byte
	out   []byte // decided, not yet handed on
	state redactState
	name  []byte // the tag or key name being read, or the open tag's
	esc   bool   // in a JSON string, after a backslash
	quote byte   // in a tag, inside an attribute's quotes
	slash bool   // in a tag, the last byte was '/'
	eof   bool
}

type redactState int

const (
	plain      redactState = iota
	tagName                // after "<": name holds the name so far
	inOpenTag              // after a secret's tag name: attributes up to ">"
	inElement              // the secret's text, dropped
	closeStart             // in inElement, after "<"
	closeName              // in inElement, after "</": name so far
	keyName                // after '"': name holds the key so far
	afterKey               // a secret's key and its closing quote: spaces, then ':'
	afterColon             // spaces, then the value
	inString               // the secret's string, dropped
	inBare                 // the secret's bare value (a number), dropped
	inOther                // another JSON string, too long or escaped to be a secret's key
)

const redacted = "REDACTED"

// maxSecretName is the longest name in secretNames: longer names are no
// secret's, so nothing longer is held back.
const maxSecretName = len("api-auth-token")

// isSecretName says whether an element or member of this name holds an API
// token.
func isSecretName(name []byte) bool {
	switch strings.ToLower(string(name)) {
	case "token", "api-auth-token", "api_auth_token", "api_token", "api-token":
		return true
	}
	return false
}

// redactTokens reads r through two redactors in turn, one for each
// grammar: XML's tags, then JSON's strings, which must be followed
// quote by quote so that a quote inside a string is never taken for the
// start of a key. Each only ever removes what the other left.
func redactTokens(r io.Reader) io.Reader {
	xml := &tokenRedactor{r: r, buf: make([]byte, 32<<10)}
	return &tokenRedactor{json: true, r: xml, buf: make([]byte, 32<<10)}
}

func (t *tokenRedactor) Read(p []byte) (int, error) {
	for len(t.out) == 0 && !t.eof {
		n, err := t.r.Read(t.buf)
		for _, c := range t.buf[:n] {
			t.step(c)
		}
		if err == io.EOF {
			t.eof = true
			t.end()
		} else if err != nil {
			return 0, err
		}
	}
	if len(t.out) == 0 {
		return 0, io.EOF
	}
	n := copy(p, t.out)
	t.out = t.out[n:]
	if len(t.out) == 0 {
		t.out = t.out[:0:0]
	}
	return n, nil
}

// end settles what is held back when the answer ends.
func (t *tokenRedactor) end() {
	switch t.state {
	case tagName:
		t.out = append(append(t.out, '<'), t.name...)
	case keyName:
		t.out = append(append(t.out, '"'), t.name...)
	case inElement, closeStart, closeName, inString:
		t.out = append(t.out, redacted...) // an answer cut inside the token
	case inBare:
		t.out = append(t.out, `"`+redacted+`"`...)
	}
	t.state = plain
}

func nameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == ':' || c == '.'
}

func space(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// step moves the machine on by one byte.
func (t *tokenRedactor) step(c byte) {
	switch t.state {
	case plain:
		switch {
		case c == '<' && !t.json:
			t.state, t.name = tagName, t.name[:0]
		case c == '"' && t.json:
			t.state, t.name = keyName, t.name[:0]
		default:
			t.out = append(t.out, c)
		}
	case tagName:
		if nameByte(c) && len(t.name) < maxSecretName {
			t.name = append(t.name, c)
			return
		}
		secret := isSecretName(t.name)
		t.out = append(append(t.out, '<'), t.name...)
		switch {
		case secret && c == '>':
			t.out = append(t.out, c)
			t.state = inElement
		case secret && (space(c) || c == '/'):
			t.out = append(t.out, c)
			t.state, t.quote, t.slash = inOpenTag, 0, c == '/'
		default:
			t.state = plain
			t.step(c)
		}
	case inOpenTag:
		t.out = append(t.out, c)
		slash := t.slash
		t.slash = false
		switch {
		case t.quote != 0:
			if c == t.quote {
				t.quote = 0
			}
		case c == '"' || c == '\'':
			t.quote = c
		case c == '/':
			t.slash = true
		case c == '>':
			if slash {
				t.state = plain // <token/>: empty
			} else {
				t.state = inElement
			}
		}
	case inElement:
		if c == '<' {
			t.state = closeStart
		}
	case closeStart:
		switch c {
		case '/':
			t.state, t.name = closeName, t.name[:0]
		case '<':
		default:
			t.state = inElement
		}
	case closeName:
		if nameByte(c) && len(t.name) < maxSecretName {
			t.name = append(t.name, c)
			return
		}
		if isSecretName(t.name) && (c == '>' || space(c)) {
			t.out = append(append(append(append(t.out, redacted...), "</"...), t.name...), c)
			t.state = plain
			return
		}
		t.state = inElement
		t.step(c)
	case keyName:
		switch {
		case c == '"':
			t.out = append(append(append(t.out, '"'), t.name...), '"')
			if isSecretName(t.name) {
				t.state = afterKey
			} else {
				t.state = plain
			}
		case c != '\\' && len(t.name) < maxSecretName:
			t.name = append(t.name, c)
		default: // an escape, or a name too long: no secret's, read to its end
			t.out = append(append(t.out, '"'), t.name...)
			t.state, t.esc = inOther, false
			t.step(c)
		}
	case inOther:
		t.out = append(t.out, c)
		switch {
		case t.esc:
			t.esc = false
		case c == '\\':
			t.esc = true
		case c == '"':
			t.state = plain
		}
	case afterKey:
		switch {
		case space(c):
			t.out = append(t.out, c)
		case c == ':':
			t.out = append(t.out, c)
			t.state = afterColon
		default:
			t.state = plain
			t.step(c)
		}
	case afterColon:
		switch {
		case space(c):
			t.out = append(t.out, c)
		case c == '"':
			t.out = append(t.out, c)
			t.state, t.esc = inString, false
		case c == '-' || c >= '0' && c <= '9':
			t.state = inBare // a number: dropped, written as a string
		default: // null, an object: no token to hide
			t.state = plain
			t.step(c)
		}
	case inString:
		switch {
		case t.esc:
			t.esc = false
		case c == '\\':
			t.esc = true
		case c == '"':
			t.out = append(append(t.out, redacted...), '"')
			t.state = plain
		}
	case inBare:
		if c == ',' || c == '}' || c == ']' || space(c) {
			t.out = append(append(t.out, `"`+redacted+`"`...), c)
			t.state = plain
		}
	}
}
