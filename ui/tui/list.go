package tui

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"bcauth/auth"
	"bcauth/ui/core"

	"github.com/charmbracelet/x/ansi"
	"github.com/sahilm/fuzzy"
)

// row is one account, ready to draw: every server string already cleaned,
// and a lower-cased haystack for the filter.
type row struct {
	acc      auth.Account
	key      string
	name     string // cleaned
	id       string
	product  auth.Product
	prodName string // cleaned
	href     string // cleaned
	appHref  string // cleaned
	hay      string // lower-cased name, id, product code and name
	nameLen  int    // bytes of hay that are the name
}

// line is one visible line of the grouped list: a group heading or an
// account (index into rows), with the runes of its name the filter matched.
type line struct {
	heading string
	count   int
	row     int   // -1 for a heading
	marks   []int // rune indexes into the row's name to highlight
}

// accountList holds the accounts grouped by product, the filter and the
// selection. It keeps no terminal state; render draws it.
type accountList struct {
	rows    []row
	filter  string
	lines   []line // headings and matching accounts, in order
	visible []int  // indexes into lines of the selectable (account) lines
	cursor  int    // index into visible
	offset  int    // first line drawn
	// nameWidth and idWidth are the widest name and id, in cells, so the
	// ids line up right after the names.
	nameWidth, idWidth int
	// best is the index into visible of the filter's best match.
	best int
}

func newAccountList(accounts []auth.Account) accountList {
	accounts = core.SortAccounts(accounts)
	rows := make([]row, len(accounts))
	for i, a := range accounts {
		p := auth.LookupProduct(a.Product)
		r := row{
			acc:      a,
			key:      a.Key(),
			name:     core.Clean(a.Name),
			id:       strconv.FormatInt(a.ID, 10),
			product:  p,
			prodName: core.Clean(p.Label()),
			href:     core.Clean(a.Href),
			appHref:  core.Clean(a.AppHref),
		}
		if r.name == "" {
			r.name = "(no name)"
		}
		lowName := strings.ToLower(r.name)
		r.hay, r.nameLen = lowName+"\x00"+r.id+"\x00"+strings.ToLower(core.Clean(a.Product)+"\x00"+r.prodName), len(lowName)
		rows[i] = r
	}
	l := accountList{rows: rows}
	for _, r := range rows {
		l.nameWidth = max(l.nameWidth, ansi.StringWidth(r.name))
		l.idWidth = max(l.idWidth, len(r.id))
	}
	l.apply()
	return l
}

// setFilter changes the filter and keeps the selected account when it
// still holds the filter as typed; else the best match is selected.
func (l *accountList) setFilter(f string) {
	if f == l.filter {
		return
	}
	keep, sel := l.selectedKey(), -1
	if r, ok := l.selected(); ok && strings.Contains(r.hay, strings.ToLower(strings.TrimSpace(f))) {
		sel = 0
	}
	l.filter = f
	l.apply()
	if sel < 0 || !l.selectKey(keep) {
		l.cursor = l.best
	}
}

// apply rebuilds the visible lines from the rows and the filter. The
// filter matches fuzzily (the letters in order, as bubbles' list does);
// within each product, accounts that hold it as it was typed come first,
// then the others by how well they match.
func (l *accountList) apply() {
	needle := strings.ToLower(strings.TrimSpace(l.filter))
	l.lines = l.lines[:0]
	l.visible = l.visible[:0]
	order := l.matches(needle)
	head, bestScore, bestExact := -1, 0, false
	l.best = 0
	for _, m := range order {
		r := &l.rows[m.Index]
		if head < 0 || l.rows[l.lines[head+1].row].acc.Product != r.acc.Product {
			l.lines = append(l.lines, line{heading: r.prodName, row: -1})
			head = len(l.lines) - 1
		}
		l.lines[head].count++
		if exact := needle != "" && strings.Contains(r.hay, needle); len(l.visible) == 0 ||
			(exact && !bestExact) || (exact == bestExact && m.Score > bestScore) {
			l.best, bestScore, bestExact = len(l.visible), m.Score, exact
		}
		l.visible = append(l.visible, len(l.lines))
		l.lines = append(l.lines, line{row: m.Index, marks: nameRunes(r, m.MatchedIndexes)})
	}
	if l.cursor >= len(l.visible) {
		l.cursor = max(0, len(l.visible)-1)
	}
	l.offset = 0
}

// matches are the rows the needle matches, in the order to show them:
// by product as sorted, exact matches first in each, then by score.
func (l *accountList) matches(needle string) []fuzzy.Match {
	if needle == "" {
		out := make([]fuzzy.Match, len(l.rows))
		for i := range out {
			out[i].Index = i
		}
		return out
	}
	found := fuzzy.FindFromNoSort(needle, hays(l.rows))
	exact := func(m fuzzy.Match) bool { return strings.Contains(l.rows[m.Index].hay, needle) }
	for i, m := range found {
		if at := strings.Index(l.rows[m.Index].hay, needle); at >= 0 {
			// Highlight the run typed, not letters picked here and there.
			found[i].MatchedIndexes = make([]int, 0, len(needle))
			for b := at; b < at+len(needle); b++ {
				found[i].MatchedIndexes = append(found[i].MatchedIndexes, b)
			}
		}
	}
	slices.SortStableFunc(found, func(a, b fuzzy.Match) int {
		ra, rb := &l.rows[a.Index], &l.rows[b.Index]
		if ra.acc.Product != rb.acc.Product {
			return cmp.Compare(a.Index, b.Index) // rows are sorted by product
		}
		if ea, eb := exact(a), exact(b); ea != eb {
			if ea {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Index, b.Index))
	})
	return found
}

// hays is the rows' haystacks, for fuzzy.
type hays []row

func (h hays) String(i int) string { return h[i].hay }
func (h hays) Len() int            { return len(h) }

// nameRunes turns matched byte offsets in a row's haystack into rune
// indexes of its name (lower-casing keeps the number of runes).
func nameRunes(r *row, offsets []int) []int {
	var out []int
	for _, b := range offsets {
		if b < r.nameLen && utf8.RuneStart(r.hay[b]) {
			out = append(out, utf8.RuneCountInString(r.hay[:b]))
		}
	}
	return out
}

// selected returns the selected row, if any account is visible.
func (l *accountList) selected() (*row, bool) {
	if len(l.visible) == 0 {
		return nil, false
	}
	return &l.rows[l.lines[l.visible[l.cursor]].row], true
}

func (l *accountList) selectedKey() string {
	if r, ok := l.selected(); ok {
		return r.key
	}
	return ""
}

// selectKey moves the selection to the account with the key, if visible.
func (l *accountList) selectKey(key string) bool {
	if key == "" {
		return false
	}
	for i, li := range l.visible {
		if l.rows[l.lines[li].row].key == key {
			l.cursor = i
			return true
		}
	}
	return false
}

func (l *accountList) move(delta int) {
	if len(l.visible) == 0 {
		return
	}
	l.cursor = min(max(l.cursor+delta, 0), len(l.visible)-1)
}

// scroll keeps the selected line, and its group heading when it fits, in a
// window of height lines.
func (l *accountList) scroll(height int) {
	if height <= 0 || len(l.visible) == 0 {
		l.offset = 0
		return
	}
	sel := l.visible[l.cursor]
	// The first line drawn is always a heading (the group's own, kept on
	// top when scrolled into it), so the selection must sit below it.
	top := max(sel-1, 0)
	if top < l.offset {
		l.offset = top
	}
	if sel >= l.offset+height {
		l.offset = sel - height + 1
	}
	l.offset = min(l.offset, max(0, len(l.lines)-height))
}

// headingOf is the index of the heading of line i's group.
func (l *accountList) headingOf(i int) int {
	for i > 0 && l.lines[i].row >= 0 {
		i--
	}
	return i
}

// around counts the accounts above and below a window of height lines.
func (l *accountList) around(height int) (above, below int) {
	end := min(l.offset+height, len(l.lines))
	for i, li := range l.lines {
		switch {
		case li.row < 0:
		case i <= l.offset && l.lines[l.offset].row >= 0 || i < l.offset:
			above++ // before the window, or under the kept heading
		case i >= end:
			below++
		}
	}
	return above, below
}

// products counts the groups shown.
func (l *accountList) products() int {
	n := 0
	for _, li := range l.lines {
		if li.row < 0 {
			n++
		}
	}
	return n
}
