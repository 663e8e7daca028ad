package tui

import (
	"strconv"
	"strings"

	"bcauth/auth"
	"bcauth/ui"

	"github.com/charmbracelet/x/ansi"
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
}

// line is one visible line of the grouped list: a group heading or an
// account (index into rows).
type line struct {
	heading string
	count   int
	row     int // -1 for a heading
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
}

func newAccountList(accounts []auth.Account) accountList {
	accounts = ui.SortAccounts(accounts)
	rows := make([]row, len(accounts))
	for i, a := range accounts {
		p := auth.LookupProduct(a.Product)
		r := row{
			acc:      a,
			key:      a.Key(),
			name:     ui.Clean(a.Name),
			id:       strconv.FormatInt(a.ID, 10),
			product:  p,
			prodName: ui.Clean(p.Label()),
			href:     ui.Clean(a.Href),
			appHref:  ui.Clean(a.AppHref),
		}
		if r.name == "" {
			r.name = "(no name)"
		}
		r.hay = strings.ToLower(r.name + "\x00" + r.id + "\x00" + ui.Clean(a.Product) + "\x00" + r.prodName)
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
// still matches.
func (l *accountList) setFilter(f string) {
	if f == l.filter {
		return
	}
	keep := l.selectedKey()
	l.filter = f
	l.apply()
	if !l.selectKey(keep) {
		l.cursor = 0 // the old selection is gone: start at the first match
	}
}

// apply rebuilds the visible lines from the rows and the filter.
func (l *accountList) apply() {
	needle := strings.ToLower(strings.TrimSpace(l.filter))
	l.lines = l.lines[:0]
	l.visible = l.visible[:0]
	head := -1
	for i := range l.rows {
		r := &l.rows[i]
		if needle != "" && !strings.Contains(r.hay, needle) {
			continue
		}
		if head < 0 || l.rows[l.lines[head+1].row].acc.Product != r.acc.Product {
			l.lines = append(l.lines, line{heading: r.prodName, row: -1})
			head = len(l.lines) - 1
		}
		l.lines[head].count++
		l.visible = append(l.visible, len(l.lines))
		l.lines = append(l.lines, line{row: i})
	}
	if l.cursor >= len(l.visible) {
		l.cursor = max(0, len(l.visible)-1)
	}
	l.offset = 0
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
