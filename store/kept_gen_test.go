package store

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// TestKeptFileOfThisCacheFileOnly checks the kept file's binding to the
// cache file: neither naming a Gen is no binding; a kept file replaced
// between its first line and its view is not read as one; and a cache
// file written anew with the same answer and something to keep takes the
// kept file along, under its new Gen.
func TestKeptFileOfThisCacheFileOnly(t *testing.T) {
	s, _ := cacheStore(t)
	sess := session(ada, "a")
	path, kept := s.cachePath(sess.Key()), s.keptPath(sess.Key())
	a := parsedAnswer(t, 40)
	order := reverse(40)
	view := View{By: "list/1", Text: "the list\n"}
	save := func() {
		t.Helper()
		if err := s.SaveAuthorizationWith(sess.Key(), a, t0, Derived{Order: Order{By: "rules/1", At: order}, View: view}); err != nil {
			t.Fatal(err)
		}
	}
	given := func() (orderOK, viewOK bool) {
		t.Helper()
		body, _, ok := s.LoadAuthorizationText(sess)
		if !ok {
			t.Fatal("the answer is not shown")
		}
		_, orderOK = s.CachedOrder(body, "rules/1")
		_, _, _, viewOK = s.CachedView(body, "list/1")
		return orderOK, viewOK
	}
	// rewrite edits the first line of the file at p.
	rewrite := func(p string, edit func(map[string]any)) {
		t.Helper()
		data := readFile(t, p)
		nl := bytes.IndexByte(data, '\n')
		var h map[string]any
		if err := json.Unmarshal(data[:nl], &h); err != nil {
			t.Fatal(err)
		}
		edit(h)
		line, err := json.Marshal(h)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, p, append(line, data[nl:]...), 0o600)
		if err := os.Chtimes(p, t0, t0); err != nil {
			t.Fatal(err)
		}
	}
	save()
	if o, v := given(); !o || !v {
		t.Fatalf("as written: order %v, view %v", o, v)
	}
	cache, keptWhole := readFile(t, path), readFile(t, kept)

	// Neither names a Gen (written by hand, or by a bcauth that knows
	// none): no binding.
	rewrite(path, func(h map[string]any) { delete(h, "gen") })
	rewrite(kept, func(h map[string]any) { h["gen"] = "" })
	if o, v := given(); o || v {
		t.Errorf("no Gen on either side: order %v, view %v given", o, v)
	}
	writeFile(t, path, cache, 0o600)
	if err := os.Chtimes(path, t0, t0); err != nil {
		t.Fatal(err)
	}
	writeFile(t, kept, keptWhole, 0o600)

	// Replaced between its first line (read for the order) and its view.
	body, _, _ := s.LoadAuthorizationText(sess)
	if _, ok := s.CachedOrder(body, "rules/1"); !ok {
		t.Fatal("the order as written is not given")
	}
	other := append(bytes.Clone(keptWhole[:len(keptWhole)-1]), 'X')
	writeFile(t, kept+".new", other, 0o600)
	if err := os.Rename(kept+".new", kept); err != nil {
		t.Fatal(err)
	}
	if text, _, _, ok := s.CachedView(body, "list/1"); ok {
		t.Errorf("a view read from a kept file put there since its first line was: %q", text)
	}
	writeFile(t, kept, keptWhole, 0o600)

	// The cache file written anew, same answer (its counts were spoilt):
	// a new Gen, and the kept file follows it.
	rewrite(path, func(h map[string]any) { h["products"] = map[string]any{"bc3": 1, "bcx": 39} })
	if _, _, ok := s.LoadAuthorizationText(sess); !ok {
		t.Fatal("the answer is not shown")
	}
	save()
	var before, after cacheHead
	if err := json.Unmarshal(cache[:bytes.IndexByte(cache, '\n')], &before); err != nil {
		t.Fatal(err)
	}
	now := readFile(t, path)
	if err := json.Unmarshal(now[:bytes.IndexByte(now, '\n')], &after); err != nil || after.Gen == "" || after.Gen == before.Gen {
		t.Fatalf("the cache file written anew: Gen %q, was %q (%v)", after.Gen, before.Gen, err)
	}
	if o, v := given(); !o || !v {
		t.Errorf("after the cache file was written anew: order %v, view %v", o, v)
	}
	if got, ok := s.CachedOrder(a.Body(), "rules/1"); !ok || !slices.Equal(got, order) {
		t.Errorf("the order after: %v, %v", got, ok)
	}
}
