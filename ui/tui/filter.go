package tui

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The filter, as a person expects it to behave: each word typed must be
// found in one field of the account (its name, id, product code or product
// name), either as it was typed or as the first letters of neighbouring
// words ("wayent" for "Wayne Enterprises"). Letters scattered over a long
// name, which a plain fuzzy match accepts ("hon" in "The Worshipful…"), are
// not a match. Matches rank whole field first, then the start of the field,
// the start of a word, inside a word, and word starts last.

// Scores of a term's match in one field, best first.
const (
	scoreWhole     = 1000 // the whole field, as "bc3" or "44444444"
	scoreFieldHead = 800  // the field starts with it
	scoreWordHead  = 600  // a word starts with it
	scoreInside    = 400  // inside a word, as "9999" in "99999999"
	scoreInitials  = 200  // the first letters of neighbouring words
)

// field is one searchable text of an account: lower-cased, with the byte
// offsets where its words start.
type field struct {
	text   string
	starts []int
}

func newField(s string) field {
	f := field{text: strings.ToLower(s)}
	prev := false
	for i, r := range f.text {
		word := unicode.IsLetter(r) || unicode.IsDigit(r)
		if word && !prev {
			f.starts = append(f.starts, i)
		}
		prev = word
	}
	return f
}

// hit is where a term matched in a field: its score and the byte offsets
// of the letters it matched.
type hit struct {
	score int
	bytes []int
}

// find matches term (lower-cased, no spaces) in f; ok is false when it is
// not there in any of the ways the filter accepts.
func (f field) find(term string) (hit, bool) {
	if at := f.bestIndex(term); at >= 0 {
		h := hit{score: scoreInside}
		switch {
		case len(term) == len(f.text):
			h.score = scoreWhole
		case at == 0:
			h.score = scoreFieldHead
		case f.wordStart(at):
			h.score = scoreWordHead
		}
		for b := at; b < at+len(term); b++ {
			h.bytes = append(h.bytes, b)
		}
		return h, true
	}
	dead := map[[2]int]bool{}
	for w := range f.starts {
		if bytes, ok := f.initials(term, w, nil, dead); ok {
			return hit{score: scoreInitials, bytes: bytes}, true
		}
	}
	return hit{}, false
}

// bestIndex is where term occurs in f, preferring the start of a word;
// -1 when it does not.
func (f field) bestIndex(term string) int {
	first := strings.Index(f.text, term)
	if first < 0 || f.wordStart(first) {
		return first
	}
	for _, s := range f.starts {
		if s > first && strings.HasPrefix(f.text[s:], term) {
			return s
		}
	}
	return first
}

func (f field) wordStart(at int) bool {
	for _, s := range f.starts {
		if s == at {
			return true
		}
	}
	return false
}

// initials matches term as prefixes of the words from w on, one after
// another, each taking at least one letter: "hd" or "hodes" in "Honcho
// Design". It needs two words at least (one is a plain prefix). dead
// remembers the (rest of the term, word) pairs that failed, so a name of
// many alike words cannot make the search exponential.
func (f field) initials(term string, w int, got []int, dead map[[2]int]bool) ([]int, bool) {
	if term == "" {
		return got, len(got) > 0
	}
	if w >= len(f.starts) || dead[[2]int{len(term), w}] {
		return nil, false
	}
	word := f.text[f.starts[w]:]
	if end := strings.IndexFunc(word, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }); end >= 0 {
		word = word[:end]
	}
	n := 0
	for n < len(term) && n < len(word) && term[n] == word[n] {
		n++
	}
	// The longest prefix first: "wayent" is "wayne"'s "way", then "ent".
	for ; n > 0; n-- {
		if n == len(term) && len(got) == 0 {
			continue // all in one word: a prefix, found by bestIndex
		}
		if n < len(term) && !utf8.RuneStart(term[n]) {
			continue // mid-letter
		}
		more := append(got[:len(got):len(got)], seq(f.starts[w], n)...)
		if out, ok := f.initials(term[n:], w+1, more, dead); ok {
			return out, true
		}
	}
	if len(got) > 0 {
		dead[[2]int{len(term), w}] = true
	}
	return nil, false
}

// seq is the n offsets from at.
func seq(at, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = at + i
	}
	return out
}

// terms splits a filter into the lower-cased words that must each match.
func terms(filter string) []string {
	return strings.Fields(strings.ToLower(filter))
}

// rowMatch is how a row matches a filter: its score (the sum of its
// terms' best), whether every term was found as typed, and what to
// highlight in its name (rune indexes) and id (byte indexes).
type rowMatch struct {
	score    int
	asTyped  bool
	name, id []int
}

// match matches every term in one of r's fields; ok is false when one is
// in none.
func (r *row) match(terms []string) (rowMatch, bool) {
	m := rowMatch{asTyped: true}
	for _, t := range terms {
		best, in := hit{}, -1
		for i, f := range r.fields {
			if h, ok := f.find(t); ok && h.score > best.score {
				best, in = h, i
			}
		}
		if in < 0 {
			return rowMatch{}, false
		}
		m.score += best.score
		m.asTyped = m.asTyped && best.score > scoreInitials
		switch in {
		case fieldName:
			for _, b := range best.bytes {
				if utf8.RuneStart(r.fields[fieldName].text[b]) {
					m.name = append(m.name, utf8.RuneCountInString(r.fields[fieldName].text[:b]))
				}
			}
		case fieldID:
			m.id = append(m.id, best.bytes...)
		}
	}
	slices.Sort(m.name)
	m.name = slices.Compact(m.name)
	slices.Sort(m.id)
	m.id = slices.Compact(m.id)
	return m, true
}

// The fields of a row, in row.fields.
const (
	fieldName = iota
	fieldID
	fieldCode
	fieldProduct
)
