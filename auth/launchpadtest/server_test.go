package launchpadtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestNewServerE(t *testing.T) {
	s := start(t, Options{})
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Errorf("URL %q is not on loopback", s.URL)
	}
	busy := strings.TrimPrefix(s.URL, "http://")
	tests := []struct {
		addr string
		is   error
	}{
		{addr: "0.0.0.0:0"},
		{addr: ":0"},
		{addr: "192.0.2.1:0"},
		{addr: "nonsense"},
		{addr: busy, is: syscall.EADDRINUSE},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			s, err := NewServerE(Options{Addr: tt.addr})
			if err == nil {
				s.Close()
				t.Fatal("NewServerE succeeded")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
		})
	}
}

func TestOptionsDefaults(t *testing.T) {
	o := start(t, Options{}).Options()
	if o.ClientID != "demo-client-id" || o.ClientSecret != "demo-client-secret" ||
		o.RedirectURI != "http://127.0.0.1:8976/callback" || o.AppName != "bcauth" ||
		o.AccessTTL != DefaultAccessTTL || o.CodeTTL != DefaultCodeTTL {
		t.Errorf("defaults %+v", o)
	}
}

func TestNotFound(t *testing.T) {
	s := start(t, Options{})
	a := get(t, s.URL+"/bc3/99999999/chats.json") // a product path the fake does not serve
	if a.status != 404 || a.body != `{"status":404,"error":"Not Found"}` {
		t.Errorf("got %d %s", a.status, a.body)
	}
}

func TestDemoAccounts(t *testing.T) {
	s := start(t, Options{})
	accounts := s.Accounts()
	if len(accounts) < 10 {
		t.Fatalf("only %d demo accounts", len(accounts))
	}
	products := map[string]bool{}
	keys := map[string]bool{}
	var long, nonLatin, hostile, hidden, noApp int
	for _, a := range accounts {
		products[a.Product] = true
		key := fmt.Sprintf("%s:%d", a.Product, a.ID)
		if keys[key] {
			t.Errorf("duplicate account %s", key)
		}
		keys[key] = true
		if !strings.HasPrefix(a.Href, s.URL+"/") {
			t.Errorf("%s href %q does not point at the fake", key, a.Href)
		}
		if utf8.RuneCountInString(a.Name) >= 100 {
			long++
		}
		if strings.ContainsFunc(a.Name, func(r rune) bool { return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) }) {
			nonLatin++
		}
		if strings.ContainsFunc(a.Name, unicode.IsControl) {
			hostile++
		}
		if a.Extra["hidden"] == true {
			hidden++
		}
		if a.AppHref == "" {
			noApp++
		}
	}
	for _, p := range []string{"bc3", "bcx", "basecamp", "campfire", "highrise", "sortfolio"} {
		if !products[p] {
			t.Errorf("no %s account", p)
		}
	}
	if long == 0 || nonLatin == 0 || hostile == 0 || hidden == 0 || noApp < 2 {
		t.Errorf("long %d, non-Latin %d, hostile %d, hidden %d, without app_href %d: want each", long, nonLatin, hostile, hidden, noApp)
	}
}

func TestWebPage(t *testing.T) {
	s := start(t, Options{})
	for _, a := range s.Accounts() {
		if a.AppHref == "" {
			continue
		}
		page := get(t, a.AppHref)
		if page.status != http.StatusOK || page.header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("%s: %d %s", a.AppHref, page.status, page.header.Get("Content-Type"))
		}
		if !strings.Contains(page.body, "<title>") || strings.Contains(page.body, "<script") {
			t.Errorf("%s page is not what it should be:\n%s", a.AppHref, page.body)
		}
	}
	if a := get(t, s.URL+"/web/bc3/1"); a.status != http.StatusNotFound {
		t.Errorf("unknown account page: %d", a.status)
	}
}

// TestConcurrentUse runs logins, refreshes and lookups while the fake is
// being reconfigured; run it with -race.
func TestConcurrentUse(t *testing.T) {
	s := start(t, Options{})
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 8 {
		wg.Go(func() {
			for range 5 {
				loc, err := s.Approve(t.Context(), authURL(s, url.Values{"state": {"s"}}))
				if err != nil {
					var ce *ConsentError
					if !errors.As(err, &ce) {
						errs <- err
					}
					continue
				}
				a, err := send(tokenRequest(t.Context(), s, nil, codeForm(s, loc.Query().Get("code"))))
				if err != nil {
					errs <- err
					continue
				}
				if a.status != http.StatusOK {
					continue // a fault or RevokeAll got there first
				}
				var tok struct {
					AccessToken  string `json:"access_token"`
					RefreshToken string `json:"refresh_token"`
				}
				if err := json.Unmarshal([]byte(a.body), &tok); err != nil {
					errs <- err
					continue
				}
				if _, err := send(tokenRequest(t.Context(), s, nil, refreshForm(s, tok.RefreshToken))); err != nil {
					errs <- err
				}
				if _, err := send(authorizationRequest(t.Context(), s, tok.AccessToken, "t")); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 20 {
			s.InjectFault(Endpoint([]Endpoint{EndpointConsent, EndpointToken, EndpointAuthorization}[i%3]), Fault{Status: 503, Times: 1})
			s.SetAccounts(DemoAccounts(s.URL)[:i%5])
			s.SetIdentity(Identity{ID: int64(i)})
			s.ExpireAccessTokens()
			if i%7 == 0 {
				s.RevokeAll()
			}
			if i%4 == 0 {
				s.ClearFaults()
			}
			_ = s.TokenRequests()
			_ = s.TokenRequestLog()
			_ = s.Requests(EndpointToken)
			_ = s.Accounts()
			_ = s.Identity()
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
