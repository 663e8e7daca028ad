package ui_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/ui"
	"bcauth/ui/uitest"
)

// TestLoadAccountsReadsTheCacheAhead checks the account pipeline with the
// cache read while Launchpad is asked: an unchanged answer reuses that
// read, and any change, even one that keeps the answer's length, is what
// the list shows; with Launchpad down, the cache read ahead is the list.
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
		if got, want := names(list.Accounts), names(ui.SortAccounts(want)); !slices.Equal(got, want) {
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
	// same answer.
	accs := e.Fake.Accounts()
	accs[len(accs)-1].Name = "Xxxxxx" + accs[len(accs)-1].Name[6:]
	e.Fake.SetAccounts(accs)
	changed := fresh()
	if names(changed)[len(changed)-1] == names(first)[len(first)-1] {
		t.Fatal("the fake did not change the answer; the test proves nothing")
	}
	reused(false)
	load(changed)
	reused(true) // the cache now holds the new answer

	e.Fake.InjectFault(launchpadtest.EndpointAuthorization, launchpadtest.Fault{Status: http.StatusBadGateway})
	list, err := e.Svc.LoadAccounts(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if list.Cached == nil || !slices.Equal(names(list.Accounts), names(ui.SortAccounts(changed))) {
		t.Fatalf("with Launchpad down: cached %v, %q; want the last answer's %q", list.Cached, names(list.Accounts), names(changed))
	}
}
