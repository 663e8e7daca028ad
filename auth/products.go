package auth

import (
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// Product describes one 37signals product as Launchpad names it.
type Product struct {
	// Code is Launchpad's product value, such as "bc3".
	Code string
	// Name is what a person calls it, such as "Basecamp".
	Name string
	// WhoAmI is the path, relative to an account's href, that answers with the
	// person behind the token; empty when the product has no public one.
	WhoAmI string
	// Order places the product in lists; unknown products sort after these.
	Order int
}

var catalogue = []Product{
	{Code: "bc3", Name: "Basecamp", WhoAmI: "/my/profile.json"},
	{Code: "bcx", Name: "Basecamp 2", WhoAmI: "/people/me.json"},
	{Code: "basecamp", Name: "Basecamp Classic", WhoAmI: "/me.xml"},
	{Code: "campfire", Name: "Campfire", WhoAmI: "/users/me.xml"},
	{Code: "highrise", Name: "Highrise", WhoAmI: "/me.xml"},
	{Code: "backpack", Name: "Backpack", WhoAmI: "/me.xml"},
	{Code: "hey", Name: "HEY"},
	// Older 37signals products Launchpad still lists for some IDs; none
	// has a public who-am-I endpoint.
	{Code: "writeboard", Name: "Writeboard"},
	{Code: "tadalist", Name: "Ta-da List"},
}

// unknownOrder sorts products bcauth does not know after every known one.
const unknownOrder = 1000

// LookupProduct returns what bcauth knows of a product code. An unknown code
// comes back as a Product named by its code, so it is shown, never dropped.
func LookupProduct(code string) Product {
	for i, p := range catalogue {
		if p.Code == code {
			p.Order = i
			return p
		}
	}
	return Product{Code: code, Name: code, Order: unknownOrder}
}

// Known reports whether the code is in bcauth's catalogue.
func (p Product) Known() bool { return p.Order < unknownOrder }

// Label is how a list heads the product's accounts: its name, or "Other:
// code" for a product bcauth does not know, so it does not pass for one of
// the names beside it.
func (p Product) Label() string {
	if p.Known() {
		return p.Name
	}
	return "Other: " + p.Code
}

// Products lists the known products in display order.
func Products() []Product {
	out := make([]Product, len(catalogue))
	for i, p := range catalogue {
		p.Order = i
		out[i] = p
	}
	return out
}

// bcxPath is how a Basecamp 2 API href's path begins: /ID/api/v1.
var bcxPath = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^/(\d+)/api/v1/?`)
})

// GuessProduct names the product an API href belongs to, from its host
// (and, for Basecamp 2, its path), or "" when it cannot tell.
func GuessProduct(href string) string {
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case host == "3.basecampapi.com":
		return "bc3"
	case (host == "basecamp.com" || host == "www.basecamp.com") && bcxPath().MatchString(u.Path):
		return "bcx"
	case strings.HasSuffix(host, ".basecamphq.com"):
		return "basecamp"
	case strings.HasSuffix(host, ".campfirenow.com"):
		return "campfire"
	case strings.HasSuffix(host, ".highrisehq.com"):
		return "highrise"
	case strings.HasSuffix(host, ".backpackit.com"):
		return "backpack"
	}
	return ""
}

// CountProducts counts accounts by product code. Launchpad lists a
// product's accounts together, so the last code is tried first.
func CountProducts(accounts []Account) map[string]int {
	counts := map[string]int{}
	code, n := "", 0
	for i, a := range accounts {
		if i > 0 && a.Product == code {
			n++
			continue
		}
		if n > 0 {
			counts[code] += n
		}
		code, n = a.Product, 1
	}
	if n > 0 {
		counts[code] += n
	}
	return counts
}
