package tui

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"bcauth/auth"
	"bcauth/store"
	"bcauth/ui/core"
)

// benchModel is the accounts screen with n accounts across products, at
// w×h, as the program has it after a login.
func benchModel(b *testing.B, n, w, h int) *Model {
	b.Helper()
	products := []string{"bc3", "bcx", "basecamp", "campfire", "highrise", "backpack", "tadalist"}
	accs := make([]auth.Account, n)
	for i := range accs {
		accs[i] = auth.Account{Product: products[i%len(products)], ID: int64(1_000_000 + i),
			Name: fmt.Sprintf("Company %05d Ünïcødé ™ Holdings", i), Href: fmt.Sprintf("http://127.0.0.1:9/bc3/%d", 1_000_000+i)}
	}
	m := New(Config{Service: &core.Service{}})
	sess := &store.Session{Identity: auth.Identity{ID: 1, FirstName: "Annie", LastName: "Bryan", EmailAddress: "annie@example.com"},
		Token: store.Token{Expiry: time.Now().Add(24 * time.Hour)}, Authorization: &auth.Authorization{Accounts: accs}}
	m.showAccounts(sess)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// BenchmarkRenderAccounts10k draws one frame of the accounts screen with
// 10,000 accounts at 120×40.
func BenchmarkRenderAccounts10k(b *testing.B) {
	m := benchModel(b, 10_000, 120, 40)
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

// BenchmarkFilterKeystroke10k types one character into the filter over
// 10,000 accounts and draws the frame that follows.
func BenchmarkFilterKeystroke10k(b *testing.B) {
	m := benchModel(b, 10_000, 120, 40)
	m.Update(press("/"))
	m.Update(press("4"))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		// Alternate between adding and removing a character so every
		// iteration really refilters.
		k := press("2")
		if i%2 == 1 {
			k = tea.KeyPressMsg{Code: tea.KeyBackspace}
		}
		m.Update(k)
		_ = m.View()
	}
}
