package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// DeviceLink is the address bcauth hands a browser for a device login's
// page with the code filled in. That page's own address holds the user
// code, and a browser's arguments are readable by every local user
// (/proc/PID/cmdline, ps): another user could enter the code first and
// log this person in as someone else, or deny it. So the browser is
// handed a loopback address holding a random nonce instead, which
// redirects to the page only for this user's programs (on Linux, where
// the owner of a loopback connection can be told; elsewhere the nonce
// alone guards it, as for Launchpad's start address), and only while the
// login lasts. It keeps its port until Close (the program's end), so a
// browser slow to start meets it, not another user's program on the port.
type DeviceLink struct {
	// URL is what to open: http://127.0.0.1:PORT/device/NONCE.
	URL string

	target string
	path   string
	srv    *http.Server
	ended  atomic.Bool // the login ended: no more redirects
}

// NewDeviceLink serves the redirect to target until ctx ends (the login
// ends), and holds its port until Close: a browser slow to start must find
// this link, answering that the login ended, and never another program
// that took the port (it is in the browser's arguments).
func NewDeviceLink(ctx context.Context, target string) (*DeviceLink, error) {
	nonce := make([]byte, 24)
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	d := &DeviceLink{target: target, path: "/device/" + base64.RawURLEncoding.EncodeToString(nonce)}
	d.URL = "http://" + ln.Addr().String() + d.path
	d.srv = &http.Server{Handler: d, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
	go func() { _ = d.srv.Serve(ln) }()
	context.AfterFunc(ctx, func() { d.ended.Store(true) })
	return d, nil
}

// ServeHTTP redirects this user's browser to the page with the code in.
func (d *DeviceLink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.URL.Path != d.path {
		http.NotFound(w, r)
		return
	}
	if err := checkPeer(r); err != nil {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	if d.ended.Load() {
		http.Error(w, "this bcauth login has ended: start a new one in bcauth, and open its address", http.StatusGone)
		return
	}
	http.Redirect(w, r, d.target, http.StatusSeeOther)
}

// Close stops serving the link; it is safe to call more than once.
func (d *DeviceLink) Close() error {
	err := d.srv.Close()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
