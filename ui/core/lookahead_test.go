package core

import (
	"context"
	"testing"

	"bcauth/auth"
	"bcauth/store"
)

// TestLookaheadWhenTheRunEnds: a cache read that has not finished when
// the run's context ends is not waited for (the session goes without
// it), and one that has finished is the answer even then.
func TestLookaheadWhenTheRunEnds(t *testing.T) {
	sess := &store.Session{ClientID: "bare"}
	cached := &store.Session{ClientID: "with cache", Authorization: &auth.Authorization{}}
	sorted := []auth.Account{{Product: "bc3", ID: 1}}
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name             string
		read, done       bool // the cache read, and the sort, finished
		ctx              context.Context
		wantCached       bool
		wantSorted, okay bool
	}{
		{name: "both finished, run ended", read: true, done: true, ctx: ended, wantCached: true, wantSorted: true, okay: true},
		{name: "read, not sorted, run ended", read: true, ctx: ended, wantCached: true},
		{name: "nothing finished, run ended", ctx: ended},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := &lookahead{read: make(chan struct{}), done: make(chan struct{}), sess: sess, cached: cached, sorted: sorted}
			if tc.read {
				close(l.read)
			}
			if tc.done {
				close(l.done)
			}
			if got := l.wait(tc.ctx); (got == cached) != tc.wantCached || (got != cached && got != sess) {
				t.Errorf("wait = %+v, want the cached session: %v", got, tc.wantCached)
			}
			got, ok := l.sortedAccounts(tc.ctx)
			if ok != tc.okay || (len(got) == 1) != tc.wantSorted {
				t.Errorf("sortedAccounts = %v, %v; want sorted %v, ok %v", got, ok, tc.wantSorted, tc.okay)
			}
		})
	}
	// A live context waits for the read to finish.
	l := &lookahead{read: make(chan struct{}), done: make(chan struct{}), sess: sess, cached: cached, sorted: sorted}
	go func() { close(l.read); close(l.done) }()
	if got := l.wait(context.Background()); got != cached {
		t.Errorf("wait with a live context = %+v, want the cached session", got)
	}
	if got, ok := l.sortedAccounts(context.Background()); !ok || len(got) != 1 {
		t.Errorf("sortedAccounts with a live context = %v, %v", got, ok)
	}
}
