package auth

import (
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"
)

// TestPeerOfOwnConnection: the kernel's table names this process's user as
// the owner of a loopback client socket it opened, over IPv4 and IPv6, so
// the person's own browser is let in.
func TestPeerOfOwnConnection(t *testing.T) {
	for _, host := range []string{"127.0.0.1", "::1"} {
		t.Run(host, func(t *testing.T) {
			ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
			if err != nil {
				t.Skipf("no %s loopback: %v", host, err)
			}
			defer ln.Close()
			client, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer client.Close()
			server, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			defer server.Close()
			local := server.LocalAddr().(*net.TCPAddr).AddrPort()
			remote := server.RemoteAddr().(*net.TCPAddr).AddrPort()
			uid, known, err := peerUID(local, remote)
			if err != nil || !known || uid != os.Getuid() {
				t.Errorf("peerUID = %d, %v, %v; want %d, known", uid, known, err, os.Getuid())
			}
			// A connection that does not exist is not taken for anyone's.
			gone := netip.AddrPortFrom(remote.Addr(), remote.Port()+1)
			if _, known, err := peerUID(local, gone); known || err == nil {
				t.Errorf("a connection that does not exist: known %v, err %v", known, err)
			}
		})
	}
}

// TestFindSocket reads a table as the kernel writes it on a little-endian
// machine, with an IPv4-mapped client in tcp6.
func TestFindSocket(t *testing.T) {
	table := `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0000000000000000FFFF00000100007F:D431 0000000000000000FFFF00000100007F:2310 01 00000000:00000000 00:00000000 00000000  1000        0 1 1 0000000000000000 20 4 30 10 -1
   1: 00000000000000000000000001000000:A000 00000000000000000000000001000000:2310 01 00000000:00000000 00:00000000 00000000  1001        0 2 1 0000000000000000 20 4 30 10 -1
`
	if !littleEndian() {
		t.Skip("the sample table is a little-endian machine's")
	}
	srv := netip.MustParseAddrPort("127.0.0.1:8976")
	uid, found, err := findSocket(strings.NewReader(table), netip.MustParseAddrPort("127.0.0.1:54321"), srv)
	if err != nil || !found || uid != 1000 {
		t.Errorf("v4-mapped: %d %v %v, want 1000", uid, found, err)
	}
	uid, found, err = findSocket(strings.NewReader(table), netip.MustParseAddrPort("[::1]:40960"), netip.MustParseAddrPort("[::1]:8976"))
	if err != nil || !found || uid != 1001 {
		t.Errorf("::1: %d %v %v, want 1001", uid, found, err)
	}
	if _, found, _ := findSocket(strings.NewReader(table), srv, netip.MustParseAddrPort("127.0.0.1:54321")); found {
		t.Error("the listener's side was taken for the client's")
	}
}

func littleEndian() bool {
	p, err := parseProcAddr("0100007F:0001")
	return err == nil && p.Addr() == netip.MustParseAddr("127.0.0.1")
}
