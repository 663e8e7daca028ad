package launchpadtest

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// productGet sends a who-am-I request with the headers a polite client sends.
func productGet(t *testing.T, target, authorization string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "bcauth-test (test@example.com)")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	return do(t, req)
}

func TestProductEndpointsAnswerForEveryDemoHref(t *testing.T) {
	s := start(t, Options{})
	access, _, _ := s.IssueToken()
	id := s.Identity()
	whoAmI := map[string]string{
		"bc3": "/my/profile.json", "bcx": "/people/me.json", "basecamp": "/me.xml",
		"campfire": "/users/me.xml", "highrise": "/me.xml",
	}
	for _, a := range s.Accounts() {
		path, ok := whoAmI[a.Product]
		if !ok {
			continue
		}
		t.Run(a.Product+"/"+a.Name, func(t *testing.T) {
			got := productGet(t, a.Href+path, "Bearer "+access)
			_, demo := demoScripts[a.Product+":"+strconv.FormatInt(a.ID, 10)]
			if demo {
				if got.status == http.StatusOK {
					t.Fatalf("scripted demo account answered 200")
				}
				return
			}
			if got.status != http.StatusOK {
				t.Fatalf("status %d, body %q", got.status, got.body)
			}
			var email string
			if strings.HasSuffix(path, ".json") {
				var p struct {
					ID    int64  `json:"id"`
					Email string `json:"email_address"`
				}
				if err := json.Unmarshal([]byte(got.body), &p); err != nil || p.ID == 0 {
					t.Fatalf("not a person: %v %q", err, got.body)
				}
				email = p.Email
			} else {
				if !strings.HasPrefix(got.header.Get("Content-Type"), "application/xml") {
					t.Errorf("Content-Type %q", got.header.Get("Content-Type"))
				}
				var p struct {
					XMLName xml.Name
					Email   string `xml:"email-address"`
				}
				if err := xml.Unmarshal([]byte(got.body), &p); err != nil {
					t.Fatalf("not XML: %v %q", err, got.body)
				}
				email = p.Email
			}
			if email != id.EmailAddress {
				t.Errorf("email %q, want %q", email, id.EmailAddress)
			}
		})
	}
}

func TestProductEndpointChecks(t *testing.T) {
	s := start(t, Options{})
	access, _, _ := s.IssueToken()
	href := s.URL + "/bc3/99999999/my/profile.json"

	t.Run("no User-Agent", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, href, nil)
		req.Header.Set("Authorization", "Bearer "+access)
		req.Header.Set("User-Agent", "")
		if got := do(t, req); got.status != http.StatusBadRequest || got.body != textNoUserAgent {
			t.Errorf("got %d %q", got.status, got.body)
		}
	})
	t.Run("unknown token", func(t *testing.T) {
		if got := productGet(t, href, "Bearer nope"); got.status != http.StatusUnauthorized || !strings.Contains(got.body, errTokenUnknown) {
			t.Errorf("got %d %q", got.status, got.body)
		}
	})
	t.Run("no credentials", func(t *testing.T) {
		if got := productGet(t, href, ""); got.status != http.StatusUnauthorized || got.body != errBasicDenied {
			t.Errorf("got %d %q", got.status, got.body)
		}
	})
	t.Run("unknown account", func(t *testing.T) {
		if got := productGet(t, s.URL+"/bc3/1/my/profile.json", "Bearer "+access); got.status != http.StatusNotFound {
			t.Errorf("got %d %q", got.status, got.body)
		}
	})
	t.Run("demo: inactive", func(t *testing.T) {
		got := productGet(t, s.URL+"/bc3/99999995/my/profile.json", "Bearer "+access)
		if got.status != http.StatusNotFound || got.header.Get("Reason") != ReasonInactive {
			t.Errorf("got %d Reason %q", got.status, got.header.Get("Reason"))
		}
	})
	t.Run("demo: refused", func(t *testing.T) {
		got := productGet(t, s.URL+"/classic/northwind/me.xml", "Bearer "+access)
		if got.status != http.StatusUnauthorized || got.body != errBasicDenied {
			t.Errorf("got %d %q", got.status, got.body)
		}
	})
	t.Run("expired token", func(t *testing.T) {
		s.ExpireAccessTokens()
		got := productGet(t, href, "Bearer "+access)
		if got.status != http.StatusUnauthorized || !strings.Contains(got.body, "OAuth token expired (old age)") {
			t.Errorf("got %d %q", got.status, got.body)
		}
	})
}

func TestScriptProductPlaysAnswersInOrderThenKeepsTheLast(t *testing.T) {
	s := start(t, Options{})
	access, _, _ := s.IssueToken()
	s.ScriptProduct(88888888, "bcx", AnswerRateLimited(3), AnswerServerError(), AnswerReachable())
	href := s.URL + "/bcx/88888888/api/v1/people/me.json"
	want := []int{http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusOK, http.StatusOK}
	for i, w := range want {
		got := productGet(t, href, "Bearer "+access)
		if got.status != w {
			t.Fatalf("request %d: status %d, want %d (%q)", i+1, got.status, w, got.body)
		}
		if w == http.StatusTooManyRequests && got.header.Get("Retry-After") != "3" {
			t.Errorf("Retry-After %q", got.header.Get("Retry-After"))
		}
	}
	// Highrise shares the id: its script is its own.
	if got := productGet(t, s.URL+"/highrise/globex/me.xml", "Bearer "+access); got.status != http.StatusOK {
		t.Errorf("highrise 88888888: %d", got.status)
	}
	// No answers: back to the demo's own behaviour.
	s.ScriptProduct(99999995, "bc3", AnswerReachable())
	if got := productGet(t, s.URL+"/bc3/99999995/my/profile.json", "Bearer "+access); got.status != http.StatusOK {
		t.Errorf("scripted reachable: %d", got.status)
	}
	s.ScriptProduct(99999995, "bc3")
	if got := productGet(t, s.URL+"/bc3/99999995/my/profile.json", "Bearer "+access); got.status != http.StatusNotFound {
		t.Errorf("script removed: %d, want the demo's 404", got.status)
	}
}

func TestOwnAccountsHaveNoDemoScripts(t *testing.T) {
	s := start(t, Options{Accounts: []Account{{Product: "bc3", ID: 99999995, Name: "Mine", Href: "http://127.0.0.1:1/bc3/99999995"}}})
	access, _, _ := s.IssueToken()
	if got := productGet(t, s.URL+"/bc3/99999995/my/profile.json", "Bearer "+access); got.status != http.StatusOK {
		t.Errorf("status %d, want 200 (%q)", got.status, got.body)
	}
}

func TestAllowBasic(t *testing.T) {
	s := start(t, Options{})
	s.AllowBasic("tok123", "X")
	href := s.URL + "/highrise/globex/me.xml"
	req, _ := http.NewRequest(http.MethodGet, href, nil)
	req.Header.Set("User-Agent", "test")
	req.SetBasicAuth("tok123", "X")
	if got := do(t, req); got.status != http.StatusOK {
		t.Errorf("good API token: %d %q", got.status, got.body)
	}
	req.SetBasicAuth("tok123", "Y")
	if got := do(t, req); got.status != http.StatusUnauthorized || got.body != errBasicDenied {
		t.Errorf("wrong password: %d %q", got.status, got.body)
	}
	if reqs := s.ProductRequests(); len(reqs) != 2 || reqs[0].Auth != "Basic" || reqs[0].Account != "highrise:88888888" || reqs[1].Status != http.StatusUnauthorized {
		t.Errorf("requests %+v", reqs)
	}
}

func TestMaxInFlightCountsConcurrentRequests(t *testing.T) {
	s := start(t, Options{})
	access, _, _ := s.IssueToken()
	s.ScriptProduct(99999999, "bc3", AnswerSlow(time.Minute))
	ctx, cancel := context.WithCancel(context.Background())
	errs := make(chan error, 3)
	for range 3 {
		go func() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/bc3/99999999/my/profile.json", nil)
			req.Header.Set("User-Agent", "test")
			req.Header.Set("Authorization", "Bearer "+access)
			_, err := send(req)
			errs <- err
		}()
	}
	Eventually(t, "three product requests", func() bool { return len(s.ProductRequests()) == 3 })
	cancel()
	for range 3 {
		if err := <-errs; err == nil {
			t.Error("a slow request answered before being cancelled")
		}
	}
	if got := s.MaxInFlight(); got != 3 {
		t.Errorf("MaxInFlight %d, want 3", got)
	}
	for _, r := range s.ProductRequests() {
		if r.Host != strings.TrimPrefix(s.URL, "http://") || r.Time.IsZero() {
			t.Errorf("request %+v", r)
		}
	}
}
