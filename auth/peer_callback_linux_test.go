package auth

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestUnknownPeerIsRefused: when bcauth cannot tell which user's program
// opened the connection (its address unreadable, or its socket in no
// table of the kernel's), the callback is refused, not let in.
func TestUnknownPeerIsRefused(t *testing.T) {
	tests := []struct {
		name   string
		remote net.Addr
		want   string
	}{
		{name: "an address that is none", remote: pipeAddr("pipe"), want: "bcauth cannot tell who opened this address (pipe)"},
		{name: "a socket the kernel does not list", remote: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1},
			want: "bcauth cannot tell which user opened this address: the connection from 127.0.0.1:1 is not in /proc/net/tcp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pl *pipeListener
			useListen(t, func(_, addr string) (net.Listener, error) {
				a, err := net.ResolveTCPAddr("tcp", addr)
				if err != nil {
					return nil, err
				}
				pl = &pipeListener{addr: a, conns: make(chan net.Conn), done: make(chan struct{}), local: a, remote: tt.remote}
				return pl, nil
			})
			l, port := newTestLogin(t, "127.0.0.1")
			cb, err := l.Listen()
			if err != nil {
				t.Fatal(err)
			}
			defer cb.Close()
			client, _ := pl.dial()
			defer client.Close()
			go io.WriteString(client, "GET /callback?state="+l.State+"&code=x HTTP/1.1\r\nHost: 127.0.0.1:"+strconv.Itoa(port)+"\r\n\r\n")
			resp, err := http.ReadResponse(bufio.NewReader(client), nil)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), tt.want) {
				t.Errorf("answer %d %s, want 403 saying %q", resp.StatusCode, body, tt.want)
			}
		})
	}
}

type pipeAddr string

func (a pipeAddr) Network() string { return "pipe" }
func (a pipeAddr) String() string  { return string(a) }
