package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"bcauth/auth"
)

// TestAccountsViewBy holds accountsView.By to what writeAccountList
// writes, product names included: a cache keeps accounts --json's output
// under that name (and the sort's, which core adds), and a bcauth that
// writes it otherwise must not take an older one's for its own. When this
// fails because the output changed on purpose, change accountsView.By
// (the number after the slash) and the digest here.
func TestAccountsViewBy(t *testing.T) {
	const by, digest = "accounts --json/1", "80dd1e197a8d8e9f532d41beb046f8a56ae60ba0ac1b2fd5944732372b83b56f"
	// Every product bcauth knows, whose names the text holds, and one it
	// does not.
	codes := []string{"odd-code"}
	for _, p := range auth.Products() {
		codes = append(codes, p.Code)
	}
	var accs []auth.Account
	for i := range 40 {
		accs = append(accs, auth.Account{Product: codes[i%len(codes)], ID: int64(1000 + i),
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
