package auth_test

import (
	"strings"
	"testing"

	"bcauth/auth"
)

// TestSkimAuthorization checks that an answer read but for its accounts
// gives the identity and expiry a whole read gives, the same text, no
// accounts and says so; and that a span that is not the accounts array
// is refused, not read.
func TestSkimAuthorization(t *testing.T) {
	body := `{"expires_at":"2026-03-01T09:30:00Z","identity":{"id":4242,"first_name":"Ada","last_name":"Lovelace","email_address":"ada@example.com"},` +
		`"accounts":[{"product":"bc3","id":1,"name":"One","href":"http://127.0.0.1:9/1"},{"product":"bcx","id":2,"name":"Two","href":"http://127.0.0.1:9/2"}],"extra":{"accounts":[]}}`
	whole, err := auth.ParseAuthorization(body)
	if err != nil {
		t.Fatal(err)
	}
	from, to, ok := whole.AccountsSpan()
	if !ok || body[from] != '[' || body[to-1] != ']' || whole.Skimmed() {
		t.Fatalf("AccountsSpan = %d, %d, %v (skimmed %v)", from, to, ok, whole.Skimmed())
	}
	a, err := auth.SkimAuthorization(body, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Skimmed() || len(a.Accounts) != 0 || a.Identity != whole.Identity || !a.ExpiresAt.Equal(whole.ExpiresAt) || a.Body() != body || a.PlainText() {
		t.Fatalf("skimmed: %+v (skimmed %v, plain %v), want %+v", a, a.Skimmed(), a.PlainText(), whole)
	}
	if f, tt, ok := a.AccountsSpan(); !ok || f != from || tt != to || !a.Indexed() {
		t.Errorf("a skimmed answer's span = %d, %d, %v", f, tt, ok)
	}
	if ids, _, ok := a.AccountIndex(); ok {
		// Its index is read from the text, whose accounts it does not
		// hold: it must not pass for an index of them.
		t.Errorf("AccountIndex of a skimmed answer: %v, %v", ids, ok)
	}
	for _, c := range []struct {
		name     string
		from, to int
	}{
		{"nothing", 0, 0},
		{"from the start", 0, len(body)},
		{"an empty span", from, from + 1},
		{"past the end", from, len(body) + 1},
		{"one byte late", from + 1, to},
		{"one byte short", from, to - 1},
		{"the inner object", from + 1, to - 1},
		{"the other array", strings.Index(body, `[]}`), strings.Index(body, `[]}`) + 2},
	} {
		if a, err := auth.SkimAuthorization(body, c.from, c.to); err == nil {
			t.Errorf("%s (%d:%d): skimmed as %+v", c.name, c.from, c.to, a)
		}
	}
	// A text that is no authorization.json around the span.
	if _, err := auth.SkimAuthorization(`{"identity":`+`[`+`]`, 12, 14); err == nil {
		t.Error("a text that is no authorization.json was skimmed")
	}
}
