package auth

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
)

// checkPeer refuses a request whose connection another user's process
// opened. Root is let in: it can read bcauth's memory anyway, and its
// relays (WSL's, a container's port forwarder) carry a browser's traffic.
// Where the owner cannot be told (peerUID knows nothing), the binding
// cookie and the state still protect the login.
func checkPeer(r *http.Request) error {
	local, ok := r.Context().Value(http.LocalAddrContextKey).(*net.TCPAddr)
	if !ok {
		return nil
	}
	remote, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return fmt.Errorf("bcauth cannot tell who opened this address (%s)", r.RemoteAddr)
	}
	uid, known, err := peerUID(local.AddrPort(), remote)
	switch {
	case err != nil:
		return fmt.Errorf("bcauth cannot tell which user opened this address: %v", err)
	case !known, uid == 0, uid == os.Getuid():
		return nil
	}
	return fmt.Errorf("this address was opened by another user's program (uid %d), and bcauth's login belongs to uid %d", uid, os.Getuid())
}
