package auth

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// procNetTCP are the kernel's tables of this network namespace's TCP
// sockets, each with the uid that owns it. A loopback client's socket is
// in the same namespace as the listener's, so it is listed here.
var procNetTCP = []string{"/proc/net/tcp", "/proc/net/tcp6"}

// peerUID is the uid owning the other end of the loopback connection from
// remote to local: the socket listed with remote as its local address and
// local as its remote one. known is false when there is no /proc to ask.
func peerUID(local, remote netip.AddrPort) (uid int, known bool, err error) {
	readable := false
	for _, name := range procNetTCP {
		f, err := os.Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, false, err
		}
		readable = true
		uid, found, err := findSocket(f, remote, local)
		f.Close()
		if err != nil {
			return 0, false, fmt.Errorf("reading %s: %w", name, err)
		}
		if found {
			return uid, true, nil
		}
	}
	if !readable {
		return 0, false, nil
	}
	return 0, false, fmt.Errorf("the connection from %s is not in /proc/net/tcp", remote)
}

// findSocket looks up the socket from local to remote in a /proc/net/tcp
// table: "sl local_address rem_address st … uid …", addresses in hex.
func findSocket(r io.Reader, local, remote netip.AddrPort) (uid int, found bool, err error) {
	local = netip.AddrPortFrom(local.Addr().Unmap(), local.Port())
	remote = netip.AddrPortFrom(remote.Addr().Unmap(), remote.Port())
	sc := bufio.NewScanner(r)
	sc.Scan() // the heading
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 8 {
			continue
		}
		l, err1 := parseProcAddr(f[1])
		rem, err2 := parseProcAddr(f[2])
		if err1 != nil || err2 != nil || l != local || rem != remote {
			continue
		}
		uid, err := strconv.Atoi(f[7])
		if err != nil {
			return 0, false, fmt.Errorf("uid %q: %w", f[7], err)
		}
		return uid, true, nil
	}
	return 0, false, sc.Err()
}

// parseProcAddr reads "0100007F:1F90": the address as the kernel holds it
// (32-bit words in the machine's byte order) and the port.
func parseProcAddr(s string) (netip.AddrPort, error) {
	ipHex, portHex, ok := strings.Cut(s, ":")
	if !ok {
		return netip.AddrPort{}, fmt.Errorf("address %q", s)
	}
	raw, err := hex.DecodeString(ipHex)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.AddrPort{}, fmt.Errorf("address %q", s)
	}
	port, err := strconv.ParseUint(portHex, 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("port %q", s)
	}
	ip := make([]byte, len(raw))
	for i := 0; i < len(raw); i += 4 {
		binary.NativeEndian.PutUint32(ip[i:], binary.BigEndian.Uint32(raw[i:]))
	}
	a, _ := netip.AddrFromSlice(ip)
	return netip.AddrPortFrom(a.Unmap(), uint16(port)), nil
}
