package auth

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"time"
)

// An advertised BC5 issuer, and every endpoint its metadata names, is
// untrusted input that device codes and refresh tokens are posted to: a
// hostile API host could point them at a router's admin page or a cloud
// metadata service on the person's own network. So every connection to
// them is judged when it is made, on the address actually dialled, not on
// the URL (a name can resolve anywhere, and differently each time).

// ErrPrivateAddress is a connection to an issuer or endpoint refused
// because its address is private, loopback, link-local, unspecified or
// multicast.
var ErrPrivateAddress = errors.New("refused to connect: the address is not a public one, and BC5's advertised addresses must be")

// lookupFunc resolves a host name to its addresses.
type lookupFunc func(ctx context.Context, host string) ([]netip.Addr, error)

// dialGuard dials only addresses it allows, resolving names itself so
// that the address judged is the one connected to.
type dialGuard struct {
	// allowLoopback admits loopback addresses (and no other private
	// ones): only when the resource origin itself is loopback, as in
	// tests and the demo.
	allowLoopback bool
	// lookup resolves a host name; net.DefaultResolver's when nil.
	lookup lookupFunc
	// dial connects to an address already judged, given as IP:port, so
	// it resolves nothing again.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// DialContext resolves addr's host, and dials the first of its addresses
// that is allowed and answers.
func (g *dialGuard) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		lookup := g.lookup
		if lookup == nil {
			lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
				return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
			}
		}
		if ips, err = lookup(ctx, host); err != nil {
			return nil, err
		}
	}
	// Of several addresses, the first allowed one that answers wins; a
	// failure names a dial's error before a refusal's.
	var refused, failed error
	for _, ip := range ips {
		if err := g.allowed(ip); err != nil {
			if refused == nil {
				refused = fmt.Errorf("%s: %w", named(host, ip), err)
			}
			continue
		}
		conn, err := g.dial(ctx, network, net.JoinHostPort(ip.Unmap().WithZone("").String(), port))
		if err == nil {
			return conn, nil
		}
		if failed == nil {
			failed = err
		}
	}
	switch {
	case failed != nil:
		return nil, failed
	case refused != nil:
		return nil, refused
	}
	return nil, fmt.Errorf("%s has no address", host)
}

// named is how an error names an address: the host, and what it
// resolved to when that is another text.
func named(host string, ip netip.Addr) string {
	if ip.String() == host {
		return host
	}
	return host + " (" + ip.String() + ")"
}

// allowed judges one address.
func (g *dialGuard) allowed(ip netip.Addr) error {
	ip = ip.Unmap()
	if ip.Is6() && nat64.Contains(ip) {
		// 64:ff9b::a.b.c.d reaches a.b.c.d through a NAT64 gateway.
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
	}
	if ip.IsLoopback() {
		if g.allowLoopback {
			return nil
		}
		return ErrPrivateAddress
	}
	if ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || !ip.IsValid() {
		return ErrPrivateAddress
	}
	for _, p := range special4 {
		if p.Contains(ip) {
			return ErrPrivateAddress
		}
	}
	return nil
}

var (
	nat64 = netip.MustParsePrefix("64:ff9b::/96")
	// special4 are IPv4 ranges that reach no public host, beyond those
	// netip names.
	special4 = []netip.Prefix{
		netip.MustParsePrefix("0.0.0.0/8"),     // "this network"
		netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
		netip.MustParsePrefix("192.0.0.0/24"),  // protocol assignments
		netip.MustParsePrefix("198.18.0.0/15"), // benchmarking
		netip.MustParsePrefix("240.0.0.0/4"),   // reserved, and broadcast
	}
)

// guardedHTTP is a copy of hc for requests to an advertised issuer and its
// endpoints: redirects are not followed, no proxy is used (a proxy would
// resolve the host where the guard cannot judge it), and every connection
// goes through a dialGuard. A transport of hc that is an *http.Transport
// (or none) is cloned with the guard; any other RoundTripper cannot be
// guarded, and a clone of http.DefaultTransport takes its place.
func guardedHTTP(hc *http.Client, g dialGuard) *http.Client {
	base, ok := hc.Transport.(*http.Transport)
	if !ok || base == nil {
		base, _ = http.DefaultTransport.(*http.Transport)
	}
	var tr *http.Transport
	if base != nil {
		tr = base.Clone()
	} else {
		tr = &http.Transport{TLSHandshakeTimeout: 10 * time.Second}
	}
	next := tr.DialContext
	if next == nil {
		d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
		next = d.DialContext
	}
	if g.dial == nil {
		g.dial = next
	}
	tr.DialContext = g.DialContext
	tr.DialTLSContext = nil // it would dial around the guard
	tr.Proxy = nil
	out := *hc
	out.Transport = tr
	out.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &out
}
