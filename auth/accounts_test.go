package auth_test

import (
	"maps"
	"strings"
	"testing"

	"bcauth/auth"
)

func TestIdentityName(t *testing.T) {
	tests := []struct {
		name string
		id   auth.Identity
		want string
	}{
		{name: "first and last", id: auth.Identity{FirstName: "Jason", LastName: "Fried", EmailAddress: "jason@example.com"}, want: "Jason Fried"},
		{name: "first only", id: auth.Identity{FirstName: "Jason", EmailAddress: "jason@example.com"}, want: "Jason"},
		{name: "last only", id: auth.Identity{LastName: "Fried", EmailAddress: "jason@example.com"}, want: "Fried"},
		{name: "no name", id: auth.Identity{EmailAddress: "jason@example.com"}, want: "jason@example.com"},
		{name: "nothing", id: auth.Identity{ID: 9}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.id.Name(); got != tt.want {
				t.Errorf("Name() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCountProducts(t *testing.T) {
	acc := func(codes ...string) []auth.Account {
		var out []auth.Account
		for i, c := range codes {
			out = append(out, auth.Account{Product: c, ID: int64(i + 1)})
		}
		return out
	}
	tests := []struct {
		name     string
		accounts []auth.Account
		want     map[string]int
	}{
		{name: "none", accounts: nil, want: map[string]int{}},
		{name: "one", accounts: acc("bc3"), want: map[string]int{"bc3": 1}},
		{name: "grouped, as Launchpad lists them", accounts: acc("bc3", "bc3", "bc3", "bcx", "campfire", "campfire"),
			want: map[string]int{"bc3": 3, "bcx": 1, "campfire": 2}},
		{name: "interleaved", accounts: acc("bc3", "bcx", "bc3", "bcx", "bc3"), want: map[string]int{"bc3": 3, "bcx": 2}},
		{name: "an empty code counts too", accounts: acc("", "", "bc3"), want: map[string]int{"": 2, "bc3": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := auth.CountProducts(tt.accounts); !maps.Equal(got, tt.want) {
				t.Errorf("CountProducts = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestProductsListsTheCatalogueInOrder: Products is the display order,
// and every entry is what LookupProduct says of its code.
func TestProductsListsTheCatalogueInOrder(t *testing.T) {
	ps := auth.Products()
	if len(ps) < 7 || ps[0].Code != "bc3" || ps[1].Code != "bcx" {
		t.Fatalf("Products() = %+v, want Basecamp and Basecamp 2 first", ps)
	}
	for i, p := range ps {
		if p.Order != i || auth.LookupProduct(p.Code) != p || !p.Known() {
			t.Errorf("Products()[%d] = %+v, LookupProduct says %+v", i, p, auth.LookupProduct(p.Code))
		}
	}
	ps[0].Name = "changed"
	if auth.Products()[0].Name != "Basecamp" {
		t.Error("Products() hands out the catalogue itself")
	}
}

// TestAdvice: every kind of failure but KindOther says what to do next.
func TestAdvice(t *testing.T) {
	tests := []struct {
		kind auth.Kind
		want string // a part of the advice; "" for none at all
	}{
		{kind: auth.KindRelogin, want: "log in again"},
		{kind: auth.KindRetry, want: "try again"},
		{kind: auth.KindConfig, want: "client id"},
		{kind: auth.KindUnexpected, want: auth.SettingLaunchpadURL},
		{kind: auth.KindOther, want: ""},
	}
	for _, tt := range tests {
		got := (&auth.LaunchpadError{Kind: tt.kind}).Advice()
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("Advice() for kind %d = %q, want it to say %q", tt.kind, got, tt.want)
		}
	}
}
