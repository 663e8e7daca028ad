package core_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/ui/core"
	"bcauth/ui/uitest"
)

// TestLoadAccountsReadsTheCacheAhead checks the account pipeline with the
// cache read while Launchpad is asked: an unchanged answer reuses that
// read, and any change, even one that keeps the answer's length, is what
// the list shows; with Launchpad down or timed out, the cache read ahead
// is the list.
func TestLoadAccountsReadsTheCacheAhead(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	sess := e.LogIn(t)
	c, err := e.Svc.Client()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	names := func(accs []auth.Account) []string {
		var out []string
		for _, a := range accs {
			out = append(out, a.Name)
		}
		return out
	}
	load := func(want []auth.Account) {
		t.Helper()
		list, err := e.Svc.LoadAccounts(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := names(list.Accounts), names(core.SortAccounts(want)); !slices.Equal(got, want) {
			t.Fatalf("LoadAccounts listed %q, want %q", got, want)
		}
	}
	fresh := func() []auth.Account {
		t.Helper()
		a, err := c.Authorization(ctx, e.Svc.TokenSource(c, sess))
		if err != nil {
			t.Fatal(err)
		}
		return a.Accounts
	}
	reused := func(want bool) {
		t.Helper()
		cur := e.Current(t)
		if _, got, err := e.Svc.ReloadReadingAhead(ctx, c, &cur); err != nil || got != want {
			t.Fatalf("the cache read ahead reused: %v (%v), want %v", got, err, want)
		}
	}

	first := fresh()
	load(first) // writes the cache
	reused(true)
	load(first)

	// A name changed for one of the same length: the same size, not the
	// same answer. The list must show it although the cache, read ahead,
	// still holds the old one.
	rename := func(prefix string) []auth.Account {
		t.Helper()
		before := fresh()
		accs := e.Fake.Accounts()
		accs[len(accs)-1].Name = prefix + accs[len(accs)-1].Name[len(prefix):]
		e.Fake.SetAccounts(accs)
		changed := fresh()
		if len(changed) != len(before) || names(changed)[len(changed)-1] == names(before)[len(before)-1] {
			t.Fatal("the fake did not change one name; the test proves nothing")
		}
		return changed
	}
	changed := rename("Xxxxxx")
	load(changed)
	reused(true) // the cache now holds the new answer
	changed = rename("Yyyyyy")
	reused(false)
	load(changed)

	// Launchpad down, or so slow that the run's time ends first: the list
	// is the cache read ahead, every time.
	e.Fake.InjectFault(launchpadtest.EndpointAuthorization, launchpadtest.Fault{Status: http.StatusBadGateway, Times: 1})
	e.Fake.InjectFault(launchpadtest.EndpointAuthorization, launchpadtest.Fault{Delay: 2 * time.Second})
	for i := range 9 {
		ctx := ctx
		if i > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, 50*time.Millisecond)
			defer cancel()
		}
		list, err := e.Svc.LoadAccounts(ctx, "")
		if err != nil {
			t.Fatalf("attempt %d: %v", i, err)
		}
		if list.Cached == nil || !slices.Equal(names(list.Accounts), names(core.SortAccounts(changed))) {
			t.Fatalf("attempt %d, Launchpad down: cached %v, %q; want the last answer's %q", i, list.Cached, names(list.Accounts), names(changed))
		}
	}
}
