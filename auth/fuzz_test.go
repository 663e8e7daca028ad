package auth

import (
	"bytes"
	"errors"
	"net/url"
	"testing"
)

// FuzzCallbackQuery feeds arbitrary redirect queries to the callback parser:
// it must never panic, and only a query carrying the login's state may end
// the login.
func FuzzCallbackQuery(f *testing.F) {
	l := &Login{State: "s3cr3t-state", Code: VerificationCode("s3cr3t-state")}
	for _, seed := range []string{
		"code=abc&state=s3cr3t-state",
		"error=access_denied&state=s3cr3t-state",
		"error=access_denied",
		"code=abc&state=wrong",
		"state=s3cr3t-state",
		"state=s3cr3t-state&state=other&code=x",
		"code=%ff%00&state=s3cr3t-state",
		"",
		";;;&&&==",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, _ := url.ParseQuery(raw)
		res, err := l.parseCallback(q)
		if q.Get("state") != l.State {
			if !errors.Is(err, ErrStateMismatch) {
				t.Fatalf("query %q without the state gave %+v, %v", raw, res, err)
			}
			return
		}
		if err == nil && res.code == "" && res.err == nil {
			t.Fatalf("query %q was accepted with neither code nor error", raw)
		}
	})
}

// FuzzDecodeAuthorization feeds arbitrary bytes to the authorization.json
// decoder: an error or a usable value, never a panic.
func FuzzDecodeAuthorization(f *testing.F) {
	f.Add([]byte(`{"expires_at":"2012-03-22T16:56:48-05:00","identity":{"id":9999999,"first_name":"Jason","last_name":"Fried","email_address":"jason@example.com"},"accounts":[{"product":"bc3","id":99999999,"name":"Honcho Design","href":"https://3.basecampapi.com/99999999","app_href":"https://3.basecamp.com/99999999"}]}`))
	f.Add([]byte(`{"identity":{"id":1},"accounts":null}`))
	f.Add([]byte(`{"identity":{"id":1},"accounts":[{"product":"tadalist","id":"x"}]}`))
	f.Add([]byte(`Unknown Basecamp ID.`))
	f.Add([]byte(`{"identity":{"id":1e400}}`))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := DecodeAuthorization(bytes.NewReader(body))
		if err != nil {
			return
		}
		if a.Accounts == nil {
			t.Fatal("decoded authorization has a nil account list")
		}
		for _, acc := range a.Accounts {
			_ = LookupProduct(acc.Product).Name
			_ = acc.WebURL()
		}
	})
}
