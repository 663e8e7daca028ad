package tui

import (
	"cmp"
	"slices"
	"strconv"

	"bcauth/auth"
	"bcauth/ui/core"

	"github.com/charmbracelet/x/ansi"
)

// row is one account, ready to draw: every server string already cleaned,
// and the fields the filter searches.
type row struct {
	acc      auth.Account
	key      string
	name     string // cleaned
	id       string
	product  auth.Product
	prodName string // cleaned
	href     string // cleaned
	appHref  string // cleaned
	fields   [4]field
}

// line is one visible line of the grouped list: a group heading or an
// account (index into rows), with what the filter matched in its name and id.
type line struct {
	heading string
	count   int
	row     int   // -1 for a heading
	marks   []int // rune indexes into the row's name to highlight
	idMarks []int // byte indexes into the row's id to highlight
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
	// groups is how many products there are, filter aside.
	groups int
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
		r.fields[fieldName] = newField(r.name)
		r.fields[fieldID] = newField(r.id)
		r.fields[fieldCode] = newField(core.Clean(a.Product))
		r.fields[fieldProduct] = newField(r.prodName)
		rows[i] = r
	}
	l := accountList{rows: rows}
	for i, r := range rows {
		l.nameWidth = max(l.nameWidth, ansi.StringWidth(r.name))
		l.idWidth = max(l.idWidth, len(r.id))
		if i == 0 || rows[i-1].acc.Product != r.acc.Product {
			l.groups++
		}
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
	if r, ok := l.selected(); ok {
		if m, ok := r.match(terms(f)); ok && m.asTyped {
			sel = 0
		}
	}
	l.filter = f
	l.apply()
	if sel < 0 || !l.selectKey(keep) {
		l.cursor = l.best
	}
}

// found is a row the filter matched.
type found struct {
	index int
	rowMatch
}

// apply rebuilds the visible lines from the rows and the filter (see
// filter.go); within each product, the best matches come first.
func (l *accountList) apply() {
	l.lines = l.lines[:0]
	l.visible = l.visible[:0]
	order := l.matches(terms(l.filter))
	head, bestScore := -1, 0
	l.best = 0
	for _, m := range order {
		r := &l.rows[m.index]
		if head < 0 || l.rows[l.lines[head+1].row].acc.Product != r.acc.Product {
			l.lines = append(l.lines, line{heading: r.prodName, row: -1})
			head = len(l.lines) - 1
		}
		l.lines[head].count++
		if len(l.visible) == 0 || m.score > bestScore {
			l.best, bestScore = len(l.visible), m.score
		}
		l.visible = append(l.visible, len(l.lines))
		l.lines = append(l.lines, line{row: m.index, marks: m.name, idMarks: m.id})
	}
	if l.cursor >= len(l.visible) {
		l.cursor = max(0, len(l.visible)-1)
	}
	l.offset = 0
}

// matches are the rows every term matches, in the order to show them: by
// product as sorted, then by score, then as sorted.
func (l *accountList) matches(terms []string) []found {
	out := make([]found, 0, len(l.rows))
	for i := range l.rows {
		if m, ok := l.rows[i].match(terms); ok {
			out = append(out, found{index: i, rowMatch: m})
		}
	}
	if len(terms) == 0 {
		return out
	}
	slices.SortStableFunc(out, func(a, b found) int {
		if pa, pb := l.rows[a.index].acc.Product, l.rows[b.index].acc.Product; pa != pb {
			return cmp.Compare(a.index, b.index) // rows are sorted by product
		}
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.index, b.index))
	})
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
