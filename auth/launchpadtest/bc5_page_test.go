package launchpadtest

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestVerificationPageOffersBothPeopleTheFirstChosen(t *testing.T) {
	_, b, _ := startBC5(t, BC5Options{})
	page := get(t, b.VerificationURI)
	for _, want := range []string{
		`<form method="post" action="/device">`,
		`<input type="text" id="user_code" name="user_code" value=""`,
		`<input type="radio" name="as" value="9999999" checked> <strong>Annie Bryan</strong> annie@example.com`,
		`<input type="radio" name="as" value="8888888"> <strong>Ben Ortiz</strong> ben@example.com`,
		`id="allow" name="decision" value="allow"`,
		`id="deny" name="decision" value="deny"`,
	} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the page lacks %s\n%s", want, page.body)
		}
	}
	if strings.Contains(page.body, "<script") {
		t.Error("the page needs a script")
	}
	d := startDevice(t, b, url.Values{"scope": {"full"}})
	page = get(t, str(d, "verification_uri_complete"))
	if !strings.Contains(page.body, `value="`+str(d, "user_code")+`"`) || !strings.Contains(page.body, "bcauth asks to see and change everything") {
		t.Errorf("verification_uri_complete does not fill in the code and say what it asks:\n%s", page.body)
	}
	page = get(t, b.VerificationURI+"?user_code=BCDF-GHJK")
	if !strings.Contains(page.body, "That code is not valid, or it has expired") {
		t.Errorf("an unknown code filled in: no problem shown\n%s", page.body)
	}
	if n := b.Requests(BC5Page); n != 3 {
		t.Errorf("Requests(BC5Page) = %d, want 3", n)
	}
}

func TestApproveDenyAndApproveAs(t *testing.T) {
	_, b, _ := startBC5(t, BC5Options{})
	for _, tc := range []struct {
		name   string
		typed  func(d map[string]any) string
		decide func(b *BC5, code string) error
		want   string // the person whose token it is, or the poll's error
	}{
		{"Approve with the code", func(d map[string]any) string { return str(d, "user_code") }, nil, "annie@example.com"},
		{"Approve with the code as a person types it", func(d map[string]any) string {
			return strings.ToLower(strings.ReplaceAll(str(d, "user_code"), "-", " "))
		}, nil, "annie@example.com"},
		{"Approve with verification_uri_complete", func(d map[string]any) string { return str(d, "verification_uri_complete") }, nil, "annie@example.com"},
		{"ApproveAs by email", nil, func(b *BC5, code string) error { return b.ApproveAs(t.Context(), code, "ben@example.com") }, "ben@example.com"},
		{"ApproveAs by name", nil, func(b *BC5, code string) error { return b.ApproveAs(t.Context(), code, "Ben Ortiz") }, "ben@example.com"},
		{"ApproveAs the first", nil, func(b *BC5, code string) error { return b.ApproveAs(t.Context(), code, "Annie") }, "annie@example.com"},
		{"Deny", nil, func(b *BC5, code string) error { return b.Deny(t.Context(), code) }, "access_denied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := startDevice(t, b, nil)
			code := str(d, "user_code")
			if tc.typed != nil {
				code = tc.typed(d)
			}
			decide := tc.decide
			if decide == nil {
				decide = func(b *BC5, code string) error { return b.Approve(t.Context(), code) }
			}
			if err := decide(b, code); err != nil {
				t.Fatal(err)
			}
			a := poll(t, b, str(d, "device_code"))
			if a.status != http.StatusOK {
				if e, _ := oauthErrorOf(t, a, http.StatusBadRequest); e != tc.want {
					t.Errorf("poll: %q, want %s", e, tc.want)
				}
				return
			}
			if email, _ := identityOf(t, b.AuthorizationURL, str(decodeObject(t, a.body), "access_token")); email != tc.want {
				t.Errorf("the token is %q's, want %s's", email, tc.want)
			}
		})
	}
}

func TestVerificationPageRefuses(t *testing.T) {
	_, b, c := startBC5(t, BC5Options{})
	var ce *ConsentError
	used := str(startDevice(t, b, nil), "user_code")
	if err := b.Approve(t.Context(), used); err != nil {
		t.Fatal(err)
	}
	if err := b.Deny(t.Context(), used); !errors.As(err, &ce) || ce.Status != http.StatusBadRequest || !strings.Contains(ce.Text, "used already") {
		t.Errorf("a used code: %v", err)
	}
	if err := b.Approve(t.Context(), "BCDF-GHJK"); !errors.As(err, &ce) || !strings.Contains(ce.Text, "not valid") {
		t.Errorf("an unknown code: %v", err)
	}
	late := str(startDevice(t, b, nil), "user_code")
	c.Advance(DefaultDeviceCodeTTL)
	if err := b.Approve(t.Context(), late); !errors.As(err, &ce) || !strings.Contains(ce.Text, "expired") {
		t.Errorf("an expired code: %v", err)
	}
	if err := b.ApproveAs(t.Context(), used, "carol@example.com"); err == nil || !strings.Contains(err.Error(), "neither of the fake's two people") {
		t.Errorf("ApproveAs a stranger: %v", err)
	}
	if err := b.Approve(t.Context(), "https://example.invalid/device?user_code=X"); err == nil {
		t.Error("Approve loaded another site's address")
	}

	// Hand-made forms: a stranger, no decision. The form comes back, with a 400.
	code := str(startDevice(t, b, nil), "user_code")
	for _, tc := range []struct {
		name string
		form url.Values
		want string
	}{
		{"a stranger", url.Values{"user_code": {code}, "as": {"42"}, "decision": {"allow"}}, "Choose which Basecamp ID"},
		{"no decision", url.Values{"user_code": {code}}, "Choose Allow or Deny"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := postForm(t, b.VerificationURI, tc.form)
			if a.status != http.StatusBadRequest || !strings.Contains(a.body, tc.want) || !strings.Contains(a.body, `value="`+code+`"`) {
				t.Errorf("%d %s", a.status, a.body)
			}
		})
	}
	if got := b.PendingUserCodes(); len(got) != 1 || got[0] != code {
		t.Errorf("the refused forms decided the code: pending %v", got)
	}
}

func TestBC5TakeTurns(t *testing.T) {
	_, b, c := startBC5(t, BC5Options{})
	approve := b.TakeTurns()
	var got []string
	for range 3 {
		d := startDevice(t, b, nil)
		if err := approve(t.Context(), str(d, "verification_uri_complete")); err != nil {
			t.Fatal(err)
		}
		tok := decodeObject(t, poll(t, b, str(d, "device_code")).body)
		email, _ := identityOf(t, b.AuthorizationURL, str(tok, "access_token"))
		got = append(got, email)
		c.Advance(5 * time.Second)
	}
	if want := "annie@example.com ben@example.com annie@example.com"; strings.Join(got, " ") != want {
		t.Errorf("TakeTurns approved as %v, want %s", got, want)
	}
}
