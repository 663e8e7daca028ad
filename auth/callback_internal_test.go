package auth

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"bcauth/auth/launchpadtest"
)

// useListen puts fn in net.Listen's place for Listen until the test ends.
// Tests that call it never run in parallel.
func useListen(t *testing.T, fn func(network, addr string) (net.Listener, error)) {
	t.Helper()
	t.Cleanup(func() { listen = net.Listen })
	listen = fn
}

// newTestLogin is a login whose redirect URI is on host and a free port.
func newTestLogin(t *testing.T, host string) (*Login, int) {
	t.Helper()
	port, err := launchpadtest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Config{ClientID: "id", ClientSecret: "secret", LaunchpadURL: "http://127.0.0.1:9",
		RedirectURI: "http://" + net.JoinHostPort(host, strconv.Itoa(port)) + "/callback"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := c.NewLogin()
	if err != nil {
		t.Fatal(err)
	}
	return l, port
}

// closed reports whether ln was closed, without waiting for a client.
func closed(ln net.Listener) bool {
	tl := ln.(*net.TCPListener)
	if err := tl.SetDeadline(time.Now()); err != nil {
		return errors.Is(err, net.ErrClosed)
	}
	_, err := tl.Accept()
	return errors.Is(err, net.ErrClosed)
}

// addrListener is a real listener that names another address than the
// one it is bound to.
type addrListener struct {
	net.Listener
	addr net.Addr
}

func (l addrListener) Addr() net.Addr { return l.addr }

// TestListenRefusesANonLoopbackAddress: should the system ever bind the
// callback elsewhere than loopback, another machine could receive the code:
// Listen refuses, and closes every listener it opened.
func TestListenRefusesANonLoopbackAddress(t *testing.T) {
	tests := []struct {
		name string
		host string // the redirect URI's host
		// lie is what the listener for bound says it is bound to.
		bound string
		lie   net.Addr
	}{
		{name: "another address", host: "127.0.0.1", bound: "127.0.0.1",
			lie: &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 8976}},
		{name: "every address", host: "127.0.0.1", bound: "127.0.0.1",
			lie: &net.TCPAddr{IP: net.IPv4zero, Port: 8976}},
		{name: "not an IP address at all", host: "127.0.0.1", bound: "127.0.0.1",
			lie: &net.UnixAddr{Name: "/tmp/bcauth.sock", Net: "unix"}},
		{name: "the second of localhost's two", host: "localhost", bound: "::1",
			lie: &net.TCPAddr{IP: net.ParseIP("2001:db8::1"), Port: 8976}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opened []net.Listener
			useListen(t, func(network, addr string) (net.Listener, error) {
				ln, err := net.Listen(network, addr)
				if err != nil {
					return nil, err
				}
				opened = append(opened, ln)
				if host, _, _ := net.SplitHostPort(addr); host == tt.bound {
					return addrListener{Listener: ln, addr: tt.lie}, nil
				}
				return ln, nil
			})
			l, _ := newTestLogin(t, tt.host)
			cb, err := l.Listen()
			if err == nil {
				cb.Close()
				t.Fatalf("Listen accepted a listener bound to %s", tt.lie)
			}
			if !strings.Contains(err.Error(), "not a loopback address") || !strings.Contains(err.Error(), tt.lie.String()) {
				t.Errorf("error %q does not say %s is no loopback address", err, tt.lie)
			}
			if len(opened) == 0 {
				t.Skip("no listener could be opened here")
			}
			for _, ln := range opened {
				if !closed(ln) {
					t.Errorf("listener on %s left open after the refusal", ln.Addr())
				}
			}
		})
	}
}

// TestListenWithoutIPv6: a machine with no IPv6 gets 127.0.0.1 alone for
// localhost, since no browser reaches [::1] there either; any other
// failure, or one on 127.0.0.1, ends Listen and frees what it bound.
func TestListenWithoutIPv6(t *testing.T) {
	addrErr := func(errno syscall.Errno) error {
		return &net.OpError{Op: "listen", Net: "tcp", Err: &os.SyscallError{Syscall: "bind", Err: errno}}
	}
	tests := []struct {
		name    string
		host    string // the redirect URI's host
		failing string // the address that cannot be bound
		err     error
		wantErr string // "" when Listen should succeed on 127.0.0.1 alone
	}{
		{name: "no IPv6 address", host: "localhost", failing: "::1", err: addrErr(syscall.EADDRNOTAVAIL)},
		{name: "no IPv6 at all", host: "localhost", failing: "::1", err: addrErr(syscall.EAFNOSUPPORT)},
		{name: "IPv6 refused otherwise", host: "localhost", failing: "::1", err: addrErr(syscall.EACCES),
			wantErr: "cannot listen on [::1]:"},
		{name: "no IPv4 loopback", host: "localhost", failing: "127.0.0.1", err: addrErr(syscall.EADDRNOTAVAIL),
			wantErr: "cannot listen on 127.0.0.1:"},
		{name: "no IPv4 loopback, asked for by address", host: "127.0.0.1", failing: "127.0.0.1", err: addrErr(syscall.EAFNOSUPPORT),
			wantErr: "cannot listen on 127.0.0.1:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opened []net.Listener
			useListen(t, func(network, addr string) (net.Listener, error) {
				if host, _, _ := net.SplitHostPort(addr); host == tt.failing {
					return nil, tt.err
				}
				ln, err := net.Listen(network, addr)
				if err == nil {
					opened = append(opened, ln)
				}
				return ln, err
			})
			l, port := newTestLogin(t, tt.host)
			cb, err := l.Listen()
			if tt.wantErr != "" {
				if err == nil {
					cb.Close()
					t.Fatalf("Listen succeeded, want %q", tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, tt.err.(*net.OpError).Err.(*os.SyscallError).Err) {
					t.Errorf("Listen: %v, want %q wrapping the cause", err, tt.wantErr)
				}
				for _, ln := range opened {
					if !closed(ln) {
						t.Errorf("listener on %s left open after the failure", ln.Addr())
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Listen: %v", err)
			}
			defer cb.Close()
			if want := "127.0.0.1:" + strconv.Itoa(port); cb.Addr() != want || len(cb.lns) != 1 {
				t.Errorf("listening on %v (%d listeners), want %s alone", cb.Addr(), len(cb.lns), want)
			}
		})
	}
}

// pipeListener hands out in-memory connections, which run on a synctest
// bubble's clock where sockets do not. Addr is the loopback address the
// callback asked for.
type pipeListener struct {
	addr  net.Addr
	conns chan net.Conn
	once  sync.Once
	done  chan struct{}
	// local and remote, when set, are what the server's end of every
	// connection says it joins, as a TCP connection would.
	local, remote net.Addr
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error { l.once.Do(func() { close(l.done) }); return nil }

func (l *pipeListener) Addr() net.Addr { return l.addr }

// dial connects a client; closed receives the moment the server closes
// its end.
func (l *pipeListener) dial() (client net.Conn, closed <-chan time.Time) {
	c, s := net.Pipe()
	ch := make(chan time.Time, 1)
	if l.local != nil {
		s = addrConn{Conn: s, local: l.local, remote: l.remote}
	}
	l.conns <- &closeTimer{Conn: s, closed: ch}
	return c, ch
}

type addrConn struct {
	net.Conn
	local, remote net.Addr
}

func (c addrConn) LocalAddr() net.Addr  { return c.local }
func (c addrConn) RemoteAddr() net.Addr { return c.remote }

type closeTimer struct {
	net.Conn
	once   sync.Once
	closed chan time.Time
}

func (c *closeTimer) Close() error {
	c.once.Do(func() { c.closed <- time.Now() })
	return c.Conn.Close()
}

// TestCallbackServerCutsSlowClientsOff: a local program that opens the
// callback's port and dawdles (never finishes its request, never reads the
// answer, never leaves) holds a connection only as long as the server's
// timeouts allow, and oversized headers are refused.
func TestCallbackServerCutsSlowClientsOff(t *testing.T) {
	tests := []struct {
		name string
		// send is what the client writes ("%HOST%" becomes the callback's
		// host and port); read, whether it then reads the answer.
		send       string
		read       bool
		wantStatus int
		// wantClosed is when the server hangs up, from the connection's
		// start; 0 means it must be still waiting after ten minutes.
		wantClosed time.Duration
	}{
		{name: "never sends a header", send: "", wantClosed: 5 * time.Second},
		{name: "sends half a header", send: "GET /callback HTTP/1.1\r\nHost: %HOST%\r\n", wantClosed: 5 * time.Second},
		{name: "never sends the body it announced", read: true, wantStatus: http.StatusMethodNotAllowed,
			send: "POST /callback HTTP/1.1\r\nHost: %HOST%\r\nContent-Length: 10\r\n\r\nabc", wantClosed: 10 * time.Second},
		{name: "never reads the answer", send: "GET /favicon.ico HTTP/1.1\r\nHost: %HOST%\r\n\r\n", wantClosed: time.Minute},
		{name: "keeps an idle connection", read: true, wantStatus: http.StatusNotFound,
			send: "GET /favicon.ico HTTP/1.1\r\nHost: %HOST%\r\n\r\n", wantClosed: 10 * time.Second},
		{name: "sends 32 KiB of headers", read: true, wantStatus: http.StatusRequestHeaderFieldsTooLarge,
			send: "GET /callback HTTP/1.1\r\nHost: %HOST%\r\nX-Junk: " + strings.Repeat("x", 32<<10) + "\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var pl *pipeListener
				useListen(t, func(_, addr string) (net.Listener, error) {
					a, err := net.ResolveTCPAddr("tcp", addr)
					if err != nil {
						return nil, err
					}
					pl = &pipeListener{addr: a, conns: make(chan net.Conn), done: make(chan struct{})}
					return pl, nil
				})
				l, port := newTestLogin(t, "127.0.0.1")
				cb, err := l.Listen()
				if err != nil {
					t.Fatal(err)
				}
				defer cb.Close()
				client, closed := pl.dial()
				defer client.Close()
				start := time.Now()
				if tt.send != "" {
					req := strings.ReplaceAll(tt.send, "%HOST%", "127.0.0.1:"+strconv.Itoa(port))
					go io.WriteString(client, req) // a pipe holds nothing: the server reads it
				}
				if tt.read {
					resp, err := http.ReadResponse(bufio.NewReader(client), nil)
					if err != nil {
						t.Fatalf("reading the answer: %v", err)
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != tt.wantStatus {
						t.Errorf("status %d, want %d", resp.StatusCode, tt.wantStatus)
					}
					go io.Copy(io.Discard, client) // whatever else comes
				}
				if tt.wantClosed == 0 {
					return
				}
				select {
				case at := <-closed:
					if d := at.Sub(start); d != tt.wantClosed {
						t.Errorf("the server hung up after %v, want %v", d, tt.wantClosed)
					}
				case <-time.After(10 * time.Minute):
					t.Errorf("the server still held the connection after ten minutes, want it cut off after %v", tt.wantClosed)
				}
			})
		})
	}
}

// TestCloseCutsOffAHeldConnection: Close gives a request still being read
// two seconds to finish, then closes its connection and reports success,
// so Wait never outlives the login by more than that.
func TestCloseCutsOffAHeldConnection(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var pl *pipeListener
		useListen(t, func(_, addr string) (net.Listener, error) {
			a, err := net.ResolveTCPAddr("tcp", addr)
			if err != nil {
				return nil, err
			}
			pl = &pipeListener{addr: a, conns: make(chan net.Conn), done: make(chan struct{})}
			return pl, nil
		})
		l, port := newTestLogin(t, "127.0.0.1")
		cb, err := l.Listen()
		if err != nil {
			t.Fatal(err)
		}
		client, closed := pl.dial()
		defer client.Close()
		go io.WriteString(client, "GET /callback?state=x HTTP/1.1\r\nHost: 127.0.0.1:"+strconv.Itoa(port)+"\r\n")
		synctest.Wait()
		start := time.Now()
		if err := cb.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if d := time.Since(start); d != 2*time.Second {
			t.Errorf("Close took %v, want the 2s grace", d)
		}
		select {
		case at := <-closed:
			if d := at.Sub(start); d != 2*time.Second {
				t.Errorf("the held connection was closed after %v, want 2s", d)
			}
		default:
			t.Error("the held connection is still open after Close")
		}
	})
}
