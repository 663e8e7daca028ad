package cli

import (
	"bytes"
	"io"
)

// Highrise's /me.xml answers with the person's own API token in <token>:
// launchpad.md says never to show it. tokenRedactor reads an answer and
// hands it on with what stands between <token> and </token> replaced,
// whatever chunks the answer arrives in.
type tokenRedactor struct {
	r       io.Reader
	pending []byte // read, not yet decided on
	out     []byte // decided, not yet handed on
	inToken bool
	eof     bool
}

const (
	tokenOpen  = "<token>"
	tokenClose = "</token>"
	redacted   = "REDACTED"
)

func redactTokens(r io.Reader) io.Reader { return &tokenRedactor{r: r} }

func (t *tokenRedactor) Read(p []byte) (int, error) {
	buf := make([]byte, 32<<10)
	for len(t.out) == 0 && !t.eof {
		n, err := t.r.Read(buf)
		t.pending = append(t.pending, buf[:n]...)
		if err == io.EOF {
			t.eof = true
		} else if err != nil {
			return 0, err
		}
		t.decide()
	}
	if len(t.out) == 0 {
		return 0, io.EOF
	}
	n := copy(p, t.out)
	t.out = t.out[n:]
	return n, nil
}

// decide moves what pending holds to out, redacted, keeping back only a
// tail that could be the start of a tag.
func (t *tokenRedactor) decide() {
	for {
		if !t.inToken {
			if i := bytes.Index(t.pending, []byte(tokenOpen)); i >= 0 {
				t.out = append(t.out, t.pending[:i+len(tokenOpen)]...)
				t.pending = t.pending[i+len(tokenOpen):]
				t.inToken = true
				continue
			}
			keep := 0
			if !t.eof {
				keep = min(len(t.pending), len(tokenOpen)-1)
			}
			t.out = append(t.out, t.pending[:len(t.pending)-keep]...)
			t.pending = t.pending[len(t.pending)-keep:]
			return
		}
		if i := bytes.Index(t.pending, []byte(tokenClose)); i >= 0 {
			t.out = append(t.out, redacted...)
			t.pending = t.pending[i:]
			t.inToken = false
			continue
		}
		if t.eof {
			t.out = append(t.out, redacted...) // an answer cut inside the token
			t.pending = nil
			return
		}
		keep := min(len(t.pending), len(tokenClose)-1)
		t.pending = t.pending[len(t.pending)-keep:] // the token itself is dropped
		return
	}
}
