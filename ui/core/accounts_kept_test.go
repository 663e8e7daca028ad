package core_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/core"
	"bcauth/ui/uitest"
)

// TestTheCacheKeepsTheListsOrder checks that the order a list shows the
// accounts in is kept with the account cache, so that a run whose answer
// has not changed does not sort again; and that an order which does not
// hold (spoilt, of other rules, for other accounts) is never shown but
// sorted again and put right.
func TestTheCacheKeepsTheListsOrder(t *testing.T) {
	// The fake's own accounts, one of them with a name only encoding/json
	// reads, and enough more, in no order, for a wrong order to show.
	e, _, c, ctx := loggedInWith(t, func(own []launchpadtest.Account) []launchpadtest.Account { return append(own, plainAccounts(40)...) })
	accs := e.Fake.Accounts()
	load := func(wantSorted bool, why string) {
		t.Helper()
		loadSorting(t, e, c, ctx, wantSorted, why, core.SortAccounts(launchpads(t, e, c, ctx).Accounts))
	}
	load(true, "the first answer") // and writes the cache, with the order
	path := cacheFile(t, e, ".kept")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data[:bytes.IndexByte(data, '\n')], []byte(`"order_by":"product,name,id/1"`)) {
		t.Fatalf("no order is kept: %.300s", data)
	}
	n := len(accs)
	load(false, "the same answer, its order kept")
	load(false, "and again")

	// The order's records are the kept file's last 4n bytes (no view).
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

// TestTheCacheKeepsTheListAsWritten checks LoadAccountsAs: the list as
// the view writes it, kept with the cache, so that a run whose answer has
// not changed reads no account; the text the same as the view of a fresh
// list every time; a view spoilt, of another By, or of an older answer
// never given but written anew; with Launchpad down, the view kept.
func TestTheCacheKeepsTheListAsWritten(t *testing.T) {
	// Plain accounts, as Launchpad writes them: the fake's own hold a name
	// with an escape, which only encoding/json reads.
	e, _, c, ctx := loggedInWith(t, listing(plainAccounts(40)))
	accs := e.Fake.Accounts()
	renders := 0
	render := func(accs []auth.Account, plain bool) []byte {
		renders++
		var b strings.Builder
		for _, a := range accs {
			fmt.Fprintf(&b, "%s %d %s %v\n", a.Product, a.ID, a.Name, plain)
		}
		return []byte(b.String())
	}
	view := core.ListView{By: "names/1", Render: render}
	want := func() string {
		t.Helper()
		a := launchpads(t, e, c, ctx)
		return string(render(core.SortAccounts(a.Accounts), a.PlainText()))
	}
	// load lists the accounts as view writes them, and says whether they
	// were read (and the view written) or the view kept was the list.
	down := false // Launchpad answers the next request 502
	load := func(view core.ListView, wantRead bool, why string) *core.AccountList {
		t.Helper()
		w := want()
		if down {
			e.Fake.InjectFault(launchpadtest.EndpointAuthorization, launchpadtest.Fault{Status: http.StatusBadGateway, Times: 1})
			down = false
		}
		renders = 0
		list, text, err := e.Svc.LoadAccountsAs(ctx, view)
		if err != nil {
			t.Fatalf("%s: %v", why, err)
		}
		if text != w {
			t.Fatalf("%s: LoadAccountsAs wrote\n%s\nwant\n%s", why, text, w)
		}
		read := list.Accounts != nil
		if read != wantRead || (renders == 1) != wantRead || list.Session.Authorization.Skimmed() == wantRead {
			t.Fatalf("%s: accounts read %v (rendered %d times, skimmed %v), want read %v", why, read, renders, list.Session.Authorization.Skimmed(), wantRead)
		}
		return list
	}
	load(view, true, "the first answer")
	load(view, false, "the same answer")
	load(view, false, "and again")
	if !strings.Contains(want(), " true\n") {
		t.Fatal("the answer is not plain; the test proves less than it says")
	}

	// The view is the kept file's end.
	spoil := func(why, path string, edit func([]byte) []byte) {
		t.Helper()
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, edit(data), 0o600); err != nil {
			t.Fatal(err)
		}
		load(view, true, why)
		load(view, false, why+", then written anew")
	}
	kept, cache := cacheFile(t, e, ".kept"), cacheFile(t, e, ".json")
	spoil("a byte of the view changed", kept, func(d []byte) []byte { d[len(d)-3] ^= 0x01; return d })
	spoil("the view cut short", kept, func(d []byte) []byte { return d[:len(d)-1] })
	spoil("the kept file emptied", kept, func([]byte) []byte { return nil })
	spoil("the accounts' place changed", cache, func(d []byte) []byte {
		return bytes.Replace(d, []byte(`"accounts_at":[`), []byte(`"accounts_at":[1`), 1)
	})
	load(core.ListView{By: "names/2", Render: render}, true, "another view")
	load(view, true, "the first view again, after another was kept")
	load(view, false, "the first view again, kept")

	// Launchpad down: the view kept is the list.
	down = true
	if list := load(view, false, "Launchpad down"); list.Cached == nil {
		t.Fatal("Launchpad down: the list is not said to be the cached one")
	}

	// A new answer: read, and its view kept.
	accs[0].Name = "Zzz renamed"
	e.Fake.SetAccounts(accs)
	load(view, true, "a new answer")
	load(view, false, "the new answer again")
	// One only encoding/json reads: no view is kept, it is read each time.
	accs[1].Name = "Quoted \"name\" \u00e9"
	e.Fake.SetAccounts(accs)
	if !strings.Contains(want(), " false\n") {
		t.Fatal("the answer is plain; the test proves less than it says")
	}
	load(view, true, "an answer only encoding/json reads")
	load(view, true, "that answer again")
	down = true
	if list := load(view, true, "Launchpad down, no view kept"); list.Cached == nil {
		t.Fatal("Launchpad down: the list is not said to be the cached one")
	}

	// The list as LoadAccounts gives it is whole all along.
	list, err := e.Svc.LoadAccounts(ctx, "")
	if err != nil || len(list.Accounts) != len(accs) || list.Session.Authorization.Skimmed() {
		t.Fatalf("LoadAccounts after a view: %d accounts (skimmed %v), %v", len(list.Accounts), list.Session.Authorization.Skimmed(), err)
	}
}

// TestReloadCountingReadsNoAccount checks ReloadCounting: the counts by
// product are the answer's, and when the answer is the cache's text they
// come from the cache's first line, the accounts unread; a cache whose
// line does not say where the accounts lie is read whole.
func TestReloadCountingReadsNoAccount(t *testing.T) {
	e, sess, c, ctx := loggedInWith(t, listing(plainAccounts(30)))
	accs := e.Fake.Accounts()
	count := func(wantSkimmed bool, why string) {
		t.Helper()
		a := launchpads(t, e, c, ctx)
		cur := e.Current(t)
		r, err := e.Svc.ReloadCounting(ctx, c, &cur)
		if err != nil {
			t.Fatalf("%s: %v", why, err)
		}
		if got, want := r.Counts(), auth.CountProducts(a.Accounts); !maps.Equal(got, want) {
			t.Fatalf("%s: Counts = %v, want %v", why, got, want)
		}
		if got := r.Session.Authorization.Skimmed(); got != wantSkimmed {
			t.Fatalf("%s: skimmed %v, want %v", why, got, wantSkimmed)
		}
		if r.Session.Authorization.Identity != a.Identity {
			t.Fatalf("%s: whose: %+v, want %+v", why, r.Session.Authorization.Identity, a.Identity)
		}
	}
	if err := e.Svc.Store.ForgetAuthorization(sess.Key()); err != nil {
		t.Fatal(err)
	}
	count(false, "no cache yet")
	count(true, "the cache's answer")
	accs[3].Product = "bc3"
	e.Fake.SetAccounts(accs)
	count(false, "a new answer")
	count(true, "the new answer again")
	path := cacheFile(t, e, ".json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// A first line that does not say where the accounts lie (as an older
	// bcauth's): read whole, then said.
	if err := os.WriteFile(path, bytes.Replace(data, []byte(`"accounts_at":`), []byte(`"accounts_xx":`), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	count(false, "a cache that does not say where the accounts lie")
	count(true, "that cache, written again")
}

// plainAccounts are n accounts as Launchpad writes them (plain: the
// plain parser reads them), of several products, in no order.
func plainAccounts(n int) []launchpadtest.Account {
	var accs []launchpadtest.Account
	for i := range n {
		accs = append(accs, launchpadtest.Account{ID: int64(900 + (i*7)%n), Product: []string{"bc3", "bcx", "hey", "zzz"}[i%4],
			Name: string(rune('a'+(i*11)%26)) + " Co", Href: fmt.Sprintf("http://127.0.0.1:9/%d", i)})
	}
	return accs
}

// listing is loggedInWith's accounts: accs, in place of the fake's own.
func listing(accs []launchpadtest.Account) func([]launchpadtest.Account) []launchpadtest.Account {
	return func([]launchpadtest.Account) []launchpadtest.Account { return accs }
}

// loadSorting lists the accounts through LoadAccounts, after a reload
// that says whether the run sorted them (wantSorted), and holds the list
// to want.
func loadSorting(t *testing.T, e *uitest.Env, c *auth.Client, ctx context.Context, wantSorted bool, why string, want []auth.Account) {
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
	if !slices.Equal(list.Accounts, want) {
		t.Fatalf("%s: LoadAccounts listed the %d accounts in another order than the %d sorted", why, len(list.Accounts), len(want))
	}
}

// loggedInWith is a fake Launchpad listing the accounts accounts makes of
// its own, a login to it, its client and a context for the test.
func loggedInWith(t *testing.T, accounts func([]launchpadtest.Account) []launchpadtest.Account) (*uitest.Env, *store.Session, *auth.Client, context.Context) {
	t.Helper()
	e := uitest.New(t, launchpadtest.Options{})
	e.Fake.SetAccounts(accounts(e.Fake.Accounts()))
	sess := e.LogIn(t)
	c, err := e.Svc.Client()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return e, sess, c, ctx
}

// cacheFile is the one account cache file (ext ".json") or kept file
// (".kept") in e's directory.
func cacheFile(t *testing.T, e *uitest.Env, ext string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(e.Dir, "*", "accounts-*"+ext))
	if len(files) != 1 {
		t.Fatalf("cache files *%s: %q", ext, files)
	}
	return files[0]
}

// TestLogoutDuringAListKeepsNoCache checks that a list being fetched when
// its login is forgotten (bcauth logout, from another process as from
// here) does not write the cache, nor what is kept beside it, again:
// logging out deletes that login's cache.
func TestLogoutDuringAListKeepsNoCache(t *testing.T) {
	e, _, _, ctx := loggedInWith(t, listing(plainAccounts(30)))
	view := core.ListView{By: "names/1", Render: func(accs []auth.Account, _ bool) []byte { return []byte(fmt.Sprint(len(accs))) }}
	if _, _, err := e.Svc.LoadAccountsAs(ctx, view); err != nil {
		t.Fatal(err)
	}
	cacheFile(t, e, ".json")
	cacheFile(t, e, ".kept")
	// No cache, so that the list is read and written anew; Launchpad
	// answers it late, and logout comes in between.
	cur := e.Current(t)
	if err := e.Svc.Store.ForgetAuthorization(cur.Key()); err != nil {
		t.Fatal(err)
	}
	before := e.Fake.Requests(launchpadtest.EndpointAuthorization)
	e.Fake.InjectFault(launchpadtest.EndpointAuthorization, launchpadtest.Fault{Delay: 300 * time.Millisecond, Times: 1})
	done := make(chan error, 1)
	go func() {
		_, _, err := e.Svc.LoadAccountsAs(ctx, view)
		done <- err
	}()
	launchpadtest.Eventually(t, "the list's request to reach Launchpad", func() bool {
		return e.Fake.Requests(launchpadtest.EndpointAuthorization) > before
	})
	if _, _, err := e.Svc.Logout(false); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the list fetched across the logout: %v", err)
	}
	if files, _ := filepath.Glob(filepath.Join(e.Dir, "*", "accounts-*")); len(files) != 0 {
		t.Errorf("after logout, the list fetched meanwhile wrote %q", files)
	}
}
