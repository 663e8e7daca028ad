package core_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/ui/core"
	"bcauth/ui/uitest"
)

// TestTheCacheKeepsTheListsOrder checks that the order a list shows the
// accounts in is kept with the account cache, so that a run whose answer
// has not changed does not sort again; and that an order which does not
// hold (spoilt, of other rules, for other accounts) is never shown but
// sorted again and put right.
func TestTheCacheKeepsTheListsOrder(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	accs := e.Fake.Accounts()
	for i := range 40 { // enough accounts, in no order, for a wrong order to show
		accs = append(accs, launchpadtest.Account{ID: int64(900 + (i*7)%40), Product: []string{"bc3", "bcx", "hey"}[i%3],
			Name: string(rune('a'+(i*11)%26)) + " Co", Href: "http://127.0.0.1:9/" + string(rune('a'+i%26))})
	}
	e.Fake.SetAccounts(accs)
	sess := e.LogIn(t)
	c, err := e.Svc.Client()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	want := func() []auth.Account {
		t.Helper()
		a, err := c.Authorization(ctx, e.Svc.TokenSource(c, sess))
		if err != nil {
			t.Fatal(err)
		}
		return core.SortAccounts(a.Accounts)
	}
	// load lists the accounts, and says whether the run sorted them.
	load := func(wantSorted bool, why string) {
		t.Helper()
		cur := e.Current(t)
		_, sorted, err := e.Svc.ReloadSorting(ctx, c, &cur)
		if err != nil {
			t.Fatal(err)
		}
		if sorted != wantSorted {
			t.Fatalf("%s: the run sorted: %v, want %v", why, sorted, wantSorted)
		}
		list, err := e.Svc.LoadAccounts(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if w := want(); !slices.Equal(list.Accounts, w) {
			t.Fatalf("%s: LoadAccounts listed\n%v\nwant\n%v", why, list.Accounts, w)
		}
	}
	load(true, "the first answer") // and writes the cache, with the order
	if files, _ := filepath.Glob(filepath.Join(e.Dir, "*", "accounts-*.json")); len(files) != 1 {
		t.Fatalf("cache files: %q", files)
	}
	files, _ := filepath.Glob(filepath.Join(e.Dir, "*", "accounts-*.json"))
	path := files[0]
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data[:bytes.IndexByte(data, '\n')], []byte(`"order_by":"product,name,id/1"`)) {
		t.Fatalf("the cache keeps no order: %.300s", data)
	}
	n := len(accs)
	load(false, "the same answer, its order kept")
	load(false, "and again")

	// The order's records are the file's last 4n bytes.
	spoil := func(why string, edit func(order []byte)) {
		t.Helper()
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		edit(data[len(data)-4*n:])
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		load(true, why)
		load(false, why+", then put right")
	}
	place := func(order []byte, k int) uint32 { return binary.LittleEndian.Uint32(order[4*k:]) }
	set := func(order []byte, k int, p uint32) { binary.LittleEndian.PutUint32(order[4*k:], p) }
	spoil("two places swapped", func(order []byte) {
		a, b := place(order, 3), place(order, n-5)
		set(order, 3, b)
		set(order, n-5, a)
	})
	spoil("two neighbours swapped", func(order []byte) {
		a, b := place(order, n/2), place(order, n/2+1)
		set(order, n/2, b)
		set(order, n/2+1, a)
	})
	spoil("one place twice", func(order []byte) { set(order, 0, place(order, 1)) })
	spoil("a place past the end", func(order []byte) { set(order, n-1, uint32(n)) })
	spoil("the order reversed", func(order []byte) {
		for k := range n / 2 {
			a, b := place(order, k), place(order, n-1-k)
			set(order, k, b)
			set(order, n-1-k, a)
		}
	})
	// Another sort's order (another name for the rules, of the same length).
	data, err = os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, bytes.Replace(data, []byte(`"order_by":"product,name,id/1"`), []byte(`"order_by":"product,name,id/0"`), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	load(true, "an order of other rules")
	load(false, "an order of other rules, then put right")

	// The app's reload keeps the order with an unchanged answer.
	cur := e.Current(t)
	if _, err := e.Svc.Reload(ctx, c, &cur); err != nil {
		t.Fatal(err)
	}
	load(false, "after the app's reload")

	// A new answer: sorted once, and its order kept.
	accs[0].Name = "zzz renamed"
	e.Fake.SetAccounts(accs)
	load(true, "a new answer")
	load(false, "the new answer again")
}
