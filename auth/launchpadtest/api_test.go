package launchpadtest

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// apiRequest sends an API request with the headers a polite client sends.
func apiRequest(t *testing.T, method, target, token, body string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "bcauth-test (test@example.com)")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return do(t, req)
}

var nextLink = regexp.MustCompile(`^<([^>]+)>; rel="next"$`)

func TestAPIProjectsArePaginatedWithLinkAndTotal(t *testing.T) {
	s := start(t, Options{})
	access, _, _ := s.IssueToken()
	next := s.URL + "/bc3/99999999/projects.json"
	var names []string
	pages := 0
	for next != "" {
		a := apiRequest(t, http.MethodGet, next, access, "")
		if a.status != http.StatusOK || a.header.Get("X-Total-Count") != strconv.Itoa(DemoProjects) {
			t.Fatalf("%s: %d, X-Total-Count %q: %s", next, a.status, a.header.Get("X-Total-Count"), a.body)
		}
		var page []apiProject
		if err := json.Unmarshal([]byte(a.body), &page); err != nil {
			t.Fatal(err)
		}
		for _, p := range page {
			names = append(names, p.Name)
		}
		pages++
		next = ""
		if m := nextLink.FindStringSubmatch(a.header.Get("Link")); m != nil {
			next = m[1]
		}
	}
	if pages != 3 || len(names) != DemoProjects || names[0] != "The Leto Laptop" || names[DemoProjects-1] != "Hiring: Designer 7" {
		t.Errorf("%d pages, %d projects, first %q, last %q", pages, len(names), names[0], names[len(names)-1])
	}
}

func TestAPICreatesAndEchoes(t *testing.T) {
	s := start(t, Options{})
	access, _, _ := s.IssueToken()
	base := s.URL + "/bc3/99999998"
	a := apiRequest(t, http.MethodPost, base+"/projects.json", access, `{"name":"Launch","description":"Q3"}`)
	var p apiProject
	if a.status != http.StatusCreated || json.Unmarshal([]byte(a.body), &p) != nil || p.Name != "Launch" || p.Description != "Q3" {
		t.Fatalf("create: %d %s", a.status, a.body)
	}
	if got := apiRequest(t, http.MethodGet, base+"/projects/"+strconv.FormatInt(p.ID, 10)+".json", access, ""); got.status != http.StatusOK || !strings.Contains(got.body, `"Launch"`) {
		t.Errorf("the created project is not there: %d %s", got.status, got.body)
	}
	if got := apiRequest(t, http.MethodPost, base+"/projects.json", access, `{"description":"no name"}`); got.status != http.StatusUnprocessableEntity {
		t.Errorf("no name: %d %s", got.status, got.body)
	}
	msg := apiRequest(t, http.MethodPost, p.Dock[0].URL[:len(p.Dock[0].URL)-len(".json")]+"/messages.json", access, `{"subject":"Kickoff","content":"<b>hi</b>","status":"active"}`)
	if msg.status != http.StatusCreated || !strings.Contains(msg.body, `"subject":"Kickoff"`) || !strings.Contains(msg.body, `"Annie Bryan"`) {
		t.Errorf("message: %d %s", msg.status, msg.body)
	}
}

func TestAPIChecksCredentialsAndScripts(t *testing.T) {
	s := start(t, Options{})
	access, _, _ := s.IssueToken()
	url := s.URL + "/bc3/99999999/people.json"
	if a := apiRequest(t, http.MethodGet, url, "", ""); a.status != http.StatusUnauthorized {
		t.Errorf("no token: %d", a.status)
	}
	s.ScriptAPI(99999999, "bc3", AnswerServerError(), AnswerRateLimited(3), AnswerForbidden(), AnswerReachable())
	for _, want := range []int{500, 429, 403, 200, 200} {
		if a := apiRequest(t, http.MethodGet, url, access, ""); a.status != want {
			t.Errorf("got %d, want %d: %s", a.status, want, a.body)
		}
	}
	s.ExpireAccessTokens()
	if a := apiRequest(t, http.MethodGet, url, access, ""); a.status != http.StatusUnauthorized || !strings.Contains(a.body, "expired") {
		t.Errorf("expired: %d %s", a.status, a.body)
	}
	if n := len(s.ProductRequests()); n != 7 {
		t.Errorf("logged %d requests, want 7", n)
	}
}

func TestAPIClassicProductsAnswerXML(t *testing.T) {
	s := start(t, Options{})
	access, _, _ := s.IssueToken()
	for path, root := range map[string]string{"/classic/northwind/projects.xml": "projects", "/highrise/globex/people.xml": "people"} {
		a := apiRequest(t, http.MethodGet, s.URL+path, access, "")
		var doc struct {
			XMLName xml.Name
			Type    string `xml:"type,attr"`
		}
		if a.status != http.StatusOK || xml.Unmarshal([]byte(a.body), &doc) != nil || doc.XMLName.Local != root || doc.Type != "array" {
			t.Errorf("%s: %d %s", path, a.status, a.body)
		}
	}
}
