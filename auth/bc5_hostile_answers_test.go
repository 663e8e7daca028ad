package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
)

// A refresh answer bcauth cannot use, that still carries a new refresh
// token: the issuer spent the old one when it answered, so the new one is
// kept (saved), and the next refresh presents it, never the old one, so
// the issuer sees no reuse and the login lives on.
func TestBC5MalformedRotationKeepsTheNewRefreshToken(t *testing.T) {
	for name, edit := range map[string]func(map[string]any){
		"expires_in 0":           func(m map[string]any) { m["expires_in"] = 0 },
		"expires_in a string":    func(m map[string]any) { m["expires_in"] = "3600" },
		"expires_in huge":        func(m map[string]any) { m["expires_in"] = 86400000 },
		"resource empty":         func(m map[string]any) { m["resource"] = "" },
		"scope not a string":     func(m map[string]any) { m["scope"] = []string{"full"} },
		"no access token at all": func(m map[string]any) { delete(m, "access_token") },
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeBC5(t, launchpadtest.BC5Options{ReuseGrace: -1})
			d, err := f.discover("")
			if err != nil {
				t.Fatal(err)
			}
			c := f.client(t, d.Server)
			tok := f.login(t, c, auth.ScopeFull)
			var saved []*oauth2.Token
			save := func(_ context.Context, t *oauth2.Token) error { saved = append(saved, t); return nil }
			ts := c.TokenSource(tok, save)

			f.b.EditTokenAnswers(edit)
			_, err = ts.Refresh(context.Background(), tok.AccessToken)
			var mr *auth.MalformedRotationError
			if !errors.As(err, &mr) {
				t.Fatalf("Refresh = %v, want a *MalformedRotationError", err)
			}
			if len(saved) != 1 || saved[0].RefreshToken == tok.RefreshToken || saved[0].RefreshToken == "" || saved[0].AccessToken != tok.AccessToken {
				t.Fatalf("saved %d tokens; the replacement must be saved with the old access token", len(saved))
			}
			if strings.Contains(err.Error(), saved[0].RefreshToken) || strings.Contains(err.Error(), tok.RefreshToken) {
				t.Errorf("the error shows a refresh token: %v", err)
			}
			if auth.Resource(saved[0]) != auth.Resource(tok) {
				t.Errorf("the kept token lost its resource: %q, want %q", auth.Resource(saved[0]), auth.Resource(tok))
			}

			f.b.EditTokenAnswers(nil)
			next, err := ts.Refresh(context.Background(), tok.AccessToken)
			if err != nil {
				t.Fatalf("the next refresh: %v", err)
			}
			if f.b.ReuseDetected() != 0 || f.b.Revoked() {
				t.Fatalf("the spent refresh token was presented again: %d reuses, revoked %v", f.b.ReuseDetected(), f.b.Revoked())
			}
			if next.AccessToken == tok.AccessToken || len(saved) != 2 {
				t.Errorf("the next refresh did not renew the token (%d saves)", len(saved))
			}
		})
	}
}

// An answer with no refresh token, or the same one, spends nothing: it is
// an error and nothing is saved.
func TestBC5MalformedAnswerWithoutRotationSavesNothing(t *testing.T) {
	f := newFakeBC5(t, launchpadtest.BC5Options{})
	d, _ := f.discover("")
	c := f.client(t, d.Server)
	tok := f.login(t, c, auth.ScopeFull)
	saves := 0
	ts := c.TokenSource(tok, func(context.Context, *oauth2.Token) error { saves++; return nil })
	f.b.EditTokenAnswers(func(m map[string]any) { m["expires_in"] = 0; delete(m, "refresh_token") })
	_, err := ts.Refresh(context.Background(), tok.AccessToken)
	var mr *auth.MalformedRotationError
	if err == nil || errors.As(err, &mr) || saves != 0 {
		t.Fatalf("Refresh = %v (%d saves)", err, saves)
	}
}

// A device answer's strings are bounded and visible ASCII: they are shown,
// copied and handed to a browser.
func TestBC5DeviceAnswerStringsAreBounded(t *testing.T) {
	for name, edit := range map[string]func(map[string]any){
		"a long user code":           func(m map[string]any) { m["user_code"] = strings.Repeat("A", 65) },
		"an escape in the user code": func(m map[string]any) { m["user_code"] = "ABCD-\x1b[2J" },
		"a space in the user code":   func(m map[string]any) { m["user_code"] = "ABCD EFGH" },
		"bidi in the complete URI": func(m map[string]any) {
			m["verification_uri_complete"] = m["verification_uri"].(string) + "?user_code=\u202eABCD"
		},
		"a C1 control in the URI": func(m map[string]any) { m["verification_uri"] = m["verification_uri"].(string) + "\u009b" },
		"a URI over 2048 bytes": func(m map[string]any) {
			m["verification_uri"] = m["verification_uri"].(string) + "?" + strings.Repeat("x", 2048)
		},
		"a device code over 4096": func(m map[string]any) { m["device_code"] = strings.Repeat("d", 4097) },
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeBC5(t, launchpadtest.BC5Options{})
			d, _ := f.discover("")
			c := f.client(t, d.Server)
			f.b.EditDeviceAnswers(edit)
			dc, err := c.StartDevice(context.Background(), auth.ScopeFull)
			if err == nil {
				t.Fatalf("StartDevice accepted %q / %q", dc.UserCode, dc.VerificationURIComplete)
			}
		})
	}
	// The longest accepted: 64 bytes of code, 2048 of address.
	f := newFakeBC5(t, launchpadtest.BC5Options{})
	d, _ := f.discover("")
	c := f.client(t, d.Server)
	f.b.EditDeviceAnswers(func(m map[string]any) {
		m["user_code"] = strings.Repeat("B", 64)
		u := m["verification_uri"].(string) + "?x="
		m["verification_uri"] = u + strings.Repeat("y", 2048-len(u))
	})
	if _, err := c.StartDevice(context.Background(), auth.ScopeFull); err != nil {
		t.Errorf("a 64-byte code and a 2048-byte address: %v", err)
	}
}

// WithBeforeSend runs just before a refresh token is sent: its error sends
// nothing, and a newer stored token adopted instead never calls it.
func TestBeforeSendRunsOnlyBeforeASend(t *testing.T) {
	f := newFakeBC5(t, launchpadtest.BC5Options{})
	d, _ := f.discover("")
	c := f.client(t, d.Server)
	tok := f.login(t, c, auth.ScopeFull)
	calls := 0
	refuse := errors.New("no room")
	ts := c.TokenSource(tok, nil, auth.WithBeforeSend(func(context.Context) error { calls++; return refuse }))
	if _, err := ts.Refresh(context.Background(), tok.AccessToken); !errors.Is(err, refuse) || calls != 1 {
		t.Fatalf("Refresh = %v after %d calls", err, calls)
	}
	if n := f.b.RefreshRequests(); n != 0 {
		t.Fatalf("%d refreshes sent after before-send refused", n)
	}
	newer := *tok
	newer.AccessToken, newer.Expiry = "newer", f.clock.Now().Add(time.Hour)
	calls = 0
	ts = c.TokenSource(tok, nil,
		auth.WithLoad(func(context.Context) (*oauth2.Token, error) { return &newer, nil }),
		auth.WithBeforeSend(func(context.Context) error { calls++; return refuse }))
	got, err := ts.Refresh(context.Background(), tok.AccessToken)
	if err != nil || got.AccessToken != "newer" || calls != 0 {
		t.Errorf("with a newer stored token: %v, %v, %d before-send calls", got, err, calls)
	}
}
