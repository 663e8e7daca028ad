package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
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
// login lasts.
type DeviceLink struct {
	// URL is what to open: http://127.0.0.1:PORT/device/NONCE.
	URL string

	target string
	path   string
	srv    *http.Server
}

// NewDeviceLink serves the redirect to target until ctx ends (the login
// ends) or Close.
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
	context.AfterFunc(ctx, func() { _ = d.Close() })
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
