package auth_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"bcauth/auth"
)

// The device link: the address a browser is handed holds a nonce, not the
// user code; it sends this user's browser to the page with the code in,
// refuses another user's program (who could read the address in the
// browser's arguments), and is gone when the login ends.
func TestDeviceLinkIsThisUsersOnly(t *testing.T) {
	const target = "https://app.example/device?user_code=WDJB-MJHT"
	ctx, end := context.WithCancel(context.Background())
	defer end()
	link, err := auth.NewDeviceLink(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	defer link.Close()
	if strings.Contains(link.URL, "WDJB") || !strings.HasPrefix(link.URL, "http://127.0.0.1:") {
		t.Fatalf("the link %q", link.URL)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(u string) (*http.Response, error) {
		resp, err := c.Get(u)
		if err == nil {
			resp.Body.Close()
		}
		return resp, err
	}
	resp, err := get(link.URL)
	if err != nil || resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != target {
		t.Fatalf("this user's GET: %v %+v", err, resp)
	}
	if resp.Header.Get("Referrer-Policy") != "no-referrer" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v", resp.Header)
	}
	base := link.URL[:strings.LastIndex(link.URL, "/")+1]
	if resp, err := get(base + "guessed"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("a guessed nonce: %v %v", err, resp)
	}
	if resp, err := c.Post(link.URL, "text/plain", nil); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("a POST: %v %v", err, resp)
	}
	if got := asOtherUser(t, link.URL); got[0] != "403 false" {
		t.Errorf("another user's program got %q, want 403", got[0])
	}
	end()
	// The login ended: the link keeps its port (another user's program
	// must not take it while a browser may still come), and answers that
	// it ended, on a goroutine of its own: wait for it, boundedly.
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := get(link.URL)
		if err != nil {
			t.Fatalf("after the login ended the link gave up its port: %v", err)
		}
		if resp.StatusCode == http.StatusGone && resp.Header.Get("Location") == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("5 s after the login ended the link still answers %s", resp.Status)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := link.Close(); err != nil {
		t.Fatal(err)
	}
	if resp, err := get(link.URL); err == nil {
		t.Errorf("after Close the link still answers %s", resp.Status)
	}
}
