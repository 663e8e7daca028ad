package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"bcauth/auth"
)

// reverse is an order of n places, last first.
func reverse(n int) []uint32 {
	at := make([]uint32, n)
	for k := range at {
		at[k] = uint32(n - 1 - k)
	}
	return at
}

// TestKeptOrder checks that an order saved with an answer comes back with
// that answer only, and with the rules it was made by only; that it lives
// in a file of its own, so the cache file is as a bcauth that does not
// know it writes it; that saving the same answer again keeps it unless
// another is given; and that an order the answer cannot have is not kept.
func TestKeptOrder(t *testing.T) {
	s, _ := cacheStore(t)
	sess := session(ada, "a")
	path, kept := s.cachePath(sess.Key()), s.keptPath(sess.Key())
	a := parsedAnswer(t, 300)
	order := reverse(300)
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
	for _, by := range []string{"rules/2", ""} {
		if got, ok := s.CachedOrder(body, by); ok {
			t.Errorf("CachedOrder(%q) = %v", by, got[:5])
		}
	}
	if got, ok := s.CachedOrder(strings.Clone(body[:len(body)-1]), "rules/1"); ok {
		t.Errorf("CachedOrder of another answer = %v", got[:5])
	}
	// The cache file is as ever: head, answer, index, nothing after.
	data := readFile(t, path)
	var head cacheHead
	line := bytes.IndexByte(data, '\n') + 1
	if err := json.Unmarshal(data[:line], &head); err != nil || head.Size == nil || head.Index == nil ||
		int64(line)+*head.Size+int64(*head.Index)*indexRecord != int64(len(data)) {
		t.Fatalf("the cache file is not as an older bcauth writes it: %v, %.300s", err, data)
	}
	if accs, _, ok := s.LoadAccountsWithID(sess, 1150); !ok || len(accs) != 1 || accs[0].ID != 1150 {
		t.Errorf("LoadAccountsWithID beside an order = %+v, %v", accs, ok)
	}
	if counts, _, ok := s.LoadAccountCounts(sess); !ok || counts["bc3"] != 299 {
		t.Errorf("LoadAccountCounts beside an order = %v, %v", counts, ok)
	}
	whole, wholeKept := readFile(t, path), readFile(t, kept)

	// The same answer saved again without an order: only the time changes.
	t1 := t0.Add(time.Hour)
	if err := s.SaveAuthorization(sess.Key(), a, t1); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, path), whole) || !bytes.Equal(readFile(t, kept), wholeKept) {
		t.Fatal("saving the same answer without an order changed a file")
	}
	if fi, err := os.Stat(path); err != nil || !fi.ModTime().Equal(t1) {
		t.Fatalf("saving the same answer again: %v, %v", fi, err)
	}
	// With another order, or by other rules: that one is kept.
	other := slices.Clone(order)
	other[0], other[1] = other[1], other[0]
	for _, o := range []Order{{By: "rules/1", At: other}, {By: "rules/2", At: order}} {
		if _, _, ok := s.LoadAuthorizationText(sess); !ok {
			t.Fatal("the cache is gone")
		}
		if err := s.SaveAuthorizationWith(sess.Key(), a, t1, Derived{Order: o}); err != nil {
			t.Fatal(err)
		}
		if body, _, ok = s.LoadAuthorizationText(sess); !ok {
			t.Fatal("the cache is gone")
		}
		if got, ok := s.CachedOrder(body, o.By); !ok || !slices.Equal(got, o.At) {
			t.Fatalf("CachedOrder after %s = %v, %v", o.By, got[:min(len(got), 5)], ok)
		}
	}
	if _, ok := s.CachedOrder(body, "rules/1"); ok {
		t.Fatal("the first rules' order is still given")
	}

	// Orders that cannot be the answer's are not written at all.
	for _, tc := range []struct {
		name  string
		a     *auth.Authorization
		order Order
	}{
		{"one place short", a, Order{By: "rules/1", At: order[:299]}},
		{"a place too many", a, Order{By: "rules/1", At: append(slices.Clone(order), 0)}},
		{"rules with a quote", a, Order{By: `rules"1`, At: order}},
		{"rules too long", a, Order{By: strings.Repeat("r", maxDerivedBy+1), At: order}},
		{"an answer without its text", &auth.Authorization{Identity: a.Identity, Accounts: a.Accounts}, Order{By: "rules/1", At: order}},
	} {
		if err := s.ForgetAuthorization(sess.Key()); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(kept); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("ForgetAuthorization left the kept file: %v", err)
		}
		if err := s.SaveAuthorizationWith(sess.Key(), tc.a, t1, Derived{Order: tc.order}); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(kept); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: kept (%v)", tc.name, err)
		}
		if _, _, ok := s.LoadAuthorization(sess); !ok {
			t.Errorf("%s: the answer is not shown", tc.name)
		}
	}
}

// TestKeptNotBelieved checks that a kept file is believed only as
// written and only beside its answer: not cut short or grown, not with a
// place past the end or counts past any cache, not another session's,
// and not once the cache holds another answer, even of the same length;
// the answer itself is shown all along.
func TestKeptNotBelieved(t *testing.T) {
	s, _ := cacheStore(t)
	sess := session(ada, "a")
	kept := s.keptPath(sess.Key())
	a := parsedAnswer(t, 50)
	order := reverse(50)
	if err := s.SaveAuthorizationWith(sess.Key(), a, t0, Derived{Order: Order{By: "rules/1", At: order}}); err != nil {
		t.Fatal(err)
	}
	whole := readFile(t, kept)
	line := bytes.IndexByte(whole, '\n')
	headed := func(edit func(*keptHead)) []byte {
		var h keptHead
		if err := json.Unmarshal(whole[:line], &h); err != nil {
			t.Fatal(err)
		}
		edit(&h)
		b, err := json.Marshal(h)
		if err != nil {
			t.Fatal(err)
		}
		return append(b, whole[line:]...)
	}
	given := func() bool {
		t.Helper()
		body, _, ok := s.LoadAuthorizationText(sess)
		if !ok {
			t.Fatal("the answer is not shown")
		}
		_, ok = s.CachedOrder(body, "rules/1")
		return ok
	}
	huge := 1<<62 + 1 // times four, the length of one record
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"cut short by a byte", whole[:len(whole)-1]},
		{"a byte longer", append(bytes.Clone(whole), 0)},
		{"cut short by a record", whole[:len(whole)-4]},
		{"a place past the end", append(bytes.Clone(whole[:len(whole)-4]), 50, 0, 0, 0)},
		{"a place far past the end", append(bytes.Clone(whole[:len(whole)-4]), 0xff, 0xff, 0xff, 0xff)},
		{"a count past any cache", headed(func(h *keptHead) { h.Order = &huge })},
		{"another session's", headed(func(h *keptHead) { h.Session += "0" })},
		{"of another cache file", headed(func(h *keptHead) { h.Gen = map[bool]string{true: "1", false: "0"}[h.Gen[0] == '0'] + h.Gen[1:] })},
		{"of no cache file", headed(func(h *keptHead) { h.Gen = "" })},
		{"of an answer of another length", headed(func(h *keptHead) { *h.AnswerSize-- })},
		{"no first line", []byte("{}")},
	} {
		writeFile(t, kept, tc.data, 0o600)
		if given() {
			t.Errorf("%s: the order was given", tc.name)
		}
	}
	writeFile(t, kept, whole, 0o600)
	if !given() {
		t.Fatal("the kept file as written gives no order")
	}
	// Another answer of the same length in the cache: the kept file is not
	// its.
	other := strings.Replace(a.Body(), `"Account 1}`, `"Account 7}`, 1)
	b, err := auth.ParseAuthorization(other)
	if err != nil || len(other) != len(a.Body()) || other == a.Body() {
		t.Fatalf("another answer: %v", err)
	}
	if err := s.SaveAuthorization(sess.Key(), b, t0); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, kept), whole) {
		t.Fatal("saving another answer alone changed the kept file")
	}
	if given() {
		t.Error("the order of an answer the cache no longer holds was given")
	}
	// A cache file written by a bcauth that knows no Gen, of the same
	// answer: the kept file is not its either.
	if err := s.SaveAuthorizationWith(sess.Key(), a, t0, Derived{Order: Order{By: "rules/1", At: order}}); err != nil {
		t.Fatal(err)
	}
	if !given() {
		t.Fatal("the order saved again is not given")
	}
	path := s.cachePath(sess.Key())
	data := readFile(t, path)
	var h cacheHead
	nl := bytes.IndexByte(data, '\n')
	if err := json.Unmarshal(data[:nl], &h); err != nil || h.Gen == "" {
		t.Fatalf("the cache file's Gen: %q, %v", h.Gen, err)
	}
	h.Gen = ""
	older, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, append(older, data[nl:]...), 0o600)
	if given() {
		t.Error("the order was given beside a cache file that names no Gen")
	}
}

// TestKeptView checks that a view saved with an answer comes back whole,
// with that answer only, for the same By only, with where the answer's
// accounts lie; that a view spoilt in any byte or cut short is not given;
// that an order and a view kept stay when the other is saved; that a
// view is kept only with an answer the plain parser read; and that a
// skimmed answer is never written anew.
func TestKeptView(t *testing.T) {
	s, _ := cacheStore(t)
	sess := session(ada, "a")
	path, kept := s.cachePath(sess.Key()), s.keptPath(sess.Key())
	a := parsedAnswer(t, 300)
	view := View{By: "list/1", Text: strings.Repeat("the list as written\n", 500)}
	order := reverse(300)
	if err := s.SaveAuthorizationWith(sess.Key(), a, t0, Derived{View: view}); err != nil {
		t.Fatal(err)
	}
	s.LoadAuthorizationText(sess)
	// An order saved later joins the view kept.
	if err := s.SaveAuthorizationWith(sess.Key(), a, t0, Derived{Order: Order{By: "rules/1", At: order}}); err != nil {
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
	// A view saved later keeps the order kept.
	view2 := View{By: "list/1", Text: view.Text + "and more\n"}
	if err := s.SaveAuthorizationWith(sess.Key(), a, t0, Derived{View: view2}); err != nil {
		t.Fatal(err)
	}
	body, _, _ = s.LoadAuthorizationText(sess)
	if text, _, _, ok := s.CachedView(body, "list/1"); !ok || text != view2.Text {
		t.Fatal("the second view is not given")
	}
	if _, ok := s.CachedOrder(body, "rules/1"); !ok {
		t.Fatal("a view saved dropped the order kept")
	}
	whole := readFile(t, kept)

	// Spoilt: any byte of the view, or the file cut or grown.
	put := func(data []byte) string {
		t.Helper()
		writeFile(t, kept, data, 0o600)
		body, _, _ := s.LoadAuthorizationText(sess)
		return body
	}
	for _, at := range []int{1, len(view2.Text) / 2, len(view2.Text)} {
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
	// A spoilt view is written anew when saved again.
	spoilt := bytes.Clone(whole)
	spoilt[len(spoilt)-2] ^= 0x20
	body = put(spoilt)
	s.CachedView(body, "list/1")
	if err := s.SaveAuthorizationWith(sess.Key(), a, t0, Derived{View: view2}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, kept), whole) {
		t.Fatal("a spoilt view saved again was not written anew")
	}

	// Only with an answer the plain parser read.
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
	if _, err := os.Stat(kept); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a view kept with an answer encoding/json read (%v)", err)
	}

	// A skimmed answer: never written anew; where it was read, unchanged,
	// it only sets the time.
	if err := s.SaveAuthorization(sess.Key(), a, t0); err != nil {
		t.Fatal(err)
	}
	cache := readFile(t, path)
	skimmed, err := auth.SkimAuthorization(a.Body(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAuthorizationWith(sess.Key(), skimmed, t0, Derived{View: view}); !errors.Is(err, ErrSkimmed) {
		t.Errorf("a skimmed answer written anew: %v, want ErrSkimmed", err)
	}
	if !bytes.Equal(readFile(t, path), cache) {
		t.Error("a skimmed answer changed the cache")
	}
	s.LoadAuthorizationText(sess)
	if err := s.SaveAuthorizationWith(sess.Key(), skimmed, t0.Add(2*time.Hour), Derived{}); err != nil {
		t.Fatalf("a skimmed answer saved where it was read: %v", err)
	}
	if fi, err := os.Stat(path); err != nil || !fi.ModTime().Equal(t0.Add(2*time.Hour)) || !bytes.Equal(readFile(t, path), cache) {
		t.Errorf("a skimmed answer saved where it was read: %v, %v", fi, err)
	}
}

// TestCachedCounts checks that the counts of the cache's first line are
// given with its answer only, and only when they add up to its index's;
// that counts spoilt by hand are written anew by the next save of the
// same answer; and that a first line longer than any buffer is read.
func TestCachedCounts(t *testing.T) {
	s, _ := cacheStore(t)
	sess := session(ada, "a")
	path := s.cachePath(sess.Key())
	a := parsedAnswer(t, 30)
	if err := s.SaveAuthorization(sess.Key(), a, t0); err != nil {
		t.Fatal(err)
	}
	counts := func() (map[string]int, bool) {
		t.Helper()
		body, _, ok := s.LoadAuthorizationText(sess)
		if !ok {
			t.Fatal("the answer is not shown")
		}
		c, _, _, ok := s.CachedCounts(body)
		return c, ok
	}
	if c, ok := counts(); !ok || c["bc3"] != 29 || c["bcx"] != 1 {
		t.Fatalf("CachedCounts = %v, %v", c, ok)
	}
	whole := readFile(t, path)
	for _, edit := range [][2]string{{`"bc3":29`, `"bc3":28`}, {`"bcx":1`, `"bcx":-1`}, {`"bc3":29`, `"bc3":99`}} {
		writeFile(t, path, bytes.Replace(whole, []byte(edit[0]), []byte(edit[1]), 1), 0o600)
		if err := os.Chtimes(path, t0, t0); err != nil {
			t.Fatal(err)
		}
		if c, ok := counts(); ok {
			t.Errorf("counts edited %s -> %s: given as %v", edit[0], edit[1], c)
		}
		// ids (LoadAccountCounts) counts the accounts then.
		if c, _, ok := s.LoadAccountCounts(sess); !ok || c["bc3"] != 29 || c["bcx"] != 1 {
			t.Errorf("counts edited %s -> %s: LoadAccountCounts = %v, %v", edit[0], edit[1], c, ok)
		}
		// The same answer saved again (its accounts read) puts them right.
		if err := s.SaveAuthorization(sess.Key(), a, t0); err != nil {
			t.Fatal(err)
		}
		if c, ok := counts(); !ok || c["bc3"] != 29 || c["bcx"] != 1 {
			t.Errorf("counts edited %s -> %s: not written anew: %v, %v", edit[0], edit[1], c, ok)
		}
	}
	// A first line of 100 KiB (thousands of product codes).
	var b strings.Builder
	b.WriteString(`{"expires_at":"2026-03-01T09:30:00Z","identity":{"id":4242,"first_name":"Ada","last_name":"Lovelace","email_address":"ada@example.com"},"accounts":[`)
	for i := range 5000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"product":"code-%015d","id":%d,"name":"A","href":"https://3.basecampapi.com/%d"}`, i, i, i)
	}
	b.WriteString(`]}`)
	many, err := auth.ParseAuthorization(b.String())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAuthorization(sess.Key(), many, t0); err != nil {
		t.Fatal(err)
	}
	if data := readFile(t, path); bytes.IndexByte(data, '\n') < 100<<10 {
		t.Fatalf("the first line is %d bytes; the test proves less than it says", bytes.IndexByte(data, '\n'))
	}
	if c, ok := counts(); !ok || len(c) != 5000 {
		t.Errorf("a long first line: CachedCounts = %d codes, %v", len(c), ok)
	}
	if c, _, ok := s.LoadAccountCounts(sess); !ok || len(c) != 5000 {
		t.Errorf("a long first line: LoadAccountCounts = %d codes, %v", len(c), ok)
	}
}
