package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// JSON for a terminal: indented and coloured token by token from a
// json.Decoder, so an answer of any size streams through in bounded
// memory. Strings are written as encodeJSON writes them, so no control
// character from the server reaches the terminal raw. No Bubble Tea, no
// lipgloss: a handful of SGR codes.

// SGR colours of JSON's parts.
const (
	colorKey    = "\x1b[34;1m" // bold blue
	colorString = "\x1b[32m"   // green
	colorNumber = "\x1b[36m"   // cyan
	colorLit    = "\x1b[35m"   // magenta: true, false, null
	colorReset  = "\x1b[0m"
)

// jsonFrame is one open array or object.
type jsonFrame struct {
	object bool
	n      int  // values (or keys) written so far
	value  bool // in an object: the next token is a key's value
}

// writePrettyJSON reads JSON values from r and writes them indented, one
// top-level value after another, coloured when color is set.
func writePrettyJSON(w io.Writer, r io.Reader, color bool) error {
	p := &prettyJSON{bw: bufio.NewWriterSize(w, 32<<10), color: color}
	dec := boundedDecoder(r, "a value of the answer")
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if p.wrote {
				// End the half-printed document's line, so the error
				// that follows starts on its own.
				p.bw.WriteByte('\n')
			}
			p.bw.Flush()
			return err
		}
		p.token(tok)
		if len(p.stack) > MaxDepth {
			p.bw.WriteByte('\n')
			p.bw.Flush()
			return &valueTooLong{fmt.Sprintf("its arrays and objects nest deeper than %d", MaxDepth)}
		}
	}
	return p.bw.Flush()
}

// prettyJSON indents and colours a stream of JSON tokens as they come.
type prettyJSON struct {
	bw    *bufio.Writer
	color bool
	stack []jsonFrame
	wrote bool
}

func (p *prettyJSON) paint(c, s string) {
	if p.color {
		p.bw.WriteString(c + s + colorReset)
	} else {
		p.bw.WriteString(s)
	}
}

func (p *prettyJSON) newline(depth int) {
	p.bw.WriteByte('\n')
	for range depth {
		p.bw.WriteString("  ")
	}
}

// token writes one token: a closing delimiter, a key, or a value.
func (p *prettyJSON) token(tok json.Token) {
	p.wrote = true
	if d, ok := tok.(json.Delim); ok && (d == ']' || d == '}') {
		f := p.stack[len(p.stack)-1]
		p.stack = p.stack[:len(p.stack)-1]
		if f.n > 0 {
			p.newline(len(p.stack))
		}
		p.bw.WriteByte(byte(d))
		p.endValue()
		return
	}
	// A key, or a value where one is due.
	if len(p.stack) > 0 {
		f := &p.stack[len(p.stack)-1]
		if !f.value {
			if f.n > 0 {
				p.bw.WriteByte(',')
			}
			p.newline(len(p.stack))
			f.n++
			if f.object {
				p.paint(colorKey, jsonString(tok.(string)))
				p.bw.WriteString(": ")
				f.value = true
				return
			}
		}
	}
	if d, ok := tok.(json.Delim); ok {
		p.bw.WriteByte(byte(d))
		p.stack = append(p.stack, jsonFrame{object: d == '{'})
		return
	}
	p.scalar(tok)
	p.endValue()
}

func (p *prettyJSON) scalar(tok json.Token) {
	switch v := tok.(type) {
	case string:
		p.paint(colorString, jsonString(v))
	case json.Number:
		p.paint(colorNumber, v.String())
	case bool:
		p.paint(colorLit, strconv.FormatBool(v))
	case nil:
		p.paint(colorLit, "null")
	}
}

// endValue ends a value: the document's line at the top level, else the
// key's wait for it.
func (p *prettyJSON) endValue() {
	if len(p.stack) == 0 {
		p.bw.WriteByte('\n')
	} else {
		p.stack[len(p.stack)-1].value = false
	}
}

// jsonString is s as encodeJSON writes it: quoted, no HTML escaping, every
// character a terminal could act on escaped.
func jsonString(s string) string {
	return string(appendJSONString(nil, s))
}

// terminalWriter passes text to a terminal with every control character
// but tab and line feed, and every invisible format character, replaced
// by U+FFFD; a carriage return is dropped. It holds back a rune split
// across writes.
type terminalWriter struct {
	w    io.Writer
	tail []byte
	// wrote and last: whether anything was written, and its last byte.
	wrote bool
	last  byte
}

// endsLine says the output so far is empty or ends with a line break.
func (t *terminalWriter) endsLine() bool { return !t.wrote || t.last == '\n' }

func newTerminalWriter(w io.Writer) *terminalWriter { return &terminalWriter{w: w} }

func (t *terminalWriter) Write(p []byte) (int, error) {
	b := append(t.tail, p...)
	t.tail = nil
	var out bytes.Buffer
	out.Grow(len(b))
	for len(b) > 0 {
		if !utf8.FullRune(b) {
			t.tail = append([]byte(nil), b...)
			break
		}
		r, n := utf8.DecodeRune(b)
		switch {
		case r == '\r':
		case r == '\n' || r == '\t':
			out.WriteRune(r)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == utf8.RuneError && n == 1,
			unicode.Is(unicode.Cf, r) && r != '\u200d' && r != '\u200c':
			out.WriteRune(utf8.RuneError)
		default:
			out.Write(b[:n])
		}
		b = b[n:]
	}
	if out.Len() > 0 {
		t.wrote, t.last = true, out.Bytes()[out.Len()-1]
	}
	if _, err := t.w.Write(out.Bytes()); err != nil {
		return 0, err
	}
	return len(p), nil
}
