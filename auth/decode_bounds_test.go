package auth

import (
	"runtime"
	"strings"
	"testing"
)

// Issue 22, point 7: nesting and account counts are bounded where
// authorization.json (Launchpad's, or the account cache's) is decoded.

func allocated() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

func TestParseAuthorizationBoundsNesting(t *testing.T) {
	const head = `{"identity":{"id":1,"email_address":"a@example.com"},"accounts":[{"product":"bc3","id":1,"extra":`
	// The last is a cache file of 19 MB, which once overflowed the stack.
	for _, depth := range []int{maxPlainDepth + 1, 10_001, 19 << 20} {
		body := head + strings.Repeat("[", depth)
		before := allocated()
		_, err := ParseAuthorization(body)
		took := allocated() - before
		if err == nil {
			t.Errorf("%d levels: no error", depth)
		}
		if took > 64<<20 {
			t.Errorf("%d levels: %d MB allocated", depth, took>>20)
		}
	}
	// Nesting within the bound, in an unknown field, is read.
	ok := head + strings.Repeat("[", maxPlainDepth-2) + strings.Repeat("]", maxPlainDepth-2) + `}]}`
	if a, err := ParseAuthorization(ok); err != nil || len(a.Accounts) != 1 || !a.plain {
		t.Errorf("nesting within the bound: %v", err)
	}
	deeper := head + strings.Repeat("[", 500) + strings.Repeat("]", 500) + `}]}`
	if a, err := ParseAuthorization(deeper); err != nil || len(a.Accounts) != 1 {
		t.Errorf("nesting encoding/json reads: %v", err)
	}
}

func TestParseAuthorizationBoundsTheAccounts(t *testing.T) {
	many := func(n int, each string) string {
		return `{"identity":{"id":1},"accounts":[` + strings.Repeat(each+",", n-1) + each + `]}`
	}
	for _, tc := range []struct {
		name string
		body string
		ok   bool
	}{
		{"MaxAccounts", many(MaxAccounts, `{}`), true},
		{"one more", many(MaxAccounts+1, `{}`), false},
		{"3.5 million", many(3_500_000, `{}`), false},
		{"MaxAccounts, not plain", many(MaxAccounts, `{"name":null}`), true},
		{"one more, not plain", many(MaxAccounts+1, `{"name":null}`), false},
	} {
		before := allocated()
		a, err := ParseAuthorization(tc.body)
		took := allocated() - before
		switch {
		case tc.ok && (err != nil || len(a.Accounts) != MaxAccounts):
			t.Errorf("%s: %v", tc.name, err)
		case !tc.ok && (err == nil || !strings.Contains(err.Error(), "more than 100000 accounts")):
			t.Errorf("%s: %v, want too many accounts", tc.name, err)
		}
		if tc.name == "3.5 million" && took > 64<<20 {
			t.Errorf("%s: %d MB allocated", tc.name, took>>20)
		}
	}
}
