package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"

	"bcauth/auth/launchpadtest"
	"bcauth/ui/uitest"
)

// benchEnv is a login whose Basecamp ID reaches n accounts, listed once so
// the cache holds them, as after a first `bcauth accounts`.
func benchEnv(b *testing.B, n int) *cliEnv {
	e := &cliEnv{uitest.New(b, launchpadtest.Options{AutoApprove: true})}
	accs := make([]launchpadtest.Account, n)
	for i := range accs {
		id := strconv.Itoa(10_000_000 + i)
		accs[i] = launchpadtest.Account{Product: "bc3", ID: int64(10_000_000 + i), Name: "Account " + id,
			Href: e.Fake.URL + "/bc3/" + id, AppHref: e.Fake.URL + "/web/bc3/" + id}
	}
	e.Fake.SetAccounts(accs)
	e.LogIn(b)
	return e
}

// The script commands with a valid token and n cached accounts, in one
// process: what each costs beyond process start (see .ci/bench for the
// side-by-side with curl and bcauth version).
func BenchmarkScripts(b *testing.B) {
	for _, n := range []int{7, 3000, 30000} {
		e := benchEnv(b, n)
		out := Output{Stdout: io.Discard, Stderr: io.Discard}
		for _, c := range []struct {
			name string
			run  func() int
		}{
			{"token", func() int { return Token(b.Context(), e.Svc, out, false) }},
			{"accounts-json", func() int { return Accounts(b.Context(), e.Svc, out, true, "") }},
			{"status-json", func() int { return Status(b.Context(), e.Svc, out, true) }},
			{"api-account", func() int {
				return API(b.Context(), e.Svc, out, APIOptions{Account: "10000000", Path: "/projects.json", HTTPClient: e.Svc.HTTPClient})
			}},
		} {
			b.Run(fmt.Sprintf("%s/%d", c.name, n), func(b *testing.B) {
				for b.Loop() {
					if code := c.run(); code != ExitOK {
						b.Fatalf("exit %d", code)
					}
				}
			})
		}
	}
}

// TestAccountsJSONAsEncoder checks the hand-written accounts --json
// against encodeJSON, the encoder every other command uses, on names that
// need every kind of escape.
func TestAccountsJSONAsEncoder(t *testing.T) {
	names := []string{"", "Honcho Design", `quote " and \ backslash`, "tab\tnewline\n", "\x1b[31mred", "\u202eevil", "株式会社", "a & <b>", "\x7f\u0085", "bad \xff utf-8", "\u2028"}
	for _, rows := range [][]accountJSON{nil, {{Product: "bc3", ProductName: "Basecamp", ID: 1, Name: "x", Href: "h"}}} {
		var want bytes.Buffer
		if err := encodeJSON(&want, append([]accountJSON{}, rows...)); err != nil {
			t.Fatal(err)
		}
		if got := accountsJSON(t, rows); got != want.String() {
			t.Errorf("rows %v:\n got %s\nwant %s", rows, got, want.String())
		}
	}
	var rows []accountJSON
	for i, n := range names {
		rows = append(rows, accountJSON{Product: n, ProductName: "P " + n, ID: int64(i - 3), Name: n, Href: "http://127.0.0.1/" + n, AppHref: n})
	}
	var want bytes.Buffer
	if err := encodeJSON(&want, rows); err != nil {
		t.Fatal(err)
	}
	if got := accountsJSON(t, rows); got != want.String() {
		t.Errorf("got\n%s\nwant\n%s", got, want.String())
	}
}

// accountsJSON is what writeAccountsJSON writes of rows, through a writer
// that takes a few bytes at a time.
func accountsJSON(t *testing.T, rows []accountJSON) string {
	var b strings.Builder
	if err := writeAccountsJSON(&b, slices.Values(rows), false); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestAccountsJSONInPieces checks that a list larger than one piece of
// output comes out whole and in order, and that a failing writer is
// reported.
func TestAccountsJSONInPieces(t *testing.T) {
	var rows []accountJSON
	for i := range 3000 {
		rows = append(rows, accountJSON{Product: "bc3", ProductName: "Basecamp", ID: int64(i), Name: "Account " + strconv.Itoa(i), Href: "http://127.0.0.1:9/" + strconv.Itoa(i)})
	}
	var want bytes.Buffer
	if err := encodeJSON(&want, rows); err != nil {
		t.Fatal(err)
	}
	if got := accountsJSON(t, rows); got != want.String() {
		t.Fatalf("3000 rows differ from encodeJSON's (%d bytes, want %d)", len(got), want.Len())
	}
	// Rows known plain are written without a look at their strings: the
	// same bytes.
	var plain strings.Builder
	if err := writeAccountsJSON(&plain, slices.Values(rows), true); err != nil || plain.String() != want.String() {
		t.Fatalf("3000 plain rows differ from encodeJSON's (%v)", err)
	}
	if err := writeAccountsJSON(failingWriter{}, slices.Values(rows), false); err == nil {
		t.Error("a writer that fails gave no error")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
