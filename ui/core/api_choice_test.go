package core

import (
	"errors"
	"strings"
	"testing"

	"bcauth/auth"
)

// Issue 22, point 10: a number is an id, never a name.
func TestChooseAccountANumberIsAnIDOnly(t *testing.T) {
	accs := []auth.Account{
		{Product: "bc3", ID: 5, Name: "111"},
		{Product: "bcx", ID: 111, Name: "Wayne"},
		{Product: "bc3", ID: 6, Name: "Same"},
		{Product: "bc3", ID: 7, Name: "same"},
	}
	for _, tc := range []struct {
		account, product string
		want             string // key, or "" for a choice
		choices          int
	}{
		{account: "111", product: "bc3", choices: 3}, // no bc3 account has id 111: every candidate listed
		{account: "111", want: "bcx:111"},
		{account: "name:111", want: "bc3:5"},
		{account: "name:111", product: "bcx", choices: 1},
		{account: "Wayne", want: "bcx:111"},
		{account: "name:same", choices: 2}, // ambiguous: both listed
		{account: "0111", choices: 4},
		{account: "99999999999999999999", choices: 4},
	} {
		got, err := ChooseAccount(accs, "", tc.account, tc.product)
		var ce *ChoiceError
		switch {
		case tc.want != "" && (err != nil || got.Key() != tc.want):
			t.Errorf("%+v: got %s, %v", tc, got.Key(), err)
		case tc.want == "" && (!errors.As(err, &ce) || len(ce.Choices) != tc.choices):
			t.Errorf("%+v: got %s, %v; want %d choices", tc, got.Key(), err, tc.choices)
		}
	}
}

// Issue 22, point 11: the copied line holds nothing any shell bcauth has
// completions for would read otherwise, or there is none.
func TestAPICommandIsPlainInEveryShell(t *testing.T) {
	for _, code := range []string{"x\x1b[201~; rm -rf ~", "a'b", "bc3 ; echo", "$(id)", "(id)", "-x", "BC3", "héllo", "a\nb", "`id`", strings.Repeat("a", 40)} {
		acc := auth.Account{Product: code, ID: 1}
		all := []auth.Account{acc, {Product: "bc3", ID: 1}}
		line, err := APICommand(acc, all, 0)
		if err == nil || line != "" {
			t.Errorf("product %q: copied %q, %v; want it refused", code, line, err)
		}
		if err != nil && strings.ContainsAny(err.Error(), "\x1b\n") {
			t.Errorf("product %q: the reason is not clean: %q", code, err)
		}
	}
	acc := auth.Account{Product: "highrise", ID: 1}
	line, err := APICommand(acc, []auth.Account{acc, {Product: "bc3", ID: 1}}, 42)
	if err != nil || line != "bcauth api --id 42 --product highrise --account 1 /people.xml" {
		t.Errorf("got %q, %v", line, err)
	}
}
