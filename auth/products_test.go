package auth_test

import (
	"testing"

	"bcauth/auth"
)

func TestGuessProduct(t *testing.T) {
	for href, want := range map[string]string{
		"https://3.basecampapi.com/99999999":        "bc3",
		"https://basecamp.com/88888888/api/v1":      "bcx",
		"https://basecamp.com/88888888":             "",
		"https://northwind.basecamphq.com":          "basecamp",
		"https://acme4444444.campfirenow.com/":      "campfire",
		"https://globex.highrisehq.com":             "highrise",
		"https://Pack.BackpackIt.com":               "backpack",
		"https://app.hey.com":                       "",
		"http://127.0.0.1:8080/bc3/1":               "",
		"https://evil.com/northwind.basecamphq.com": "",
	} {
		if got := auth.GuessProduct(href); got != want {
			t.Errorf("GuessProduct(%q) = %q, want %q", href, got, want)
		}
	}
}
