package launchpadtest

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestConsentPageOffersBothPeopleTheFirstChosen(t *testing.T) {
	s := start(t, Options{})
	a := get(t, authURL(s, nil))
	for _, want := range []string{
		`<input type="radio" name="as" value="9999999" checked> <strong>Annie Bryan</strong> annie@example.com`,
		`<input type="radio" name="as" value="8888888"> <strong>Ben Ortiz</strong> ben@example.com`,
	} {
		if !strings.Contains(a.body, want) {
			t.Errorf("consent page lacks %s\n%s", want, a.body)
		}
	}
}

func TestEachTokenAnswersAsThePersonApproved(t *testing.T) {
	s := start(t, Options{})
	second := s.SecondIdentity()
	for _, tc := range []struct {
		name string
		as   int64 // 0: Approve, as a browser that leaves the page's choice
		want Identity
		acct []Account
	}{
		{"first, the page's choice", 0, DemoIdentity(), s.Accounts()},
		{"first, chosen", DemoIdentity().ID, DemoIdentity(), s.Accounts()},
		{"second", second.ID, second, s.SecondAccounts()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var loc *url.URL
			var err error
			if tc.as == 0 {
				loc, err = s.Approve(t.Context(), authURL(s, nil))
			} else {
				loc, err = s.ApproveAs(t.Context(), authURL(s, nil), tc.as)
			}
			if err != nil {
				t.Fatal(err)
			}
			tok := decodeObject(t, postToken(t, s, nil, codeForm(s, loc.Query().Get("code"))).body)
			// A refreshed token belongs to the same person.
			fresh := decodeObject(t, postToken(t, s, nil, refreshForm(s, tok["refresh_token"].(string))).body)
			for _, access := range []string{tok["access_token"].(string), fresh["access_token"].(string)} {
				a := getAuthorization(t, s, access, "test")
				doc := decodeObject(t, a.body)
				id := doc["identity"].(map[string]any)
				if id["email_address"] != tc.want.EmailAddress || int64(id["id"].(float64)) != tc.want.ID {
					t.Errorf("authorization.json identity %v, want %v", id, tc.want)
				}
				if n := len(doc["accounts"].([]any)); n != len(tc.acct) {
					t.Errorf("%d accounts, want %d", n, len(tc.acct))
				}
				// The product APIs know the same person.
				req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, tc.acct[0].Href+"/my/profile.json", nil)
				req.Header.Set("Authorization", "Bearer "+access)
				req.Header.Set("User-Agent", "test")
				if p := do(t, req); !strings.Contains(p.body, `"email_address":"`+tc.want.EmailAddress+`"`) {
					t.Errorf("bc3 profile %d %s, want %s", p.status, p.body, tc.want.EmailAddress)
				}
			}
		})
	}
}

func TestApproveAsRefusesWhatThePageCannotDo(t *testing.T) {
	s := start(t, Options{})
	if _, err := s.ApproveAs(t.Context(), authURL(s, nil), 42); err == nil || !strings.Contains(err.Error(), "neither of the fake's two people") {
		t.Errorf("ApproveAs a stranger: %v", err)
	}
	// A hand-made form naming a stranger gets a page, no code.
	form := url.Values{"client_id": {s.Options().ClientID}, "redirect_uri": {s.Options().RedirectURI}, "decision": {"allow"}, "as": {"42"}}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+"/authorization/new", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if a := do(t, req); a.status != http.StatusBadRequest || !strings.Contains(a.body, "Choose which Basecamp ID") {
		t.Errorf("form as=42: %d %s", a.status, a.body)
	}

	auto := start(t, Options{AutoApprove: true})
	if _, err := auto.ApproveAs(t.Context(), authURL(auto, nil), auto.SecondIdentity().ID); !errors.Is(err, errAutoApproved) {
		t.Errorf("ApproveAs with AutoApprove: %v, want errAutoApproved", err)
	}
}

func TestTakeTurnsApprovesAsEachPersonInTurn(t *testing.T) {
	codes := make(chan string, 3)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		codes <- r.URL.Query().Get("code")
	}))
	t.Cleanup(app.Close)
	s := start(t, Options{RedirectURI: app.URL + "/callback"})
	approve := s.TakeTurns()
	var got []string
	for range 3 {
		if err := approve(t.Context(), authURL(s, nil)); err != nil {
			t.Fatal(err)
		}
		tok := decodeObject(t, postToken(t, s, nil, codeForm(s, <-codes)).body)
		doc := decodeObject(t, getAuthorization(t, s, tok["access_token"].(string), "test").body)
		got = append(got, doc["identity"].(map[string]any)["email_address"].(string))
	}
	if want := "annie@example.com ben@example.com annie@example.com"; strings.Join(got, " ") != want {
		t.Errorf("TakeTurns approved as %v, want %s", got, want)
	}
}
