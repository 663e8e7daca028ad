package launchpadtest

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// app is an app's loopback callback: it records the queries it is called
// with and answers with a page longer than one read.
type app struct {
	*httptest.Server
	hold func(r *http.Request) // runs before the page is written, when set

	mu      sync.Mutex
	queries []url.Values
	written bool // the whole page went out
}

func startApp(t *testing.T, hold func(r *http.Request)) *app {
	t.Helper()
	a := &app{hold: hold}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.queries = append(a.queries, r.URL.Query())
		a.mu.Unlock()
		if a.hold != nil {
			a.hold(r)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, err := io.WriteString(w, strings.Repeat("<p>Logged in. You can close this window.</p>\n", 4096))
		a.mu.Lock()
		a.written = err == nil
		a.mu.Unlock()
	}))
	t.Cleanup(a.Close)
	return a
}

func TestApproveAndFollow(t *testing.T) {
	a := startApp(t, nil)
	s := start(t, Options{RedirectURI: a.URL + "/callback"})
	if err := s.ApproveAndFollow(t.Context(), authURL(s, nil)); err != nil {
		t.Fatalf("ApproveAndFollow: %v", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.queries) != 1 || a.queries[0].Get("code") == "" || a.queries[0].Get("state") != "xyz" {
		t.Errorf("callback called with %v, want once with a code and state xyz", a.queries)
	}
	// The page ends only once the handler has returned.
	if !a.written {
		t.Error("ApproveAndFollow returned before reading the page to its end")
	}
}

func TestApproveAndFollowErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nobody := "http://" + ln.Addr().String() + "/callback"
	ln.Close()

	tests := []struct {
		name string
		// redirect is the registered redirect URI; the app's callback when
		// empty.
		redirect string
		params   url.Values
		// hold runs in the app's callback; cancel ends the call's context.
		hold  func(r *http.Request, cancel context.CancelFunc)
		check func(error) bool
	}{
		{name: "consent refused", params: url.Values{"client_id": {"nope"}},
			check: func(err error) bool { var ce *ConsentError; return errors.As(err, &ce) }},
		{name: "nobody at the callback", redirect: nobody,
			check: func(err error) bool {
				// It names the callback, but not the code and state it carried.
				return err != nil && strings.Contains(err.Error(), nobody) && !strings.Contains(err.Error(), "code=")
			}},
		{name: "canceled while the callback answers",
			hold: func(r *http.Request, cancel context.CancelFunc) {
				cancel()
				<-r.Context().Done()
			},
			check: func(err error) bool { return errors.Is(err, context.Canceled) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var hold func(*http.Request)
			if tt.hold != nil {
				hold = func(r *http.Request) { tt.hold(r, cancel) }
			}
			a := startApp(t, hold)
			redirect := tt.redirect
			if redirect == "" {
				redirect = a.URL + "/callback"
			}
			s := start(t, Options{RedirectURI: redirect})
			if err := s.ApproveAndFollow(ctx, authURL(s, tt.params)); !tt.check(err) {
				t.Errorf("ApproveAndFollow: %v", err)
			}
		})
	}
}
