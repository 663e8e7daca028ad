package store

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"bcauth/auth"
)

// TestCacheKeepsAnOrder checks that an order saved with an answer comes
// back with that answer only, and with the rules it was made by only;
// that the index, the counts and the answer read as ever beside it; that
// saving the same answer again keeps the order unless another is given;
// and that an order the answer cannot have is not kept at all.
func TestCacheKeepsAnOrder(t *testing.T) {
	s, _ := cacheStore(t)
	sess := session(ada, "a")
	path := s.cachePath(sess.Key())
	a := parsedAnswer(t, 300)
	order := make([]uint32, 300)
	for k := range order {
		order[k] = uint32(299 - k)
	}
	if err := s.SaveAuthorizationWith(sess.Key(), a, t0, Derived{Order: Order{By: "rules/1", At: order}}); err != nil {
		t.Fatal(err)
	}
	body, _, ok := s.LoadAuthorizationText(sess)
	if !ok || body != a.Body() {
		t.Fatalf("LoadAuthorizationText read %d bytes (%v), want the answer's %d", len(body), ok, len(a.Body()))
	}
	if got, ok := s.CachedOrder(body, "rules/1"); !ok || !slices.Equal(got, order) {
		t.Fatalf("CachedOrder = %v, %v; want the order saved", got[:min(len(got), 5)], ok)
	}
	if got, ok := s.CachedOrder(body, "rules/2"); ok {
		t.Errorf("CachedOrder of other rules = %v", got[:5])
	}
	if got, ok := s.CachedOrder(strings.Clone(body[:len(body)-1]), "rules/1"); ok {
		t.Errorf("CachedOrder of another answer = %v", got[:5])
	}
	if got, ok := s.CachedOrder(body, ""); ok {
		t.Errorf("CachedOrder of no rules = %v", got[:5])
	}
	if accs, _, ok := s.LoadAccountsWithID(sess, 1150); !ok || len(accs) != 1 || accs[0].ID != 1150 {
		t.Errorf("LoadAccountsWithID beside an order = %+v, %v", accs, ok)
	}
	if counts, _, ok := s.LoadAccountCounts(sess); !ok || counts["bc3"] != 299 {
		t.Errorf("LoadAccountCounts beside an order = %v, %v", counts, ok)
	}
	whole := readFile(t, path)

	// The same answer saved again without an order: only the time changes.
	t1 := t0.Add(time.Hour)
	if err := s.SaveAuthorization(sess.Key(), a, t1); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); !bytes.Equal(got, whole) {
		t.Fatal("saving the same answer without an order changed the file")
	}
	if fi, err := os.Stat(path); err != nil || !fi.ModTime().Equal(t1) {
		t.Fatalf("saving the same answer again: %v, %v", fi, err)
	}
	// With another order: that one is kept.
	other := slices.Clone(order)
	other[0], other[1] = other[1], other[0]
	if body, _, ok = s.LoadAuthorizationText(sess); !ok {
		t.Fatal("the cache is gone")
	}
	if err := s.SaveAuthorizationWith(sess.Key(), a, t1, Derived{Order: Order{By: "rules/1", At: other}}); err != nil {
		t.Fatal(err)
	}
	if body, _, ok = s.LoadAuthorizationText(sess); !ok {
		t.Fatal("the cache is gone")
	}
	if got, ok := s.CachedOrder(body, "rules/1"); !ok || !slices.Equal(got, other) {
		t.Fatalf("CachedOrder after another order = %v, %v", got[:min(len(got), 5)], ok)
	}
	// By other rules: theirs replace the first.
	if err := s.SaveAuthorizationWith(sess.Key(), a, t1, Derived{Order: Order{By: "rules/2", At: order}}); err != nil {
		t.Fatal(err)
	}
	if body, _, ok = s.LoadAuthorizationText(sess); !ok {
		t.Fatal("the cache is gone")
	}
	if got, ok := s.CachedOrder(body, "rules/2"); !ok || !slices.Equal(got, order) {
		t.Fatalf("CachedOrder of the second rules = %v, %v", got[:min(len(got), 5)], ok)
	}
	if _, ok := s.CachedOrder(body, "rules/1"); ok {
		t.Fatal("the first rules' order is still given")
	}

	// Orders that cannot be the answer's are not written. (With an order
	// already kept, such an order is none: the one kept stays.)
	for _, tc := range []struct {
		name  string
		a     *auth.Authorization
		order Order
	}{
		{"one place short", a, Order{By: "rules/1", At: order[:299]}},
		{"a place too many", a, Order{By: "rules/1", At: append(slices.Clone(order), 0)}},
		{"rules with a quote", a, Order{By: `rules"1`, At: order}},
		{"rules too long", a, Order{By: strings.Repeat("r", maxOrderBy+1), At: order}},
		{"an answer without its text", &auth.Authorization{Identity: a.Identity, Accounts: a.Accounts}, Order{By: "rules/1", At: order}},
	} {
		if err := s.ForgetAuthorization(sess.Key()); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveAuthorizationWith(sess.Key(), tc.a, t1, Derived{Order: tc.order}); err != nil {
			t.Fatal(err)
		}
		data := readFile(t, path)
		if head := data[:bytes.IndexByte(data, '\n')]; bytes.Contains(head, []byte(`"order`)) {
			t.Errorf("%s: kept: %s", tc.name, head)
		}
		if _, _, ok := s.LoadAuthorization(sess); !ok {
			t.Errorf("%s: the answer is no longer shown", tc.name)
		}
	}
	if got := len(readFile(t, path)); got == len(whole) {
		t.Fatal("the order was never dropped; the cases above prove nothing")
	}
}

// TestCacheOrderNotBelieved checks that an order is given only as
// written: not from a file cut short or grown, whose answer is not shown
// either, nor one with a place past the end.
func TestCacheOrderNotBelieved(t *testing.T) {
	s, _ := cacheStore(t)
	sess := session(ada, "a")
	path := s.cachePath(sess.Key())
	a := parsedAnswer(t, 50)
	order := make([]uint32, 50)
	for k := range order {
		order[k] = uint32(k)
	}
	if err := s.SaveAuthorizationWith(sess.Key(), a, t0, Derived{Order: Order{By: "rules/1", At: order}}); err != nil {
		t.Fatal(err)
	}
	whole := readFile(t, path)
	for _, tc := range []struct {
		name  string
		data  []byte
		shown bool
	}{
		{"cut short by a byte", whole[:len(whole)-1], false},
		{"a byte longer", append(bytes.Clone(whole), 0), false},
		{"cut short by a record", whole[:len(whole)-4], false},
		{"a place past the end", append(bytes.Clone(whole[:len(whole)-4]), 50, 0, 0, 0), true},
		{"a place far past the end", append(bytes.Clone(whole[:len(whole)-4]), 0xff, 0xff, 0xff, 0xff), true},
	} {
		writeFile(t, path, tc.data, 0o600)
		if err := os.Chtimes(path, t0, t0); err != nil {
			t.Fatal(err)
		}
		body, _, ok := s.LoadAuthorizationText(sess)
		if ok != tc.shown {
			t.Errorf("%s: the answer shown: %v, want %v", tc.name, ok, tc.shown)
		}
		if got, ok := s.CachedOrder(body, "rules/1"); ok {
			t.Errorf("%s: CachedOrder = %v", tc.name, got[:5])
		}
	}
	writeFile(t, path, whole, 0o600)
	if err := os.Chtimes(path, t0, t0); err != nil {
		t.Fatal(err)
	}
	body, _, _ := s.LoadAuthorizationText(sess)
	if got, ok := s.CachedOrder(body, "rules/1"); !ok || !reflect.DeepEqual(got, order) {
		t.Fatalf("CachedOrder of the file as written = %v, %v", got, ok)
	}
}

// TestCacheKeepsAView checks that a view saved with an answer comes back
// whole with that answer only, for the same By only, with where the
// answer's accounts lie; that a view spoilt in any byte, or cut short,
// is not given; that it goes with an order, and stays when the same
// answer is saved without one; and that a view is kept only with an
// answer the plain parser read.
func TestCacheKeepsAView(t *testing.T) {
	s, _ := cacheStore(t)
	sess := session(ada, "a")
	path := s.cachePath(sess.Key())
	a := parsedAnswer(t, 300)
	view := View{By: "list/1", Text: strings.Repeat("the list as written\n", 500)}
	order := make([]uint32, 300)
	for k := range order {
		order[k] = uint32(k)
	}
	if err := s.SaveAuthorizationWith(sess.Key(), a, t0, Derived{Order: Order{By: "rules/1", At: order}, View: view}); err != nil {
		t.Fatal(err)
	}
	body, _, ok := s.LoadAuthorizationText(sess)
	if !ok || body != a.Body() {
		t.Fatal("the answer is not shown beside a view")
	}
	from, to, _ := a.AccountsSpan()
	if text, f, tt, ok := s.CachedView(body, "list/1"); !ok || text != view.Text || f != from || tt != to {
		t.Fatalf("CachedView = %d bytes, %d:%d, %v; want %d bytes, %d:%d", len(text), f, tt, ok, len(view.Text), from, to)
	}
	if got, ok := s.CachedOrder(body, "rules/1"); !ok || !slices.Equal(got, order) {
		t.Fatal("the order is not given beside a view")
	}
	for _, by := range []string{"list/2", "", "rules/1"} {
		if _, _, _, ok := s.CachedView(body, by); ok {
			t.Errorf("CachedView(%q) was given", by)
		}
	}
	if _, _, _, ok := s.CachedView(strings.Clone(body[:len(body)-1])+"]", "list/1"); ok {
		t.Error("CachedView of another answer was given")
	}
	if accs, _, ok := s.LoadAccountsWithID(sess, 1150); !ok || len(accs) != 1 {
		t.Errorf("LoadAccountsWithID beside a view = %+v, %v", accs, ok)
	}
	if counts, _, ok := s.LoadAccountCounts(sess); !ok || counts["bc3"] != 299 {
		t.Errorf("LoadAccountCounts beside a view = %v, %v", counts, ok)
	}
	whole := readFile(t, path)

	// The same answer, without a view or an order: only the time changes.
	if err := s.SaveAuthorization(sess.Key(), a, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, path), whole) {
		t.Fatal("saving the same answer without a view changed the file")
	}

	// Spoilt: any byte of the view, or the file cut or grown.
	put := func(data []byte) string {
		t.Helper()
		writeFile(t, path, data, 0o600)
		if err := os.Chtimes(path, t0, t0); err != nil {
			t.Fatal(err)
		}
		body, _, _ := s.LoadAuthorizationText(sess)
		return body
	}
	for _, at := range []int{1, len(view.Text) / 2, len(view.Text)} {
		spoilt := bytes.Clone(whole)
		spoilt[len(spoilt)-at] ^= 0x20
		if text, _, _, ok := s.CachedView(put(spoilt), "list/1"); ok {
			t.Errorf("a view with its %dth byte from the end changed was given: %.40q", at, text)
		}
	}
	for name, data := range map[string][]byte{"cut short": whole[:len(whole)-1], "grown": append(bytes.Clone(whole), '\n')} {
		if _, _, _, ok := s.CachedView(put(data), "list/1"); ok {
			t.Errorf("%s: the view was given", name)
		}
	}
	if _, _, _, ok := s.CachedView(put(whole), "list/1"); !ok {
		t.Fatal("the file as written gives no view")
	}

	// Only with an answer the plain parser read, and never from a
	// skimmed answer (whose accounts were not read) written anew.
	if err := s.ForgetAuthorization(sess.Key()); err != nil {
		t.Fatal(err)
	}
	odd, err := auth.ParseAuthorization(strings.Replace(a.Body(), `"Account 1}`, `"Account \u0031}`, 1))
	if err != nil || odd.Indexed() {
		t.Fatalf("the answer with an escape: %v (plain-parsed: %v)", err, odd != nil && odd.Indexed())
	}
	if err := s.SaveAuthorizationWith(sess.Key(), odd, t0, Derived{View: view}); err != nil {
		t.Fatal(err)
	}
	if data := readFile(t, path); bytes.Contains(data[:bytes.IndexByte(data, '\n')], []byte(`"view`)) {
		t.Errorf("a view kept with an answer encoding/json read: %.300s", data)
	}
	skimmed, err := auth.SkimAuthorization(a.Body(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	before := readFile(t, path)
	if err := s.SaveAuthorizationWith(sess.Key(), skimmed, t0, Derived{View: view}); !errors.Is(err, ErrSkimmed) {
		t.Errorf("a skimmed answer written anew: %v, want ErrSkimmed", err)
	}
	if !bytes.Equal(readFile(t, path), before) {
		t.Error("a skimmed answer changed the cache")
	}
	// Where it was read, unchanged, it only sets the time.
	put(whole)
	if err := s.SaveAuthorizationWith(sess.Key(), skimmed, t0.Add(2*time.Hour), Derived{}); err != nil {
		t.Fatalf("a skimmed answer saved where it was read: %v", err)
	}
	if fi, err := os.Stat(path); err != nil || !fi.ModTime().Equal(t0.Add(2*time.Hour)) || !bytes.Equal(readFile(t, path), whole) {
		t.Errorf("a skimmed answer saved where it was read: %v, %v", fi, err)
	}
}
