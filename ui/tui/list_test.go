package tui

import (
	"slices"
	"testing"

	"bcauth/auth"
)

func TestFilterIsFuzzyWithExactMatchesFirst(t *testing.T) {
	l := newAccountList([]auth.Account{
		{Product: "bc3", ID: 1, Name: "Honcho Design"},
		{Product: "bc3", ID: 2, Name: "Hon Dsgn Co"}, // h-o-n…d-s… in order, not "hondes"
		{Product: "bc3", ID: 3, Name: "Acme"},
		{Product: "bcx", ID: 4, Name: "Honda Dealers"},
	})
	l.setFilter("hond")
	var names []string
	for _, v := range l.visible {
		names = append(names, l.rows[l.lines[v].row].name)
	}
	// Product order stays (bc3's two fuzzy matches, then bcx); Acme does
	// not match; the one that holds "hond" as typed is selected.
	if slices.Contains(names, "Acme") || len(names) != 3 || names[2] != "Honda Dealers" {
		t.Errorf("visible %q", names)
	}
	if r, _ := l.selected(); r == nil || r.name != "Honda Dealers" {
		t.Errorf("selected %+v, want the exact match", r)
	}
	l.setFilter("honch")
	if r, _ := l.selected(); r == nil || r.name != "Honcho Design" {
		t.Errorf("selected %+v, want the exact match", r)
	}
	if got := l.lines[l.visible[l.cursor]].marks; !slices.Equal(got, []int{0, 1, 2, 3, 4}) {
		t.Errorf("marks %v, want the run typed", got)
	}
}

func TestHighlight(t *testing.T) {
	br := func(s string) string { return "[" + s + "]" }
	id := func(s string) string { return s }
	if got := highlight("株式会社さくら", []int{1, 2, 5}, id, br); got != "株[式会]社さ[く]ら" {
		t.Errorf("highlight = %q", got)
	}
	if got := highlight("abc", nil, br, id); got != "[abc]" {
		t.Errorf("no marks = %q", got)
	}
}
