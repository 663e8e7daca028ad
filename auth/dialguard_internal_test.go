package auth

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"testing"
)

// dialRecorder stands where the network would be: it records what the
// guard let through and connects to nothing.
type dialRecorder struct {
	mu    sync.Mutex
	addrs []string
}

var errNotDialled = errors.New("test: not dialled")

func (d *dialRecorder) dial(_ context.Context, _, addr string) (net.Conn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.addrs = append(d.addrs, addr)
	return nil, errNotDialled
}

func lookupTo(addrs ...string) lookupFunc {
	return func(context.Context, string) ([]netip.Addr, error) {
		var out []netip.Addr
		for _, a := range addrs {
			out = append(out, netip.MustParseAddr(a))
		}
		return out, nil
	}
}

func TestDialGuardJudgesEachAddress(t *testing.T) {
	for _, tc := range []struct {
		addr     string
		loopback bool // allowLoopback
		allowed  bool
	}{
		{"203.0.113.9", false, true},
		{"2001:db8::1", false, true},
		{"8.8.8.8", false, true},
		{"127.0.0.1", false, false},
		{"127.0.0.1", true, true},
		{"::1", true, true},
		{"::1", false, false},
		{"10.1.2.3", true, false},
		{"172.16.0.1", false, false},
		{"192.168.1.1", false, false},
		{"169.254.169.254", true, false},
		{"fe80::1", false, false},
		{"fc00::1", false, false},
		{"0.0.0.0", false, false},
		{"::", false, false},
		{"224.0.0.1", false, false},
		{"ff02::1", false, false},
		{"100.64.0.1", false, false},
		{"255.255.255.255", false, false},
		{"::ffff:10.0.0.1", false, false},
		{"::ffff:127.0.0.1", false, false},
		{"64:ff9b::a00:1", false, false},
		{"64:ff9b::cb00:7109", false, true},
	} {
		rec := &dialRecorder{}
		g := dialGuard{allowLoopback: tc.loopback, lookup: lookupTo(tc.addr), dial: rec.dial}
		_, err := g.DialContext(context.Background(), "tcp", "issuer.example:443")
		if tc.allowed {
			if !errors.Is(err, errNotDialled) || len(rec.addrs) != 1 {
				t.Errorf("%s (loopback %v): %v, dialled %v; want it dialled", tc.addr, tc.loopback, err, rec.addrs)
			}
			continue
		}
		if !errors.Is(err, ErrPrivateAddress) || len(rec.addrs) != 0 {
			t.Errorf("%s (loopback %v): %v, dialled %v; want ErrPrivateAddress and no dial", tc.addr, tc.loopback, err, rec.addrs)
		}
	}
}

// TestDialGuardDialsTheAddressJudged: a name is resolved once, by the
// guard, and the dial gets the address it judged, so a second lookup
// cannot answer differently.
func TestDialGuardDialsTheAddressJudged(t *testing.T) {
	rec := &dialRecorder{}
	g := dialGuard{lookup: lookupTo("10.0.0.1", "203.0.113.9"), dial: rec.dial}
	if _, err := g.DialContext(context.Background(), "tcp", "issuer.example:8443"); !errors.Is(err, errNotDialled) {
		t.Fatal(err)
	}
	if len(rec.addrs) != 1 || rec.addrs[0] != "203.0.113.9:8443" {
		t.Fatalf("dialled %v, want only the public address", rec.addrs)
	}
	// A literal address is judged as it is, never looked up.
	g = dialGuard{lookup: func(context.Context, string) ([]netip.Addr, error) {
		t.Fatal("looked up a literal address")
		return nil, nil
	}, dial: rec.dial}
	if _, err := g.DialContext(context.Background(), "tcp", "[fe80::1%eth0]:443"); !errors.Is(err, ErrPrivateAddress) {
		t.Fatalf("a zoned link-local address: %v", err)
	}
}

// TestGuardedHTTPKeepsNoProxy: a proxy would resolve the issuer where
// the guard cannot see it.
func TestGuardedHTTPKeepsNoProxy(t *testing.T) {
	base := &http.Transport{Proxy: http.ProxyFromEnvironment, DialTLSContext: func(context.Context, string, string) (net.Conn, error) { return nil, nil }}
	hc := guardedHTTP(&http.Client{Transport: base}, dialGuard{})
	tr := hc.Transport.(*http.Transport)
	if tr.Proxy != nil || tr.DialTLSContext != nil || tr == base {
		t.Fatalf("the guarded transport keeps a proxy or a dial around the guard")
	}
	if hc.CheckRedirect == nil {
		t.Fatal("the guarded client follows redirects")
	}
}
