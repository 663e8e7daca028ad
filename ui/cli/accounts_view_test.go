package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"bcauth/auth"
)

// TestAccountsViewBy holds accountsView.By to what writeAccountList
// writes: a cache keeps accounts --json's output under that name, and a
// bcauth that writes it otherwise must not take an older one's for its
// own. When this fails because the output changed on purpose, change
// accountsView.By (the number after the slash) and the digest here.
func TestAccountsViewBy(t *testing.T) {
	const by, digest = "accounts --json/1", "3e8f71eef0998ae7e27be30c9c09adeae4479f05fafe8fdd3bd137c6a760b345"
	var accs []auth.Account
	for i := range 40 {
		accs = append(accs, auth.Account{Product: []string{"bc3", "bcx", "odd-code", "hey"}[i%4], ID: int64(1000 + i),
			Name: fmt.Sprintf("Account %d", i), Href: fmt.Sprintf("http://127.0.0.1:9/%d", i), AppHref: map[bool]string{true: "http://127.0.0.1:9/app"}[i%3 == 0]})
	}
	odd := append([]auth.Account{{Product: "bc3", ID: 1, Name: "tab\there \x1b[31m\u202e \"quoted\" \\ é", Href: "http://127.0.0.1:9/x"}}, accs...)
	sum := sha256.New()
	sum.Write(renderAccountList(accs, true))
	sum.Write(renderAccountList(odd, false))
	sum.Write(renderAccountList(nil, true))
	if got := hex.EncodeToString(sum.Sum(nil)); accountsView.By != by || got != digest {
		t.Fatalf("accounts --json's text or its view's name changed: By %q, digest %s; want %q, %s.\n"+
			"If the text changed on purpose, give accountsView.By a new number and put both here.", accountsView.By, got, by, digest)
	}
}
