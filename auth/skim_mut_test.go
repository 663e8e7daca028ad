package auth_test

import (
	"strings"
	"testing"

	"bcauth/auth"
)

// TestAccountsSpanOnlyOfThePlainParser checks that an answer only
// encoding/json read (an escape in a name) has no accounts span: it
// cannot be skimmed, its accounts' place in the text unknown.
func TestAccountsSpanOnlyOfThePlainParser(t *testing.T) {
	body := `{"expires_at":"2026-03-01T09:30:00Z","identity":{"id":4242,"first_name":"Ada","last_name":"Lovelace","email_address":"ada@example.com"},` +
		`"accounts":[{"product":"bc3","id":1,"name":"One \u0031","href":"http://127.0.0.1:9/1"}]}`
	a, err := auth.ParseAuthorization(body)
	if err != nil {
		t.Fatal(err)
	}
	if a.Indexed() || len(a.Accounts) != 1 {
		t.Fatalf("the answer with an escape: plain-parsed %v, %d accounts", a.Indexed(), len(a.Accounts))
	}
	if from, to, ok := a.AccountsSpan(); ok {
		t.Errorf("AccountsSpan of an answer encoding/json read = %d, %d, %v", from, to, ok)
	}
}

// TestSkimAuthorizationNoSpanAtAll checks that an empty span, placed
// where a ']' is followed by a '[' (inside a name), is refused: it is
// no array, even when the text around it reads as an authorization.json
// with the "[]" put in.
func TestSkimAuthorizationNoSpanAtAll(t *testing.T) {
	body := `{"expires_at":"2026-03-01T09:30:00Z","identity":{"id":4242,"first_name":"A][B","last_name":"Lovelace","email_address":"ada@example.com"},"accounts":[]}`
	if _, err := auth.ParseAuthorization(body); err != nil {
		t.Fatal(err)
	}
	at := strings.Index(body, "][") + 1
	if a, err := auth.SkimAuthorization(body, at, at); err == nil {
		t.Errorf("an empty span at %d was skimmed: %+v", at, a)
	}
}
