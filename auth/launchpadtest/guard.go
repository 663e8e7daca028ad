package launchpadtest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"sync"
	"time"
)

// Runner is what GuardNetwork runs: a *testing.M.
type Runner interface{ Run() int }

// GuardNetwork runs the tests of m with every dial through
// http.DefaultTransport (and the transports cloned from it) and every DNS
// lookup through net.DefaultResolver confined to loopback, and returns the
// exit code: a test that tries to reach another address fails that dial,
// and the whole run fails, naming the address. Call it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(launchpadtest.GuardNetwork(m)) }
func GuardNetwork(m Runner) int {
	g := &guard{}
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		if err := g.check(addr); err != nil {
			return nil, err
		}
		return dialer.DialContext(ctx, network, addr)
	}
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		t.DialContext = dial
		t.Proxy = nil // a proxy from the environment would be a way off the machine
	}
	// The pure-Go resolver, dialling its DNS servers through the guard: a
	// name that is not in /etc/hosts is never looked up outside.
	net.DefaultResolver = &net.Resolver{PreferGo: true, Dial: dial}
	code := m.Run()
	if off := g.offenders(); len(off) > 0 {
		fmt.Fprintf(os.Stderr, "launchpadtest: the tests tried to reach %d address(es) off this machine: %v\n", len(off), off)
		if code == 0 {
			code = 1
		}
	}
	return code
}

type guard struct {
	mu  sync.Mutex
	off []string
}

// check allows loopback addresses ("127.0.0.1:…", "[::1]:…",
// "localhost:…") and records and refuses every other.
func (g *guard) check(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return nil
	}
	g.mu.Lock()
	g.off = append(g.off, addr)
	g.mu.Unlock()
	return fmt.Errorf("launchpadtest: a test dialled %s, which is not loopback: tests never leave this machine (use the fake's URL)", addr)
}

func (g *guard) offenders() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.off...)
}

// Fataler is the part of testing.TB that Eventually needs; the fake is
// linked into the demo, which must not carry the testing package.
type Fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// Eventually polls cond until it holds, and fails the test after a
// generous bound, saying what it waited for and where every goroutine
// stood. It is for waiting on other goroutines and processes, never for
// measuring time.
func Eventually(t Fataler, what string, cond func() bool) {
	t.Helper()
	give := time.NewTimer(15 * time.Second)
	defer give.Stop()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		runtime.Gosched()
		select {
		case <-give.C:
			buf := make([]byte, 1<<20)
			t.Fatalf("gave up after 15s waiting for %s; goroutines:\n%s", what, buf[:runtime.Stack(buf, true)])
		case <-tick.C:
		}
	}
}
