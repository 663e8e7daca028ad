package core_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/ui/core"
	"bcauth/ui/uitest"
)

// These tests hold the order and the view kept with the account cache to
// what their comments say where mutation testing found them untested: a
// list of exactly halvesFrom accounts, whose order is checked in two
// halves; the app's reload and status, which sort nothing; a list with no
// cache yet; a view rendered from the cache with Launchpad down; a list
// of no accounts.

// launchpads is the answer Launchpad gives now, read apart from the
// service.
func launchpads(t *testing.T, e *uitest.Env, c *auth.Client, ctx context.Context) *auth.Authorization {
	t.Helper()
	sess := e.Current(t)
	a, err := c.Authorization(ctx, e.Svc.TokenSource(c, &sess))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// unsorted is n plain accounts in no order, ids, names and products
// mixed.
func unsorted(n int) []launchpadtest.Account {
	accs := make([]launchpadtest.Account, n)
	for i := range accs {
		j := (i * 7919) % n
		accs[i] = launchpadtest.Account{ID: int64(10000 + j), Product: []string{"bc3", "bcx", "hey"}[j%3],
			Name: fmt.Sprintf("%c%c Co %d", 'a'+j%26, 'a'+(j/26)%26, j), Href: fmt.Sprintf("http://127.0.0.1:9/%d", j)}
	}
	return accs
}

// TestTheOrderOfHalvesFromAccounts checks that an order kept for a list
// of exactly 4096 accounts (halvesFrom, where the order is checked in two
// halves at once) is checked in both: one spoilt in its second half only,
// or its first half only, is never shown, but sorted again.
func TestTheOrderOfHalvesFromAccounts(t *testing.T) {
	const n = 4096
	e, _, c, ctx := loggedInWith(t, listing(unsorted(n)))
	want := core.SortAccounts(launchpads(t, e, c, ctx).Accounts)
	load := func(wantSorted bool, why string) {
		t.Helper()
		loadSorting(t, e, c, ctx, wantSorted, why, want)
	}
	load(true, "the first answer")
	load(false, "the same answer")
	path := cacheFile(t, e, ".kept")
	for _, k := range []int{n/2 + 700, 700} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		order := data[len(data)-4*n:] // the kept file's last records, no view after them
		a, b := binary.LittleEndian.Uint32(order[4*k:]), binary.LittleEndian.Uint32(order[4*k+4:])
		binary.LittleEndian.PutUint32(order[4*k:], b)
		binary.LittleEndian.PutUint32(order[4*k+4:], a)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		why := fmt.Sprintf("places %d and %d swapped", k, k+1)
		load(true, why)
		load(false, why+", then put right")
	}
}

// TestReloadsSortNothing checks that the app's reload and status's
// (ReloadCounting) leave a new answer's accounts in Launchpad's order
// and keep no order with the cache: only a list sorts them.
func TestReloadsSortNothing(t *testing.T) {
	accs := unsorted(60)
	e, _, c, ctx := loggedInWith(t, listing(accs))
	for _, name := range []string{"Reload", "ReloadCounting"} {
		accs[0].Name = "renamed for " + name // a new answer
		e.Fake.SetAccounts(accs)
		a := launchpads(t, e, c, ctx)
		if slices.Equal(a.Accounts, core.SortAccounts(a.Accounts)) {
			t.Fatal("Launchpad lists the accounts sorted; the test proves nothing")
		}
		cur := e.Current(t)
		var r *core.Reload
		var err error
		if name == "Reload" {
			r, err = e.Svc.Reload(ctx, c, &cur)
		} else {
			r, err = e.Svc.ReloadCounting(ctx, c, &cur)
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := r.Session.Authorization.Accounts; !slices.Equal(got, a.Accounts) {
			t.Errorf("%s: the accounts are not in Launchpad's order", name)
		}
		if files, _ := filepath.Glob(filepath.Join(e.Dir, "*", "accounts-*.kept")); len(files) != 0 {
			t.Errorf("%s kept an order or a view: %q", name, files)
		}
	}
}

// TestListWithNoCacheYet checks that a list, and a list as a view writes
// it, are whole and sorted when there is no account cache at all.
func TestListWithNoCacheYet(t *testing.T) {
	e, _, c, ctx := loggedInWith(t, listing(unsorted(50)))
	want := core.SortAccounts(launchpads(t, e, c, ctx).Accounts)
	forget := func() {
		t.Helper()
		cur := e.Current(t)
		if err := e.Svc.Store.ForgetAuthorization(cur.Key()); err != nil {
			t.Fatal(err)
		}
		if files, _ := filepath.Glob(filepath.Join(e.Dir, "*", "accounts-*.json")); len(files) != 0 {
			t.Fatalf("the cache is still there: %q", files)
		}
	}
	forget()
	list, err := e.Svc.LoadAccounts(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(list.Accounts, want) {
		t.Fatalf("with no cache, LoadAccounts listed %d accounts, not sorted as %d", len(list.Accounts), len(want))
	}
	forget()
	view := core.ListView{By: "ids/1", Render: func(accs []auth.Account, plain bool) []byte {
		var b strings.Builder
		for _, a := range accs {
			fmt.Fprintf(&b, "%d\n", a.ID)
		}
		return []byte(b.String())
	}}
	list, text, err := e.Svc.LoadAccountsAs(ctx, view)
	if err != nil {
		t.Fatal(err)
	}
	if w := string(view.Render(want, true)); text != w || !slices.Equal(list.Accounts, want) {
		t.Fatalf("with no cache, LoadAccountsAs wrote\n%.200s\nwant\n%.200s", text, w)
	}
}

// TestViewOfTheCacheWithLaunchpadDown checks that with Launchpad down and
// a cache that keeps no view (LoadAccounts wrote it), the list is the
// cache's, rendered as plain when its answer is.
func TestViewOfTheCacheWithLaunchpadDown(t *testing.T) {
	e, _, c, ctx := loggedInWith(t, listing(unsorted(30)))
	a := launchpads(t, e, c, ctx)
	if !a.PlainText() {
		t.Fatal("the answer is not plain; the test proves nothing")
	}
	if _, err := e.Svc.LoadAccounts(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(cacheFile(t, e, ".kept")); err != nil || !bytes.Contains(data, []byte(`"order_by"`)) || bytes.Contains(data, []byte(`"view`)) {
		t.Fatalf("the kept file keeps a view already, or no order: %v", err)
	}
	render := func(accs []auth.Account, plain bool) []byte {
		var b strings.Builder
		for _, a := range accs {
			fmt.Fprintf(&b, "%d %s plain=%v\n", a.ID, a.Name, plain)
		}
		return []byte(b.String())
	}
	e.Fake.InjectFault(launchpadtest.EndpointAuthorization, launchpadtest.Fault{Status: http.StatusBadGateway, Times: 1})
	list, text, err := e.Svc.LoadAccountsAs(ctx, core.ListView{By: "plain/1", Render: render})
	if err != nil {
		t.Fatal(err)
	}
	if list.Cached == nil {
		t.Fatal("Launchpad down: the list is not said to be the cached one")
	}
	if want := string(render(core.SortAccounts(a.Accounts), true)); text != want {
		t.Fatalf("Launchpad down: LoadAccountsAs wrote\n%.300s\nwant\n%.300s", text, want)
	}
}

// TestNoAccountsKeptAsWritten checks that the view of a list of no
// accounts is kept like any other: the next run with the same answer
// renders nothing and reads no account.
func TestNoAccountsKeptAsWritten(t *testing.T) {
	e, _, c, ctx := loggedInWith(t, listing(nil))
	if a := launchpads(t, e, c, ctx); len(a.Accounts) != 0 {
		t.Fatalf("the fake lists %d accounts", len(a.Accounts))
	}
	renders := 0
	view := core.ListView{By: "empty/1", Render: func(accs []auth.Account, plain bool) []byte {
		renders++
		return fmt.Appendf(nil, "%d accounts\n", len(accs))
	}}
	for run, wantRenders := range []int{1, 0, 0} {
		renders = 0
		list, text, err := e.Svc.LoadAccountsAs(ctx, view)
		if err != nil {
			t.Fatal(err)
		}
		if text != "0 accounts\n" || len(list.Accounts) != 0 {
			t.Fatalf("run %d: %q, %d accounts", run, text, len(list.Accounts))
		}
		if renders != wantRenders || list.Session.Authorization.Skimmed() != (wantRenders == 0) {
			t.Fatalf("run %d: rendered %d times (skimmed %v), want %d", run, renders, list.Session.Authorization.Skimmed(), wantRenders)
		}
	}
}
