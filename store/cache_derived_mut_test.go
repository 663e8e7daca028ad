package store

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"bcauth/auth"
)

// These tests hold the order and the view kept with the account cache to
// what their comments say at the edges that mutation testing found
// untested: a By at its longest, the same order or view saved again under
// another By or with another text, a view at the size limit, a view
// mapped.

// orderOf is the order 0, 1, ..., n-1.
func orderOf(n int) []uint32 {
	at := make([]uint32, n)
	for k := range at {
		at[k] = uint32(k)
	}
	return at
}

// headOf is the first line of the cache file at path.
func headOf(t *testing.T, path string) string {
	t.Helper()
	data := readFile(t, path)
	return string(data[:bytes.IndexByte(data, '\n')])
}

// TestCacheDerivedByAtItsLongest checks that a By of maxDerivedBy bytes,
// the longest the head carries, names an order and a view that are kept
// and given back.
func TestCacheDerivedByAtItsLongest(t *testing.T) {
	s, _ := cacheStore(t)
	sess := session(ada, "a")
	a := parsedAnswer(t, 20)
	by := strings.Repeat("r", maxDerivedBy)
	order := orderOf(20)
	view := View{By: by, Text: "the list\n"}
	if err := s.SaveAuthorizationWith(sess.Key(), a, t0, Derived{Order: Order{By: by, At: order}, View: view}); err != nil {
		t.Fatal(err)
	}
	body, _, ok := s.LoadAuthorizationText(sess)
	if !ok {
		t.Fatal("the answer is not shown")
	}
	if got, ok := s.CachedOrder(body, by); !ok || !slices.Equal(got, order) {
		t.Errorf("an order named by %d bytes: %v, %v", len(by), got, ok)
	}
	if text, _, _, ok := s.CachedView(body, by); !ok || text != view.Text {
		t.Errorf("a view named by %d bytes: %q, %v", len(by), text, ok)
	}
}

// TestCacheDerivedSavedAgain checks that saving the answer just read with
// the same order, or the same view, under another By, or with another
// view under the same By, is not taken for the file as it is: the new
// By, or the new text, is the one given afterwards.
func TestCacheDerivedSavedAgain(t *testing.T) {
	s, _ := cacheStore(t)
	sess := session(ada, "a")
	a := parsedAnswer(t, 30)
	order := orderOf(30)
	save := func(d Derived) string {
		t.Helper()
		if err := s.SaveAuthorizationWith(sess.Key(), a, t0, d); err != nil {
			t.Fatal(err)
		}
		body, _, ok := s.LoadAuthorizationText(sess)
		if !ok {
			t.Fatal("the answer is not shown")
		}
		return body
	}

	body := save(Derived{Order: Order{By: "rules/1", At: order}})
	if _, ok := s.CachedOrder(body, "rules/1"); !ok {
		t.Fatal("the order is not kept")
	}
	// The same places, by other rules.
	body = save(Derived{Order: Order{By: "rules/2", At: slices.Clone(order)}})
	if got, ok := s.CachedOrder(body, "rules/2"); !ok || !slices.Equal(got, order) {
		t.Errorf("the same order by other rules: %v, %v", got, ok)
	}
	if _, ok := s.CachedOrder(body, "rules/1"); ok {
		t.Error("the same order by other rules: the first rules' is still given")
	}

	body = save(Derived{View: View{By: "list/1", Text: "one\n"}})
	if text, _, _, ok := s.CachedView(body, "list/1"); !ok || text != "one\n" {
		t.Fatalf("the view: %q, %v", text, ok)
	}
	// The same text, by another view (the first was read just now).
	body = save(Derived{View: View{By: "list/2", Text: "one\n"}})
	if text, _, _, ok := s.CachedView(body, "list/2"); !ok || text != "one\n" {
		t.Errorf("the same text by another view: %q, %v", text, ok)
	}
	if _, _, _, ok := s.CachedView(body, "list/1"); ok {
		t.Error("the same text by another view: the first view is still given")
	}
	// Another text, by the same view, the one kept having been read.
	if _, _, _, ok := s.CachedView(body, "list/2"); !ok {
		t.Fatal("the view is not given")
	}
	body = save(Derived{View: View{By: "list/2", Text: "two\n"}})
	if text, _, _, ok := s.CachedView(body, "list/2"); !ok || text != "two\n" {
		t.Errorf("another text by the same view: %q, %v; want %q", text, ok, "two\n")
	}
}

// TestCacheViewAtTheLimit checks that a view is kept when it and the
// order are at most maxCacheBytes, and not when the view is a byte
// longer; the answer and the order are kept either way.
func TestCacheViewAtTheLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("writes two 20 MiB files")
	}
	a := parsedAnswer(t, 300)
	d := Derived{Order: Order{By: "rules/1", At: orderOf(300)}}
	room := maxCacheBytes - 300*orderRecord
	for _, tc := range []struct {
		n    int
		kept bool
	}{{room, true}, {room + 1, false}} {
		s, _ := cacheStore(t)
		sess := session(ada, "a")
		kept := s.keptPath(sess.Key())
		d.View = View{By: "list/1", Text: strings.Repeat("v", tc.n)}
		if err := s.SaveAuthorizationWith(sess.Key(), a, t0, d); err != nil {
			t.Fatal(err)
		}
		head := headOf(t, kept)
		if got := strings.Contains(head, `"view"`); got != tc.kept {
			t.Errorf("a view of %d bytes (room for %d): kept %v, want %v: %s", tc.n, room, got, tc.kept, head)
		}
		body, _, ok := s.LoadAuthorizationText(sess)
		if !ok || body != a.Body() {
			t.Fatalf("a view of %d bytes: the answer is not shown", tc.n)
		}
		if _, _, _, ok := s.CachedView(body, "list/1"); ok != tc.kept {
			t.Errorf("a view of %d bytes: given %v, want %v", tc.n, ok, tc.kept)
		}
		if got, ok := s.CachedOrder(body, "rules/1"); !ok || len(got) != 300 {
			t.Errorf("a view of %d bytes: the order is not given", tc.n)
		}
	}
}

// TestCacheViewMapped checks that a large view, mapped into memory from
// where it starts in the file, reads as written: from an offset off a
// page, and from half a page in (where a mapping placed off by the same
// distance the other way would still start on a page).
func TestCacheViewMapped(t *testing.T) {
	page := os.Getpagesize()
	var b strings.Builder
	for i := 0; b.Len() < mapFrom+5000; i++ {
		fmt.Fprintf(&b, "line %d of the list\n", i)
	}
	text := b.String()
	for _, half := range []bool{false, true} {
		s, _ := cacheStore(t)
		sess := session(ada, "a")
		path := s.keptPath(sess.Key())
		// Accounts, their order, and a By as long, as put the view where
		// wanted: after the kept file's first line and the order.
		var a *auth.Authorization
		var view View
		found := false
		save := func(n, by int) int {
			t.Helper()
			a = parsedAnswer(t, n)
			view = View{By: strings.Repeat("v", by), Text: text}
			if err := s.SaveAuthorizationWith(sess.Key(), a, t0, Derived{Order: Order{By: "rules/1", At: orderOf(n)}, View: view}); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			return int((fi.Size() - int64(len(text))) % int64(page))
		}
		if !half {
			found = save(10, 1) != 0
		}
		from := (page/2 - save(10, 1) + 40) / orderRecord
		for n := max(from-20, 1); n < from+20 && half && !found; n++ {
			off := save(n, 1)
			if need := page/2 - off; need >= 0 && need < maxDerivedBy {
				found = save(n, 1+need) == page/2
			}
		}
		if !found {
			t.Fatalf("no answer puts the view where wanted (half a page in: %v)", half)
		}
		s.MapCache()
		body, _, ok := s.LoadAuthorizationText(sess)
		if !ok {
			t.Fatal("the answer is not shown")
		}
		from, to, _ := a.AccountsSpan()
		if got, f, tt, ok := s.CachedView(body, view.By); !ok || got != view.Text || f != from || tt != to {
			t.Errorf("the view mapped (half a page in: %v): %d bytes, %d:%d, %v; want %d bytes, %d:%d", half, len(got), f, tt, ok, len(view.Text), from, to)
		}
		if _, err := auth.SkimAuthorization(body, from, to); err != nil {
			t.Errorf("the answer beside a mapped view: %v", err)
		}
	}
}
